"""Health figures and rules against a real outbox file, the ``kiosk health`` command, and the Prometheus
textfile read back line by line."""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from kiosk import paths
from kiosk.bundle.errors import BundleRefused
from kiosk.bundle.manifest import load_manifest
from kiosk.bundle.store import BundleStore
from kiosk.health.prometheus import render_prometheus, write_atomically, write_report
from kiosk.health.report import CONTENT_UNLOADABLE, LOW_DISK, NEEDS_ATTENTION, OUTBOX_STALE, build_report
from kiosk.outbox.store import Outbox
from tests.conftest import run_kiosk_command
from tests.unit.test_bundle_support import build, make_content
from tests.unit.test_outbox_delivery import make_request

SHIPPED = load_manifest(paths.shipped_content_dir())


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def fill_outbox(public_key: str, path: Path | None = None) -> float:
    """The kiosk's own outbox file: 2 queued (the oldest 5 h old), 1 needing attention, 1 delivered.
    Times are relative to the real clock (``kiosk health`` reads it); returns the "now" they assume."""
    now = float(int(time.time()))
    clock = Clock(now - 5 * 3600)
    with Outbox(path or paths.outbox_db_path(), public_key, clock=clock) as outbox:
        oldest = outbox.enqueue(make_request())
        clock.now = now - 3600
        outbox.enqueue(make_request())
        refused = outbox.enqueue(make_request())
        sent = outbox.enqueue(make_request())
        clock.now = now - 1800
        assert outbox.claim(refused.id) and outbox.mark_needs_attention(refused.id, "HTTP 401 Unauthorized")
        clock.now = now - 600
        assert outbox.claim(sent.id) and outbox.mark_delivered(sent.id, "R-1")
        assert outbox.get(oldest.id).state == "queued"
    return now


def test_figures_and_rules_from_a_real_outbox(config, keys):
    now = fill_outbox(keys[1])
    report = build_report(config, now=now)
    status = report.outbox
    assert (status.queued, status.sending, status.needs_attention, status.delivered) == (2, 0, 1, 1)
    assert status.oldest_undelivered_age_seconds == 5 * 3600
    assert status.last_delivery_at == now - 600
    assert status.last_error == "HTTP 401 Unauthorized"
    assert not report.healthy
    assert {reason.code for reason in report.reasons} == {OUTBOX_STALE, NEEDS_ATTENTION}
    stale = next(reason for reason in report.reasons if reason.code == OUTBOX_STALE)
    assert "300 minutes" in stale.message and "240" in stale.message
    assert report.content.bundle_id == SHIPPED.bundle_id and report.content.version == SHIPPED.version
    assert report.content.source == "shipped" and not report.content.error
    assert report.languages == ("en", "tr", "ar", "fa", "ru", "de", "fr", "uk")
    assert report.free_disk_bytes and report.free_disk_bytes > 0


def test_thresholds_come_from_the_configuration(config, keys):
    now = fill_outbox(keys[1])
    relaxed = config.with_overrides(health__max_undelivered_age_minutes=6 * 60)
    assert {r.code for r in build_report(relaxed, now=now).reasons} == {NEEDS_ATTENTION}
    # More free space demanded than any disk here has.
    greedy = relaxed.with_overrides(health__min_free_disk_mb=1024 ** 3)
    assert LOW_DISK in {r.code for r in build_report(greedy, now=now).reasons}


def test_a_fresh_kiosk_is_healthy_and_its_outbox_is_not_created(config):
    report = build_report(config, now=time.time())
    assert report.healthy, report.reasons
    assert report.outbox.undelivered == 0
    assert not paths.outbox_db_path().exists()
    assert not paths.bundles_dir().exists()


def test_unloadable_content_is_unhealthy(config, tmp_path):
    broken = tmp_path / "content"
    broken.mkdir()
    report = build_report(config.with_overrides(content__directory=str(broken)), now=time.time())
    assert [r.code for r in report.reasons] == [CONTENT_UNLOADABLE]
    assert report.content.version is None and "manifest" in report.content.error


def test_installed_bundle_and_its_refusals_are_reported(config, tmp_path):
    key = SigningKey.generate()
    trusted = base64.b64encode(bytes(key.verify_key)).decode("ascii")
    configured = config.with_overrides(bundles__trusted_keys=[trusted])
    content = make_content(tmp_path / "c", version=SHIPPED.version + 5, bundle_id=SHIPPED.bundle_id)
    store = BundleStore.from_config(configured)
    build(content, key, tmp_path / "b.kbundle")
    store.install(tmp_path / "b.kbundle")
    forged = tmp_path / "forged.kbundle"
    other = make_content(tmp_path / "o", version=SHIPPED.version + 9, bundle_id=SHIPPED.bundle_id)
    build(other, SigningKey.generate(), forged)
    with pytest.raises(BundleRefused):
        store.install(forged)
    report = build_report(configured, now=time.time())
    assert report.content.source == "installed"
    assert report.content.version == SHIPPED.version + 5
    assert report.content.installed_name.startswith(f"{SHIPPED.version + 5}-")
    assert "forged.kbundle" in report.last_bundle_error
    assert report.last_bundle_event["event"] == "refused"


# --- Prometheus ------------------------------------------------------------------------------------------

