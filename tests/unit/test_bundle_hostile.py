"""Hostile bundle files: every attack is refused with its own reason, and the kiosk's content, its
store and its disk are exactly as before (nothing half-installed, nothing left in staging)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from kiosk.bundle.errors import BundleRefused, Limits
from kiosk.bundle.store import BundleStore
from tests.fixtures.hostile_archives.corpus import (
    CORPUS,
    entries_for,
    members_of,
    raw_zip,
    signed_bundle,
)
from tests.unit.test_bundle_support import build, edition, make_content, open_store, write_text

LIMITS = Limits(max_files=100)


@dataclass
class Kiosk:
    key: SigningKey
    other: SigningKey
    store: BundleStore
    next_content: Path  # a valid version-2 content folder to derive attacks from
    tmp: Path

    def snapshot(self) -> tuple:
        return (self.store.active_name(), sorted(p.name for p in self.store.versions.iterdir()))

    def assert_untouched(self, before: tuple, reason: str) -> None:
        assert self.snapshot() == before
        assert list(self.store.staging.iterdir()) == []
        assert self.store.verify_installed() == []
        last = self.store.last_events(1)[-1]
        assert (last["event"], last["reason"]) == ("refused", reason)


@pytest.fixture
def kiosk(tmp_path: Path) -> Kiosk:
    key = SigningKey.generate()
    store = open_store(tmp_path / "store", key, limits=LIMITS)
    store.install(edition(tmp_path, key, 1))
    content = make_content(tmp_path / "content-v2", version=2, marker="v2")
    return Kiosk(key, SigningKey.generate(), store, content, tmp_path)


def refuse(kiosk: Kiosk, path: Path, reason: str) -> BundleRefused:
    before = kiosk.snapshot()
    with pytest.raises(BundleRefused) as caught:
        kiosk.store.install(path)
    assert caught.value.reason == reason, str(caught.value)
    kiosk.assert_untouched(before, reason)
    return caught.value


def test_control_a_hand_written_zip_of_valid_content_installs(kiosk):
    """The corpus's zip writer is sound: its refusals come from the attacks, not from the writer."""
    members = members_of(kiosk.next_content)
    path = signed_bundle(kiosk.tmp / "control.kbundle", kiosk.key, raw_zip(members), entries_for(members))
    kiosk.store.install(path)
    assert kiosk.store.installed()[-1].manifest.version == 2
    assert kiosk.store.verify_installed() == []


@pytest.mark.parametrize("name", list(CORPUS))
def test_hostile_archive_is_refused_whole(kiosk, name):
    reason, generate = CORPUS[name]
    path = generate(kiosk.tmp / f"{name}.kbundle", members_of(kiosk.next_content), kiosk.key, kiosk.other)
    refuse(kiosk, path, reason)
    assert not (kiosk.tmp / "evil.md").exists() and not Path("/tmp/evil.md").exists()


