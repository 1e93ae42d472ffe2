"""Content limits: every hostile page is refused by the renderer, the validator, ``verify``, ``install`` and
the watcher with a message naming the file and the limit, never with a traceback; the pages just under
every limit are accepted; a refused file in a watched folder is remembered and the valid one beside it
installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from kiosk.bundle import contentlimits as lim
from kiosk.bundle.contentlimits import scan_html
from kiosk.bundle.errors import BundleRefused, Limits
from kiosk.bundle.install import verify_file
from kiosk.bundle.library import ContentLibrary
from kiosk.bundle.render import render_markdown
from kiosk.bundle.validate import validate_bundle
from kiosk.bundle.watch import BundleWatcher
from tests.conftest import run_kiosk_command
from tests.fixtures.hostile_archives.corpus import entries_for, members_of, raw_zip, signed_bundle
from tests.fixtures.hostile_archives.pages import ACCEPTED, PAGES, REFUSED, body
from tests.unit.test_bundle_support import (
    BUNDLE_ID,
    LANGUAGES,
    edition,
    make_content,
    open_store,
    write_text,
)

SECTIONS = ("intro", "causes")
# The cases handed to the slower paths (a bundle each): one per kind of limit, and every shape measured
# hanging or crashing the kiosk before the limits existed.
BUNDLE_CASES = ["page-over", "paragraph-2MiB", "word-5MB", "entities-1.8MB", "quotes-10000", "list-10000",
                "list-500-levels", "word-over", "entities-over", "brackets-unclosed-over", "tags-over",
                "table-over", "nested-table-over", "images-over"]


def hostile_content(root: Path, case: str, version: int = 2, bundle_id: str = BUNDLE_ID) -> Path:
    """The synthetic content with its English 'intro' page replaced by a hostile body."""
    make_content(root, version=version, marker=f"v{version}", bundle_id=bundle_id)
    write_text(root / "en" / "intro.md", "# Intro\n\n" + body(case) + "\n")
    return root


def hostile_bundle(tmp_path: Path, key: SigningKey, case: str, version: int = 2,
                   bundle_id: str = BUNDLE_ID) -> Path:
    """Signed with the trusted key (a leaked key, a broken build machine): only the kiosk's checks remain."""
    members = members_of(hostile_content(tmp_path / f"content-{case}", case, version, bundle_id))
    return signed_bundle(tmp_path / f"{case}.kbundle", key, raw_zip(members), entries_for(members),
                         version=version, bundle_id=bundle_id)


# --- the renderer ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", REFUSED)
def test_renderer_refuses_every_page_over_a_limit(case):
    result = render_markdown(body(case), "en", SECTIONS, image_exists=lambda _: True)
    assert result.refused is not None and result.refused.code == PAGES[case][1]
    assert result.html == "" and result.links == [] and result.images == []
    assert any("over a content limit" in problem and "limit" in problem for problem in result.problems)


@pytest.mark.parametrize("case", ACCEPTED)
def test_renderer_accepts_every_page_just_under_the_limits(case):
    result = render_markdown(body(case), "en", SECTIONS, image_exists=lambda _: True)
    assert result.refused is None, result.refused
    assert result.html.strip()


def test_html_limits_catch_what_the_source_scan_cannot_see():
    assert scan_html("<ul><li>" * 20 + "x" + "</li></ul>" * 20).code == "too-deep"
    assert scan_html("<ul><li>" * 16 + "x" + "</li></ul>" * 16) is None
    assert scan_html("<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>").code == "too-deep"
    assert scan_html("<table><tr><td>x</td></tr></table>" * 3) is None


def test_the_messages_name_the_limit():
    assert f"limit {lim.MAX_NESTING}" in str(render_markdown(body("quotes-over"), "en", ()).refused)
    assert f"limit {lim.MAX_PAGE_BYTES:,}" in str(render_markdown(body("page-over"), "en", ()).refused)
    assert f"limit {lim.MAX_WORD_CHARS}" in str(render_markdown(body("word-over"), "en", ()).refused)
    assert f"limit {lim.MAX_ENTITIES}" in str(render_markdown(body("entities-over"), "en", ()).refused)


def test_shipped_pages_are_far_from_every_limit():
    from kiosk import paths

    library = ContentLibrary(paths.shipped_content_dir())
    for section in library.section_ids:
        for language in library.languages():
            page = library.page(section, language)
            assert page.problems == () and page.html.strip(), (section, language)


