"""``kiosk receiver keygen|list|import`` and ``kiosk outbox status|export|retry``, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main as kiosk_main
from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.store import Outbox
from kiosk.receiver.__main__ import main as receiver_main
from kiosk.receiver.store import ReceiverStore


def make_request(name: str) -> ConsultationRequest:
    return ConsultationRequest(
        full_name=name, country="DE", phone="+4915123456789", email="x@example.org", contact_language="de",
        channel="email", relation="family", age=9, description="Zervikale Dystonie", consent=True,
        privacy_notice_version="2026-11", ui_language="de",
    )


@pytest.fixture
def keyfile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    path = tmp_path / "hospital.key"
    assert kiosk_main(["receiver", "keygen", "--private-key", str(path)]) == 0
    output = capsys.readouterr().out
    public = output.split('hospital_public_key = "')[1].split('"')[0]
    return path, public


def test_keygen_writes_a_private_key_only_the_owner_can_read(
    keyfile: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, public = keyfile
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert len(path.read_text().strip()) == 44 and len(public) == 44
    assert receiver_main(["keygen", "--private-key", str(path)]) == 2
    assert "exists" in capsys.readouterr().err


def test_export_then_import_then_list(
    tmp_path: Path, keyfile: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    private_path, public = keyfile
    outbox_path = tmp_path / "outbox.db"
    with Outbox(outbox_path, public) as outbox:
        queued = [outbox.enqueue(make_request(f"Kind {index}")) for index in range(3)]
    usb = tmp_path / "usb"
    assert kiosk_main(["outbox", "export", "--db", str(outbox_path), "--to", str(usb)]) == 0
    assert "exported 3" in capsys.readouterr().out

    db = tmp_path / "received.db"
    assert receiver_main(["import", str(usb), "--db", str(db), "--private-key", str(private_path)]) == 0
    assert "imported: 3, already present: 0, rejected: 0" in capsys.readouterr().out
    assert receiver_main(["import", str(usb), "--db", str(db), "--private-key", str(private_path)]) == 0
    assert "imported: 0, already present: 3, rejected: 0" in capsys.readouterr().out

    assert receiver_main(["list", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    assert all(f"Kind {index}" in listing for index in range(3))
    assert all(item.reference in listing for item in queued)
    assert "3 request(s)" in listing

    assert receiver_main(["list", "--db", str(db), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(row["request"]["full_name"] for row in rows) == ["Kind 0", "Kind 1", "Kind 2"]
    assert {row["source"] for row in rows} == {"import"}


def test_import_rejects_a_damaged_file_and_says_so(
    tmp_path: Path, keyfile: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    private_path, public = keyfile
    with Outbox(tmp_path / "outbox.db", public) as outbox:
        outbox.enqueue(make_request("Good"))
        damaged = outbox.enqueue(make_request("Damaged"))
        result = outbox.export(tmp_path / "usb")
    target = tmp_path / "usb" / f"{damaged.id}.sealed"
    target.write_bytes(target.read_bytes()[:-1] + b"\x00")
    code = receiver_main(["import", str(result.directory), "--db", str(tmp_path / "r.db"),
                          "--private-key", str(private_path)])
    captured = capsys.readouterr()
    assert code == 1
    assert "imported: 1, already present: 0, rejected: 1" in captured.out
    assert "SHA-256" in captured.err
    with ReceiverStore(tmp_path / "r.db") as store:
        assert [json.loads(row.request_json)["full_name"] for row in store.stored()] == ["Good"]


def test_import_without_a_manifest_fails_clearly(
    tmp_path: Path, keyfile: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = receiver_main(["import", str(tmp_path), "--db", str(tmp_path / "r.db"),
                          "--private-key", str(keyfile[0])])
    assert code == 2 and "manifest.json" in capsys.readouterr().err


def test_outbox_status_text_and_json(
    tmp_path: Path, keyfile: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, public = keyfile
    db = tmp_path / "outbox.db"
    with Outbox(db, public) as outbox:
        parked = outbox.enqueue(make_request("A"))
        outbox.enqueue(make_request("B"))
        outbox.claim(parked.id)
        outbox.mark_needs_attention(parked.id, "HTTP 401 Unauthorized: missing or unknown bearer token")
    assert kiosk_main(["outbox", "status", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert "queued: 1" in text and "needs attention: 1" in text and "last delivery: never" in text
    assert parked.reference in text and "401" in text
    assert kiosk_main(["outbox", "status", "--db", str(db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["queued"] == 1 and data["needs_attention"] == 1 and data["undelivered"] == 2
    assert data["needs_attention_requests"][0]["reference"] == parked.reference


def test_outbox_retry_requeues_parked_requests(
    tmp_path: Path, keyfile: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "outbox.db"
    with Outbox(db, keyfile[1]) as outbox:
        parked = outbox.enqueue(make_request("A"))
        outbox.claim(parked.id)
        outbox.mark_needs_attention(parked.id, "HTTP 401")
    assert kiosk_main(["outbox", "retry", "--db", str(db)]) == 0
    assert "1 request(s) queued again" in capsys.readouterr().out
    with Outbox(db) as outbox:
        assert outbox.status().queued == 1


def test_outbox_commands_report_a_broken_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[delivery]\nendpoint = 5\n")
    assert kiosk_main(["outbox", "status", "--config", str(config)]) == 2
    assert "delivery.endpoint" in capsys.readouterr().err
