"""Document storage pipeline: parsed documents, withdrawals and fetch failures into the store.

A `PageItem` arrives stored (the parse pipeline's one call to the worker: a new content adds a
version, earlier ones stay) and is counted by its outcome; once committed the document is "known"
to the next incremental run. A `WithdrawnItem` marks the document withdrawn with the date (never
deleted), by its id. A `FetchFailureItem` is counted as a failed document and logged.

Settings read: none. Stats: ``ndrc/documents/{new,updated,unchanged,withdrawn,failed}`` and the
same per column under ``ndrc/<column>/documents/…``.
"""

from __future__ import annotations

import logging

from crawler.extensions.worker import worker_for
from crawler.pipelines.items import FetchFailureItem, PageItem, WithdrawnItem

logger = logging.getLogger(__name__)

STATS_PREFIX = "ndrc"


class DocumentStorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def count(self, column: str, outcome: str) -> None:
        self.stats.inc_value(f"{STATS_PREFIX}/documents/{outcome}")
        self.stats.inc_value(f"{STATS_PREFIX}/{column}/documents/{outcome}")

    async def process_item(self, item):
        worker = worker_for(self.crawler)
        if isinstance(item, PageItem) and item.outcome is not None:
            outcome = item.outcome.outcome
            self.count(item.column, outcome)
            if outcome != "unchanged":
                logger.debug("[%s] %s %s", item.column, outcome, item.url)
        elif isinstance(item, WithdrawnItem):
            if await worker.withdraw(item.document_id, item.date):
                self.count(item.column, "withdrawn")
                logger.info("[%s] withdrawn (HTTP %d): %s", item.column, item.status, item.url)
        elif isinstance(item, FetchFailureItem):
            self.count(item.column, "failed")
            self.stats.inc_value(f"{STATS_PREFIX}/fetch_failed")
            logger.error("[%s] %s could not be fetched whole: %s", item.column, item.url, item.reason)
        return item