SAMPLE = re.compile(r'^(?P<name>[a-z_]+)(?:\{(?P<labels>[^}]*)\})? (?P<value>-?[0-9.e+]+)$')


def parse_textfile(text: str) -> tuple[dict[str, str], dict[str, str], dict[tuple[str, frozenset], float]]:
    """HELP and TYPE per metric and every sample, checked against the exposition format line by line."""
    helps, types, samples = {}, {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, text_ = line[7:].partition(" ")
            helps[name] = text_
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert kind in ("gauge", "counter"), line
            types[name] = kind
        else:
            match = SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            name = match["name"]
            assert name in types and name in helps, f"{name} sampled before its HELP/TYPE"
            labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match["labels"] or ""))
            samples[(name, labels)] = float(match["value"])
    return helps, types, samples


def test_prometheus_textfile_has_every_figure(config, keys, tmp_path):
    now = fill_outbox(keys[1])
    target = tmp_path / "textfile" / "kiosk.prom"
    target.parent.mkdir()
    write_report(target, build_report(config.with_overrides(delivery__kiosk_id='lobby "A"'), now=now,
                                      reachability="online"))
    helps, types, samples = parse_textfile(target.read_text(encoding="utf-8"))
    assert set(helps) == set(types)
    assert all(name.startswith("kiosk_") for name in types)
    assert samples[("kiosk_outbox_requests", frozenset({("state", "queued")}))] == 2
    assert samples[("kiosk_outbox_requests", frozenset({("state", "sending")}))] == 0
    assert samples[("kiosk_outbox_requests", frozenset({("state", "needs_attention")}))] == 1
    assert samples[("kiosk_outbox_requests", frozenset({("state", "delivered")}))] == 1
    assert samples[("kiosk_outbox_oldest_undelivered_age_seconds", frozenset())] == 5 * 3600
    assert samples[("kiosk_outbox_last_delivery_timestamp_seconds", frozenset())] == now - 600
    assert samples[("kiosk_healthy", frozenset())] == 0
    assert samples[("kiosk_health_problem", frozenset({("reason", "outbox_stale")}))] == 1
    assert samples[("kiosk_health_problem", frozenset({("reason", "needs_attention")}))] == 1
    assert samples[("kiosk_content_version", frozenset({("bundle", SHIPPED.bundle_id)}))] == SHIPPED.version
    assert samples[("kiosk_disk_free_bytes", frozenset())] > 0
    assert samples[("kiosk_network_reachable", frozenset({("reachability", "online")}))] == 1
    [info] = [labels for name, labels in samples if name == "kiosk_info"]
    assert dict(info)["kiosk_id"] == 'lobby \\"A\\"', "label values are escaped"
    assert dict(info)["bundle"] == SHIPPED.bundle_id and dict(info)["version"] == str(SHIPPED.version)
    assert [p.name for p in target.parent.iterdir()] == ["kiosk.prom"], "no temporary file left behind"


def test_textfile_is_replaced_whole(tmp_path):
    target = tmp_path / "kiosk.prom"
    write_atomically(target, "old 1\n")
    before = target.stat().st_ino
    write_atomically(target, "kiosk_healthy 1\n")
    assert target.read_text() == "kiosk_healthy 1\n"
    assert target.stat().st_ino != before, "a new file renamed over the old one, not rewritten in place"
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)


def test_healthy_kiosk_exports_healthy(config):
    _helps, _types, samples = parse_textfile(render_prometheus(build_report(config, now=time.time())))
    assert samples[("kiosk_healthy", frozenset())] == 1
    assert not [key for key in samples if key[0] == "kiosk_health_problem"]


# --- the command ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_health_command_exit_codes(keys, tmp_path):
    healthy = run_kiosk_command("health", "--json")
    assert healthy.returncode == 0, healthy.stderr
    assert json.loads(healthy.stdout)["healthy"] is True

    fill_outbox(keys[1])
    unhealthy = run_kiosk_command("health")
    assert unhealthy.returncode == 1, unhealthy.stderr
    assert "UNHEALTHY" in unhealthy.stdout and "needs_attention" in unhealthy.stdout
    document = json.loads(run_kiosk_command("health", "--json").stdout)
    assert document["outbox"]["queued"] == 2 and document["outbox"]["needs_attention"] == 1
    assert {reason["code"] for reason in document["reasons"]} == {"outbox_stale", "needs_attention"}

    textfile = tmp_path / "kiosk.prom"
    written = run_kiosk_command("health", "--prometheus", str(textfile))
    assert written.returncode == 0, "the file was written: the timer must not fail because the kiosk is unhealthy"
    _helps, _types, samples = parse_textfile(textfile.read_text(encoding="utf-8"))
    assert samples[("kiosk_healthy", frozenset())] == 0

    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("[health]\nmin_free_disk_mb = \"lots\"\n", encoding="utf-8")
    assert run_kiosk_command("health", "--config", str(bad_config)).returncode == 2

    paths.outbox_db_path().write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(str(paths.outbox_db_path()) + suffix).unlink(missing_ok=True)
    unreadable = run_kiosk_command("health")
    assert unreadable.returncode == 2
    assert "outbox" in unreadable.stdout.lower()
