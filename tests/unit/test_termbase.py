"""The agreed terms of translations/termbase.toml hold in every catalog and every content page.

Each rule is checked on the real files, and once more on a copy with a deliberate mistake, which the same
check must report: a rule that cannot fail proves nothing.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("tr", "ar", "fa", "ru", "uk", "de", "fr")
TERMS = tomllib.loads((ROOT / "translations" / "termbase.toml").read_text("utf-8"))["term"]


@dataclass(frozen=True)
class Texts:
    """Everything a rule reads: catalog entries and content lines, per language ("en" = msgids, content/en)."""

    catalogs: dict[str, dict[str, tuple[str, ...]]]
    content: dict[str, dict[str, list[str]]]

    @classmethod
    def read(cls, root: Path) -> Texts:
        catalogs: dict[str, dict[str, tuple[str, ...]]] = {}
        english: dict[str, tuple[str, ...]] = {}
        for language in LANGUAGES:
            with (root / "translations" / language / "LC_MESSAGES" / "kiosk.po").open("rb") as handle:
                catalog = read_po(handle, locale=language)
            entries = {}
            for message in catalog:
                if not message.id:
                    continue
                key = message.id if isinstance(message.id, str) else message.id[0]
                entries[key] = message.string if isinstance(message.string, tuple) else (message.string,)
                english[key] = message.id if isinstance(message.id, tuple) else (message.id,)
            catalogs[language] = entries
        catalogs["en"] = english
        content = {language: {path.stem: _body(path) for path in sorted((root / "content" / language).glob("*.md"))}
                   for language in ("en", *LANGUAGES)}
        return cls(catalogs, content)


def _body(path: Path) -> list[str]:
    """The page's lines without its front matter (hashes and flags are not text)."""
    text = path.read_text("utf-8")
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[1]
    return text.splitlines()


def check(term: dict, texts: Texts) -> list[str]:
    """Every way ``texts`` break ``term``, one line each (empty when the term holds)."""
    problems: list[str] = []
    use = term.get("use", {})
    if "when" in term:
        pattern = re.compile(term["when"], re.IGNORECASE)
        for msgid in texts.catalogs["en"]:
            if not pattern.search(msgid) or msgid in term.get("except", ()):
                continue
            for language in LANGUAGES:
                for form in texts.catalogs[language].get(msgid, ()):
                    if use[language].casefold() not in form.casefold():
                        problems.append(f"{language}: {msgid!r} -> {form!r} lacks {use[language]!r}")
    if "exact" in term:
        exact = dict(term["exact"])
        msgid = exact.pop("msgid")
        for language, wanted in exact.items():
            found = texts.catalogs[language].get(msgid, ("(missing)",))[0]
            if found != wanted:
                problems.append(f"{language}: {msgid!r} is {found!r}, the termbase says {wanted!r}")
    for language in LANGUAGES if "distinct" in term else ():
        shown = {msgid: texts.catalogs[language].get(msgid, ("",))[0] for msgid in term["distinct"]}
        if len(set(shown.values())) < len(shown):
            problems.append(f"{language}: the same word for different things: {shown}")
    if "content_when" in term:
        pattern = re.compile(term["content_when"])
        for page, lines in texts.content["en"].items():
            if any(pattern.search(line) for line in lines):
                for language in LANGUAGES:
                    text = "\n".join(texts.content[language].get(page, [])).casefold()
                    if use[language].casefold() not in text:
                        problems.append(f"{language}: content/{language}/{page}.md lacks {use[language]!r}")
    scope = term.get("forbid_in", "both")
    for language, patterns in term.get("forbid", {}).items():
        for pattern in (re.compile(p, re.MULTILINE) for p in patterns):
            if scope in ("both", "catalog"):
                for msgid, forms in texts.catalogs[language].items():
                    problems += [f"{language}: {msgid!r} -> {form!r} has {pattern.pattern!r}"
                                 for form in forms if pattern.search(form)]
            if scope in ("both", "content"):
                for page, lines in texts.content[language].items():
                    problems += [f"{language}: content/{language}/{page}.md:{number} has {pattern.pattern!r}: {line}"
                                 for number, line in enumerate(lines, 1) if pattern.search(line)]
    return problems


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts.read(ROOT)


