"""``kiosk bundle ...`` end to end on real files: the staff workflow and the kiosk side, with exit codes."""

from __future__ import annotations

import argparse
import json
import stat
import threading
from pathlib import Path

import pytest

from kiosk import paths
from kiosk.bundle import commands
from kiosk.bundle.manifest import load_manifest
from tests.conftest import run_kiosk_command
from tests.unit.test_bundle_support import LANGUAGES, make_content, write_text

SHIPPED_ID = load_manifest(paths.shipped_content_dir()).bundle_id


def kiosk_bundle(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kiosk")
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["bundle", *argv])
    return args.func(args)


@pytest.fixture
def staff(tmp_path: Path, capsys) -> dict[str, Path]:
    """A content folder with the shipped bundle's id (a kiosk refuses other ids) and a signing key."""
    content = make_content(tmp_path / "content", version=900, bundle_id=SHIPPED_ID)
    assert kiosk_bundle("keygen", "--out", str(tmp_path / "keys" / "staff.key")) == 0
    public = capsys.readouterr().out.strip()
    config = write_text(tmp_path / "kiosk.toml", f'[bundles]\ntrusted_keys = ["{public}"]\nkeep = 2\n')
    key = tmp_path / "keys" / "staff.key"
    return {"content": content, "key": key, "pub": key.with_name("staff.key.pub"), "config": config,
            "tmp": tmp_path}


def test_keygen_writes_a_private_file_and_refuses_to_overwrite(staff, capsys):
    mode = stat.S_IMODE(staff["key"].stat().st_mode)
    assert mode == 0o600
    assert len(staff["pub"].read_text(encoding="ascii").strip()) == 44
    before = staff["key"].read_bytes()
    assert kiosk_bundle("keygen", "--out", str(staff["key"])) == 2
    assert "refusing" in capsys.readouterr().err
    assert staff["key"].read_bytes() == before


