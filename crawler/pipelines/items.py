"""The items the policy spider hands to the pipelines.

`PageItem`: one detail or 解读 page, fetched completely (its attachments with it), not yet parsed;
the parse pipeline fills `document`, the document pipeline stores it. `WithdrawnItem`: a known page
that now answers 404/410. `FetchFailureItem`: a listed page that could not be fetched whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    url: str
    body: bytes
    column: str  # the column slug the page was listed in ("tz"), also for 解读 pages
    page_sha256: str | None = None  # the raw page as stored in `pages`
    fetched_at: str | None = None
    listing: Any = None  # parsers.ListItem the page was found on
    attachments: dict[str, bytes] = field(default_factory=dict)  # absolute URL -> raw bytes
    category: str | None = None  # forced category (解读 pages), else the parser's
    interpretation_of: str | None = None  # for a 解读 page: the URL of the document that links it
    document: Any = None  # parsers.Document, set by ParsePipeline


@dataclass
class WithdrawnItem:
    url: str
    column: str
    status: int
    date: str  # ISO date the withdrawal was seen


@dataclass
class FetchFailureItem:
    url: str
    column: str
    reason: str
