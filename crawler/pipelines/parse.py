"""Parse pipeline: a fetched page (read once by the spider) becomes a stored document, in one call.

The raw page is already stored (middlewares.rawstore). The worker (extensions.worker: a child
process, so fetching goes on meanwhile) assembles the document from the spider's read, moves it
to the canonical address (NDRC_CANONICAL_BASE) and writes it (`crawler.pages.parse_and_store`).
Input that holds no document (`ParseError`: empty, binary, not a document) and parser bugs are
recorded in `parse_failures` by that same call, counted here, and the item dropped; the run goes on.

Settings read: NDRC_CANONICAL_BASE. Stats: ``ndrc/documents/failed``,
``ndrc/<column>/documents/failed``, ``ndrc/parse_failures/<reason>``.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem

from crawler.extensions.worker import worker_for
from crawler.pages import FAILED, PageJob, read_response
from crawler.pipelines.items import PageItem

logger = logging.getLogger(__name__)

STATS_PREFIX = "ndrc"


class ParsePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.canonical_base = crawler.settings.get("NDRC_CANONICAL_BASE")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item):
        if not isinstance(item, PageItem):
            return item
        read = item.read if item.read is not None else read_response(item.body or b"", item.url)
        job = PageJob(
            url=item.url,
            read=read,
            canonical_base=self.canonical_base,
            page_sha256=item.page_sha256,
            fetched_at=item.fetched_at,
            listing=item.listing,
            attachments=item.attachments,
            category=item.category,
        )
        item.outcome = await worker_for(self.crawler).parse_and_store(job)
        if item.outcome.outcome == FAILED:
            self.fail(item)
        return item

    def fail(self, item: PageItem):
        reason, message = item.outcome.reason, item.outcome.message or ""
        self.stats.inc_value(f"{STATS_PREFIX}/documents/failed")
        self.stats.inc_value(f"{STATS_PREFIX}/{item.column}/documents/failed")
        self.stats.inc_value(f"{STATS_PREFIX}/parse_failures/{reason}")
        logger.warning("[%s] %s: no document (%s): %s", item.column, item.url, reason, message.splitlines()[0] if message else "")
        raise DropItem(f"{item.url}: {reason}")
