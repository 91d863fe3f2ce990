"""NDRC detail pages of every template → `PageExtract` (chrome metadata + clean body paragraphs).

Templates handled (see NDRC-SITE.md):
- current (2023 on): meta ArticleTitle/PubDate/ContentSource/ColumnName, `h2.article_title`,
  `div.article_con > div.TRS_Editor`, `div.attachment`, sidebar `div.xgwz` (相关政策与解读);
- 2019–2023: `div.article_con.article_con_title` / `article_con_notitle`, `<p>` paragraphs with
  　　 indents, `div.Custom_UnionStyle` inside `div.TRS_Editor`;
- pre-2019 (`/zcfb/zcfbtz/…`): `.txt_title1`, `.txt_subtitle1` (date), `#dSourceText`, `.TRS_Editor`;
- anything else: what can be read, with a warning; the dispatcher decides what to do with it.

The body is walked once: block elements end a paragraph, inline elements join (so a name split
across spans, 国 + 家发展改革委, stays one word). Boxes that are not the document (ranking,
related reading, share, print, navigation) are cut out first, and a sentence such a box had cut
in two is joined again. `extract_detail` never raises.
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree

from parsers.blocking import block_reason
from parsers.model import Attachment, Link, PageExtract


# --- where the parts of a page are -------------------------------------------------------------

# Where the parts of a page are, by class token or id. One walk over the tree (`PageIndex`)
# files every element under its class tokens and id; each part is then a dict lookup. (The
# XPath `contains(concat(' ', normalize-space(@class), ' '), …)` form of these costs a full
# tree walk with string building per query: most of the parse time on a 7 KB page.)

# The article body, most specific first: the current and 2019–2023 templates nest TRS_Editor in
# div.article_con (…_title / …_notitle); pre-2019 pages have a bare .TRS_Editor; TRS_UEDITOR is the
# same CMS's newer editor; a page with none of these falls back to article_con itself, then to
# the ids other government CMS templates use for the body.
BODY_CONTAINER_CLASSES = ("article_con", "article_con_title", "article_con_notitle")
BODY_EDITOR_CLASSES = ("TRS_Editor", "TRS_UEDITOR")
BODY_IDS = ("UCAP-CONTENT", "zoom")

# The title as the site shows it, raw (with its trailing (文号)): the current template's
# h2.article_title, then the ArticleTitle meta, then the pre-2019 .txt_title1, then <title>.
TITLE_CLASS = "article_title"
TITLE_OLD_CLASS = "txt_title1"
# <title> is the last resort: "【…】-国家发展和改革委员会" wraps the real title.
HTML_TITLE_WRAPPER = re.compile(r"^\s*【(?P<t>.*)】\s*[-－—_|].*$|^(?P<u>.*?)\s*[-－—_|]\s*(?:中华人民共和国)?国家发展和改革委员会\s*$", re.S)

# 发布时间 and 来源 in the chrome: div.time / div.laiyuantext now, .txt_subtitle1 / #dSourceText before 2019.
TIME_CLASSES = ("time", "txt_subtitle1")
SOURCE_CLASSES = ("laiyuantext",)
SOURCE_IDS = ("dSourceText",)
SOURCE_PREFIX = re.compile(r"^\s*(?:信息)?来源\s*[:：]\s*")
# The breadcrumb (首页 > 政务公开 > 政策 > 通知): its last item is the column when no meta says so.
BREADCRUMB_CLASS = "path"

# 相关政策与解读 sidebar: hidden (display:none) unless it has links, but the links are in the HTML.
INTERPRETATION_CLASS = "xgwz"
# The attachment block under the body (relative ./P0….pdf and a parallel .ofd).
ATTACHMENT_CLASS = "attachment"
# Body links to these extensions are attachments too.
ATTACHMENT_EXTENSIONS = frozenset({"pdf", "ofd", "doc", "docx", "wps", "xls", "xlsx", "et", "zip", "rar"})

LIST_CLASS = "u-list"
# `descendant::a`, not `.//a`: the abbreviation steps through descendant-or-self::node(), a node-set
# of every text node and element of the box, only to take the <a> children of each.
ANY_LINKS = etree.XPath("descendant::a[@href]")

# --- what is not the document ------------------------------------------------------------------

# Elements that never hold document text.
NOISE_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "button", "select", "textarea", "input", "head")
# Boxes known by class or id, removed wherever they stand, even inside the body: the sidebar
# (article_r) with 相关政策与解读 (xgwz) and 排行榜 (phb, #paihangbang); the print button (dy,
# dy_btn); the date/source/share bar (shezhi); share widgets; breadcrumb, header, navigation,
# footer; the list pages' 解读 pop-up (popbox); the attachment block (read separately).
NOISE_CLASSES = frozenset({
    "article_r", "xgwz", "phb", "article_r_ul", "dy", "dy_btn", "shezhi", "share", "bdsharebuttonbox",
    "fenxiang", "bshare-custom", "path", "header", "footer", "nav", "popbox", "attachment", "xgjd", "xgzc",
})
NOISE_IDS = frozenset({"paihangbang", "share", "print"})
# HTML5 sectioning elements that hold site chrome, never document text.
NOISE_SECTION_TAGS = frozenset({"nav", "footer", "header"})


# Headings of boxes with no reliable class: the box is the heading plus the links under it, cut out
# together. 相关解读 boxes also feed `interpretations`.
BOX_HEADINGS = frozenset({"排行榜", "相关解读", "相关政策与解读", "相关政策", "相关链接", "相关新闻", "相关阅读", "分享到", "打印", "[打印]", "【打印】", "关闭窗口", "【关闭窗口】"})
INTERPRETATION_HEADINGS = frozenset({"相关解读", "相关政策与解读", "相关政策"})
# What may stand in a box beside its heading and links: ranks (01), dates, separators.
BOX_RESIDUE = re.compile(r"[\s\d\-/.:：|、·•()（）\[\]【】>＞]+")
# The element put where a box was, so the paragraph builder knows a sentence may continue after it.
CUT_TAG = "ndrc-cut"

# --- paragraphs ------------------------------------------------------------------------------

# Elements that end a paragraph (HTML block-level elements and line breaks).
BLOCK_TAGS = frozenset(
    "p div br li tr h1 h2 h3 h4 h5 h6 table tbody thead tfoot ul ol dl dt dd section article aside "
    "blockquote center pre hr form fieldset address figure figcaption main caption".split()
)
# Table cells are separated by a space inside their row's paragraph.
CELL_TAGS = frozenset({"td", "th"})
# text-align center/right (or align=center/right, or <center>) marks titles, 文号 and signatures.
ALIGN_STYLE = re.compile(r"text-align\s*:\s*([a-z-]+)", re.I)
CENTERED_ALIGNS = frozenset({"center", "right", "-webkit-center", "-moz-center", "end"})
# Indents and spacing: every character `str.isspace()` knows (U+3000 ideographic space, U+2002/
# U+2003 en/em spaces, no-break space, the other Unicode spaces, line breaks) becomes one plain
# space; zero-width characters vanish.
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")  # clean_text tests for each by name
# A source line break between two CJK characters is not a space in Chinese text.
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\u00a0]*\n\s*(?=[{_CJK}])")
# A paragraph that ends with one of these ends its sentence: a box after it did not cut anything.
SENTENCE_END = tuple("。；;！!？?：:”’」』）)》…")
# A paragraph starting like a numbered unit or heading is never the rest of a cut sentence.
NEW_UNIT = re.compile(r"^(?:[一二三四五六七八九十百零]+、|[（(][一二三四五六七八九十百零\d]+[）)]|\d+[.．、]|第[一二三四五六七八九十百零\d]+[编章节条]|附件)")

# Characters an XML/HTML tree cannot hold (lone surrogates, C0 controls, non-characters).
ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ILLEGAL_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.I)
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")

_local = threading.local()


def _parser() -> etree.HTMLParser:
    """One lxml parser per thread (parsers are not safe to share between threads).

    A plain `etree.HTMLParser`, not `lxml.html`'s: lxml.html looks up a Python element class for
    every element touched, which made walking the tree the largest cost of a parse.
    `collect_ids=False`: no hash table of id attributes is built (nothing looks elements up by
    id through libxml2), which spares a fiftieth of the tree's build.
    """
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.HTMLParser(
            encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False
        )
    return parser


def parse_html(html: str, utf8: bytes | None = None) -> etree._Element | None:
    """An lxml tree of any string, or None when nothing parses (empty, comment-only input).

    `utf8`: the UTF-8 encoding of `html`, when the caller has it and knows it holds no character a
    tree cannot (`sniff.Sniffed.tree_ready_utf8`): parsed as it is.
    """
    if utf8 is not None and XML_DECLARATION.match(html) is None and not html.isspace():
        try:
            root = etree.fromstring(utf8, parser=_parser())
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            return None
        return root if root is not None and isinstance(root.tag, str) else None
    text = XML_DECLARATION.sub("", html or "", count=1)
    if not text.strip():
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        data = None
    # Whether there is anything to remove is checked on the UTF-8 bytes (a C0 control is one
    # byte there, and bytes.translate runs at memory speed); the regex pass over the string,
    # slow on CJK text, runs only for the rare page that needs it.
    if data is None or len(data.translate(None, ILLEGAL_C0_BYTES)) != len(data) or "\ufffe" in text or "\uffff" in text:
        text = ILLEGAL_CHARS.sub("", text)
        if not text.strip():
            return None
        data = text.encode("utf-8")
    try:
        root = etree.fromstring(data, parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root if root is not None and isinstance(root.tag, str) else None


def clean_text(text: str) -> str:
    """Whitespace normalised: indents stripped, runs of spaces collapsed, CJK line breaks joined.

    `str.split()` (which splits on every str.isspace() character) is many times faster than a
    regex substitution, and this runs once per paragraph, link and meta tag.
    """
    if "\u200b" in text or "\u200c" in text or "\u200d" in text or "\u2060" in text or "\ufeff" in text:
        text = ZERO_WIDTH.sub("", text)
    if "\n" in text:
        text = CJK_LINE_BREAK.sub("", text)
    return " ".join(text.split())


def iso_date(text: str | None) -> str | None:
    """The first valid YYYY-MM-DD / YYYY/MM/DD / YYYY年M月D日 date in text, as ISO."""
    for match in DATE.finditer(text or ""):
        try:
            return _dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            continue
    return None


# Tags looked up by name (<meta> tags, <title>); everything else is found by class or id.
INDEXED_TAGS = ("meta", "title")


# Every class and every id attribute of a page, in document order (each knows its element).
# Spelled out as the attributes of every element: `//@class` means the attributes of every node,
# and libxml2 first gathers all of them (text nodes too) into one node-set, whose growth costs
# a parse as much as the rest of the index (measured on real pages: 46 µs against 27).
_CLASS_ATTRIBUTES = etree.XPath("/descendant::*/@class")
_ID_ATTRIBUTES = etree.XPath("/descendant::*/@id")
# The ids inside one element (the body, whose chrome is looked for by id too).
_ID_ATTRIBUTES_UNDER = etree.XPath("descendant::*/@id")


def _file_ids(values, by_id: dict[str, list]) -> dict[str, list]:
    """Id attribute values (XPath smart strings) filed under their stripped value."""
    for value in values:
        ident = value.strip()
        if ident:
            if ident in by_id:
                by_id[ident].append(value.getparent())
            else:
                by_id[ident] = [value.getparent()]
    return by_id


class PageIndex:
    """One pass over a tree: its elements by class token and by tag, in document order; by id
    on first use.

    The pass is an XPath over the class attributes: reading attributes element by element from
    Python costs more than an XPath's set-up, and only a quarter of a page's elements carry one.
    Ids are only asked for when a page lacks the usual classes (old templates, other CMSs), so
    their pass waits until then; the chrome inside the body is found by `_noise_in` on its own.
    """

    __slots__ = ("by_class", "_by_id", "by_tag", "_root")

    def __init__(self, root: etree._Element):
        by_class: dict[str, list] = {}
        by_tag: dict[str, list] = {tag: [] for tag in INDEXED_TAGS}
        for el in root.iter(*INDEXED_TAGS):  # one walk for all of them
            by_tag[el.tag].append(el)
        self.by_tag = by_tag
        for value in _CLASS_ATTRIBUTES(root):
            el = value.getparent()
            for token in value.split():
                if token in by_class:
                    by_class[token].append(el)
                else:
                    by_class[token] = [el]
        self.by_class = by_class
        self._root = root
        self._by_id: dict[str, list] | None = None

    @property
    def by_id(self) -> dict[str, list]:
        """Id → elements, read from the tree as it is at the first call: ask before any cut."""
        if self._by_id is None:
            self._by_id = _file_ids(_ID_ATTRIBUTES(self._root), {})
        return self._by_id

    def classes(self, *names: str, tag: str | None = None) -> list:
        """Elements carrying any of the class tokens (optionally of one tag), in document order."""
        found = [el for name in names for el in self.by_class.get(name, ())]
        if len(names) > 1:
            found = list(dict.fromkeys(found))
            if len(found) > 1:  # from several lists: only then is sorting needed
                found = _document_order(found)
        return [el for el in found if tag is None or el.tag == tag]

    def ids(self, *names: str) -> list:
        return [el for name in names for el in self.by_id.get(name, ())]

    def links_in(self, containers: list) -> list:
        """The <a href> under the containers, each once, in document order."""
        return list(dict.fromkeys(a for box in containers for a in box.iter("a") if a.get("href") is not None))


def _document_order(elements: list) -> list:
    unique = list(dict.fromkeys(elements))
    if len(unique) < 2:
        return unique
    root = unique[0].getroottree().getroot()
    position = {el: i for i, el in enumerate(root.iter())}
    return sorted(unique, key=lambda el: position.get(el, 0))


# The <meta name> tags a detail page's chrome is read from (ColumnName, ArticleTitle, PubDate,
# ContentSource); the others (SiteName, Keywords, renderer, …) are never looked at.
DETAIL_META_NAMES = frozenset({"articletitle", "pubdate", "contentsource", "columnname"})


def meta_tags(root: etree._Element, index: PageIndex | None = None, names: frozenset[str] | None = None) -> dict[str, str]:
    """name (lower case) → content of the page's <meta name content> tags, first one wins;
    only those in `names` when given."""
    out: dict[str, str] = {}
    metas = index.by_tag.get("meta", ()) if index is not None else root.iter("meta")
    for meta in metas:
        name = meta.get("name")
        if not name:
            continue
        name = name.strip().lower()
        if names is not None and name not in names:
            continue
        content = meta.get("content")
        if name and content is not None and name not in out:
            out[name] = clean_text(content)
            if names is not None and len(out) == len(names):
                break  # every name asked for is read (the first of each wins)
    return out


def absolute_url(href: str | None, base: str | None) -> str | None:
    """`href` made absolute against the page URL; None for empty, fragment and javascript: links,
    and for relative links when there is no page URL."""
    href = (href or "").strip()
    if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:", "about:")):
        return None
    if href.startswith("//"):
        href = "https:" + href
    if base:
        joined = _join_plain(href, base)
        if joined is not None:
            return joined
    try:  # urlsplit/urljoin raise ValueError on malformed hosts ("http://[x")
        if urlsplit(href).scheme in ("http", "https"):
            return href
        return urljoin(base, href) if base else None
    except ValueError:
        return None


# What urljoin would resolve, drop or read as something else in a path: whitespace, query,
# fragment, parameters, a scheme's colon, backslashes.
_NOT_PLAIN_PATH = re.compile(r"[\s?#;:\\]")
_HOST = re.compile(r"[\w.\-]+(?::\d+)?")


def _plain_segments(segments: list[str]) -> bool:
    """No empty, . or .. segment (urljoin would drop or resolve them)."""
    return "" not in segments and "." not in segments and ".." not in segments


@lru_cache(maxsize=1)
def _plain_base(base: str) -> tuple[str, tuple[str, ...]] | None:
    """(scheme://host, folder names) of an http(s) URL with a plain path, else None.

    One cached entry: every link of a page is joined to that same page URL, one after another.
    """
    if base.startswith("https://"):
        host_at = 8
    elif base.startswith("http://"):
        host_at = 7
    else:
        return None
    path_at = base.find("/", host_at)
    if path_at < 0 or not _HOST.fullmatch(base, host_at, path_at) or _NOT_PLAIN_PATH.search(base, path_at):
        return None
    folders = base[path_at + 1 :].split("/")
    last = folders.pop()
    if not _plain_segments(folders) or last in (".", ".."):
        return None
    return base[:path_at], tuple(folders)


def _join_plain(href: str, base: str) -> str | None:
    """urljoin(base, href) for the links the site is made of, or None for any other case.

    ./P020….pdf and ../../../jd/jd/….html against …/202608/t2026…_1407232.html (attachments and
    解读 pages): plain path segments under an http(s) page URL whose path has plain segments too.
    urljoin's general parsing cost a tenth of a parse, and a regex for "plain" backtracked badly.
    The tests are conservative (a segment starting with a dot, any unprintable character): what
    they turn away is joined by urljoin.
    """
    parsed = _plain_base(base)
    if parsed is None:
        return None
    origin, folders = parsed
    if href.startswith("./"):
        up, rest = 0, href[2:]
    else:
        up, rest = 0, href
        while rest.startswith("../"):
            up, rest = up + 1, rest[3:]
    if (
        up > len(folders)
        or not rest
        or rest[0] in "./"  # ".", "..", ".hidden" or an absolute path
        or rest[-1] == "/"
        or "//" in rest  # an empty segment
        or "/." in rest
        or not _plain_path_characters(rest)
    ):
        return None
    kept = folders[: len(folders) - up]
    return origin + "/" + ("/".join(kept) + "/" if kept else "") + rest


def _plain_path_characters(path: str) -> bool:
    """No character urljoin would read as more than a path: whitespace (every space but " " is
    unprintable), query, fragment, parameters, a scheme's colon, a backslash."""
    return (
        path.isprintable()
        and " " not in path
        and "?" not in path
        and "#" not in path
        and ";" not in path
        and ":" not in path
        and "\\" not in path
    )


def text_of(el: etree._Element) -> str:
    """All the text under an element (not its tail), as `"".join(el.itertext())` gives it, but
    serialised by libxml2 in one call: ten times faster than iterating text nodes in Python.
    An element without children (a link, a title, a date) is its own text."""
    if len(el) == 0:
        return el.text or ""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _text(el: etree._Element) -> str:
    return clean_text(text_of(el))


def _is_centered(el: etree._Element, inherited: bool) -> bool:
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


@lru_cache(maxsize=1024)
def _style_align(style: str) -> str | None:
    """The text-align of an inline style, lower case, or None. Cached: a CMS page repeats the
    same few style strings on every span and paragraph."""
    match = ALIGN_STYLE.search(style)
    return match.group(1).lower() if match else None


class _Builder:
    """Walks a body tree into paragraphs: blocks break, inline runs join, cuts are remembered.

    The hot loop of a parse (every element of the body passes through `walk`): text pieces are
    collected as plain strings and cleaned once per paragraph, and whether a paragraph is
    centred is tracked as pieces arrive instead of being recomputed at each flush.
    """

    __slots__ = ("pieces", "centered", "visible", "paragraphs", "cuts")

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.centered = True  # every visible piece of the open paragraph is centred so far
        self.visible = False  # the open paragraph has a piece that is not all whitespace
        self.paragraphs: list[tuple[str, bool]] = []
        self.cuts: set[int] = set()  # a box was cut out just before paragraph i

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
        alignment test of `_is_centered`; a run of text joins the open paragraph, which stays
        centred only while every visible run is) and ordered so that a <br> costs a tag lookup."""
        tag = el.tag
        if type(tag) is not str:  # comment or processing instruction left by the parser
            return
        pieces = self.pieces
        if tag in BLOCK_TAGS:
            if pieces:
                self.flush()
            if tag == "br":
                return
            block = True
        elif tag == CUT_TAG:
            self.flush()
            self.cuts.add(len(self.paragraphs))
            return
        else:
            block = False
            if tag in CELL_TAGS:
                pieces.append(" ")
        # Centred: as `_is_centered` decides, inlined.
        if tag == "center":
            here = True
        else:
            here = centered
            style = el.get("style")
            value = _style_align(style) if style else None
            if value is None:
                align = el.get("align")
                if align:
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
        for child in el:
            self.walk(child, here)
            tail = child.tail
            if tail:
                pieces.append(tail)
                if not tail.isspace():
                    self.visible = True
                    if not here:
                        self.centered = False
        if block:
            self.flush()

    def result(self) -> tuple[tuple[str, ...], frozenset[int]]:
        self.flush()
        merged: list[tuple[str, bool]] = []
        for i, (text, centered) in enumerate(self.paragraphs):
            if i in self.cuts and merged and _continues(merged[-1], (text, centered)):
                prev_text, prev_centered = merged[-1]
                merged[-1] = (prev_text + text, prev_centered)
            else:
                merged.append((text, centered))
        return tuple(t for t, _ in merged), frozenset(i for i, (_, c) in enumerate(merged) if c)


def _continues(before: tuple[str, bool], after: tuple[str, bool]) -> bool:
    """Whether `after` is the rest of the sentence `before` was cut in by a box."""
    (prev, prev_centered), (nxt, next_centered) = before, after
    if prev_centered or next_centered:
        return False
    return not prev.endswith(SENTENCE_END) and not NEW_UNIT.match(nxt)


def _box_of(heading: etree._Element, body: etree._Element, title: str) -> etree._Element:
    """The largest ancestor of a box heading that holds nothing but the heading and links."""
    box = heading
    while True:
        parent = box.getparent()
        if parent is None or parent is body:
            return box
        residue = text_of(parent)
        for link in parent.iter("a"):
            residue = residue.replace(text_of(link), "", 1)
        residue = BOX_RESIDUE.sub("", residue.replace(title, "", 1))
        if residue:
            return box
        box = parent


def _cut(el: etree._Element) -> None:
    """Replace `el` by a cut marker, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    marker = etree.Element(CUT_TAG)
    marker.tail = el.tail
    parent.replace(el, marker)


