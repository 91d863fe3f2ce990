"""The paragraph builder: a body tree → clean paragraphs, which of them are centred, and tables.

The body is walked once: block elements end a paragraph, inline elements join (so a name split
across spans, 国 + 家发展改革委, stays one word), and a box cut out of the body (a `CUT_TAG`
marker left by `parsers.boxes`) may have cut a sentence in two, which is joined again.

A data table (a <table> with two or more cells in a row) is kept as rows: each row becomes one
paragraph, its cells joined by `CELL_SEPARATOR`, and its cells are returned as a table too. A
table of one cell a row is layout (a CMS wrapping the text in a frame): it is walked as text.
"""

from __future__ import annotations

import re

from lxml import etree

from parsers.boxes import CUT_TAG, NOISE_CLASSES, NOISE_IDS, NOISE_SECTION_TAGS, NOISE_TAGS
from parsers.html_tree import clean_text

# Elements that end a paragraph (HTML block-level elements and line breaks).
BLOCK_TAGS = frozenset(
    "p div br li tr h1 h2 h3 h4 h5 h6 table tbody thead tfoot ul ol dl dt dd section article aside "
    "blockquote center pre hr form fieldset address figure figcaption main caption".split()
)
# Table cells (of a layout table: separated by a space inside their row's paragraph).
CELL_TAGS = frozenset({"td", "th"})
# The row groups of a table, whose <tr> children are its rows.
ROW_GROUP_TAGS = frozenset({"thead", "tbody", "tfoot"})
# Between the cells of a data table's row in `body_text`: " | " reads as a column break to a
# person and to a Markdown reader, and never occurs in the site's policy text itself (a tab would
# be collapsed into a space by `clean_text`, as every run of whitespace is).
CELL_SEPARATOR = " | "
# text-align center/right (or align=center/right, or <center>) marks titles, 文号 and signatures.
ALIGN_STYLE = re.compile(r"text-align\s*:\s*([a-z-]+)", re.I)
CENTERED_ALIGNS = frozenset({"center", "right", "-webkit-center", "-moz-center", "end"})
# A paragraph that ends with one of these ends its sentence: a box after it did not cut anything.
SENTENCE_END = tuple("。；;！!？?：:”’」』）)》…")
# A paragraph starting like a numbered unit or heading is never the rest of a cut sentence.
NEW_UNIT = re.compile(r"^(?:[一二三四五六七八九十百零]+、|[（(][一二三四五六七八九十百零\d]+[）)]|\d+[.．、]|第[一二三四五六七八九十百零\d]+[编章节条]|附件)")


def is_centered(el: etree._Element, inherited: bool) -> bool:
    if el.tag == "center":
        return True
    style = el.get("style")
    value = _style_align(style) if style else None
    if value is None:
        align = el.get("align")
        if not align:
            return inherited
        value = align.strip().lower()
        if not value:
            return inherited
    return value in CENTERED_ALIGNS


# The text-align of each inline style seen (see `_style_align`), at most ALIGNS_KEPT of them.
_ALIGNS: dict[str, str | None] = {}
ALIGNS_KEPT = 1024


def _style_align(style: str) -> str | None:
    """The text-align of an inline style, lower case, or None. Remembered: a CMS page repeats
    the same few style strings on every span and paragraph, so the walk looks the answer up
    (a subscript, cheaper than a cached function's call) and comes here for a new one."""
    try:
        return _ALIGNS[style]
    except KeyError:
        pass
    match = ALIGN_STYLE.search(style)
    value = match.group(1).lower() if match else None
    if len(_ALIGNS) >= ALIGNS_KEPT:  # a long crawl meets many styles: start again
        _ALIGNS.clear()
    _ALIGNS[style] = value
    return value


