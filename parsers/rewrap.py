"""Lines a rendering tool wrapped at its width, joined again: `unwrapped(lines)`.

Run at their defaults, text browsers and Markdown writers wrap long lines for an 80-column
terminal: w3m breaks CJK text at any character (`…请认真贯彻实施` / `。`), lynx too at 74 characters
counted one each (…有关中央企业，有 / 关金融机构：), html2text breaks at spaces
(a breadcrumb over three lines, `![Scan` / `me!](…)`). A line of a rendering is otherwise a
paragraph, so a wrapped one must be joined to what follows before the line rules run. A line is
taken as wrapped only when the tool could not have put the next line's first character or word on
it, and the rendering as a whole shows that the tool wrapped (see the constants); any doubt leaves
the lines as they are, as a rendering made without wrapping is.
"""

from __future__ import annotations

import re
import unicodedata

from parsers import boilerplate as rules

# The widest a wrapping tool's lines get: an 80-column terminal (w3m and lynx fill 79 or 80
# columns, a CJK character taking two; html2text's `body_width` is 78 characters).
TERMINAL_COLUMNS = 80
# A rendering is column-wrapped when no line is wider than the terminal and its widest line fills
# it (w3m's reach 78 or 79): a page of short lines, never wrapped, is left alone (a browser's text
# of one had lines of 77 columns).
WRAPPED_WIDEST_MIN = 78
# lynx -dump, at its default 80-column screen, wraps at 74 characters counted one a character,
# wide or not (CJK text is broken anywhere, even before a ，): its widest line is 74 characters.
LYNX_WRAP_CHARS = 74
# html2text wraps at 78 characters (its BODY_WIDTH), and only at a space: a longer line holds no
# space it could have broken at.
MARKDOWN_WRAP_CHARS = 78
# A wrapped line never ends a sentence there as far as these rules know: a line ending so is a
# paragraph's end (a tool that broke right after it leaves a paragraph split, as without this pass).
SENTENCE_END = tuple("。！？；：:;!?…")
# The next line starts a block of its own: a Markdown heading, list item, quote, table row or
# rule, or a numbered unit of the text (一、 （一） 1. 第X条 附件).
BLOCK_START = re.compile(
    r"^\s*(?:#{1,6}\s|[-*+•]\s|>|\||```|[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百\d]+[）)]"
    r"|\d+[.．、]|第[一二三四五六七八九十百零\d]+[编章节条]|附件)"
)
# A line that ends with a date is an entry of a list (排行榜: title, then date): never wrapped; nor
# is a line followed by a ranked entry (04关于…, as a browser's text writes the ranks).
LIST_ENTRY_END = re.compile(r"\d{4}-\d{2}-\d{2}$")
RANKED_ENTRY = re.compile(r"^\s*\d{2}(?=\D)")
# Characters no line of Chinese text may start with (they close what precedes them): a tool that
# put one first on a full line's next broke the line there.
NO_LINE_START = tuple("。，、；：？！）》」』”’…")
# ... and those a paragraph may end with besides a sentence's end (a closing bracket or quote: an
# attachment's 名单（2026—2030年）, a title's 》). A full line ending with one is as likely a whole
# paragraph as a wrapped one, so it is left a line; a column-wrapped line ends in the middle of
# the text (a character, a digit, a comma).
PARAGRAPH_END = tuple("）)》」』”’")
# Any space a writer could break at, a no-break space too (markdownify writes its breadcrumb so).
_ANY_SPACE = re.compile(r"\s")
# An ASCII word: what a tool moves to the next line whole.
_ASCII_WORD = re.compile(r"[\x21-\x7e]+")
# Markdown's hard line break (two spaces, or a backslash, at the end): the writer broke the line
# for a <br>, not for the width.
MD_HARD_BREAK = ("  ", "\\")


