"""One detail page on its way from the spider to the store: the typed hand-overs and the one call.

A page is read once, in the crawl process, when it arrives (`read_response`: sniff, decode with
the HTTP charset, one lxml tree, the page's chrome and clean paragraphs): the spider needs its
attachment and 解读 links at once to fetch them, and must not wait behind the worker's queue for
them. The `PageRead` then travels in a `PageJob`, with the fetched attachments and the list entry,
to the crawl's worker, which takes one call per page, `parse_and_store`: assemble the document
from that same read (metadata, articles, attachment texts), move it to the canonical address,
and write it, its versions, citations and search rows, or record why the page held no document,
in the worker's open transaction. The answer is a `PageOutcome`: the spider and the pipelines
never see the `Document`, and it is pickled to no one.

The raw page itself was handed to the worker by the raw store middleware as it arrived (every
answer is kept before anything parses it); the worker carries out calls in order, so the page row
is always written before the document read from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from parsers.model import Attachment, Link, ListItem, PageExtract

# Outcomes of parse_and_store besides output.db's "new", "updated" and "unchanged".
FAILED = "failed"
# The reason recorded for a parser bug (an exception other than ParseError): it costs one page.
PARSER_ERROR = "parser_error"


@dataclass(frozen=True)
class PageRead:
    """A detail response read once: its extract, or why it holds no document (`reason`, `message`)."""

    extract: PageExtract | None
    reason: str | None = None
    message: str | None = None

    @property
    def attachments(self) -> tuple[Attachment, ...]:
        return self.extract.attachments if self.extract is not None else ()

    @property
    def interpretations(self) -> tuple[Link, ...]:
        return self.extract.interpretations if self.extract is not None else ()


@dataclass(frozen=True)
class PageJob:
    """What the worker needs to turn one read page into a stored document."""

    url: str  # the address it was fetched from (pages.url)
    read: PageRead
    canonical_base: str  # NDRC_CANONICAL_BASE: the document's url and id are made on it
    page_sha256: str | None = None  # the raw page as stored (parse_failures.page_sha256)
    fetched_at: str | None = None
    listing: ListItem | None = None
    attachments: dict[str, bytes] = field(default_factory=dict)  # URL as the page links it -> bytes
    category: str | None = None  # forced category (解读 pages), else the page's own


@dataclass(frozen=True)
class PageOutcome:
    """The worker's answer for one page."""

    outcome: str  # "new", "updated", "unchanged" (output.db) or FAILED
    document_id: str | None = None
    reason: str | None = None  # FAILED only: ParseError.reason or PARSER_ERROR
    message: str | None = None


def read_response(body: bytes, url: str, content_type: str | None = None) -> PageRead:
    """`parsers.document.read_page` that never raises: a parser bug costs this page only."""
    from parsers import ParseError
    from parsers.document import read_page

    try:
        return PageRead(read_page(body, url, content_type=content_type))
    except ParseError as err:
        return PageRead(None, err.reason, str(err))
    except Exception as err:  # noqa: BLE001 - a parser bug must not stop the run
        return PageRead(None, PARSER_ERROR, f"{type(err).__name__}: {err}")


def parse_and_store(store, job: PageJob) -> PageOutcome:
    """Assemble the document of `job` and write it through `store` (an `output.db.Store`).

    A page that holds no document, or that the parser fails on, is recorded in parse_failures
    with its reason; that is an answer (FAILED), not an error. Errors of the store are raised.
    """
    read = job.read
    if read.extract is None:
        return _failed(store, job, read.reason or PARSER_ERROR, read.message or "")
    from parsers.canonical import canonical_document, origin
    from parsers.document import assemble

    try:
        doc = assemble(read.extract, job.url, attachments=job.attachments, listing=job.listing)
        if job.category and doc.category != job.category:
            doc = replace(doc, category=job.category)
        doc = canonical_document(doc, job.canonical_base)
    except Exception as err:  # noqa: BLE001 - a parser bug costs one page, not the run
        return _failed(store, job, PARSER_ERROR, f"{type(err).__name__}: {err}")
    outcome = store.upsert_document(doc, fetched_at=job.fetched_at, page_origin=origin(job.url))
    return PageOutcome(outcome, doc.id)


def _failed(store, job: PageJob, reason: str, message: str) -> PageOutcome:
    store.record_parse_failure(job.url, job.page_sha256, f"{reason}: {message}", at=job.fetched_at)
    return PageOutcome(FAILED, None, reason, message)