def _links(anchors, base: str | None) -> list[tuple[str, str | None, str]]:
    """(title, absolute url, raw href) for each anchor with a usable href."""
    out = []
    for a in anchors:
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:")):
            continue
        title = _text(a) or clean_text(a.get("title") or "")
        out.append((title, absolute_url(href, base), href))
    return out


def _dedupe_links(links: list[tuple[str, str | None, str]]) -> tuple[Link, ...]:
    """De-duplicated by URL, then by title; first occurrence kept."""
    seen_urls: set[str] = set()
    seen_titles: set[str] = set()
    out = []
    for title, url, href in links:
        key = url or href
        if key in seen_urls or not title or title in seen_titles:
            continue
        seen_urls.add(key)
        seen_titles.add(title)
        out.append(Link(title=title, url=url))
    return tuple(out)


def _extension(href: str) -> str | None:
    """The lower-case file extension of a link's path ("pdf"), or None."""
    name = href.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if "." not in name:
        return None
    ext = name.rsplit(".", 1)[-1].lower()
    return ext if ext.isalnum() and len(ext) <= 5 else None


def _attachments(links: list[tuple[str, str | None, str]]) -> tuple[Attachment, ...]:
    seen: set[str] = set()
    out = []
    for title, url, href in links:
        key = url or href
        if key in seen:
            continue
        seen.add(key)
        ext = _extension(href)
        if not title:
            title = href.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1] or href
        out.append(Attachment(title=title, url=url, file_type=ext))
    return tuple(out)


