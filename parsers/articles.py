"""Numbered units of a document body: `split_articles(paragraphs, source) -> ArticleSplit`.

One splitter for both numbering families:
- the 公文 levels of GB/T 9704: ``一、`` / ``（一）`` ``(一)`` / ``1.`` ``1．`` ``1、`` / ``（1）`` ``(1)`` / ``①``;
- ``第X编`` / ``第X章`` / ``第X节`` / ``第X条`` (and ``第X条之一``) of orders and regulations.

A unit opens only at the start of a paragraph. Each numbering style gets a rank the first time it
appears; units nest like a stack by that rank, so the outermost numbering present is level 1.
Numbering that jumps, repeats or goes back is reported in `warnings`, never silently fixed.
One pass over the paragraphs with one compiled regex.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from parsers.frozen import frozen
from parsers.model import Article
from parsers.numerals import cn_to_int


@frozen
class ArticleSplit:
    articles: tuple[Article, ...]  # seq from 0, parent by seq within this split
    preamble: str | None  # text before the first unit
    warnings: tuple[str, ...]


# A heading is the short title a unit opens with (一、总体要求 / （一）指导思想。以…). Longer
# openings are sentences, not titles.
HEADING_MAX_CHARS = 30

# A heading ends at the first 。 (or the end of the paragraph) and holds none of these: a comma,
# semicolon, colon or question/exclamation mark means the opening is a sentence (、 is allowed:
# it lists items inside titles such as 完善资金、用地等政策).
NOT_IN_HEADING = frozenset("，,；;：:？?！!")

# 第X条 never takes a heading: its opening (第五条 本办法自…起施行。) is the provision itself.
# 编 / 章 / 节 take their whole line as heading (第一章 总则).
STYLES_WITHOUT_HEADING = frozenset({"第条"})

# Items inside a 第X条 ((一) (二) … enumerating its cases) are clauses of the provision, never titled
# units: "（二）政策性粮食购销活动。" under 第二条 is the item's text, not its heading.
STYLES_WITHOUT_HEADING_BELOW = frozenset({"第条"})

# 编 / 章 / 节 titles are often letter-spaced (第一章　总　则); the spaces are typography, not text.
SPACED_HEADING_STYLES = frozenset({"第编", "第章", "第节"})

# Characters stripped from both ends of a paragraph: indents in U+3000 / U+2003, &nbsp;, tabs.
_STRIP = " \t\r\n\u00a0\u3000\u2003\u2002\ufeff"

_CN = "零〇一二两三四五六七八九十百千"
_AR = "0-9０-９"

# One regex for every label, anchored at the paragraph start (after the indent is stripped).
# - 1. / 1． / 1、 must not be followed by a digit: 1.5亿元 is a decimal, 1、2号机组 a list of numbers.
# - Arabic labels have at most 3 digits, so a year (2025.) is never a label.
_LABEL_RE = re.compile(
    f"(?P<di>第[ \u3000]*(?P<di_num>[{_CN}{_AR}]+)[ \u3000]*(?P<di_kind>[编章节条])"
    f"(?:[ \u3000]*之[ \u3000]*(?P<di_sub>[{_CN}]+))?)"
    f"|(?P<cn>(?P<cn_num>[{_CN}]+)、)"
    f"|(?P<cnp>[（(][ \u3000]*(?P<cnp_num>[{_CN}]+)[ \u3000]*[）)])"
    f"|(?P<ar>(?P<ar_num>[{_AR}]{{1,3}})[.．、](?![{_AR}]))"
    f"|(?P<arp>[（(][ \u3000]*(?P<arp_num>[{_AR}]{{1,3}})[ \u3000]*[）)])"
    "|(?P<circ>[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf])"  # ①–⑳, ㉑–㉟, ㊱–㊿
)
_LABEL_SPACE_RE = re.compile("[ \u3000]+")

# Style names used in ranks and warnings; the 第X family is keyed by its unit word.
_STYLE_OF_GROUP = {"cn": "一、", "cnp": "（一）", "ar": "1.", "arp": "（1）", "circ": "①"}


class _Unit:
    """An article under construction (mutable until the pass ends)."""

    __slots__ = ("seq", "level", "label", "number", "heading", "parts", "parent", "style",
                 "sub", "heading_from_stop", "has_children", "no_heading_below")  # fmt: skip

    def __init__(self, seq, level, label, number, style, sub, parent_unit):
        self.seq, self.level, self.label, self.number = seq, level, label, number
        self.style, self.sub = style, sub
        self.parent = parent_unit.seq if parent_unit else None
        self.heading: str | None = None
        self.heading_from_stop = False
        self.has_children = False
        # whether units nested in this one may take headings (not inside a 第X条)
        self.no_heading_below = style in STYLES_WITHOUT_HEADING_BELOW or bool(
            parent_unit and parent_unit.no_heading_below
        )
        self.parts: list[str] = []


def _read_label(m: re.Match) -> tuple[str, int | None, int | None]:
    """(style, number, 之X number) of a label match; number None when the numeral is malformed
    or zero (no numbering counts from 0: a paragraph opening "〇、" is not a unit)."""
    style, number, sub = _read_label_raw(m)
    return style, (number or None), sub


def _read_label_raw(m: re.Match) -> tuple[str, int | None, int | None]:
    kind = m.lastgroup
    if kind == "di":
        sub = cn_to_int(m["di_sub"]) if m["di_sub"] else None
        if m["di_sub"] and sub is None:
            return "第" + m["di_kind"], None, None
        return "第" + m["di_kind"], cn_to_int(m["di_num"]), sub
    if kind == "circ":
        return "①", int(unicodedata.numeric(m["circ"])), None
    return _STYLE_OF_GROUP[kind], cn_to_int(m[kind + "_num"]), None


def _split_heading(rest: str) -> tuple[str | None, str, bool]:
    """(heading, remaining text, heading ended at 。) of the text after a label."""
    if not rest:
        return None, "", False
    stop = rest.find("。")
    candidate = rest if stop < 0 else rest[:stop]
    if (
        not candidate
        or len(candidate) > HEADING_MAX_CHARS
        or any(ch in NOT_IN_HEADING for ch in candidate)
    ):
        return None, rest, False
    if stop < 0:
        return candidate, "", False
    return candidate, rest[stop + 1 :].lstrip(_STRIP), True


def split_articles(paragraphs: Sequence[str], source: str = "body") -> ArticleSplit:
    """Split body paragraphs into numbered units.

    `paragraphs` are clean paragraphs in reading order (boxes removed, cut sentences joined);
    empty ones are skipped. Returns the units flat in reading order (`seq` from 0, `parent` by
    seq), the text before the first unit as `preamble`, and numbering problems as `warnings`.
    """
    units: list[_Unit] = []
    preamble: list[str] = []
    warnings: list[str] = []
    rank: dict[str, int] = {}  # style -> order of first appearance
    stack: list[_Unit] = []  # open units, outermost first
    last_sibling: dict[tuple[int | None, str], _Unit] = {}  # (parent seq, style) -> previous unit
    last_of_style: dict[str, _Unit] = {}  # style -> previous unit anywhere (numbering continued)
    where = "" if source == "body" else f" ({source})"

    if isinstance(paragraphs, str):
        paragraphs = paragraphs.split("\n")
    for raw in paragraphs:
        if not isinstance(raw, str):
            warnings.append(f"skipped a paragraph that is not text ({type(raw).__name__}){where}")
            continue
        para = raw.strip(_STRIP)
        if not para:
            continue
        m = _LABEL_RE.match(para)
        style = number = None
        if m:
            style, number, sub = _read_label(m)
        if number is None:
            if m:
                warnings.append(f"not a numbering: {m.group()!r} has a malformed numeral{where}")
            (stack[-1].parts if stack else preamble).append(para)
            continue

        style_rank = rank.setdefault(style, len(rank))
        while stack and rank[stack[-1].style] >= style_rank:
            stack.pop()
        parent = stack[-1] if stack else None
        label = _LABEL_SPACE_RE.sub("", m.group())
        unit = _Unit(len(units), len(stack) + 1, label, number, style, sub, parent)
        if parent:
            parent.has_children = True

        _check_numbering(unit, last_sibling.get((unit.parent, style)), last_of_style.get(style),
                         warnings, where)  # fmt: skip
        last_sibling[(unit.parent, style)] = unit
        last_of_style[style] = unit

        rest = para[m.end() :].lstrip(_STRIP)
        if style in STYLES_WITHOUT_HEADING or (parent and parent.no_heading_below):
            heading, text, from_stop = None, rest, False
        else:
            heading, text, from_stop = _split_heading(rest)
        if heading and style in SPACED_HEADING_STYLES:
            heading = _LABEL_SPACE_RE.sub("", heading)  # 第一章　总　则 -> 总则
        unit.heading, unit.heading_from_stop = heading, from_stop
        if text:
            unit.parts.append(text)
        units.append(unit)
        stack.append(unit)

    articles = []
    for u in units:
        heading, parts = u.heading, u.parts
        if u.heading_from_stop and not parts and not u.has_children:
            # "（三）本通知自印发之日起施行。" with nothing under it is a sentence, not a title.
            heading, parts = None, [u.heading + "。"]
        articles.append(
            Article(seq=u.seq, level=u.level, label=u.label, number=u.number, heading=heading,
                    text="\n".join(parts), parent=u.parent, source=source)  # fmt: skip
        )
    return ArticleSplit(
        articles=tuple(articles),
        preamble="\n".join(preamble) or None,
        warnings=tuple(warnings),
    )


def _check_numbering(unit: _Unit, sibling: _Unit | None, previous: _Unit | None,
                     warnings: list[str], where: str) -> None:  # fmt: skip
    """Record a warning when `unit` does not follow its previous sibling (or, as the first of its
    style under this parent, neither starts at 1 nor continues the style's previous unit)."""
    if unit.sub is not None:
        # 第十条之一 sits after 第十条 and does not advance the count.
        ref = sibling or previous
        if ref is None or ref.number != unit.number:
            warnings.append(f"numbering: {unit.label} does not follow 第{unit.number}条{where}")
        return
    if sibling is not None:
        expected_from = sibling
    elif unit.number == 1 or (previous is not None and unit.number == previous.number + 1):
        return  # a fresh count under a new parent, or a count that runs across parents
    else:
        expected_from = previous
    if expected_from is None:
        warnings.append(f"numbering starts at {unit.label}{where}")
    elif unit.number == expected_from.number + 1:
        return
    elif unit.number == expected_from.number:
        warnings.append(f"numbering repeats {unit.label}{where}")
    elif unit.number > expected_from.number:
        warnings.append(f"numbering jumps from {expected_from.label} to {unit.label}{where}")
    else:
        warnings.append(f"numbering goes back from {expected_from.label} to {unit.label}{where}")
