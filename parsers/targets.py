"""What a sentence cites: every 《title》 with the 文号 in brackets after it, and every bare NDRC
文号 between them, in reading order (`targets`), each a `Target` (start, end, doc_number, title),
titles normalised by `parsers.titles`.

`titles` finds balanced outermost 《…》 (《关于印发〈X〉的通知》 and the mis-nested 《关于印发《X》的通知》
alike); `bracket_number` reads the bracket after a title (any issuer's 文号, an order as
国家发展改革委令2014年第7号, 2014年第7号令, 第7号令 or 7号令). Used by `parsers.relations`, which
says what the sentence does to each. Pure: no I/O.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from parsers.identifiers import ORDER_PREFIX, find_doc_numbers
from parsers.titles import normalize_title

# Longest title between 《》 taken as a title (the longest real ones are ~60 characters; a
# run-away unmatched 《 is not a title).
TITLE_MAX = 120
# A bracket right after a title holds its 文号: 《…》（发改价格〔2015〕1234号）; up to 40 characters
# fits any 文号 and an order number spelled out in full. The year may be typed in round brackets
# too (《…》（发改价格（2015）1234号）): one nested pair is allowed.
AFTER_TITLE_BRACKET = re.compile(r"[\s\u3000]*[（(]((?:[^（）()\n]|[（(][^（）()\n]{1,8}[）)]){1,40})[）)]")
# An order cited by its number alone in that bracket: 第7号令, 7号令, 令第7号. Orders are keyed by
# (year, number) and there are two 第7号, so without a year the number stays yearless
# (国家发展改革委令第7号) and the store resolves it only when one stored order fits.
SHORT_ORDER = re.compile(r"^(?:国家发展改革委|国家发展和改革委员会)?令?\s*第?\s*(\d{1,4})\s*号\s*令?$")
# Another agency's order (原国家计委令第10号): kept as written so it resolves to no NDRC order.
OTHER_ORDER = re.compile(r"^原?([\u4e00-\u9fff]{2,20}?)令\s*(?:(\d{4})\s*年\s*)?第\s*(\d{1,4})\s*号$")
# Any issuer's 文号 in the bracket (京发改规〔2017〕4号, 财建〔2021〕1号): kept in normal form so a
# provincial look-alike never matches an NDRC document by its number.
ANY_WENHAO = re.compile(
    r"^([\u4e00-\u9fff]{1,14})\s*[〔\[【［﹝〖（(]\s*(\d{4})\s*[〕\]】］﹞〗）)]\s*0*(\d{1,5})\s*号$"
)
_SPACE_RE = re.compile(r"[\s\u00a0\u3000]+")


class Target(NamedTuple):  # a tuple: made several times per sentence
    start: int
    end: int  # after the title's bracketed 文号, if any
    doc_number: str | None
    title: str | None


def targets(text: str, year: int | None) -> list[Target]:
    """The targets of a text in order: titles with their bracketed 文号, then bare 文号 between."""
    found: list[Target] = []
    if "《" in text:
        for start, end, inner in titles(text):
            number, after = None, AFTER_TITLE_BRACKET.match(text, end)
            if after:
                number = bracket_number(after.group(1), year)
                if number:
                    end = after.end()
            found.append(Target(start, end, number, normalize_title(inner)))
    if "号" in text:
        rest = text
        if found:  # the titles (and their bracketed 文号) blanked out: bare numbers are the rest
            pieces, at = [], 0
            for t in found:
                pieces += (text[at : t.start], " " * (t.end - t.start))
                at = t.end
            pieces.append(text[at:])
            rest = "".join(pieces)
        if "号" in rest:
            for number in find_doc_numbers(rest, year=year):
                at = _number_position(rest, number)
                found.append(Target(at, at + len(number), number, None))
            if len(found) > 1:
                found.sort(key=lambda t: t.start)
    return found


def _number_position(text: str, number: str) -> int:
    """Where a normalised number stands in the text (its serial's 号 as the anchor when spelled apart)."""
    at = text.find(number)
    if at >= 0:
        return at
    serial = re.search(r"(\d+)号$", number)
    if serial:
        m = re.search(serial.group(1) + r"\s*号", text)
        if m:
            return max(m.start() - 10, 0)
    return len(text)


_TITLE_MARKS = re.compile(r"[《》\n]")


def titles(text: str) -> list[tuple[int, int, str]]:
    """(start, end, inside) of every balanced outermost 《…》 of one line."""
    found = []
    start = text.find("《")
    while start >= 0:
        # the usual title: its 》 comes before any other 《 and any line break, and within reach
        close = text.find("》", start + 1, start + TITLE_MAX + 2)
        inner = text[start + 1 : close] if close > start + 1 else ""  # sliced once, tested twice
        if inner and "《" not in inner and "\n" not in inner:
            found.append((start, close + 1, inner))
            start = text.find("《", close + 1)
            continue
        depth, close = 0, -1
        for m in _TITLE_MARKS.finditer(text, start, min(len(text), start + TITLE_MAX + 2)):
            c = m.group()
            if c == "\n":
                break
            depth += 1 if c == "《" else -1
            if depth == 0:
                close = m.start()
                break
        if close < 0:
            start = text.find("《", start + 1)
            continue
        if close > start + 1:
            found.append((start, close + 1, text[start + 1 : close]))
        start = text.find("《", close + 1)
    return found



def bracket_number(inner: str, year: int | None = None) -> str | None:
    """The 文号 a bracket after a title holds, normalised; None if it holds none.

    NDRC forms as `find_doc_numbers` reads them; 第7号令 / 7号令 as the yearless
    国家发展改革委令第7号; another issuer's 文号 or order as written, in normal form.
    """
    compact = _SPACE_RE.sub("", inner)
    numbers = find_doc_numbers(compact, year=None)
    if numbers:
        return numbers[0]
    m = SHORT_ORDER.match(compact)
    if m and "令" in compact:
        return f"{ORDER_PREFIX}第{int(m.group(1))}号"
    m = ANY_WENHAO.match(compact)
    if m:
        return f"{m.group(1)}〔{m.group(2)}〕{int(m.group(3))}号"
    m = OTHER_ORDER.match(compact)
    if m:
        agency, y, serial = m.groups()
        return f"{agency}令{y}年第{int(serial)}号" if y else f"{agency}令第{int(serial)}号"
    return None