def _title(index: PageIndex, meta: dict[str, str], warnings: list[str]) -> str | None:
    for el in index.classes(TITLE_CLASS):
        text = _text(el)
        if text:
            return text
    if meta.get("articletitle"):
        return meta["articletitle"]
    for el in index.classes(TITLE_OLD_CLASS):
        text = _text(el)
        if text:
            return text
    for el in index.by_tag.get("title", ()):
        text = _text(el)
        match = HTML_TITLE_WRAPPER.match(text)
        if match:
            text = clean_text(match.group("t") or match.group("u") or "")
        if text:
            warnings.append("title taken from the <title> element")
            return text
    return None


def _publish_date(index: PageIndex, meta: dict[str, str]) -> str | None:
    date = iso_date(meta.get("pubdate"))
    if date:
        return date
    for el in index.classes(*TIME_CLASSES):
        date = iso_date(_text(el))
        if date:
            return date
    return None


def _source(index: PageIndex, meta: dict[str, str]) -> str | None:
    if meta.get("contentsource"):
        return meta["contentsource"]
    for el in index.classes(*SOURCE_CLASSES) + index.ids(*SOURCE_IDS):
        text = SOURCE_PREFIX.sub("", _text(el)).strip()
        if text:
            return text
    return None


def _category(index: PageIndex, meta: dict[str, str]) -> str | None:
    if meta.get("columnname"):
        return meta["columnname"]
    crumbs = [_text(a) for box in index.classes(BREADCRUMB_CLASS, tag="div") for a in box.iter("a")]
    crumbs = [c for c in crumbs if c]
    return crumbs[-1] if crumbs else None


