"""Paragraphs from positioned text: the layout stage shared by the PDF and OFD readers.

Holds `Line` (one run of text with its box on a page) and `lines_to_paragraphs(lines)`, which puts
runs in reading order, merges the runs of one baseline into a row, drops page numbers and running
headers/footers, and joins the rows a layout wrapped back into paragraphs.

Coordinates: any unit (PDF points, OFD millimetres) as long as a document uses one; `y` grows
downwards from the top of the page (PDF readers flip their y axis before building a `Line`).
All distances in the rules below are in *em*: the body text's character size.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parsers.frozen import frozen

# --- rows --------------------------------------------------------------------------------------
# Two runs are on one row when their vertical extents overlap by at least this share of the
# shorter one: glyph boxes of one baseline nearly coincide, the next row is a full leading away.
SAME_ROW_OVERLAP = 0.5
# A horizontal gap between two runs of a row wider than this is a space. Between Latin
# characters a word space is about a quarter em; between Chinese characters only deliberate
# letter-spacing (交  通  运  输  部) counts, not the spread of a justified line.
LATIN_SPACE_GAP_EM = 0.2
CJK_SPACE_GAP_EM = 0.5
# A gap this wide inside a row means columns or table cells, whose reading order we cannot know.
TABLE_GAP_EM = 4.0

# --- page furniture ----------------------------------------------------------------------------
# Page numbers as 公文 and office software print them: "— 2 —", "－ 2 －", "- 2 -", "2",
# "第2页", "第 2 页 共 9 页", "2/9", "Page 2 of 9".
PAGE_NUMBER_RE = re.compile(
    r"^(?:[—–\-－‒―─~～·\s]*\d{1,4}[—–\-－‒―─~～·\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"
)
# Page numbers and running headers sit among the first or last rows of a page.
EDGE_ROWS = 2
# A row at a page edge is a running header/footer when the same text (digits aside) stands at
# that edge on more than this share of the pages, and on at least RUNNING_MIN_PAGES pages.
RUNNING_MIN_SHARE = 0.5
RUNNING_MIN_PAGES = 2
# ... and only when a gap wider than this sets it off from the body (headers and footers sit in
# the page margins): body text that happens to repeat at page tops is never dropped.
RUNNING_DETACH_EM = 1.5

# --- paragraphs --------------------------------------------------------------------------------
# A row starting at least this far right of the text block's left edge starts a paragraph
# (公文 indent their first lines by two characters).
INDENT_MIN_EM = 1.0
# A row that starts further right than this (signatures, dates, right-aligned notes) is never
# the wrapped head of a paragraph, even when it reaches the right margin.
WRAP_MAX_INDENT_EM = 2.6
# A row ending within this distance of the right margin was wrapped by the layout. One em and a
# bit: typesetters move a character down rather than start a line with ，。、 (避头尾).
RIGHT_SLACK_EM = 1.2
# Centred: both sides inset by at least this much and the two insets equal within the tolerance.
CENTRE_MIN_INSET_EM = 1.0
CENTRE_SYMMETRY_EM = 0.6
# Characters this much larger than the body's are a title: always paragraphs of their own.
TITLE_SIZE_RATIO = 1.2
# A vertical gap this much wider than the usual leading separates paragraphs (spaced layouts).
PARAGRAPH_GAP_EM = 0.8
# The left and right margins of the text block are positions at least this share of rows share
# (within half an em), so that a stray row outside the block does not move them.
MARGIN_MIN_SHARE = 0.1
# A shared position further in than this from the outermost row is the margin only when at least
# this share of rows share it (a body text block), else the outermost row marks the margin.
MARGIN_OUTLIER_EM = 2.0
MARGIN_STRONG_SHARE = 0.3
MARGIN_STRONG_ROWS = 5

# A row that opens with a unit label (一、 （二） 3. 第四条) after a row that ended a sentence starts
# a paragraph even when the margins cannot tell: in a short text with no wrapped row the right
# edge of the block is unknown, and every row looks as if it reached it.
SENTENCE_ENDS = tuple("。；：！？;:!?")
UNIT_LABEL = re.compile(
    r"^\s*(?:[一二三四五六七八九十百零〇两]+、|[（(][一二三四五六七八九十百零〇两\d]+[）)]|\d+[.．、](?!\d)"
    r"|[①-⑳]|第[一二三四五六七八九十百千零〇两\d]+[编章节条])"
)

_WS_RE = re.compile(r"\s+")
_DIGITS_RE = re.compile(r"\d+")
# Latin text is joined with a space; a break after these never had one.
_NO_SPACE_AFTER = "-/‐"


@frozen
class Line:
    """A run of text on one baseline with its box: x0 < x1 left to right, y0 < y1 top to bottom."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    size: float | None = None  # character size when the file says it, else the box height is used

    @property
    def em(self) -> float:
        return self.size if self.size and self.size > 0 else max(self.y1 - self.y0, 1e-6)


