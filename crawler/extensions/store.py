"""The one `output.db.Store` a crawl writes through, shared by the spider, middlewares and pipelines.

`crawler.run.run_crawl` opens the store itself (it holds the run lock and the `crawl_runs` row) and
hands it over as ``crawler.ndrc_store``; a crawl started any other way (``scrapy crawl policy``)
gets one opened here from the setting NDRC_DB_PATH and closed when the engine stops.

While the engine runs, the store's writes are committed in groups (`Store.group_commits`): every
NDRC_COMMIT_INTERVAL seconds and when the engine stops, instead of once per page and per document.
A crawl killed in between loses the writes of the last interval at most, which the next run
fetches again (a document is stored whole or not at all either way). 0 commits every write.

Settings read: NDRC_DB_PATH, NDRC_COMMIT_INTERVAL. Stats: ``ndrc/store/commits``,
``ndrc/store/commit_failed`` (writes lost: the run is judged a partial failure).
"""

from __future__ import annotations

import logging

from scrapy import signals

logger = logging.getLogger(__name__)

STORE_ATTR = "ndrc_store"
STATS_PREFIX = "ndrc/store"


def store_for(crawler):
    """The crawl's Store, opened from NDRC_DB_PATH on first use when run_crawl did not set one."""
    store = getattr(crawler, STORE_ATTR, None)
    if store is None:
        from output.db import Store

        store = Store(crawler.settings.get("NDRC_DB_PATH"))
        setattr(crawler, STORE_ATTR, store)
        crawler._ndrc_store_owned = True  # noqa: SLF001 - closed by StoreExtension below
    return store


class StoreExtension:
    """Opens the store before the spider runs, commits its writes in groups, closes it after."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("NDRC_COMMIT_INTERVAL")
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self):
        store = store_for(self.crawler)
        if self.interval > 0:
            from twisted.internet import task

            store.group_commits(True)
            self.loop = task.LoopingCall(self.commit)
            self.loop.start(self.interval, now=False)

    def commit(self):
        store = getattr(self.crawler, STORE_ATTR, None)
        if store is None:
            return
        try:
            committed = store.commit()
        except Exception:  # noqa: BLE001 - the held writes are lost; the run goes on, judged unhealthy
            logger.exception("the database refused a commit: the writes of the last interval are lost")
            self.crawler.stats.inc_value(f"{STATS_PREFIX}/commit_failed")
            return
        if committed:
            self.crawler.stats.inc_value(f"{STATS_PREFIX}/commits")

    def engine_stopped(self):
        store = getattr(self.crawler, STORE_ATTR, None)
        if self.loop is not None:
            if self.loop.running:
                self.loop.stop()
            self.loop = None
            self.commit()
            store.group_commits(False)
        if getattr(self.crawler, "_ndrc_store_owned", False):
            close = getattr(store, "close", None)
            if close is not None:
                close()
