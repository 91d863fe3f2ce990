"""Text and Markdown renderings of a detail page → `PageExtract`: `extract_rendering(text, url)`.

A rendering is what a browser's text view or a page-to-Markdown tool makes of a page: one line per
block, with every box of the page laid out in the flow — navigation, breadcrumb, print and share
widgets, the 排行榜 ranking box and the 相关解读 list (often in the middle of the body, cutting a
sentence in two), the 发布时间 / 来源 line and the footer. The line rules live in
`parsers.boilerplate`; this module walks the lines once, drops the chrome, reads the page metadata
it carries (publish date, source, category, 相关解读 links, attachment links) and joins a sentence a
box has cut.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsers import boilerplate as rules
from parsers import rendering_tools as tools
from parsers.agencies import agencies_in_line
from parsers.body_dates import DATE_LINE as SIGNATURE_DATE
from parsers.model import Attachment, Link, PageExtract, Table
from parsers.rewrap import unwrapped

# Link targets that point nowhere: the navigation rows of a rendering link to "#".
DEAD_HREF = re.compile(r"^(?:#.*|javascript:.*|)$", re.IGNORECASE)
# Attachment files a detail page links (div.attachment): the text of the page lists them after
# its body; they become PageExtract.attachments, not paragraphs.
ATTACHMENT_FILE = re.compile(r"\.(pdf|ofd|docx?|wps|xlsx?|et|zip|rar|txt)$", re.IGNORECASE)
# The label line of the attachment box (附件：) standing alone before the file links.
ATTACHMENT_LABEL = re.compile(r"^附件[:：]?$")
# Headings of this level or higher, before any body text, are the page title (h2.article_title).
TITLE_HEADING_MAX_LEVEL = 3


def extract_rendering(text: str, url: str | None) -> PageExtract:
    """Read a text or Markdown rendering of a detail page. Never raises for any string."""
    walker = _Walker(url)
    raw_lines, front = tools.front_matter((text or "").splitlines())
    walker.fallback_title = front.get("title") or None
    date = rules.ISO_DATE.match(front.get("date") or "")
    if date:
        walker.fallback_date = _iso(*date.groups(), warnings=walker.warnings)
    # (widths as the tool laid them out: before lynx's [N] marks go)
    raw_lines = tools.breadcrumb_runs(tools.without_lynx_references(unwrapped(raw_lines)))
    rows = tools.table_rows(raw_lines)
    lines = [rules.strip_markup(raw) if i not in rows else ("", [], 0) for i, raw in enumerate(raw_lines)]
    for i, (line, links, level) in enumerate(lines):
        if i in rows:
            if rows[i] is not None:
                walker.add_row(rows[i], continues=i - 1 in rows)
            continue
        walker.feed(line, links, level, near_footer=_in_footer_block(lines, i))
    return walker.result()


class _Walker:
    """One pass over the lines: state is the box being skipped (None, "ranking" or "related")."""

    def __init__(self, url: str | None):
        self.url = url
        self.body: list[str] = []
        self.title: str | None = None
        self.publish_date: str | None = None
        self.source: str | None = None
        self.category: str | None = None
        self.interpretations: dict[str, Link] = {}
        self.attachments: list[Attachment] = []
        self.warnings: list[str] = []
        self.box: str | None = None
        self.box_cut = False  # a ranking / related box stood since the last body paragraph
        self.next_rank = 1
        self.rank_title_due = False
        self.related_as_links = False
        self.in_footer = False  # a footer line was seen: its short value lines follow
        # What the tool wrote around the page (front matter, a crawl header, the <title> line):
        # used when the rendering itself shows no title or date.
        self.fallback_title: str | None = None
        self.fallback_date: str | None = None
        self.meta_value_due = False  # a 来源： label alone: its value is the next line
        self.tables: list[list[tuple[str, ...]]] = []  # Markdown tables, rows of cells
        self.orphan: str | None = None  # a lone character, joined to the next paragraph

    # -- the walk -------------------------------------------------------------------------------

    def feed(self, line: str, links: list[tuple[str, str]], level: int, *, near_footer: bool = False) -> None:
        if not line:
            return
        bare = line.rstrip("：:").strip()
        if rules.RANKING_HEADER.match(bare):
            self._open_box("ranking")
            return
        if rules.RELATED_HEADER.match(bare):
            self._open_box("related")
            return
        if self._chrome(line, near_footer):
            return
        if self.box == "ranking" and self._ranking_line(line):
            return
        if self.box == "related" and self._related_line(line, links):
            return
        self.box = None
        if level and level <= TITLE_HEADING_MAX_LEVEL and not self.body and self.title is None:
            self.title = line
            return
        if self._attachment_line(line, links):
            return
        self._add_paragraph(line)

    def _open_box(self, kind: str) -> None:
        self.box = kind
        self.box_cut = self.box_cut or bool(self.body)
        self.next_rank = 1
        self.rank_title_due = False
        self.related_as_links = False

    def _chrome(self, line: str, near_footer: bool = False) -> bool:
        """Navigation, breadcrumb, widgets, page metadata and footer lines: read, then dropped."""
        if rules.is_breadcrumb_line(line):
            self.category = self.category or rules.breadcrumb_category(line)
            return True
        if rules.is_nav_line(line) or rules.is_widget_line(line):
            return True
        header = rules.CRAWL_HEADER.match(line)
        if header:
            if header.group(1) == "Title":
                self._title_line(header.group(2))
            return True
        if rules.HTML_TITLE_LINE.match(line):
            self._title_line(line)
            return True
        if self.meta_value_due:
            self.meta_value_due = False
            if len(line) <= rules.META_VALUE_MAX and not rules.ends_sentence(line):
                self.source = self.source or line.strip()
                return True
        if rules.META_LINE.match(line):
            self.meta_value_due = bool(rules.META_LABEL_ALONE.match(line))
            if self.title is None and len(self.body) == 1 and not self.box_cut:
                # The page title (h2.article_title) stands alone above 发布时间 in a plain
                # rendering: nothing else of the page comes before it.
                self.title = self.body.pop()
            date = rules.PUBLISH_DATE.search(line)
            if date and not self.publish_date:
                self.publish_date = _iso(*date.groups(), warnings=self.warnings)
            source = rules.SOURCE.search(line)
            if source and not self.source:
                self.source = source.group(1).strip()
            return True
        if rules.is_footer_line(line) or (near_footer and rules.is_weak_footer_line(line)):
            # Only after the body has begun: the top bar of some renderings holds 网站地图 too.
            self.box, self.in_footer = None, bool(self.body)
            return True
        if self.in_footer:
            # The footer's value lines (中华人民共和国国家发展和改革委员会 under 主办单位：) carry no
            # marker; body text after a footer would end a sentence and closes the footer.
            if len(line) <= rules.FOOTER_LINE_MAX and not rules.ends_sentence(line):
                return True
            self.in_footer = False
        return False

    def _ranking_line(self, line: str) -> bool:
        """A ranked item (01 title), its date line, or its rank alone: part of the 排行榜 box."""
        if rules.DATE_LINE.match(line):
            return True
        if self.rank_title_due:
            self.rank_title_due = False
            return True
        number = rules.RANKING_NUMBER.match(line) or rules.RANKING_ITEM.match(line) or rules.RANKING_ITEM_JOINED.match(line)
        if number and self._is_next_rank(int(number.group(1))):
            self.rank_title_due = number.re is rules.RANKING_NUMBER
            return True
        return False

    def _is_next_rank(self, rank: int) -> bool:
        # Ranks count up from 1 (01, 02, …): body text after the box does not continue the count.
        if rank == self.next_rank or (self.next_rank == 1 and rank == 0):
            self.next_rank = rank + 1
            return True
        return False

    def _related_line(self, line: str, links: list[tuple[str, str]]) -> bool:
        """A 相关解读 entry (a link, or a title line in a plain rendering): recorded, then dropped."""
        link_text = "".join(t for t, _ in links)
        if links and _compact(link_text) == _compact(line):
            self.related_as_links = True
            for title, href in links:
                self._add_interpretation(title, href)
            return True
        if self.related_as_links or not self._looks_like_title(line):
            return False
        self._add_interpretation(line, None)
        return True

    def _looks_like_title(self, line: str) -> bool:
        # A title ends no sentence, is short, opens with no article label, and is no signature line.
        return (
            len(line) <= rules.RELATED_TITLE_MAX
            and line.rstrip("”’」』）)】\"' ")[-1:] not in rules.RELATED_NOT_TITLE_END
            and not rules.ARTICLE_LABEL.match(line)
            and not SIGNATURE_DATE.match(_compact(line))
            and not agencies_in_line(line)
        )

    def _add_interpretation(self, title: str, href: str | None) -> None:
        title = title.strip()
        if not title:
            return
        url = self._absolute(href)
        known = self.interpretations.get(title)
        if known is None or (known.url is None and url):
            self.interpretations[title] = Link(title=title, url=url)

    def _attachment_line(self, line: str, links: list[tuple[str, str]]) -> bool:
        """A link (or plain name) of an attached file: an attachment, not a paragraph."""
        files = [(t, h) for t, h in links if (parts := _split(h)) and ATTACHMENT_FILE.search(parts.path)]
        if files and _compact("".join(t for t, _ in links)) == _compact(line):
            for title, href in files:
                ext = ATTACHMENT_FILE.search(_split(href).path).group(1).lower()
                self.attachments.append(Attachment(title=title.strip() or href, url=self._absolute(href), file_type=ext))
        elif not links and ATTACHMENT_FILE.search(line) and len(line) <= 120 and " " not in line.strip():
            ext = ATTACHMENT_FILE.search(line).group(1).lower()
            self.attachments.append(Attachment(title=line.strip(), url=None, file_type=ext))
        else:
            return False
        if self.body and ATTACHMENT_LABEL.match(self.body[-1]):
            self.body.pop()  # the box's own 附件： label
        return True

    def add_row(self, cells: list[str], *, continues: bool) -> None:
        """A row of a Markdown table: a paragraph of its cells, and a row of the table."""
        self.box = None
        if not continues or not self.tables:
            self.tables.append([])
        self.tables[-1].append(tuple(cells))
        self.body.append(" | ".join(cells).strip())
        self.box_cut = False

    def _add_paragraph(self, line: str) -> None:
        if rules.ORPHAN_CHARACTER.match(line):
            self.orphan = (self.orphan or "") + line
            return
        if self.orphan:
            line, self.orphan = self.orphan + line, None
        if self.box_cut and self.body and not rules.ends_sentence(self.body[-1]) and not rules.ARTICLE_LABEL.match(line):
            # The sentence a box cut in two ("…可再生能源发" / 排行榜 … / "电、先进核电…").
            self.body[-1] = _join(self.body[-1], line)
        else:
            self.body.append(line)
        self.box_cut = False

    # -- result ---------------------------------------------------------------------------------

    def _title_line(self, line: str) -> None:
        wrapped = rules.HTML_TITLE_LINE.match(line)
        title = (wrapped.group("t") if wrapped else line).strip()
        if title and self.fallback_title is None:
            self.fallback_title = title

    def result(self) -> PageExtract:
        if not self.body:
            self.warnings.append("the rendering holds no body text once navigation and boxes are removed")
        return PageExtract(
            paragraphs=tuple(self.body),
            title=self.title or self.fallback_title,
            publish_date=self.publish_date or self.fallback_date,
            source=self.source,
            category=self.category,
            attachments=tuple(self.attachments),
            interpretations=tuple(self.interpretations.values()),
            warnings=tuple(self.warnings),
            tables=tuple(Table(seq=i, source="body", rows=tuple(rows)) for i, rows in enumerate(self.tables)),
        )

    def _absolute(self, href: str | None) -> str | None:
        if href is None or DEAD_HREF.match(href.strip()):
            return None
        href = href.strip()
        parts, base = _split(href), _split(self.url) if self.url else None
        if parts is None:
            self.warnings.append(f"a malformed link address was left out: {href[:80]}")
            return None
        if parts.scheme in ("http", "https"):
            return href
        if base is not None and base.scheme in ("http", "https"):
            try:
                return urljoin(self.url, href)
            except ValueError:
                return None
        return None  # a relative link with no page address to resolve it against


def _in_footer_block(lines: list[tuple[str, list, int]], i: int) -> bool:
    """Whether line i is a FOOTER_WEAK line joined to a footer-marker line by footer lines only."""
    if not lines[i][0] or not rules.is_weak_footer_line(lines[i][0]):
        return False
    for step in (1, -1):
        j = i + step
        while 0 <= j < len(lines) and abs(j - i) <= rules.FOOTER_WEAK_REACH:
            line = lines[j][0]
            if line and rules.is_footer_line(line):
                return True
            # Between them only blank lines, other weak lines, and (below a marker) value lines.
            if line and not rules.is_weak_footer_line(line) and (step == 1 or rules.ends_sentence(line)):
                break
            j += step
    return False


def _split(href: str):
    """urlsplit that gives None for a malformed address ("http://[bad") instead of raising."""
    try:
        return urlsplit(href)
    except ValueError:
        return None


def _join(left: str, right: str) -> str:
    """Join the halves of a cut sentence; a space only between two ASCII words."""
    if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum():
        return f"{left} {right}"
    return left + right


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _iso(year: str, month: str, day: str, *, warnings: list[str]) -> str | None:
    import datetime as _dt

    try:
        return _dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        warnings.append(f"not a valid publish date: {year}/{month}/{day}")
        return None