def test_a_translation_over_a_limit_shows_the_default_language_instead(tmp_path):
    root = make_content(tmp_path / "c")
    write_text(root / "de" / "intro.md", "# Intro (de)\n\n" + body("quotes-10000") + "\n")
    page = ContentLibrary(root).page("intro", "de")
    assert page.fallback and page.language == "en" and "About intro" in page.html
    assert any("intro.md (de): over a content limit" in problem for problem in page.problems)


def test_a_title_over_the_limit_is_an_error_and_cut_on_screen(tmp_path):
    root = make_content(tmp_path / "c")
    write_text(root / "en" / "intro.md", "# " + "T" * 5000 + "\n\nText.\n")
    errors = [p for p in validate_bundle(root, LANGUAGES) if p.is_error]
    assert [(p.file, p.code) for p in errors] == [("en/intro.md", "title-too-long")]
    assert len(ContentLibrary(root).title("intro", "en")) == lim.MAX_TITLE_CHARS


# --- the validator -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", REFUSED)
def test_validator_reports_every_page_over_a_limit(tmp_path, case):
    root = hostile_content(tmp_path / "c", case)
    errors = [problem for problem in validate_bundle(root, LANGUAGES) if problem.is_error]
    assert len(errors) == 1, errors
    (error,) = errors
    # A file far over the page size is refused from its size alone, before it is read.
    expected = {"page-too-big", "file-too-big"} if PAGES[case][1] == "page-too-big" else {PAGES[case][1]}
    assert error.file == "en/intro.md" and error.code in expected
    assert "over a content limit" in error.message and "limit" in error.message


def test_validator_names_the_line(tmp_path):
    root = make_content(tmp_path / "c")
    write_text(root / "en" / "intro.md", "# Intro\n\nFine.\n\n" + "> " * 12 + "deep\n")
    (error,) = [p for p in validate_bundle(root, LANGUAGES) if p.is_error]
    assert (error.line, error.code) == (5, "too-deep")


def test_validator_refuses_an_oversized_file_without_parsing_it(tmp_path):
    root = make_content(tmp_path / "c")
    write_text(root / "en" / "intro.md", "# Intro\n\n" + "x " * lim.MAX_SOURCE_FILE_BYTES)
    (error,) = [p for p in validate_bundle(root, LANGUAGES) if p.is_error]
    assert error.code == "file-too-big" and f"{lim.MAX_SOURCE_FILE_BYTES:,}" in error.message


def test_validate_command_reports_without_traceback(tmp_path):
    root = hostile_content(tmp_path / "c", "list-500-levels")
    write_text(root / "en" / "causes.md", "# Causes\n\n" + body("word-5MB") + "\n")
    result = run_kiosk_command("bundle", "validate", str(root), "--languages", ",".join(LANGUAGES))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "en/intro.md:3: error: over a content limit: quotes or lists nested" in result.stdout
    assert "en/causes.md" in result.stdout and "2 error(s)" in result.stdout


# --- verify and install ------------------------------------------------------------------------------------
@pytest.fixture
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.mark.parametrize("case", BUNDLE_CASES)
def test_verify_and_install_refuse_every_page_over_a_limit(tmp_path, key, case):
    bundle = hostile_bundle(tmp_path, key, case)
    with pytest.raises(BundleRefused) as verified:
        verify_file(bundle, [key.verify_key], Limits(), LANGUAGES)
    store = open_store(tmp_path / "store", key)
    with pytest.raises(BundleRefused) as installed:
        store.install(bundle)
    for refusal in (verified.value, installed.value):
        assert refusal.reason == "content-limit", str(refusal)
        assert "intro.md" in refusal.message and "limit" in refusal.message
    assert store.active_root() is None and list(store.staging.iterdir()) == []
    event = store.last_events(1)[-1]
    assert (event["event"], event["reason"]) == ("refused", "content-limit")


def test_a_file_over_the_size_limit_is_refused_before_unpacking(tmp_path, key):
    bundle = hostile_bundle(tmp_path, key, "word-5MB")
    store = open_store(tmp_path / "store", key)
    with pytest.raises(BundleRefused) as caught:
        store.peek(bundle)
    assert caught.value.reason == "content-limit" and "en/intro.md" in caught.value.message
    assert store.last_events(1)[-1]["reason"] == "content-limit"  # logged although nothing was unpacked