def _body(index: PageIndex) -> etree._Element | None:
    editors = index.classes(*BODY_EDITOR_CLASSES, tag="div")
    containers = set(index.classes(*BODY_CONTAINER_CLASSES, tag="div"))
    for editor in editors:
        if any(ancestor in containers for ancestor in editor.iterancestors("div")):
            return editor
    if editors:
        return editors[0]
    if containers:
        return index.classes(*BODY_CONTAINER_CLASSES, tag="div")[0]
    found = index.ids(*BODY_IDS)
    return found[0] if found else None


def extract_detail(html: str, url: str | None, *, utf8: bytes | None = None) -> PageExtract:
    """Chrome metadata and clean body paragraphs of a detail page. Never raises.

    A page that is not a policy detail page (WAF page, list page, anything else) comes back with
    whatever could be read and a warning saying what it looks like. `utf8` as for `parse_html`.
    """
    try:
        return _extract(html if isinstance(html, str) else str(html or ""), url, utf8 if isinstance(html, str) else None)
    except RecursionError:
        return PageExtract(paragraphs=(), warnings=("page nested too deeply to read",))


def _extract(html: str, url: str | None, utf8: bytes | None = None) -> PageExtract:
    warnings: list[str] = []
    root = parse_html(html, utf8)
    if root is None:
        return PageExtract(paragraphs=(), warnings=tuple(warnings) + ("no HTML content",))

    index = PageIndex(root)
    meta = meta_tags(root, index, DETAIL_META_NAMES)
    title = _title(index, meta, warnings)
    publish_date = _publish_date(index, meta)
    source = _source(index, meta)
    category = _category(index, meta)

    interpretation_links = _links(index.links_in(index.classes(INTERPRETATION_CLASS, tag="div")), url)
    attachment_links = _links(index.links_in(index.classes(ATTACHMENT_CLASS, tag="div")), url)

    body = _body(index)
    paragraphs: tuple[str, ...] = ()
    centered: frozenset[int] = frozenset()
    if body is None:
        warnings.append("no article body found: not a policy detail page")
        if index.classes(LIST_CLASS, tag="ul"):
            warnings.append("looks like a list page (ul.u-list)")
    else:
        for el in _noise_in(body, index):
            if el.getparent() is not None:
                if el.tag in NOISE_TAGS:
                    _drop_tree(el)
                else:
                    _cut(el)
        body_text = text_of(body)
        has_box = any(h in body_text for h in BOX_HEADINGS)
        for heading in list(body.iter()) if has_box else ():
            if not isinstance(heading.tag, str) or heading is body or heading.getparent() is None:
                continue
            label = _text(heading).replace(" ", "")
            if label in BOX_HEADINGS and _is_attached(heading, body):
                box = _box_of(heading, body, label)
                if label in INTERPRETATION_HEADINGS:
                    interpretation_links.extend(_links(ANY_LINKS(box), url))
                _cut(box)
        for title_, link_url, href in _links(ANY_LINKS(body), url):
            if _extension(href) in ATTACHMENT_EXTENSIONS:
                attachment_links.append((title_, link_url, href))
        builder = _Builder()
        builder.walk(body, _is_centered(body, False))
        paragraphs, centered = builder.result()
        if not paragraphs:
            warnings.append("the article body is empty")

    if url is None and any(u is None and not h.startswith(("http", "//")) for _, u, h in interpretation_links + attachment_links):
        warnings.append("relative links left without URL: no page URL given")
    if title is None:
        warnings.append("no title found")
    if title is None or not paragraphs:
        # Only a thin page can be a challenge or WAF shell; a page with a title and a body is not
        # checked (the check scans the whole text and would double the cost of a parse).
        reason = block_reason(html)
        if reason:
            warnings.insert(0, f"not a document: blocked or challenge page ({reason})")

    return PageExtract(
        paragraphs=paragraphs,
        title=title,
        publish_date=publish_date,
        source=source,
        category=category,
        attachments=_attachments(attachment_links),
        interpretations=_dedupe_links(interpretation_links),
        warnings=tuple(dict.fromkeys(warnings)),
        centered=centered,
    )


