"""Assembly: from any input (detail page, rendering, PDF, OFD) to one `Document`.

The readers (`html_page`, `rendering`, `pdf`, `ofd`) turn bytes into a `PageExtract`: clean paragraphs
plus what the page chrome says. This module decides the kind of input, reads the body's metadata
(`metadata.read_body`), splits the articles of the body and of every attachment the caller fetched,
and settles each field from its best source, recording a warning wherever two sources disagree.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from parsers import articles as article_splitter
from parsers import term
from parsers.blocking import block_reason
from parsers.encoding import decode_bytes, http_charset, without_surrogates
from parsers.errors import ParseError
from parsers.html_page import extract_detail
from parsers.identifiers import doc_number_parts, strip_title_number
from parsers.metadata import read_body
from parsers.relations import read_relations
from parsers.model import Article, Attachment, Document, Link, ListItem, PageExtract
from parsers.sniff import sniff, sniff_decoded

# The page id of a detail URL: the 1407232 of t20260828_1407232.html (also of the mobile
# t20260828_1407232_ext.html, which is the same document). It is unique per page on the site.
PAGE_ID_RE = re.compile(r"/t\d{8}_(\d+)(?:_ext)?\.s?html?$", re.IGNORECASE)

# Column folder in the URL → the site's column name, for inputs whose page names no column.
COLUMN_BY_FOLDER = {
    "fzggwl": "发展改革委令",
    "ghxwj": "规范性文件",
    "ghwb": "规划文本",
    "gg": "公告",
    "tz": "通知",
    "jd": "解读",
    "zcfbtz": "通知",
    "zcfbl": "发展改革委令",
    "zcfbgg": "公告",
}

# A page whose template yielded a title and at least this many body paragraphs is a real page:
# the (comparatively slow) block-page check is skipped for it. Block pages have a line or two.
SURE_PAGE_MIN_PARAGRAPHS = 3

# A column list page (ul.u-list of entries) handed to the document parser.
LIST_PAGE_MARK = re.compile(r"<ul[^>]+class=[\"']?u-list", re.IGNORECASE)

# Attachment types whose text the parsers can read; others (doc, wps, xls…) are kept as files.
READABLE_ATTACHMENTS = ("pdf", "ofd")

# When a notice attaches the same document twice (a PDF and a parallel OFD), its articles are
# read from one copy only, the PDF first: its text layer is the more faithful of the two.
ATTACHMENT_PREFERENCE = {"pdf": 0, "ofd": 1}


def parse(
    content: bytes | str,
    url: str | None = None,
    *,
    attachments: Mapping[str, bytes] | None = None,
    listing: ListItem | None = None,
    content_type: str | None = None,
) -> Document:
    """Parse one input into a Document: `read_page`, then `assemble`.

    `content`: a detail page in any encoding, a text/Markdown rendering of one, or a PDF/OFD file.
    `attachments`: absolute attachment URL → bytes, for the attachments the caller fetched (only
    `.get()` is called, so a lazy mapping works). `listing`: the list entry the page was found on.
    `content_type`: the HTTP Content-Type it was served with, if known (its charset is used).
    Raises `ParseError` when the input is no document at all (empty, binary, a block page).
    """
    extract = read_page(content, url, content_type=content_type)
    # `is None`, not `or`: a lazy mapping (reparse reads attachments from the store on demand)
    # reports no length and would be taken for an empty one.
    return assemble(extract, url, attachments={} if attachments is None else attachments, listing=listing)


def read_page(content: bytes | str, url: str | None = None, *, content_type: str | None = None) -> PageExtract:
    """The first half of `parse`: sniff, decode once, read the page (one tree) into a `PageExtract`.

    Its `attachments` and `interpretations` are the links a crawler must fetch before it can
    `assemble` the document; a crawler reads the page here once and hands the extract on.
    Raises `ParseError` when the input is no document at all.
    """
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else bytes(content)
    charset = http_charset(content_type)
    kind, decoded, tree_ready_utf8 = sniff_decoded(data, charset)
    if kind == "pdf":
        from parsers.pdf import pdf_paragraphs

        paragraphs, warnings = pdf_paragraphs(data)
        extract = PageExtract(paragraphs=tuple(paragraphs), warnings=tuple(warnings))
    elif kind == "ofd":
        from parsers.ofd import ofd_paragraphs

        paragraphs, warnings = ofd_paragraphs(data)
        extract = PageExtract(paragraphs=tuple(paragraphs), warnings=tuple(warnings))
    else:
        utf8 = None  # the page's bytes, when the tree can be built from them as they are
        if isinstance(content, str):
            text, decode_warnings = without_surrogates(content), ()
        elif decoded is not None and kind == "html":  # sniffing decoded the whole page already
            text, _encoding, decode_warnings = decoded
            utf8 = tree_ready_utf8
        else:
            text, _encoding, decode_warnings = decode_bytes(data, is_html=kind == "html", charset=charset)
        if kind == "html":
            extract = extract_detail(text, url, utf8=utf8)
            if not extract.paragraphs and LIST_PAGE_MARK.search(text):
                raise ParseError("list_page", "a column list page, not a document (see parse_list_page)")
        else:
            from parsers.rendering import extract_rendering

            extract = extract_rendering(text, url)
        # A page the template gave a title and a body is a page; anything thinner may be a
        # challenge or WAF shell (served with 200), which must never become a document.
        if not (extract.title and len(extract.paragraphs) >= SURE_PAGE_MIN_PARAGRAPHS):
            reason = block_reason(text)
            if reason:
                raise ParseError("blocked", f"not a document: an anti-bot or block page ({reason})")
        if decode_warnings:
            extract = _add_warnings(extract, decode_warnings)
    if not extract.paragraphs and not extract.title:
        raise ParseError("not_a_document", "not a document: no title and no body text found")
    return extract


def assemble(
    extract: PageExtract,
    url: str | None,
    *,
    attachments: Mapping[str, bytes],
    listing: ListItem | None = None,
) -> Document:
    """Settle every field of the Document from the extract, the body and the attachments."""
    warnings: list[str] = list(extract.warnings)
    paragraphs = extract.paragraphs
    meta = read_body(paragraphs, extract.centered)
    warnings.extend(meta.warnings)

    # Title: as the site lists it, else as the page shows it, else as the body prints it.
    raw_title = (listing.title if listing else None) or extract.title or meta.title
    title, title_number = strip_title_number(raw_title) if raw_title else (None, None)

    doc_number = _settle_doc_number(meta.doc_number, title_number, warnings)
    parts = doc_number_parts(doc_number) if doc_number else None

    split = article_splitter.split_articles(paragraphs[meta.header_end : meta.closing_start], "body")
    warnings.extend(split.warnings)
    found: list[Article] = list(split.articles)

    read_attachments, attachment_articles, effective_from_attachment = _read_attachments(
        extract.attachments, attachments, warnings
    )
    found.extend(attachment_articles)

    publish_date = extract.publish_date or (listing.date if listing else None)
    if listing and listing.date and extract.publish_date and listing.date != extract.publish_date:
        warnings.append(
            f"the list gives {listing.date} as the date, the page {extract.publish_date}; kept the page's"
        )

    body_text = "\n".join(paragraphs)
    # The term readers look only at paragraphs holding 之日 (on issue) and 期 (有效期): a body
    # without them (the joined text holds what its paragraphs hold) gives them nothing to read.
    effective_date = (
        meta.effective_date
        or effective_from_attachment
        or (term.effective_on_issue(paragraphs, meta.written_date, publish_date) if "之日" in body_text else None)
    )
    expiry = term.expiry(paragraphs, effective_date) if "期" in body_text else None
    category = extract.category or _category_from_url(url)
    articles = _renumber(found)
    relations = read_relations(
        body_text,
        articles,
        [a.text for a in read_attachments],
        own_doc_number=doc_number,
        own_title=title,
        category=category,
        year=parts.year if parts else None,
    )
    interpretations = _dedupe_links(
        list(extract.interpretations) + (list(listing.interpretations) if listing else [])
    )
    return Document(
        id=document_id(url),
        url=url,
        category=category,
        title=title,
        doc_number=doc_number,
        doc_number_parts=parts,
        publish_date=publish_date,
        written_date=meta.written_date,
        effective_date=effective_date,
        source=extract.source,
        issuers=tuple(meta.issuers),
        addressees=meta.addressees,
        body_text=body_text,
        preamble=split.preamble,
        articles=articles,
        attachments=tuple(read_attachments),
        interpretations=tuple(interpretations),
        warnings=tuple(dict.fromkeys(warnings)),
        content_sha256=content_hash(title, body_text, read_attachments),
        tables=extract.tables,
        expiry_date=expiry.date if expiry else None,
        relations=relations,
    )


def page_links(content: bytes | str, url: str | None = None) -> tuple[tuple[Attachment, ...], tuple[Link, ...]]:
    """A page's attachments and 相关解读 links, without the rest of the parse.

    What a crawler needs before it can fetch a page's files: the page chrome only (no metadata,
    no articles). Empty for anything that is not a page; never raises.
    """
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else bytes(content)
    try:
        kind = sniff(data)
    except ParseError:
        return (), ()
    if kind not in ("html", "text"):
        return (), ()
    text = without_surrogates(content) if isinstance(content, str) else decode_bytes(data, is_html=kind == "html")[0]
    if kind == "html":
        extract = extract_detail(text, url)
    else:
        from parsers.rendering import extract_rendering

        extract = extract_rendering(text, url)
    return extract.attachments, extract.interpretations


def attachment_urls(content: bytes | str, url: str | None = None) -> list[str]:
    """The absolute URLs of a page's attachments (empty for anything but a page)."""
    return [a.url for a in page_links(content, url)[0] if a.url]


