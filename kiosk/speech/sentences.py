"""Splitting plain text into sentences that keep their place in the text, to highlight each as it is read."""

from __future__ import annotations

import re
from typing import NamedTuple

# Full stops, question and exclamation marks of the kiosk's scripts (Arabic "؟", Urdu/Persian "۔"), or a
# line break: headings and list items have no full stop but are read as sentences of their own.
_END = re.compile(r"[.!?؟۔…]+[\"'”»)]*(?=\s|$)|\n+")
OBJECT_REPLACEMENT = "\ufffc"  # an image in a QTextDocument's plain text


class Sentence(NamedTuple):
    start: int  # position in the text (a QTextDocument position when the text is its plain text)
    end: int
    text: str  # what is spoken


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    start = 0
    for match in _END.finditer(text):
        _add(sentences, text, start, match.end())
        start = match.end()
    _add(sentences, text, start, len(text))
    return sentences


def _add(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not any(character.isalnum() for character in stripped):
        return  # only an image, a bullet or punctuation: nothing to say
    leading = len(piece) - len(piece.lstrip())
    trailing = len(piece) - len(piece.rstrip())
    spoken = " ".join(stripped.replace(OBJECT_REPLACEMENT, " ").split())
    sentences.append(Sentence(start + leading, end - trailing, spoken))