def _drop_tree(el: etree._Element) -> None:
    """Remove an element and its content, keeping the text that follows it (its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _noise_in(body: etree._Element, index: PageIndex) -> list:
    """The chrome inside the body: noise tags, and elements of noise classes and ids.

    Found through the page index and a tag-filtered iter() (both in C), not by looking at every
    element of the body: the boxes are few, the body's elements many. Their order does not
    matter: cutting or dropping one keeps the text that follows it, whichever goes first.
    """
    found = list(body.iter(*NOISE_TAGS, *NOISE_SECTION_TAGS))
    if found and found[0] is body:
        found.pop(0)
    candidates = [el for name in NOISE_CLASSES for el in index.by_class.get(name, ())]
    if candidates:  # most are sidebar and footer boxes, outside the body
        inside = set(body.iterdescendants())
        found += [el for el in candidates if el in inside]
    # Ids: those of the body's elements only (a page-wide pass is not needed for these).
    by_id = _file_ids(_ID_ATTRIBUTES_UNDER(body), {})
    found += [el for name in NOISE_IDS for el in by_id.get(name, ())]
    return found


def _is_attached(el: etree._Element, body: etree._Element) -> bool:
    """Whether `el` is still inside `body` (an earlier cut may have removed an ancestor)."""
    for ancestor in el.iterancestors():
        if ancestor is body:
            return True
    return False