class ParagraphBuilder:
    """Walks a body tree into paragraphs: blocks break, inline runs join, cuts are remembered.

    The hot loop of a parse (every element of the body passes through `walk`): text pieces are
    collected as plain strings and cleaned once per paragraph, and whether a paragraph is
    centred is tracked as pieces arrive instead of being recomputed at each flush.
    """

    __slots__ = ("pieces", "centered", "visible", "paragraphs", "cuts", "closed_p_rests", "rows", "tables")

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.centered = True  # every visible piece of the open paragraph is centred so far
        self.visible = False  # the open paragraph has a piece that is not all whitespace
        self.paragraphs: list[tuple[str, bool]] = []
        self.cuts: set[int] = set()  # a box was cut out just before paragraph i
        # …and paragraph i is what follows a <p> the box closed (see `_closed_p`): "rest" (its
        # bare text) or "inline" (an inline element, which may as well stand after the <p>).
        self.closed_p_rests: dict[int, str] = {}
        self.rows: set[int] = set()  # paragraph i is a row of a data table
        self.tables: list[tuple[tuple[str, ...], ...]] = []  # the data tables' rows of cells

    def flush(self) -> None:
        if self.pieces:
            if self.visible:
                text = clean_text("".join(self.pieces))
                if text:
                    self.paragraphs.append((text, self.centered))
            self.pieces.clear()
        self.centered = True
        self.visible = False

    def walk(self, el: etree._Element, centered: bool) -> None:
        """Every element of the body passes through here once: the steps are inlined (the
        alignment test of `is_centered`; a run of text joins the open paragraph, which stays
        centred only while every visible run is) and ordered so that a <br> costs a tag lookup."""
        tag = el.tag
        if type(tag) is not str:  # comment or processing instruction left by the parser
            return
        pieces = self.pieces
        if tag == "br":
            if pieces:
                self.flush()
            return
        if tag in NOISE_TAGS:  # never text (script, style, …): gone, its tail stays
            return
        # A box known by class, id or tag (the sidebar's 排行榜 and 相关解读, print and share
        # widgets, see `parsers.boxes`) is cut out where it stands: read here, on the walk,
        # rather than looked for beforehand.
        # The four attributes read, in one call: most elements of a body carry none or one, and
        # each get() encodes its name and searches the attribute list again.
        classes = ident = style = align = None
        for name, value in el.items():  # style first: the one most elements of a body carry
            if name == "style":
                style = value if style is None else style
            elif name == "class":
                classes = value if classes is None else classes
            elif name == "id":
                ident = value if ident is None else ident
            elif name == "align":
                align = value if align is None else align
        if (classes is not None and not NOISE_CLASSES.isdisjoint(classes.split())) or tag in NOISE_SECTION_TAGS:
            tag = CUT_TAG
        elif ident is not None and ident.strip() in NOISE_IDS:
            tag = CUT_TAG
        if tag in BLOCK_TAGS:
            if pieces:
                self.flush()
            if tag == "table" and self.table(el):
                return
            block = True
        elif tag == CUT_TAG:
            if self.visible:
                # Cut inside an open paragraph: the text after the box continues it, as a
                # reader sees the page without the box.
                return
            self.flush()
            closed = _closed_p(el)
            if closed == "empty":
                # The box stood first in a <p> and left it empty: what follows is that <p>'s
                # line, which starts a paragraph of its own.
                return
            self.cuts.add(len(self.paragraphs))
            if closed is not None:
                self.closed_p_rests[len(self.paragraphs)] = closed
            return
        else:
            block = False
            if tag in CELL_TAGS:
                pieces.append(" ")
        # Centred: as `is_centered` decides, inlined.
        if tag == "center":
            here = True
        else:
            here = centered
            if style:
                try:
                    value = _ALIGNS[style]
                except KeyError:
                    value = _style_align(style)
            else:
                value = None
            if value is None and align:
                value = align.strip().lower()
            if value:
                here = value in CENTERED_ALIGNS
        text = el.text
        if text:
            pieces.append(text)
            if not text.isspace():
                self.visible = True
                if not here:
                    self.centered = False
        if len(el):  # a leaf (most elements) spares the iterator
            walk = self.walk
            for child in el:
                walk(child, here)
                tail = child.tail
                if tail:
                    pieces.append(tail)
                    if not tail.isspace():
                        self.visible = True
                        if not here:
                            self.centered = False
        if block:
            self.flush()

    def table(self, table: etree._Element) -> bool:
        """A data table as rows (one paragraph a row, cells kept); False for a layout table,
        which the caller walks as text."""
        grid: list[tuple[str, ...]] = []
        widest = 0  # the most cells a row with text has in the markup (spans not counted)
        spanned: dict[int, list] = {}  # column → [text, rows it still fills] of a rowspan cell
        for row in _table_rows(table):
            cells: list[str] = []
            written = 0
            for cell in row:
                if cell.tag in CELL_TAGS:
                    written += 1
                    _fill_spanned(cells, spanned)
                    inner = ParagraphBuilder()
                    inner.walk(cell, False)
                    text = " ".join(t for t, _ in inner.merged())
                    down = _span(cell.get("rowspan"))
                    for _ in range(_span(cell.get("colspan"))):
                        if down > 1:
                            spanned[len(cells)] = [text, down - 1]
                        cells.append(text)
            _fill_spanned(cells, spanned, to_end=True)
            if any(cells):
                grid.append(tuple(cells))
                widest = max(widest, written)
        if not grid or widest < 2:
            return False
        for caption in table.iterchildren("caption"):
            self.walk(caption, False)
        for cells in grid:
            self.rows.add(len(self.paragraphs))
            self.paragraphs.append((CELL_SEPARATOR.join(cells).strip(), False))
        self.tables.append(tuple(grid))
        return True

    def merged(self) -> list[tuple[str, bool]]:
        """The paragraphs, with a sentence a box had cut in two joined again."""
        self.flush()
        if not self.cuts:  # nothing was cut out: nothing to join
            return list(self.paragraphs)
        merged: list[tuple[str, bool]] = []
        rows = self.rows
        for i, (text, centered) in enumerate(self.paragraphs):
            if (
                i in self.cuts
                and merged
                and i not in rows
                and i - 1 not in rows
                and _continues(merged[-1], (text, centered), self.closed_p_rests.get(i))
            ):
                prev_text, prev_centered = merged[-1]
                merged[-1] = (prev_text + text, prev_centered)
            else:
                merged.append((text, centered))
        return merged

    def result(self) -> tuple[tuple[str, ...], frozenset[int]]:
        texts: list[str] = []
        centered: list[int] = []
        for i, (text, is_centered_) in enumerate(self.merged()):  # one pass, no generator
            texts.append(text)
            if is_centered_:
                centered.append(i)
        return tuple(texts), frozenset(centered)


