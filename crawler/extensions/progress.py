"""Progress an operator can follow: per-column lines while documents land, a summary at the end.

Every NDRC_PROGRESS_EVERY documents handled in a column (stored, unchanged, withdrawn or failed)
it logs one line with that column's counts so far; when the spider closes, one line per column
and one closing line for the whole run (requests, documents new/updated/withdrawn/failed, blocked
responses, why the spider closed).

Settings read: NDRC_PROGRESS (on/off), NDRC_PROGRESS_EVERY, NDRC_COLUMNS.
Stats read: ``ndrc/<column>/documents/*``, ``ndrc/documents/*``, ``ndrc/blocked/count``.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "updated", "unchanged", "withdrawn", "failed")


class ProgressExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.every = max(1, crawler.settings.getint("NDRC_PROGRESS_EVERY"))
        self.columns = crawler.settings.getlist("NDRC_COLUMNS")
        self.logged: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NDRC_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.item_done, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_done, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def counts(self, prefix: str) -> dict[str, int]:
        return {o: self.stats.get_value(f"{prefix}/documents/{o}", 0) for o in OUTCOMES}

    @staticmethod
    def line(counts: dict[str, int]) -> str:
        return ", ".join(f"{o} {counts[o]}" for o in OUTCOMES)

    def item_done(self, item, **kwargs):
        column = getattr(item, "column", None)
        if column is None:
            return
        counts = self.counts(f"ndrc/{column}")
        done = sum(counts.values())
        if done - self.logged.get(column, 0) >= self.every:
            self.logged[column] = done
            pages = self.stats.get_value(f"ndrc/{column}/list_pages", 0)
            logger.info("[%s] %d list pages read, documents %s", column, pages, self.line(counts))

    def spider_closed(self, spider, reason):
        for column in self.columns:
            counts = self.counts(f"ndrc/{column}")
            pages = self.stats.get_value(f"ndrc/{column}/list_pages", 0)
            logger.info("[%s] done: %d list pages read, documents %s", column, pages, self.line(counts))
        total = self.counts("ndrc")
        logger.info(
            "run %s: %d requests, documents %s; %d blocked responses",
            reason,
            self.stats.get_value("downloader/request_count", 0),
            self.line(total),
            self.stats.get_value("ndrc/blocked/count", 0),
        )
