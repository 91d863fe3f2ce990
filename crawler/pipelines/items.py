"""The items the policy spider hands to the pipelines.

`PageItem`: one detail or 解读 page, fetched completely (its attachments with it) and read once
(`crawler.pages.PageRead`), not yet assembled; the parse pipeline has the worker assemble and
store it and sets `outcome`, the document pipeline counts it. `WithdrawnItem`: a known page that
now answers 404/410. `FetchFailureItem`: a listed page that could not be fetched whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.pages import PageOutcome, PageRead
from parsers.model import ListItem


@dataclass
class PageItem:
    url: str  # the address it was fetched from
    column: str  # the column slug the page was listed in ("tz"), also for 解读 pages
    read: PageRead | None = None  # the page read once by the spider
    body: bytes | None = None  # the raw page, for an item made without `read` (read by the pipeline)
    page_sha256: str | None = None  # the raw page as stored in `pages`
    fetched_at: str | None = None
    listing: ListItem | None = None  # the list entry the page was found on
    attachments: dict[str, bytes] = field(default_factory=dict)  # absolute URL -> raw bytes
    category: str | None = None  # forced category (解读 pages), else the parser's
    outcome: PageOutcome | None = None  # set by ParsePipeline


@dataclass
class WithdrawnItem:
    url: str
    document_id: str
    column: str
    status: int
    date: str  # ISO date the withdrawal was seen


@dataclass
class FetchFailureItem:
    url: str
    column: str
    reason: str