# The most rows or columns a cell is taken to span: a larger colspan or rowspan (a typo, or
# colspan="1000" for "all") is read as this many, so a cell is never copied without end.
SPAN_MAX = 50


def _span(value: str | None) -> int:
    """A colspan or rowspan: 1 when absent, not a number or below 1 (rowspan="0", "to the
    end", is read as 1)."""
    if not value:
        return 1
    try:
        return min(max(int(value.strip()), 1), SPAN_MAX)
    except ValueError:
        return 1


def _fill_spanned(cells: list[str], spanned: dict[int, list], *, to_end: bool = False) -> None:
    """Put in a row the cells of the rows above that span down to it, at their columns: those
    at the next column (before a cell of the row), or every one left (`to_end`, after its last
    cell; a column between them that no cell fills stays empty). A cell spanning rows and
    columns is repeated in each, as a reader of the table sees it."""
    while spanned and (len(cells) in spanned or (to_end and len(cells) < max(spanned))):
        column = len(cells)
        if column not in spanned:
            cells.append("")
            continue
        text, left = spanned[column]
        cells.append(text)
        if left > 1:
            spanned[column][1] = left - 1
        else:
            del spanned[column]


def _table_rows(table: etree._Element):
    """The <tr> of a table (directly or in its row groups), not those of tables nested in cells."""
    for child in table:
        tag = child.tag
        if tag == "tr":
            yield child
        elif tag in ROW_GROUP_TAGS:
            for row in child:
                if row.tag == "tr":
                    yield row


def _closed_p(box: etree._Element) -> str | None:
    """Whether the box stands right after a <p> it may have closed, and what follows it.

    An HTML parser ends an open <p> at a <div>, so `<p>交通<div box>…</div>运输部</p>` is read as
    `<p>交通</p>`, the box, then 运输部 as its tail: "rest", the <p>'s own text, which has lost the
    <p>'s alignment. "inline" when an inline element follows instead: `<p>国</p>` box
    `<span>家发展改革委</span>` is read the same whether the <span> stood in the <p> or after it,
    so only a fragment before it is joined (see `_continues`). "empty" when the <p> holds no text
    (the box stood first in it: what follows is that <p>'s whole line). None for a box anywhere
    else (first in a <span> that opens the next line, say), which broke no line."""
    before = box.getprevious()
    if before is None or before.tag != "p" or before.tail:
        return None
    if not "".join(before.itertext()).strip():
        return "empty"
    tail = box.tail
    if tail:
        return None if tail[0].isspace() else "rest"
    following = box.getnext()
    if following is None or not isinstance(following.tag, str) or following.tag in BLOCK_TAGS:
        return None
    # an inline element holding a block (<span><p>文号</p></span>) follows no line, nor one whose
    # text opens with an indent (a paragraph's start: 　　积极探索…)
    if any(isinstance(el.tag, str) and el.tag in BLOCK_TAGS for el in following.iterdescendants()):
        return None
    text = "".join(following.itertext())
    return "inline" if text and not text[0].isspace() else None


# What a <p> may hold before a box for an inline element after the box to be its rest: one or two
# characters (a name split across two spans: 国 + 家发展改革委) are no line of their own, where a
# whole line (a 文号, the addressees) is one, and the element after the box the next line.
FRAGMENT_MAX = 2


def _continues(before: tuple[str, bool], after: tuple[str, bool], closed_p: str | None = None) -> bool:
    """Whether `after` is the rest of the sentence `before` was cut in by a box.

    `closed_p`: what `after` is to the <p> `before` stands in, which the box may have closed
    (`_closed_p`). Its "rest" is the same paragraph, whatever either says (a heading's 。 and the
    text after it in one <p>: <strong>（一）强化政策支持。</strong>有序推进…) and centred or not
    (the rest has lost the <p>'s alignment); after a fragment, an "inline" one is too.
    """
    (prev, prev_centered), (nxt, next_centered) = before, after
    if closed_p == "rest" or (closed_p == "inline" and len(prev) <= FRAGMENT_MAX):
        return True
    if prev_centered or next_centered:
        return False
    return not prev.endswith(SENTENCE_END) and not NEW_UNIT.match(nxt)

