"""Progress an operator can follow: the start line, a line per column now and then and at the end.

Lines go to the run's Console (crawler.console: stderr, and a live display on a terminal) and to
the log. The start line is said when the site first answers (a site that never does gets the
closing line only). Every NDRC_PROGRESS_INTERVAL seconds each column whose counts moved gets one
line (list pages read, documents new / updated / unchanged / withdrawn / failed); when the spider
closes, every column gets its closing line. On a terminal the live display is refreshed every
LIVE_EVERY seconds from the same figures.

Settings read: NDRC_PROGRESS (on/off), NDRC_PROGRESS_INTERVAL, NDRC_COLUMNS.
Stats read: ``ndrc/<column>/list_pages``, ``ndrc/<column>/documents/*``.
"""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.console import console_for

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "updated", "unchanged", "withdrawn", "failed")
# Outcomes shown even when 0; withdrawn only when some were.
ALWAYS_SHOWN = ("new", "updated", "unchanged", "failed")
# Seconds between refreshes of the live display.
LIVE_EVERY = 0.5


def counts_line(counts: dict[str, int]) -> str:
    """`new 3, updated 0, unchanged 12, failed 0` (withdrawn only when some were)."""
    return ", ".join(f"{o} {counts.get(o, 0)}" for o in OUTCOMES if o in ALWAYS_SHOWN or counts.get(o))


class ProgressExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.console = console_for(crawler)
        self.interval = max(1.0, crawler.settings.getfloat("NDRC_PROGRESS_INTERVAL"))
        self.columns = crawler.settings.getlist("NDRC_COLUMNS")
        self.said: dict[str, tuple] = {}
        self.next_line = 0.0
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NDRC_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def counts(self, prefix: str) -> dict[str, int]:
        return {o: self.stats.get_value(f"{prefix}/documents/{o}", 0) for o in OUTCOMES}

    def column_text(self, column: str) -> str:
        pages = self.stats.get_value(f"ndrc/{column}/list_pages", 0)
        return f"{pages} list page{'s' if pages != 1 else ''} read; documents {counts_line(self.counts(f'ndrc/{column}'))}"

    def spider_opened(self, spider):
        from twisted.internet import task

        self.console.start_live(self.columns)
        self.next_line = time.monotonic() + self.interval
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(LIVE_EVERY, now=False)

    def response_received(self, response, request, spider=None):
        self.console.site_answered()

    def tick(self):
        for column in self.columns:
            self.console.update_live(column, self.column_text(column))
        now = time.monotonic()
        if now < self.next_line:
            return
        self.next_line = now + self.interval
        for column in self.columns:
            key = (self.stats.get_value(f"ndrc/{column}/list_pages", 0), tuple(self.counts(f"ndrc/{column}").values()))
            if key != self.said.get(column, (0, (0,) * len(OUTCOMES))):
                self.said[column] = key
                self.say(f"[{column}] {self.column_text(column)}")

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.console.stop_live()
        if reason in ("unreachable",):
            return  # the closing line says it all
        for column in self.columns:
            self.say(f"[{column}] done: {self.column_text(column)}")

    def say(self, line: str) -> None:
        logger.info(line)
        self.console.say(line)