def unwrapped(lines: list[str]) -> list[str]:
    """The lines with each wrapped one joined to the line after it."""
    # (lynx's list of link targets is never wrapped: a long URL there says nothing of the width)
    laid_out = [line for line in lines if not rules.LYNX_REFERENCE_LINE.match(line)]
    measure = _wrap_measure(laid_out)
    if measure is None and not _space_wrapped(lines):
        return lines
    limit = max(map(measure, laid_out)) if measure is not None else MARKDOWN_WRAP_CHARS
    out: list[str] = []
    joined = False  # the last line of `out` goes on in the next one
    for i, line in enumerate(lines):
        if joined:
            out[-1] = out[-1].rstrip() + _glue(out[-1].rstrip(), line.lstrip()) + line.lstrip()
        else:
            out.append(line)
        following = lines[i + 1] if i + 1 < len(lines) else ""
        joined = _wraps(line, following, limit, measure)
    return out


def _wraps(line: str, following: str, limit: int, measure) -> bool:
    """Whether `line` was wrapped before `following`: by `measure` (columns or characters) at
    `limit`, or, with no measure, by html2text at a space."""
    text = line.rstrip()
    if not text or not following.strip() or text.endswith(SENTENCE_END) or line.endswith(MD_HARD_BREAK):
        return False
    if measure is not None:
        full = measure(text) + measure(_first_unit(following.lstrip())) > limit
        if not full or text.endswith(PARAGRAPH_END):
            return False
        if following.lstrip().startswith(NO_LINE_START):
            return True
    if BLOCK_START.match(following) or _indent(following) > _indent(line) or rules.META_LINE.match(following):
        return False
    if LIST_ENTRY_END.search(text) or RANKED_ENTRY.match(following):
        return False
    if measure is not None:
        return True
    # At a space: html2text leaves ASCII on both sides of its breaks (links, image syntax).
    word = following.lstrip().split(" ", 1)[0]
    return text[-1].isascii() and word[:1].isascii() and len(text) + 1 + len(word) > limit


def _wrap_measure(lines: list[str]):
    """How the rendering's lines were measured when a tool wrapped them (`_columns` for w3m,
    `_characters` for lynx), or None when no line fills a terminal's width either way."""
    if WRAPPED_WIDEST_MIN <= max(map(_columns, lines), default=0) <= TERMINAL_COLUMNS:
        return _columns
    if LYNX_WRAP_CHARS - 1 <= max(map(_characters, lines), default=0) <= LYNX_WRAP_CHARS:
        return _characters
    return None


def _characters(text: str) -> int:
    return len(text.rstrip())


def _space_wrapped(lines: list[str]) -> bool:
    """Every line longer than html2text's width holds no space it could have been broken at, and
    some line was broken (it is near the width and ASCII where it ends)."""
    near = False
    for line in lines:
        text = line.rstrip()
        if BLOCK_START.match(text):  # list items, headings, quotes and tables are never wrapped
            continue
        if len(text) > MARKDOWN_WRAP_CHARS:
            start = len(text) - len(text.lstrip())
            if _ANY_SPACE.search(text, start, MARKDOWN_WRAP_CHARS + 1):  # (a no-break space too)
                return False
        elif len(text) > MARKDOWN_WRAP_CHARS - 20 and text[-1].isascii():
            near = True
    return near


def _columns(text: str) -> int:
    """Terminal columns: two for a wide (CJK) character."""
    if text.isascii():
        return len(text.rstrip())
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text.rstrip())


def _first_unit(text: str) -> str:
    """What a tool can move to the next line as one: a CJK character, or an ASCII word."""
    if not text:
        return ""
    if not text[0].isascii():
        return text[0]
    match = _ASCII_WORD.match(text)
    return match.group(0) if match else text[0]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _glue(before: str, after: str) -> str:
    """A space where the tool broke between two ASCII words; CJK text joins directly."""
    return " " if before[-1:].isascii() and after[:1].isascii() else ""
