"""The frozen dataclasses every parser returns.

`Document.to_dict()` is the document JSON of ``CONTRACT.md``: every key is always present
(``None`` or ``[]`` when unknown). `PageExtract` is the internal hand-over from a page reader
(HTML, rendering, PDF, OFD) to the assembly step in `parsers.document`.
"""

from __future__ import annotations

from dataclasses import field, fields
from typing import Any

from parsers.frozen import frozen

# Bump when a change to the parsers can change their output for the same input; stored with each
# document so `ndrc-policy reparse` can tell which rows an improvement touched.
PARSER_VERSION = "1.3.5"


@frozen
class DocNumberParts:
    """A 发文字号 split up: 发改开放〔2022〕408号 -> ("发改开放", 2022, 408).

    For an order (令) the prefix is 国家发展改革委令 and `year`/`serial` its year and number.
    """

    prefix: str
    year: int
    serial: int


@frozen
class Link:
    """A titled link, such as a 相关解读 entry; `url` is absolute, or None when the input had none."""

    title: str
    url: str | None


@frozen
class Attachment:
    """A file attached to a document (附件). `text` is filled when the file was fetched and read."""

    title: str
    url: str | None
    file_type: str | None  # lower-case extension without the dot: "pdf", "ofd", "doc", ...
    text: str | None = None


@frozen
class Article:
    """One numbered unit (一、 （一） 1. （1） ① 第X编/章/节/条), flat, in reading order."""

    seq: int  # 0-based position in Document.articles
    level: int  # 1 for the outermost numbering of that text
    label: str  # as printed: "一、", "（一）", "第一条"
    number: int  # the label's integer value: "（二十一）" -> 21
    heading: str | None  # short title the unit opens with ("总体要求"), else None
    text: str  # the unit's own text: heading and child units excluded
    parent: int | None  # seq of the enclosing unit
    source: str = "body"  # "body", or "attachment:N" (N = 1-based position in attachments)


@frozen
class Table:
    """A table of the body, kept as rows of cell texts; its text stays in body_text, one row a line."""

    seq: int  # 0-based position among the document's tables
    source: str  # "body", or "attachment:N"
    rows: tuple[tuple[str, ...], ...]


@frozen
class Relation:
    """What a document says of another: `relation` is one of RELATIONS.

    The target is named by its 文号 (normalised, any issuer's) and/or its title (normalised:
    〈〉 inside 《》 written 《》, brackets （）, no spaces). `target_id` is filled by the store
    once the target is stored (None from the parser); `article_seq` is the seq of the article
    the sentence `text` stands in, or None outside every article.
    """

    relation: str
    target_doc_number: str | None
    target_title: str | None
    target_id: str | None
    article_seq: int | None
    text: str


# The kinds of relation, strongest first (a target named twice keeps each kind once).
RELATIONS = ("repeals", "replaces", "amends", "implements", "interprets", "cites")

# The values of Document.validity.
VALIDITIES = ("not_yet_effective", "in_force", "amended", "partially_repealed", "repealed", "expired")


@frozen
class ValidityBasis:
    """One reason for a document's validity: a later document's clause, or its own 有效期."""

    relation: str  # what `by_id` says of this document ("repeals", "replaces", "amends"), or "expires"
    by_id: str | None  # the document that says it; None for the document's own text
    by_doc_number: str | None
    date: str | None  # ISO: when it takes hold (the other document's effective date, the expiry)
    text: str  # the sentence that says it


def _field_names(cls) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _flat_dict(item) -> dict[str, Any]:
    """`dataclasses.asdict` of a dataclass whose fields are all str, int or None (every part of a
    Document but its tables): the same dict, without asdict's recursive deep copy, which made
    turning a document into JSON the largest cost of writing it."""
    return {name: getattr(item, name) for name in _field_names(type(item))}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


@frozen
class Document:
    id: str | None
    url: str | None
    category: str | None
    title: str | None
    doc_number: str | None
    doc_number_parts: DocNumberParts | None
    publish_date: str | None
    written_date: str | None
    effective_date: str | None
    source: str | None
    issuers: tuple[str, ...]
    addressees: str | None
    body_text: str
    preamble: str | None
    articles: tuple[Article, ...]
    attachments: tuple[Attachment, ...]
    interpretations: tuple[Link, ...]
    warnings: tuple[str, ...]
    content_sha256: str
    parser_version: str = PARSER_VERSION
    tables: tuple[Table, ...] = ()
    # What the text says of its term and of other documents (parsers.term, parsers.relations).
    expiry_date: str | None = None
    relations: tuple[Relation, ...] = ()
    # What the archive knows of the document's force: filled by the store (output.validity),
    # None / () from the parser alone.
    validity: str | None = None
    validity_basis: tuple[ValidityBasis, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The document JSON of CONTRACT.md (tuples become lists, nested dataclasses dicts)."""
        out = {name: getattr(self, name) for name in _field_names(Document)}
        out["doc_number_parts"] = _flat_dict(self.doc_number_parts) if self.doc_number_parts else None
        out["issuers"] = list(self.issuers)
        for key in ("articles", "attachments", "interpretations", "relations", "validity_basis"):
            out[key] = [_flat_dict(x) for x in out[key]]
        out["warnings"] = list(self.warnings)
        out["tables"] = [{"seq": t.seq, "source": t.source, "rows": [list(r) for r in t.rows]} for t in self.tables]
        return out


@frozen
class ListItem:
    """One entry of a column's list page (ul.u-list > li)."""

    title: str
    url: str  # absolute
    date: str | None  # ISO date as listed
    interpretations: tuple[Link, ...] = ()


@frozen
class ListPage:
    url: str | None
    category: str | None
    items: tuple[ListItem, ...]
    page_count: int | None  # createPageHTML's total
    page_index: int | None  # createPageHTML's 0-based current index
    warnings: tuple[str, ...] = ()


@frozen
class PageExtract:
    """What a page reader hands to assembly: chrome metadata plus the body as clean paragraphs.

    `paragraphs` are in reading order with every box (ranking, related reading, share, footer)
    already removed and a sentence cut by such a box joined again. `centered` holds the indexes of
    paragraphs the page centred or right-aligned (HTML only): titles and signature blocks.
    """

    paragraphs: tuple[str, ...]
    title: str | None = None
    publish_date: str | None = None
    source: str | None = None
    category: str | None = None
    attachments: tuple[Attachment, ...] = ()
    interpretations: tuple[Link, ...] = ()
    warnings: tuple[str, ...] = ()
    centered: frozenset[int] = field(default_factory=frozenset)
    tables: tuple[Table, ...] = ()
