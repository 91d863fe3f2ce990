"""Parse pipeline: a fetched page (with its attachments) becomes a `parsers.Document`.

The raw page is already stored (middlewares.rawstore). The parsing itself runs in the crawl's
worker (extensions.worker: a child process, so fetching goes on meanwhile). Input that holds no
document (`ParseError`: empty, binary, not a document) and parser bugs are recorded in
`parse_failures` with their reason, counted, and the item dropped; the run goes on.

Settings read: none. Stats: ``ndrc/documents/failed``, ``ndrc/<column>/documents/failed``,
``ndrc/parse_failures/<reason>``.
"""

from __future__ import annotations

import dataclasses
import logging

from scrapy.exceptions import DropItem

from crawler.extensions.worker import worker_for
from crawler.pipelines.items import PageItem

logger = logging.getLogger(__name__)

STATS_PREFIX = "ndrc"


class ParsePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item):
        if not isinstance(item, PageItem):
            return item
        outcome = await worker_for(self.crawler).parse(item.body, item.url, item.attachments, item.listing)
        if outcome[0] != "ok":
            self.fail(item, outcome[1], outcome[2])
        doc = outcome[1]
        if item.category and doc.category != item.category:
            doc = dataclasses.replace(doc, category=item.category)
        item.document = doc
        return item

    def fail(self, item: PageItem, reason: str, message: str):
        worker_for(self.crawler).record_parse_failure(item.url, item.page_sha256, f"{reason}: {message}")
        self.stats.inc_value(f"{STATS_PREFIX}/documents/failed")
        self.stats.inc_value(f"{STATS_PREFIX}/{item.column}/documents/failed")
        self.stats.inc_value(f"{STATS_PREFIX}/parse_failures/{reason}")
        logger.warning("[%s] %s: no document (%s): %s", item.column, item.url, reason, message.splitlines()[0] if message else "")
        raise DropItem(f"{item.url}: {reason}")