def document_id(url: str | None) -> str | None:
    """`ndrc-<page id>` from a detail URL; for other URLs a digest of the URL; None without one."""
    if not url:
        return None
    # The path is the URL itself when there is no query or fragment (urlsplit costs a parse).
    match = PAGE_ID_RE.search(url if "?" not in url and "#" not in url else urlsplit(url).path)
    if match:
        return f"ndrc-{match.group(1)}"
    return "ndrc-u" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def content_hash(title: str | None, body_text: str, attachments) -> str:
    """sha256 of what a reader sees: title, body and attachment texts (not the page chrome)."""
    # Each part followed by a record separator, hashed in one piece (the same digest as feeding
    # them one by one, without an encode and two updates per part).
    parts = [title or "", body_text, *[a.text or "" for a in attachments], ""]
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


def _settle_doc_number(from_body: str | None, from_title: str | None, warnings: list[str]) -> str | None:
    if from_body and from_title and from_body != from_title:
        # An order's heading says only 第41号; the title's 2026年第41号令 carries the year.
        if _order_serial(from_body) is not None and _order_serial(from_body) == _order_serial(from_title):
            return from_title if "年" in from_title else from_body
        warnings.append(f"the title gives 文号 {from_title}, the body {from_body}; kept the body's")
        return from_body
    return from_body or from_title


