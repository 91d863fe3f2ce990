"""What a search returns: documents (`DocumentHit`) with their best articles (`ArticleHit`), the
`Results` of one page, and the snippets with their terms marked (`snippet`, `highlight`)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

# Characters of text shown before the first term of a snippet, and in all.
SNIPPET_BEFORE = 30
SNIPPET_LENGTH = 110
# Marks around a term in a snippet (the CLI shows them as 【】, the web page as <mark>).
SNIPPET_MARK = ("<mark>", "</mark>")


@dataclass(frozen=True)
class ArticleHit:
    seq: int
    level: int | None
    label: str | None  # as printed: （三）, 第五条
    heading: str | None
    field: str  # "heading" or "text": where its first term is
    snippet: str  # the terms wrapped in SNIPPET_MARK
    terms: int  # how many of the query's terms it holds


@dataclass(frozen=True)
class DocumentHit:
    document_id: str
    title: str | None
    doc_number: str | None
    publish_date: str | None
    category: str | None
    validity: str | None  # None when the database has no validity column
    field: str  # where the snippet is from: "body", "attachments", or "title" when only it holds a term
    snippet: str  # from the body (or an attachment, or the title) holding a term
    tier: str  # one of TIERS
    rank: float | None  # summed bm25, lower is better; None when no term was ranked
    article_count: int  # articles holding a term
    articles: tuple[ArticleHit, ...] = ()  # the best of them

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Results:
    query: str
    total: int  # documents that match
    offset: int
    hits: tuple[DocumentHit, ...]
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)
    terms: tuple[str, ...] = ()  # the terms a match shows (to highlight titles and headings)


def highlight(text: str, terms: Iterable[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_term) parts, every occurrence of a term marked, longest first."""
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not text or not terms:
        return [(text or "", False)]
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    parts, at = [], 0
    for m in pattern.finditer(text):
        if m.start() > at:
            parts.append((text[at : m.start()], False))
        parts.append((m.group(), True))
        at = m.end()
    if at < len(text):
        parts.append((text[at:], False))
    return parts


def snippet(text: str, terms: list[str]) -> str:
    """A window of `text` around its first term, every term in it wrapped in SNIPPET_MARK."""
    found = [i for i in (text.find(t) for t in terms if t) if i >= 0]
    at = min(found) if found else 0
    start = max(0, at - SNIPPET_BEFORE)
    end = min(len(text), start + SNIPPET_LENGTH)
    longest = max((len(t) for t in terms), default=0)
    window = text[start : min(len(text), end + longest)]  # a term at the edge stays whole
    marked = "".join(
        f"{SNIPPET_MARK[0]}{piece}{SNIPPET_MARK[1]}" if is_term else piece
        for piece, is_term in highlight(window, terms)
    )
    return (("…" if start > 0 else "") + marked + ("…" if start + len(window) < len(text) else "")).replace(
        "\n", " "
    )
