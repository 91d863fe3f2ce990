"""The spacing of a body's lines: `without_spaces` (what line tests compare) and `clean_spaces`
(what a title or the addressees keep), shared by the readers of a body's header and closing.

Extracted text carries whitespace of every kind (indents in U+3000 / U+2003, &nbsp;, U+200B):
none of it means anything in Chinese text, except one space between two ASCII words (APEC 2026).
"""

from __future__ import annotations

import re

# Whitespace of every kind extracted text carries: indents in U+3000 / U+2003, &nbsp;.
_SPACES = re.compile(r"[\s\u3000\u00a0\u2002\u2003\u200b]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_ASCII_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
TERMINAL = "。！？；!?;…"


def without_spaces(text: str) -> str:
    """`_SPACES` removed: str.split() splits on exactly its characters but U+200B (not a space
    to Python), and is many times faster than the regex on CJK text."""
    if "\u200b" in text:
        text = text.replace("\u200b", "")
    return "".join(text.split())


def clean_spaces(text: str) -> str:
    """Inner spaces removed, except a single one between two ASCII words (APEC 2026)."""
    if "\u200b" not in text:
        # Without U+200B (no space to str.split) a run of `_SPACES` is a run str.split() splits
        # at: the words are joined directly, keeping one space only between two ASCII words.
        words = text.split()
        if len(words) <= 1:
            return words[0] if words else ""  # no inner space: nothing to decide
        out = [words[0]]
        for before, word in zip(words, words[1:]):
            if before[-1] in _ASCII_WORD_CHARS and word[0] in _ASCII_WORD_CHARS:
                out.append(" ")
            out.append(word)
        return "".join(out)
    return clean_spaces_by_pattern(text)


def clean_spaces_by_pattern(text: str) -> str:
    """`clean_spaces` for any text (U+200B included), by substituting each run of `_SPACES`."""
    text = text.strip()

    def _keep(match: re.Match) -> str:
        s, e = match.start(), match.end()
        before = text[s - 1] if s > 0 else ""
        after = text[e] if e < len(text) else ""
        return " " if _ASCII_WORD.match(before) and _ASCII_WORD.match(after) else ""

    return _SPACES.sub(_keep, text)