def test_validate_exit_codes_and_json(staff, capsys):
    languages = ",".join(LANGUAGES)
    assert kiosk_bundle("validate", str(staff["content"]), "--languages", languages) == 0
    assert "0 error(s)" in capsys.readouterr().out
    (staff["content"] / "de" / "care.md").unlink()
    assert kiosk_bundle("validate", str(staff["content"]), "--languages", languages) == 0  # a warning
    write_text(staff["content"] / "en" / "care.md", "# Care\n\nSee [x](nowhere.md).\n")
    capsys.readouterr()
    assert kiosk_bundle("validate", str(staff["content"]), "--languages", languages, "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 1
    (error,) = [p for p in report["problems"] if p["severity"] == "error"]
    assert (error["file"], error["line"], error["code"]) == ("en/care.md", 3, "broken-link")


def test_status_json(staff, capsys):
    assert kiosk_bundle("status", str(staff["content"]), "--languages", "en,de,tr", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["completeness"]["en"] == 100.0 and report["completeness"]["tr"] == 0.0
    assert report["states"]["care"]["tr"] == "missing"


def test_build_verify_install_list_rollback(staff, capsys):
    bundle = staff["tmp"] / "out" / "content.kbundle"
    bundle.parent.mkdir()
    assert kiosk_bundle("build", str(staff["content"]), "--key", str(staff["key"]), "--out", str(bundle),
                        "--expires-days", "20", "--languages", ",".join(LANGUAGES)) == 0
    assert "version 900" in capsys.readouterr().out
    assert kiosk_bundle("verify", str(bundle), "--pubkey", str(staff["pub"]), "--json",
                        "--config", str(staff["config"])) == 0
    verified = json.loads(capsys.readouterr().out)
    assert verified["ok"] and verified["version"] == 900

    assert kiosk_bundle("install", str(bundle), "--config", str(staff["config"])) == 0
    assert "installed and active: 900-" in capsys.readouterr().out
    assert kiosk_bundle("install", str(bundle), "--config", str(staff["config"])) == 1
    assert "REFUSED, nothing changed" in capsys.readouterr().err

    assert kiosk_bundle("list", "--verify", "--json", "--config", str(staff["config"])) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["active"].startswith("900-") and listing["highest_version"] == 900
    assert listing["showing"].startswith(str(paths.bundles_dir()))
    assert [e["event"] for e in listing["events"]] == ["activated", "refused"]

    assert kiosk_bundle("rollback", "--config", str(staff["config"])) == 0
    assert "the shipped content" in capsys.readouterr().out
    assert kiosk_bundle("rollback", "--config", str(staff["config"])) == 1


def test_verify_refuses_a_key_it_does_not_trust(staff, capsys):
    bundle = staff["tmp"] / "content.kbundle"
    assert kiosk_bundle("build", str(staff["content"]), "--key", str(staff["key"]), "--out", str(bundle)) == 0
    other = staff["tmp"] / "other.key"
    kiosk_bundle("keygen", "--out", str(other))
    capsys.readouterr()
    assert kiosk_bundle("verify", str(bundle), "--pubkey", str(other) + ".pub", "--json") == 1
    assert json.loads(capsys.readouterr().out)["reason"] == "untrusted-key"


def test_build_refuses_content_with_errors_and_writes_nothing(staff, capsys):
    (staff["content"] / "en" / "care.md").unlink()
    bundle = staff["tmp"] / "content.kbundle"
    assert kiosk_bundle("build", str(staff["content"]), "--key", str(staff["key"]), "--out", str(bundle)) == 1
    assert "en/care.md" in capsys.readouterr().err
    assert not bundle.exists()
    assert list(bundle.parent.glob(".content.kbundle*")) == []


def test_install_without_trusted_keys_is_refused(staff, capsys):
    bundle = staff["tmp"] / "content.kbundle"
    kiosk_bundle("build", str(staff["content"]), "--key", str(staff["key"]), "--out", str(bundle))
    empty = write_text(staff["tmp"] / "empty.toml", "")
    assert kiosk_bundle("install", str(bundle), "--config", str(empty)) == 1
    assert "trusts no signing key" in capsys.readouterr().err


def test_bad_config_key_is_a_usage_error(staff, capsys):
    broken = write_text(staff["tmp"] / "broken.toml", '[bundles]\ntrusted_keys = ["not-a-key"]\n')
    assert kiosk_bundle("list", "--config", str(broken)) == 2
    assert "bundles.trusted_keys" in capsys.readouterr().err


def test_export_html(staff, capsys):
    site = staff["tmp"] / "site"
    assert kiosk_bundle("export-html", str(staff["content"]), "--out", str(site)) == 0
    assert (site / "index.html").is_file() and (site / "ar" / "care.html").is_file()


def test_the_kiosk_command_routes_to_bundle_commands(staff):
    """The real ``kiosk`` entry point (a separate process) knows the bundle commands."""
    result = run_kiosk_command("bundle", "validate", str(staff["content"]), "--languages", "en", "--json")
    assert result.returncode == 0, result.stderr
    assert '"errors": 0' in result.stdout


def test_refusals_decided_before_unpacking_are_in_events_and_the_list(staff, capsys, qtbot, tmp_path):
    import shutil

    from nacl.signing import SigningKey

    from kiosk.bundle.errors import BundleRefused
    from kiosk.bundle.fetch import BundleFetcher, FetchLimits
    from kiosk.bundle.store import BundleStore
    from kiosk.bundle.watch import BundleWatcher
    from kiosk.config import load_config
    from tests.unit.test_bundle_fetch import Server
    from tests.unit.test_bundle_support import edition

    store = BundleStore.from_config(load_config(staff["config"]))  # the store 'kiosk bundle list' reads
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "garbage.kbundle").write_bytes(b"not a bundle " * 10)
    shutil.copy(edition(tmp_path, SigningKey.generate(), 901), usb / "foreign.kbundle")
    server = Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = server.url("/big")  # offers 10**9 bytes: refused from its Content-Length
        watcher = BundleWatcher(store, folder=usb, fetcher=BundleFetcher(
            url, store.root / "downloads", FetchLimits(1 << 20, 10.0, 10.0)))
        watcher.check_now()
        watcher.wait()
        watcher.stop()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    folder = store.root / "unreadable.kbundle"
    folder.mkdir()  # a name the stick's file system can no longer read
    with pytest.raises(BundleRefused):
        store.peek(folder)

    assert kiosk_bundle("list", "--json", "--config", str(staff["config"])) == 0
    listing = json.loads(capsys.readouterr().out)
    events = {(Path(e["file"]).name if e["file"] != url else url, e["reason"])
              for e in listing["events"] if e["event"] == "refused"}
    assert events == {("garbage.kbundle", "format"), ("foreign.kbundle", "untrusted-key"),
                      (url, "download-too-big"), ("unreadable.kbundle", "unreadable")}
    remembered = {(entry["file"], entry["reason"]) for entry in listing["refused"]}
    assert remembered == {(str(usb / "garbage.kbundle"), "format"), (str(usb / "foreign.kbundle"), "untrusted-key"),
                          (url, "download-too-big")}  # an unreadable file is tried again, not remembered

    assert kiosk_bundle("list", "--config", str(staff["config"])) == 0
    text = capsys.readouterr().out
    assert "refused downloads (tried again at the next poll):" in text and f"{url}: [download-too-big]" in text
    assert "garbage.kbundle" in text and "[untrusted-key]" in text

    store.forget_download_refusal(url)  # the next download succeeded
    assert {entry["reason"] for entry in store.refused()} == {"format", "untrusted-key"}
