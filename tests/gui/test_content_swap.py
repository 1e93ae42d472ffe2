"""New content reaches a running kiosk between visitors, and content that cannot load never stops it."""

from __future__ import annotations

import shutil

import pytest
from nacl.signing import SigningKey

from kiosk.bundle.signing import public_key_text
from kiosk.bundle.store import BundleStore
from tests.unit.test_bundle_support import build, make_content

LANGUAGES = ["en", "de", "ar", "fa"]


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def usb(tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


@pytest.fixture
def bundle_config(config, key, usb):
    return config.with_overrides(bundles__trusted_keys=[public_key_text(key.verify_key)],
                                 bundles__watch_folder=str(usb), languages__enabled=LANGUAGES)


def edition(tmp_path, key, version: int):
    """A signed bundle of the kiosk's own id, newer than the shipped content, titled 'Edition N'."""
    content = make_content(tmp_path / f"content-v{version}", version=version, marker=f"v{version}",
                           bundle_id="dystonia-info", languages=LANGUAGES)
    english = content / "en" / "intro.md"
    english.write_text(english.read_text(encoding="utf-8").replace("# Intro", f"# Edition {version}", 1),
                       encoding="utf-8")
    for language in LANGUAGES[1:]:  # the translations record the English file they translate
        from tests.unit.test_bundle_support import translate

        translate(content, "intro", language)
    out = tmp_path / f"dystonia-info-v{version}.kbundle"
    build(content, key, out)
    return out


def _first_tile_title(kiosk) -> str:
    return kiosk.home.tiles[0].title()


def test_a_new_bundle_waits_for_the_visitor_to_leave_then_shows_without_a_restart(
        qtbot, make_kiosk, bundle_config, key, usb, tmp_path):
    kiosk = make_kiosk(cfg=bundle_config)
    kiosk.finish_startup()
    shipped_version = kiosk.library.manifest.version
    kiosk.navigator.open_section(kiosk.library.section_ids[1])  # a patient is reading
    shutil.copy(edition(tmp_path, key, 2), usb)
    kiosk.bundle_watcher.check_now()
    qtbot.waitUntil(lambda: kiosk._content_waiting, timeout=20000)
    assert kiosk.library.manifest.version == shipped_version, "never swapped under a reader's finger"
    assert kiosk.window.current_screen() == "reader"
    kiosk.reset_visit()  # the visitor leaves: the attract screen is the idle moment
    assert kiosk.library.manifest.version == 2
    assert _first_tile_title(kiosk) == "Edition 2"
    assert kiosk.window.current_screen() == "attract"
    kiosk.navigator.open_section("intro")
    assert kiosk.reader.title.text() == "Edition 2"


def test_the_installed_bundle_is_shown_from_the_start(make_kiosk, bundle_config, key, tmp_path):
    BundleStore.from_config(bundle_config).install(edition(tmp_path, key, 3))
    kiosk = make_kiosk(cfg=bundle_config)
    assert kiosk.library.manifest.version == 3
    assert _first_tile_title(kiosk) == "Edition 3"


def test_a_damaged_active_bundle_is_marked_bad_at_start_and_the_previous_one_shown(
        make_kiosk, bundle_config, key, tmp_path):
    store = BundleStore.from_config(bundle_config)
    store.install(edition(tmp_path, key, 2))
    damaged = store.install(edition(tmp_path, key, 3))
    (damaged / "manifest.toml").write_text("id = [broken", encoding="utf-8")
    kiosk = make_kiosk(cfg=bundle_config)
    assert kiosk.library.manifest.version == 2
    assert any(name.startswith("3-") for name in store.bad())


def test_a_bundle_that_fails_after_the_swap_is_rolled_back_automatically(
        qtbot, make_kiosk, bundle_config, key, tmp_path):
    store = BundleStore.from_config(bundle_config)
    store.install(edition(tmp_path, key, 2))
    kiosk = make_kiosk(cfg=bundle_config)
    kiosk.finish_startup()
    assert kiosk.library.manifest.version == 2
    kiosk.navigator.home()
    damaged = store.install(edition(tmp_path, key, 3))  # as `kiosk bundle install` from another process
    (damaged / "manifest.toml").unlink()  # and then the disk loses part of it
    kiosk.bundle_watcher.check_now()
    qtbot.waitUntil(lambda: kiosk._content_waiting, timeout=20000)
    kiosk.reset_visit()
    assert kiosk.library.manifest.version == 2, "the previous bundle is back"
    assert any(name.startswith("3-") for name in store.bad())
    assert _first_tile_title(kiosk) == "Edition 2"


def test_pinned_content_is_never_swapped(make_kiosk, bundle_config, key, tmp_path):
    BundleStore.from_config(bundle_config).install(edition(tmp_path, key, 2))
    pinned = make_kiosk(content=tmp_path / "content-v2", cfg=bundle_config)
    pinned.finish_startup()
    assert pinned.content_pinned and getattr(pinned, "bundle_watcher", None) is None