@pytest.mark.parametrize("term", TERMS, ids=[term["concept"].split(" (")[0].split(":")[0] for term in TERMS])
def test_the_catalogs_and_content_use_the_agreed_term(term: dict, texts: Texts) -> None:
    assert check(term, texts) == []


def test_every_term_names_every_language_it_requires() -> None:
    for term in TERMS:
        if "when" in term or "content_when" in term:
            assert set(term["use"]) >= set(LANGUAGES), term["concept"]
        if "exact" in term:
            assert set(term["exact"]) >= {"msgid", *LANGUAGES}, term["concept"]


def _term(concept_start: str) -> dict:
    return next(term for term in TERMS if term["concept"].startswith(concept_start))


def _spoil_catalog(root: Path, language: str, msgid: str, bad: str) -> None:
    path = root / "translations" / language / "LC_MESSAGES" / "kiosk.po"
    text = path.read_text("utf-8")
    entry = re.compile(rf'(msgid "{re.escape(msgid)}"\nmsgstr ")[^"]*(")')
    assert entry.search(text), msgid
    path.write_text(entry.sub(lambda match: match.group(1) + bad + match.group(2), text, count=1), "utf-8")


def _spoil_content(root: Path, language: str, page: str, old: str, new: str) -> None:
    path = root / "content" / language / f"{page}.md"
    text = path.read_text("utf-8")
    assert old in text, (language, page, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


# (term, what to spoil, what the check must then say)
MISTAKES = [
    ("resume", ("catalog", "ru", "Resume", "Далее"), "the same word for different things"),
    ("resume", ("catalog", "uk", "Resume", "Далі"), "the same word for different things"),
    ("health", ("catalog", "tr", "Health", "Sağlık durumu"), "'Sağlık durumu'"),
    ("request", ("catalog", "ru", "Send request", "Отправить заявку"), "lacks 'запрос'"),
    ("kiosk", ("catalog", "de", "Exit kiosk", "Kiosk beenden"), "'Kiosk'"),
    ("consultation", ("content", "de", "consultation", "# Online-Konsultation", "# Online-Beratung"), "'Beratung'"),
    ("email", ("content", "en", "consultation", "by email.", "by E-mail."), "[Ee]-mail"),
    ("Read aloud", ("catalog", "fa", "Read aloud", "بلند بخوان"), "'بلند بخوان'"),
    ("reference code", ("catalog", "ar", "Your reference code:", "الرقم المرجعي لطلبك:"), "الرقم المرجعي"),
    ("tap", ("catalog", "uk", "White and yellow on black; tap again to switch back",
             "Білий і жовтий на чорному; торкніться ще раз"), "lacks 'натисніть'"),
    ("you", ("content", "ru", "consultation", "связывается с вами", "связывается с Вами"), "В(ы|ас"),
    ("ablation", ("content", "fr", "surgery", "## Lésion ciblée à l’aiguille", "## Ablation à l’aiguille"), "blation"),
    ("typography", ("catalog", "fr", "Your reference code:", "Votre code de référence :"), "' [:;?!]'"),
    ("words that read", ("content", "tr", "what-is-dystonia", "başın yana çevrilmesine", "başın dönmesine"),
     "başın dönmesi"),
]


@pytest.fixture(scope="module")
def pristine_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("termbase")
    shutil.copytree(ROOT / "translations", copy / "translations")
    shutil.copytree(ROOT / "content", copy / "content")
    return copy


@pytest.mark.parametrize("concept,spoil,expected", MISTAKES, ids=[f"{m[0]}-{m[1][1]}" for m in MISTAKES])
def test_a_deliberate_mistake_is_reported(concept: str, spoil: tuple, expected: str, pristine_copy: Path,
                                          tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(pristine_copy, root)
    term = _term(concept)
    assert check(term, Texts.read(root)) == []
    kind, *where = spoil
    (_spoil_catalog if kind == "catalog" else _spoil_content)(root, *where)
    problems = check(term, Texts.read(root))
    assert problems and any(expected in problem for problem in problems), problems
