"""Builders shared by the bundle tests (a small synthetic content folder, keys, bundles, stores), and
tests that the builders themselves produce what the other tests assume.

The synthetic folder does not depend on the real ``content/`` text, which changes while it is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from nacl.signing import SigningKey

from kiosk.bundle.build import BuildResult, build_bundle
from kiosk.bundle.errors import Limits
from kiosk.bundle.store import BundleStore
from kiosk.bundle.validate import validate_bundle

BUNDLE_ID = "test-info"
SECTIONS = ("intro", "causes", "care", "surgery", "help", "contact")
LANGUAGES = ("en", "de", "ar", "fa")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>\n'


def make_content(
    root: Path,
    version: int = 1,
    languages: Sequence[str] = LANGUAGES,
    sections: Sequence[str] = SECTIONS,
    marker: str = "",
    bundle_id: str = BUNDLE_ID,
) -> Path:
    """A valid content folder: every section in every language, reviewed and current, with icons,
    one image and links between sections. ``marker`` changes the English text (a new edition)."""
    root.mkdir(parents=True, exist_ok=True)
    manifest = [f'id = "{bundle_id}"', f"version = {version}", 'default_language = "en"', ""]
    for section in sections:
        manifest += ["[[sections]]", f'id = "{section}"', f'icon = "assets/icons/{section}.svg"', ""]
    (root / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    (root / "assets" / "icons").mkdir(parents=True, exist_ok=True)
    for section in sections:
        (root / "assets" / "icons" / f"{section}.svg").write_bytes(SVG)
    (root / "assets" / "diagram.svg").write_bytes(SVG)
    for language in languages:
        (root / language).mkdir(exist_ok=True)
    for index, section in enumerate(sections):
        following = sections[(index + 1) % len(sections)]
        english = (
            f"# {section.title()}\n\n"
            f"About {section} {marker}.\n\n"
            f"- first point\n- second point\n\n"
            f"Read [the next part]({following}.md) or [the start](section:{sections[0]}).\n"
        )
        if index == 0:
            english += "\n![A diagram](assets/diagram.svg)\n"
        write_text(root / "en" / f"{section}.md", english)
        for language in languages:
            if language != "en":
                translate(root, section, language)
    return root


def translate(root: Path, section: str, language: str, reviewed: bool = True,
              source: str | None = None) -> Path:
    """Write a translation whose front matter records the current English file's hash."""
    sha = source or hashlib.sha256((root / "en" / f"{section}.md").read_bytes()).hexdigest()
    text = (
        f"---\nsource_sha256: {sha}\nreviewed: {'true' if reviewed else 'false'}\n---\n"
        f"# {section.title()} ({language})\n\n{language} text about {section}.\n"
    )
    return write_text(root / language / f"{section}.md", text)


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def build(content: Path, key: SigningKey, out: Path, expires_days: int = 30,
          now: datetime | None = None) -> BuildResult:
    return build_bundle(content, key, out, expires_days=expires_days, languages=LANGUAGES, now=now)


def edition(tmp_path: Path, key: SigningKey, version: int, **content_args: object) -> Path:
    """A built bundle of the synthetic content at ``version`` (its own folder, its own file)."""
    content = make_content(tmp_path / f"content-v{version}", version=version, marker=f"v{version}",
                           **content_args)  # type: ignore[arg-type]
    out = tmp_path / f"bundle-v{version}.kbundle"
    build(content, key, out)
    return out


def open_store(root: Path, key: SigningKey, keep: int = 3, limits: Limits | None = None,
               shipped: Path | None = None) -> BundleStore:
    return BundleStore(root, trusted_keys=[key.verify_key], limits=limits, keep=keep, languages=LANGUAGES,
                       shipped=shipped)


# --- the builders do what the other tests assume ---------------------------------------------------------
def test_synthetic_content_is_valid_without_warnings(tmp_path):
    assert validate_bundle(make_content(tmp_path / "c"), LANGUAGES) == []


def test_builds_are_deterministic_in_their_payload(tmp_path):
    key = SigningKey.generate()
    content = make_content(tmp_path / "c")
    first = build(content, key, tmp_path / "a.kbundle", now=datetime(2030, 1, 1, tzinfo=UTC)).manifest
    second = build(content, key, tmp_path / "b.kbundle", now=datetime(2030, 6, 1, tzinfo=UTC)).manifest
    assert first.payload_sha256 == second.payload_sha256
    assert first.name == second.name == f"1-{first.payload_sha256[:12]}"
    assert len(first.files) == 1 + len(SECTIONS) + 1 + len(SECTIONS) * len(LANGUAGES)