@dataclass
class _Row:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    em: float
    wide_gap: bool = False


def lines_to_paragraphs(lines: Iterable[Line]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Rebuild the paragraphs of a document from its positioned runs; returns (paragraphs, warnings)."""
    warnings: list[str] = []
    pages = _rows_by_page(lines)
    rows_total = sum(len(r) for r in pages.values())
    if not rows_total:
        return (), ()
    em = _body_em([r for rows in pages.values() for r in rows])
    _drop_furniture(pages, em)
    rows = [row for page in sorted(pages) for row in pages[page]]
    if not rows:
        return (), ()
    table_rows = sum(1 for r in rows if r.wide_gap)
    if table_rows:
        warnings.append(
            f"{table_rows} line(s) laid out in columns or table cells were read left to right "
            "with their cells joined by spaces"
        )
    return tuple(_paragraphs(rows)), tuple(warnings)


def _rows_by_page(lines: Iterable[Line]) -> dict[int, list[_Row]]:
    by_page: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        if line.text and line.text.strip():
            by_page[line.page].append(line)
    out: dict[int, list[_Row]] = {}
    for page, runs in by_page.items():
        runs.sort(key=lambda r: ((r.y0 + r.y1) / 2, r.x0))
        groups: list[list[Line]] = []
        for run in runs:
            # a run joins the nearest earlier row it overlaps: runs of one baseline sort together
            for group in reversed(groups[-3:]):
                if _same_row(group, run):
                    group.append(run)
                    break
            else:
                groups.append([run])
        rows = [_make_row(page, g) for g in groups]
        rows = [r for r in rows if r.text]
        rows.sort(key=lambda r: (r.y0 + r.y1) / 2)
        out[page] = rows
    return out


def _same_row(group: list[Line], run: Line) -> bool:
    top = min(r.y0 for r in group)
    bottom = max(r.y1 for r in group)
    overlap = min(bottom, run.y1) - max(top, run.y0)
    shorter = min(bottom - top, run.y1 - run.y0)
    if shorter <= 0:  # degenerate boxes: compare baselines instead
        return abs(bottom - run.y1) <= 0.3 * run.em
    return overlap >= SAME_ROW_OVERLAP * shorter


def _make_row(page: int, runs: list[Line]) -> _Row:
    runs.sort(key=lambda r: r.x0)
    em = max(r.em for r in runs)
    parts: list[str] = []
    wide_gap = False
    prev: Line | None = None
    for run in runs:
        text = _WS_RE.sub(" ", run.text)
        if prev is not None and parts:
            gap = run.x0 - prev.x1
            if gap >= TABLE_GAP_EM * em:
                wide_gap = True
            latin = parts[-1][-1:].isascii() and text[:1].isascii()
            limit = LATIN_SPACE_GAP_EM if latin else CJK_SPACE_GAP_EM
            if gap > limit * em and not parts[-1].endswith(" ") and not text.startswith(" "):
                parts.append(" ")
        parts.append(text)
        prev = run if prev is None or run.x1 > prev.x1 else prev
    text = _WS_RE.sub(" ", "".join(parts)).strip()
    return _Row(
        page=page,
        x0=runs[0].x0,
        y0=min(r.y0 for r in runs),
        x1=max(r.x1 for r in runs),
        y1=max(r.y1 for r in runs),
        text=text,
        em=em,
        wide_gap=wide_gap,
    )


def _drop_furniture(pages: dict[int, list[_Row]], em: float) -> None:
    """Remove page numbers and running headers/footers in place."""
    for rows in pages.values():
        edge = set(range(min(EDGE_ROWS, len(rows)))) | set(range(max(0, len(rows) - EDGE_ROWS), len(rows)))
        for i in sorted(edge, reverse=True):
            if PAGE_NUMBER_RE.match(rows[i].text):
                del rows[i]
    if len(pages) < RUNNING_MIN_PAGES:
        return
    for side in ("top", "bottom"):
        seen: dict[str, set[int]] = defaultdict(set)
        for page, rows in pages.items():
            for row in _edge(rows, side):
                if _detached(rows, row, side, em):
                    seen[_furniture_key(row.text)].add(page)
        needed = max(RUNNING_MIN_PAGES, int(len(pages) * RUNNING_MIN_SHARE) + 1)
        running = {key for key, on in seen.items() if len(on) >= needed}
        if not running:
            continue
        for page, rows in pages.items():
            drop = {
                id(r) for r in _edge(rows, side) if _furniture_key(r.text) in running and _detached(rows, r, side, em)
            }
            pages[page] = [r for r in rows if id(r) not in drop]


def _detached(rows: list[_Row], row: _Row, side: str, em: float) -> bool:
    """Whether a row at a page edge is set off from the body by a wide gap on its inward side.

    Headers of two lines count: the gap may lie anywhere within EDGE_ROWS rows inwards.
    """
    i = next(k for k, r in enumerate(rows) if r is row)
    if side == "top":
        span = rows[i : i + EDGE_ROWS + 1]
    else:
        span = rows[max(i - EDGE_ROWS, 0) : i + 1]
    gaps = [b.y0 - a.y1 for a, b in zip(span, span[1:])]
    return bool(gaps) and max(gaps) > RUNNING_DETACH_EM * em


def _edge(rows: list[_Row], side: str) -> list[_Row]:
    return rows[:EDGE_ROWS] if side == "top" else rows[-EDGE_ROWS:]


def _furniture_key(text: str) -> str:
    return _DIGITS_RE.sub("#", _WS_RE.sub("", text))


def _body_em(rows: Sequence[_Row]) -> float:
    """The body's character size: the median size weighted by characters, so headers don't count."""
    sizes = sorted((r.em, len(r.text)) for r in rows)
    half = sum(n for _, n in sizes) / 2
    seen = 0
    for em, n in sizes:
        seen += n
        if seen >= half:
            return em
    return sizes[-1][0]


def _margin(values: Sequence[float], em: float, *, lowest: bool) -> float:
    """Where the text block's left (or right) edge is.

    The outermost position enough rows share (a row sticking out, such as a wide table row, does not
    move it) unless that leaves the outermost row far outside and few rows share it: in a short
    text, two short lines ending alike must not pass for the right margin.
    """
    ascending = sorted(values)
    extreme = ascending[0] if lowest else ascending[-1]
    need = max(2, MARGIN_MIN_SHARE * len(ascending))
    tol = 0.5 * em
    for v in ascending if lowest else reversed(ascending):
        support = bisect_right(ascending, v + tol) - bisect_left(ascending, v - tol)
        if support >= need:
            strong = support >= max(MARGIN_STRONG_ROWS, MARGIN_STRONG_SHARE * len(ascending))
            if abs(v - extreme) <= MARGIN_OUTLIER_EM * em or strong:
                return v
            return extreme
    return extreme


def _paragraphs(rows: list[_Row]) -> list[str]:
    em = _body_em(rows)
    body = [r for r in rows if r.em < TITLE_SIZE_RATIO * em] or rows
    left = _margin([r.x0 for r in body], em, lowest=True)
    right = _margin([r.x1 for r in body], em, lowest=False)
    gaps = [
        b.y0 - a.y1
        for a, b in zip(rows, rows[1:])
        if a.page == b.page and b.y0 >= a.y1 and a.em < TITLE_SIZE_RATIO * em and b.em < TITLE_SIZE_RATIO * em
    ]
    usual_gap = statistics.median(gaps) if gaps else None

    paragraphs: list[str] = []
    current: str | None = None
    prev: _Row | None = None
    prev_continues = False
    for row in rows:
        left_inset = (row.x0 - left) / em
        right_inset = (right - row.x1) / em
        title = row.em >= TITLE_SIZE_RATIO * em
        centred = (
            left_inset >= CENTRE_MIN_INSET_EM
            and right_inset >= CENTRE_MIN_INSET_EM
            and abs(left_inset - right_inset) <= CENTRE_SYMMETRY_EM
        )
        standalone = title or centred
        starts = (
            current is None
            or standalone
            or not prev_continues
            or (current.endswith(SENTENCE_ENDS) and UNIT_LABEL.match(row.text) is not None)
            or left_inset >= INDENT_MIN_EM
            or (
                usual_gap is not None
                and prev is not None
                and prev.page == row.page
                and row.y0 - prev.y1 > usual_gap + PARAGRAPH_GAP_EM * em
            )
        )
        if starts:
            if current:
                paragraphs.append(current)
            current = row.text
        else:
            current = _join(current or "", row.text)
        prev_continues = not standalone and left_inset <= WRAP_MAX_INDENT_EM and right_inset <= RIGHT_SLACK_EM
        prev = row
    if current:
        paragraphs.append(current)
    return paragraphs


def _join(a: str, b: str) -> str:
    """Join a wrapped line to the next: Chinese with no space, Latin words with one.

    A space between a Latin word and a Chinese character that the layout replaced by the line
    break is not restored: it cannot be told from the usual writing with no space there.
    """
    if not a or not b:
        return a + b
    last, first = a[-1], b[0]
    if last.isascii() and not last.isspace() and last not in _NO_SPACE_AFTER and first.isascii() and (
        first.isalnum() or first in "([\"'"
    ):
        return f"{a} {b}"
    return a + b
