"""The kiosk's bundle store: staging vs activation, rollback, keeping N bundles, recovery on open."""

from __future__ import annotations

import pytest
from nacl.signing import SigningKey

from kiosk.bundle.errors import BundleRefused
from kiosk.bundle.library import ContentLibrary
from kiosk.bundle.store import StoreError
from tests.unit.test_bundle_support import BUNDLE_ID, edition, make_content, open_store, write_text


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.generate()


def version_shown(store) -> int | None:
    root = store.active_root()
    return None if root is None else ContentLibrary(root).manifest.version


def test_fresh_store_shows_the_shipped_content(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    assert store.active_root() is None
    assert store.installed() == []
    with pytest.raises(StoreError):
        store.rollback()


def test_install_makes_the_bundle_active_and_loadable(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    content = store.install(edition(tmp_path, key, 1))
    assert store.active_root() == content
    assert content.parent.parent == store.versions
    assert content.parent.name.startswith("1-")
    library = ContentLibrary(content)
    assert library.page("intro", "ar").language == "ar"
    assert store.verify_installed() == []


def test_staging_changes_nothing_until_activation(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    store.install(edition(tmp_path, key, 1))
    staged = store.stage(edition(tmp_path, key, 2))
    assert version_shown(store) == 1
    assert staged.manifest.version == 2 and staged.content.is_dir()
    # Another process (``kiosk bundle install``, a restarted app) opening the store meanwhile must not
    # clean away a staged bundle whose owner is alive.
    open_store(store.root, key)
    assert staged.content.is_dir()
    store.activate(staged)
    assert version_shown(store) == 2
    assert list(store.staging.iterdir()) == []
    with pytest.raises(StoreError):
        store.activate(staged)


def test_discarded_stage_leaves_nothing(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    with store.stage(edition(tmp_path, key, 2)) as staged:
        assert staged.content.is_dir()
    assert list(store.staging.iterdir()) == []
    assert store.active_root() is None


def test_keeps_n_bundles_and_rolls_back_through_them(tmp_path, key):
    store = open_store(tmp_path / "store", key, keep=3)
    for version in range(1, 6):
        store.install(edition(tmp_path, key, version))
    assert [b.manifest.version for b in store.installed()] == [3, 4, 5]
    assert len(list(store.versions.iterdir())) == 3
    store.rollback()
    assert version_shown(store) == 4
    store.rollback()
    assert version_shown(store) == 3
    assert store.rollback() is None  # back to the shipped content
    with pytest.raises(StoreError):
        store.rollback()
    assert store.highest_version() == 5


def test_a_rolled_back_version_comes_back_only_deliberately(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    store.install(edition(tmp_path, key, 1))
    v2 = edition(tmp_path, key, 2)
    store.install(v2)
    store.rollback()
    with pytest.raises(BundleRefused) as caught:
        store.install(v2)
    assert caught.value.reason == "rollback"
    store.install(v2, allow_older=True)
    assert version_shown(store) == 2


def test_explicit_downgrade_to_an_older_file(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    v1 = edition(tmp_path, key, 1)
    store.install(v1)
    store.install(edition(tmp_path, key, 2))
    store.install(v1, allow_older=True)
    assert version_shown(store) == 1
    assert store.highest_version() == 2


def test_mark_bad_and_rollback(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    store.install(edition(tmp_path, key, 1))
    store.install(edition(tmp_path, key, 2))
    bad_name = store.active_name()
    previous = store.mark_bad_and_rollback()
    assert previous == store.active_root() and version_shown(store) == 1
    assert store.bad() == [bad_name]
    assert not (store.versions / bad_name).exists()
    assert [e["event"] for e in store.last_events()][-1] == "marked-bad"


def test_newer_shipped_content_wins_over_an_older_installed_bundle(tmp_path, key):
    shipped = make_content(tmp_path / "shipped", version=1)
    store = open_store(tmp_path / "store", key, shipped=shipped)
    with pytest.raises(BundleRefused) as caught:  # version 1 is already on the kiosk: it shipped
        store.install(edition(tmp_path, key, 1))
    assert caught.value.reason == "rollback"
    store.install(edition(tmp_path, key, 2))
    assert version_shown(store) == 2
    make_content(shipped, version=3)  # the app was upgraded with newer content
    assert store.active_root() is None
    assert store.highest_version() == 3


def test_open_cleans_what_a_crash_left_behind(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    store.install(edition(tmp_path, key, 1))
    active = store.active_name()
    (store.staging / "deadbeef").mkdir()
    write_text(store.staging / "deadbeef" / "content" / "en" / "intro.md", "half")
    (store.staging / "deadbeef.lock").write_bytes(b"")
    (store.staging / "deadbeef.zip").write_bytes(b"PK")
    (store.versions / "9-orphanorphan" / "content").mkdir(parents=True)
    (store.root / ".state.json.123.456.tmp").write_bytes(b"{")
    reopened = open_store(store.root, key)
    assert list(reopened.staging.iterdir()) == []
    assert sorted(p.name for p in reopened.versions.iterdir()) == [active]
    assert not list(reopened.root.glob(".state.json.*"))
    assert reopened.active_name() == active


def test_damaged_state_file_keeps_installed_content(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    store.install(edition(tmp_path, key, 1))
    store.install(edition(tmp_path, key, 2))
    (store.root / "state.json").write_text("{not json", encoding="utf-8")
    reopened = open_store(store.root, key)
    assert version_shown(reopened) == 2
    assert reopened.highest_version() == 2


def test_verify_installed_notices_changed_files(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    content = store.install(edition(tmp_path, key, 1))
    (content / "en" / "intro.md").write_text("# Changed\n", encoding="utf-8")
    (content / "en" / "added.md").write_text("# Added\n", encoding="utf-8")
    problems = store.verify_installed()
    assert any("en/intro.md differs" in p for p in problems)
    assert any("unexpected file en/added.md" in p for p in problems)


def test_installed_bundle_is_self_describing(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    store.install(edition(tmp_path, key, 1))
    (bundle,) = store.installed()
    assert bundle.active and bundle.manifest.bundle_id == BUNDLE_ID
    assert (store.versions / bundle.name / "signed.json").is_file()