def test_verify_and_install_commands_refuse_without_traceback(tmp_path, key):
    from kiosk import paths
    from kiosk.bundle.manifest import load_manifest
    from kiosk.bundle.signing import public_key_text

    shipped_id = load_manifest(paths.shipped_content_dir()).bundle_id
    bundle = hostile_bundle(tmp_path, key, "list-500-levels", version=900, bundle_id=shipped_id)
    bundle = bundle.rename(tmp_path / "deep.kbundle")
    languages = ", ".join(f'"{language}"' for language in LANGUAGES)
    config = write_text(tmp_path / "kiosk.toml",
                        f'[bundles]\ntrusted_keys = ["{public_key_text(key.verify_key)}"]\n'
                        f'[languages]\nenabled = [{languages}]\n')
    for command in ("verify", "install"):
        result = run_kiosk_command("bundle", command, str(bundle), "--config", str(config))
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
        assert "REFUSED" in result.stderr and "en/intro.md" in result.stderr
        assert f"limit {lim.MAX_NESTING}" in result.stderr
    listing = run_kiosk_command("bundle", "list", "--config", str(config))
    assert "refused bundle files" in listing.stdout and "[content-limit]" in listing.stdout
    assert "deep.kbundle" in listing.stdout


# --- the watcher -------------------------------------------------------------------------------------------
def test_watcher_remembers_a_refused_bundle_and_installs_the_valid_one_beside_it(tmp_path, key, qtbot):
    store = open_store(tmp_path / "store", key)
    usb = tmp_path / "usb"
    usb.mkdir()
    # The hostile bundle has the higher version, so it is the one the watcher tries first.
    shutil.copy(hostile_bundle(tmp_path, key, "list-500-levels", version=3), usb / "deep.kbundle")
    shutil.copy(edition(tmp_path, key, 2), usb / "good.kbundle")
    watcher = BundleWatcher(store, folder=usb)
    try:
        with qtbot.waitSignal(watcher.bundleStaged, timeout=30_000) as staged:
            watcher.check_now()
        assert staged.args == [str(usb / "good.kbundle")]
        assert watcher.activate_staged() is not None
        assert ContentLibrary(store.active_root()).manifest.version == 2
    finally:
        watcher.stop()
    (remembered,) = store.refused()
    assert remembered["file"] == str(usb / "deep.kbundle") and remembered["reason"] == "content-limit"
    assert "limit" in remembered["message"]

    # A new watcher (the kiosk restarted) neither checks nor unpacks it again.
    refusals_before = [e for e in store.last_events(50) if e["event"] == "refused"]
    again = BundleWatcher(store, folder=usb)
    try:
        with qtbot.assertNotEmitted(again.bundleRefused), qtbot.assertNotEmitted(again.bundleStaged):
            again.check_now()
            again.wait()
            qtbot.wait(100)  # let queued signals from the worker thread arrive
    finally:
        again.stop()
    assert [e for e in store.last_events(50) if e["event"] == "refused"] == refusals_before
    assert list(store.staging.iterdir()) == []


def test_a_copy_of_a_refused_file_is_recognised_by_its_hash(tmp_path, key):
    store = open_store(tmp_path / "store", key)
    bundle = hostile_bundle(tmp_path, key, "quotes-10000")
    with pytest.raises(BundleRefused):
        store.install(bundle)
    copy = tmp_path / "elsewhere" / "renamed.kbundle"
    copy.parent.mkdir()
    shutil.copy(bundle, copy)
    assert store.refusal_of(copy)["reason"] == "content-limit"
    assert store.refusal_of(edition(tmp_path, key, 2)) is None


def test_a_refusal_is_forgotten_when_the_trusted_keys_change(tmp_path, key):
    foreign = SigningKey.generate()
    bundle = edition(tmp_path, foreign, 2)
    store = open_store(tmp_path / "store", key)
    with pytest.raises(BundleRefused):
        store.peek(bundle)
    assert store.refusal_of(bundle)["reason"] == "untrusted-key"
    trusting = type(store)(store.root, trusted_keys=[key.verify_key, foreign.verify_key], languages=LANGUAGES)
    assert trusting.refusal_of(bundle) is None
    assert trusting.peek(bundle).version == 2