def _order_serial(number: str) -> int | None:
    parts = doc_number_parts(number)
    if parts and parts.prefix.endswith("令"):
        return parts.serial
    match = re.fullmatch(r".*令.*?第(\d+)号|第(\d+)号", number)
    if match:
        return int(match.group(1) or match.group(2))
    return None


def _read_attachments(
    listed: tuple[Attachment, ...], fetched: Mapping[str, bytes], warnings: list[str]
) -> tuple[list[Attachment], list[Article], str | None]:
    """Read the fetched PDF/OFD attachments: their text, and the articles of one copy of each."""
    if not listed or (type(fetched) is dict and not fetched):
        return list(listed), [], None  # nothing to read (the page's own attachment entries stand)
    out: list[Attachment] = []
    articles: list[Article] = []
    effective: str | None = None
    split_stems: set[str] = set()
    order = sorted(
        range(len(listed)),
        key=lambda i: (ATTACHMENT_PREFERENCE.get(listed[i].file_type or "", 9), i),
    )
    texts: dict[int, tuple[str, ...]] = {}
    for i in order:
        att = listed[i]
        if (att.file_type or "") not in READABLE_ATTACHMENTS or _stem(att.title) in split_stems:
            # A parallel copy (the .ofd of a .pdf already read) is read only when the preferred
            # copy could not be: it holds the same document, and reading it doubled the cost of
            # every notice. Its `text` stays null: not read.
            continue
        data = fetched.get(att.url) if att.url else None
        if data is None:
            continue
        try:
            if att.file_type == "pdf":
                from parsers.pdf import pdf_paragraphs as read
            else:
                from parsers.ofd import ofd_paragraphs as read
            paragraphs, att_warnings = read(data)
        except ParseError as err:
            warnings.append(f"attachment {i + 1} ({att.title}) could not be read: {err}")
            continue
        warnings.extend(f"attachment {i + 1}: {w}" for w in att_warnings)
        texts[i] = tuple(paragraphs)
        stem = _stem(att.title)
        if stem in split_stems or not paragraphs:
            continue  # a parallel copy of a document already split
        split_stems.add(stem)
        meta = read_body(paragraphs)
        effective = effective or meta.effective_date
        split = article_splitter.split_articles(
            paragraphs[meta.header_end : meta.closing_start], f"attachment:{i + 1}"
        )
        warnings.extend(f"attachment {i + 1}: {w}" for w in split.warnings)
        articles.extend(split.articles)
    for i, att in enumerate(listed):
        text = "\n".join(texts[i]) if i in texts else att.text
        out.append(Attachment(title=att.title, url=att.url, file_type=att.file_type, text=text))
    return out, articles, effective


