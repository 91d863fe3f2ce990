"""The lxml tree of a page and the small helpers every HTML reader uses on it.

`parse_html` builds the tree (any string, bytes that are clean UTF-8 as they are), `PageIndex`
files a page's elements by class token, tag and id in one pass, `meta_tags` reads <meta name>,
`text_of` / `element_text` give an element's text, `clean_text` normalises whitespace, `iso_date` reads a
date. Shared by the detail page (`html_page`) and list page (`list_page`) readers.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
import threading

from lxml import etree

from parsers.body_dates import ISO_MONTH_DAY

# Indents and spacing: every character `str.isspace()` knows (U+3000 ideographic space, U+2002/
# U+2003 en/em spaces, no-break space, the other Unicode spaces, line breaks) becomes one plain
# space; zero-width characters vanish.
ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff"  # (the search reads queries without them too)
ZERO_WIDTH = re.compile(f"[{ZERO_WIDTH_CHARS}]")  # clean_text tests for each by name
# A source line break between two CJK characters is not a space in Chinese text.
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\u00a0]*\n\s*(?=[{_CJK}])")

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
    if text and len(text) >= 10 and text[4] == "-" == text[7] and text[:10].isascii():
        # Already ISO at the start (<meta name="PubDate" content="2026-08-27 14:28:41">): the
        # regex's first match is these ten characters, valid or not, so they are checked alone,
        # by a look-up in the calendar's days (no int() and no date object); a day that is
        # none (2026-02-29, 0000-…) is left to the regex, which goes on to the next match.
        year = text[:4]
        tail = ISO_MONTH_DAY.get((text[5:7], text[8:10]))
        if tail is not None and year.isdigit() and year != "0000" and (tail != "-02-29" or calendar.isleap(int(year))):
            return year + tail
    return first_valid_date(text)


def first_valid_date(text: str | None) -> str | None:
    """`iso_date` by its regex alone (the general path its ISO shortcut is held to)."""
    for match in DATE.finditer(text or ""):
        try:
            return _dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            continue
    return None



# Every class and every id attribute of a page, in document order (each knows its element).
# Spelled out as the attributes of every element: `//@class` means the attributes of every node,
# and libxml2 first gathers all of them (text nodes too) into one node-set, whose growth costs
# a parse as much as the rest of the index (measured on real pages: 46 µs against 27).
# `regexp=False`: without the EXSLT regular-expression functions (none is used), which lxml
# registers again at every evaluation.
_CLASS_ATTRIBUTES = etree.XPath("/descendant::*/@class", regexp=False)
_ID_ATTRIBUTES = etree.XPath("/descendant::*/@id", regexp=False)
# The ids inside one element (the body, whose chrome is looked for by id too).
ID_ATTRIBUTES_UNDER = etree.XPath("descendant::*/@id", regexp=False)


def file_ids(values, by_id: dict[str, list]) -> dict[str, list]:
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
    """One pass over a tree: its elements by class token, in document order; by tag and by id
    on first use.

    The pass is an XPath over the class attributes: reading attributes element by element from
    Python costs more than an XPath's set-up, and only a quarter of a page's elements carry one.
    Only the tokens the readers look for (`tokens`) are filed in that pass: half of a page's class
    values are layout (container, clr, mt, attachment_l…) that nothing asks for. Any other token
    is looked for in the same values when asked, so the answer is the same. Ids are only asked
    for when a page lacks the usual classes (old templates, other CMSs), so their pass waits
    until then; the chrome inside the body is found by the paragraph builder.
    """

    __slots__ = ("by_class", "_by_id", "_by_tag", "_root", "_tokens", "_values")

    def __init__(self, root: etree._Element, tokens: frozenset[str]):
        by_class: dict[str, list] = {}
        values = _CLASS_ATTRIBUTES(root)
        for value in values:
            if value in tokens:  # one token looked for, no space around it (most hits): no split
                if value in by_class:
                    by_class[value].append(value.getparent())
                else:
                    by_class[value] = [value.getparent()]
            elif not value.isidentifier():  # several tokens, or spaces around one
                for token in dict.fromkeys(value.split()):  # class="a a": filed once under a
                    if token in tokens:
                        if token in by_class:
                            by_class[token].append(value.getparent())
                        else:
                            by_class[token] = [value.getparent()]
        self.by_class = by_class
        self._tokens = tokens
        self._values = values
        self._root = root
        self._by_id: dict[str, list] | None = None
        self._by_tag: dict[str, list] = {}

    def _unfiled(self, token: str) -> list:
        """The elements of a token not filed in the pass, from the same class values (the tree
        as it was then), filed now."""
        found = [value.getparent() for value in self._values if token in value.split()]
        self.by_class[token] = found
        return found

    @property
    def by_id(self) -> dict[str, list]:
        """Id → elements, read from the tree as it is at the first call: ask before any cut."""
        if self._by_id is None:
            self._by_id = file_ids(_ID_ATTRIBUTES(self._root), {})
        return self._by_id

    def tags(self, tag: str) -> list:
        """The elements of a tag (<title>), in document order, read from the tree as it
        is at the first call of each. Everything else is found by class or id; a walk a tag, in
        C, costs less than one walk sorting elements in Python, and is only made when asked
        (<title> is the last resort for a page's title)."""
        found = self._by_tag.get(tag)
        if found is None:
            found = self._by_tag[tag] = list(self._root.iter(tag))
        return found

    def classes(self, *names: str, tag: str | None = None) -> list:
        """Elements carrying any of the class tokens (optionally of one tag), in document order.

        Asked a few times a page, mostly with one name found once or not at all: that case
        builds no comprehension and no dict (each costs more than the lookup itself)."""
        by_class = self.by_class
        found = None
        several = False
        for name in names:
            els = by_class.get(name)
            if els is None and name not in self._tokens:
                els = self._unfiled(name)
            if els:
                if found is None:
                    found = els
                else:
                    found = found + els
                    several = True
        if found is None:
            return []
        if several:
            found = list(dict.fromkeys(found))
            if len(found) > 1:  # from several lists: only then is sorting needed
                found = document_order(found)
        if tag is None:
            return list(found)
        return [el for el in found if el.tag == tag]

    def ids(self, *names: str) -> list:
        return [el for name in names for el in self.by_id.get(name, ())]

    def links_in(self, containers: list) -> list:
        """The <a> under the containers, each once, in document order. (Those without an href
        are left to the caller, which reads every href anyway: one attribute read a link.)"""
        if len(containers) == 1:  # the usual case: one box
            return list(containers[0].iter("a"))
        found = []
        for box in containers:  # a loop: a generator's frame costs more than the few links
            found.extend(box.iter("a"))
        return list(dict.fromkeys(found))  # nested boxes


def document_order(elements: list) -> list:
    unique = list(dict.fromkeys(elements))
    if len(unique) < 2:
        return unique
    root = unique[0].getroottree().getroot()
    position = {el: i for i, el in enumerate(root.iter())}
    return sorted(unique, key=lambda el: position.get(el, 0))


def meta_tags(root: etree._Element, names: frozenset[str] | None = None) -> dict[str, str]:
    """name (lower case) → content of the page's <meta name content> tags, first one wins;
    only those in `names` when given. The tags are read as the walk in C reaches them, so that
    with `names` it stops at the last one asked for: the metas after it are never made
    Python objects, nor the rest of the page walked."""
    out: dict[str, str] = {}
    for meta in root.iter("meta"):
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

def text_of(el: etree._Element) -> str:
    """All the text under an element (not its tail), as `"".join(el.itertext())` gives it, but
    serialised by libxml2 in one call: ten times faster than iterating text nodes in Python.
    An element without children (a link, a title, a date) is its own text."""
    if len(el) == 0:
        return el.text or ""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def element_text(el: etree._Element) -> str:
    """An element's text, whitespace normalised."""
    return clean_text(text_of(el))
