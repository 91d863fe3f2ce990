"""The one `output.db.Store` a crawl writes through, shared by the spider, middlewares and pipelines.

`crawler.run.run_crawl` opens the store itself (it holds the run lock and the `crawl_runs` row) and
hands it over as ``crawler.ndrc_store``; a crawl started any other way (``scrapy crawl policy``)
gets one opened here from the setting NDRC_DB_PATH and closed when the engine stops. While the
spider runs, the crawl's parsing and writes go through extensions.worker, which may write from
another process: components read here.

Settings read: NDRC_DB_PATH.
"""

from __future__ import annotations

import logging

from scrapy import signals

logger = logging.getLogger(__name__)

STORE_ATTR = "ndrc_store"


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
    """Opens the store before the spider runs and closes it after, when nobody else owns it."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self):
        store_for(self.crawler)

    def engine_stopped(self):
        if getattr(self.crawler, "_ndrc_store_owned", False):
            store = getattr(self.crawler, STORE_ATTR, None)
            close = getattr(store, "close", None)
            if close is not None:
                close()