def _stem(title: str) -> str:
    """An attachment's title without its extension: 《…》.pdf and 《…》.ofd are the same document."""
    return re.sub(r"\.[A-Za-z0-9]{2,5}$", "", title.strip())


def _renumber(found: list[Article]) -> tuple[Article, ...]:
    """Give the units of body and attachments one flat, contiguous seq; parents follow."""
    out: list[Article] = []
    offset = 0
    last_source = None
    for art in found:
        if art.source != last_source:
            offset = len(out) - art.seq
            last_source = art.source
        parent = art.parent + offset if art.parent is not None else None
        out.append(
            Article(
                seq=len(out),
                level=art.level,
                label=art.label,
                number=art.number,
                heading=art.heading,
                text=art.text,
                parent=parent,
                source=art.source,
            )
        )
    return tuple(out)


def _dedupe_links(links: list[Link]) -> list[Link]:
    seen_urls: set[str] = set()
    seen_titles: set[str] = set()
    out = []
    for link in links:
        if (link.url and link.url in seen_urls) or link.title in seen_titles:
            continue
        if link.url:
            seen_urls.add(link.url)
        seen_titles.add(link.title)
        out.append(link)
    return out


def _category_from_url(url: str | None) -> str | None:
    if not url:
        return None
    for folder in reversed(urlsplit(url).path.split("/")[:-1]):
        if folder in COLUMN_BY_FOLDER:
            return COLUMN_BY_FOLDER[folder]
    return None


def _add_warnings(extract: PageExtract, extra) -> PageExtract:
    from dataclasses import replace

    return replace(extract, warnings=tuple(extract.warnings) + tuple(extra))