def test_one_flipped_byte_anywhere_is_refused(kiosk):
    good = edition(kiosk.tmp, kiosk.key, 2)
    original = good.read_bytes()
    header_end = original.index(b"\n", original.index(b"\n", 9) + 1) + 1
    positions = sorted({0, 5, 9, 20, header_end - 30, header_end - 2, header_end, header_end + 30,
                        len(original) - 1, len(original) - 22, len(original) - 60,
                        *range(0, len(original), max(1, len(original) // 60))})
    for position in positions:
        damaged = bytearray(original)
        damaged[position] ^= 0x01
        path = kiosk.tmp / "flipped.kbundle"
        path.write_bytes(bytes(damaged))
        before = kiosk.snapshot()
        with pytest.raises(BundleRefused):
            kiosk.store.install(path)
        assert kiosk.snapshot() == before, f"byte {position}"
        assert list(kiosk.store.staging.iterdir()) == []
    kiosk.store.install(good)  # and the undamaged file still installs


@pytest.mark.parametrize("change", ["truncate", "append"])
def test_cut_or_extended_file_is_refused(kiosk, change):
    path = edition(kiosk.tmp, kiosk.key, 2)
    data = path.read_bytes()
    path.write_bytes(data[:-1] if change == "truncate" else data + b"\0")
    refuse(kiosk, path, "tampered")


def test_older_and_equal_versions_are_refused_even_after_reopening(kiosk):
    newer = edition(kiosk.tmp, kiosk.key, 3)
    kiosk.store.install(newer)
    older = edition(kiosk.tmp, kiosk.key, 2)
    refuse(kiosk, older, "rollback")
    reopened = open_store(kiosk.store.root, kiosk.key, limits=LIMITS)  # app restarted or reinstalled
    with pytest.raises(BundleRefused, match="not above version 3"):
        reopened.install(newer)
    with pytest.raises(BundleRefused) as caught:
        reopened.install(older)
    assert caught.value.reason == "rollback"


def test_the_version_floor_survives_a_lost_state_file(kiosk):
    kiosk.store.install(edition(kiosk.tmp, kiosk.key, 3))
    (kiosk.store.root / "state.json").unlink()
    reopened = open_store(kiosk.store.root, kiosk.key, limits=LIMITS)
    with pytest.raises(BundleRefused) as caught:
        reopened.install(edition(kiosk.tmp, kiosk.key, 2))
    assert caught.value.reason == "rollback"


def test_expired_bundle_is_refused(kiosk):
    path = kiosk.tmp / "expired.kbundle"
    build(kiosk.next_content, kiosk.key, path, expires_days=10, now=datetime.now(UTC) - timedelta(days=11))
    refuse(kiosk, path, "expired")


def test_another_bundle_id_is_refused(kiosk):
    members = members_of(kiosk.next_content)
    path = signed_bundle(kiosk.tmp / "other.kbundle", kiosk.key, raw_zip(members), entries_for(members),
                         bundle_id="someone-else")
    refuse(kiosk, path, "bundle-id")


@pytest.mark.parametrize(("limits", "reason"), [
    (Limits(max_download_bytes=2000), "download-too-big"),
    (Limits(max_unpacked_bytes=1500), "too-big"),
    (Limits(max_files=10), "too-many-files"),
])
def test_declared_sizes_over_the_limits_are_refused(kiosk, limits, reason):
    path = edition(kiosk.tmp, kiosk.key, 2)
    strict = open_store(kiosk.store.root, kiosk.key, limits=limits)
    kiosk.store = strict
    refuse(kiosk, path, reason)


def test_signed_content_with_errors_is_refused(kiosk):
    (kiosk.next_content / "en" / "care.md").unlink()
    members = members_of(kiosk.next_content)
    path = signed_bundle(kiosk.tmp / "broken.kbundle", kiosk.key, raw_zip(members), entries_for(members))
    error = refuse(kiosk, path, "invalid-content")
    assert "en/care.md" in str(error)


def test_signed_version_must_match_the_content_manifest(kiosk):
    manifest = kiosk.next_content / "manifest.toml"
    write_text(manifest, manifest.read_text(encoding="utf-8").replace("version = 2", "version = 7"))
    members = members_of(kiosk.next_content)
    path = signed_bundle(kiosk.tmp / "confused.kbundle", kiosk.key, raw_zip(members), entries_for(members))
    refuse(kiosk, path, "invalid-content")


def test_signed_content_that_renders_badly_is_refused(kiosk):
    page = kiosk.next_content / "de" / "care.md"
    write_text(page, page.read_text(encoding="utf-8") + "\n<script>x()</script>\n")
    members = members_of(kiosk.next_content)
    path = signed_bundle(kiosk.tmp / "html.kbundle", kiosk.key, raw_zip(members), entries_for(members))
    error = refuse(kiosk, path, "invalid-content")
    assert "raw HTML" in str(error)


def test_refusals_are_recorded_for_it(kiosk):
    path = edition(kiosk.tmp, SigningKey.generate(), 2)
    refuse(kiosk, path, "untrusted-key")
    events = [json.loads(line) for line in (kiosk.store.root / "events.log").read_text().splitlines()]
    assert events[-1]["file"] == str(path)
    assert "does not trust" in events[-1]["message"]
