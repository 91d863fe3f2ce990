"""A run always ends: a crawl that makes no progress for NDRC_STALL_TIMEOUT seconds is stopped.

Progress is an answer from the site (any status) or a document through the pipelines (stored,
unchanged, dropped or failed). A site that keeps connections open without answering, or a worker
that stops answering, would otherwise leave the run idle for ever while it holds the database's run
lock, and every later scheduled run would exit "locked". A stalled run is closed with the reason
``stalled`` (a partial failure, exit 4) and the stat ``ndrc/stalled``: one line saying how long
nothing happened and what the run was waiting on. The downloads in flight are timed out at once
(`expire_downloads`: closing waits for them, and a held connection would keep it waiting for
DOWNLOAD_TIMEOUT and more), so the documents fetched whole are committed as in any other stop. If
the spider has still not closed NDRC_STALL_GRACE seconds later (a write that never returns), the
worker child is killed and the reactor stopped: what was committed stays, as after kill -9.

Deliberate waits (the back-off before retrying a blocked or failed request) are no stall:
middlewares announce them with `pausing(crawler, seconds)`.

Scrapy's CLOSESPIDER_TIMEOUT_NO_ITEM counts items only; an incremental run on an unchanged site
yields almost none, so it would stop healthy runs.

Settings read: NDRC_STALL_TIMEOUT (seconds, 0 turns the watch off), NDRC_STALL_GRACE.
Stats: ``ndrc/stalled`` (the one line).
"""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.console import VERDICT, console_for

logger = logging.getLogger(__name__)

STATS_KEY = "ndrc/stalled"
CLOSE_REASON = "stalled"
STALL_ATTR = "ndrc_stall_watch"
# How often the watch looks, at most (a shorter timeout is looked at four times over).
CHECK_EVERY = 5.0
# Once stalled, how often the downloads still starting are cut short.
EXPIRE_EVERY = 0.5


def expire_downloads() -> int:
    """Fire now the download timeouts of the requests in flight; how many there were.

    Scrapy's HTTP handler arms one reactor timer per download (`callLater(timeout, d.cancel)`);
    firing it early ends that download as a timeout, which is what closing the spider waits for.
    """
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    fired = 0
    for call in reactor.getDelayedCalls():
        func = getattr(call, "func", None)
        if getattr(func, "__name__", "") == "cancel" and isinstance(getattr(func, "__self__", None), Deferred):
            if call.active():
                call.reset(0)
                fired += 1
    return fired


def pausing(crawler, seconds: float) -> None:
    """A component is about to wait `seconds` on purpose: the watch counts that as progress."""
    watch = getattr(crawler, STALL_ATTR, None)
    if watch is not None:
        watch.pause_until = max(watch.pause_until, time.monotonic() + max(0.0, seconds))


class StallExtension:
    def __init__(self, crawler, timeout: float, grace: float):
        self.crawler = crawler
        self.timeout = timeout
        self.grace = grace
        self.last = time.monotonic()
        self.pause_until = 0.0
        self.loop = None
        self.expiring = None
        self.stopped = False

    @classmethod
    def from_crawler(cls, crawler):
        timeout = crawler.settings.getfloat("NDRC_STALL_TIMEOUT")
        if timeout <= 0:
            raise NotConfigured
        ext = cls(crawler, timeout, crawler.settings.getfloat("NDRC_STALL_GRACE"))
        setattr(crawler, STALL_ATTR, ext)
        for signal in (signals.response_received, signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(ext.progress, signal=signal)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def progress(self, *args, **kwargs) -> None:
        self.last = time.monotonic()

    def spider_opened(self, spider) -> None:
        from twisted.internet import task

        self.last = time.monotonic()
        self.loop = task.LoopingCall(self.check)
        self.loop.start(min(CHECK_EVERY, self.timeout / 4), now=False)

    def spider_closed(self, spider, reason) -> None:
        for loop in (self.loop, self.expiring):
            if loop is not None and loop.running:
                loop.stop()

    def idle_for(self) -> float:
        now = time.monotonic()
        return now - max(self.last, min(now, self.pause_until))

    def check(self) -> None:
        if self.stopped or self.idle_for() < self.timeout:
            return
        self.stopped = True
        message = f"stalled: no answer from the site and no document stored for {self.timeout:g} s; {self.waiting_on()}"
        self.crawler.stats.set_value(STATS_KEY, message)
        logger.error(message, extra={VERDICT: True})
        # what fails from here on (the downloads cut short) is the stall, which the verdict says
        console_for(self.crawler).mute_problems()
        from scrapy.utils.defer import deferred_from_coro
        from twisted.internet import reactor, task

        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            self._closing = deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))
        # downloads waiting in a slot's queue start as others end: cut them short too, until closed
        self.expiring = task.LoopingCall(self.expire)
        self.expiring.start(EXPIRE_EVERY, now=True)
        if self.grace > 0:
            reactor.callLater(self.grace, self.force_stop)

    def expire(self) -> None:
        """End the downloads in flight now, as timeouts not to be retried."""
        for request in list(getattr(getattr(self.crawler.engine, "downloader", None), "active", ()) or ()):
            request.meta["dont_retry"] = True
        expire_downloads()

    def waiting_on(self) -> str:
        engine = self.crawler.engine
        active = list(getattr(getattr(engine, "downloader", None), "active", ()) or ())
        if active:
            more = f" and {len(active) - 1} more" if len(active) > 1 else ""
            return f"waiting on {active[0].url}{more}"
        return "no download in flight: waiting on the parsing and the writes"

    def force_stop(self) -> None:
        """The spider did not close in time: stop the reactor (committed writes stay)."""
        from twisted.internet import reactor

        if not reactor.running:
            return
        from crawler.shutdown import kill_worker

        logger.error("the stalled run did not stop within %g s; stopping at once", self.grace)
        self.crawler.stats.set_value(f"{STATS_KEY}/forced", True)
        kill_worker(self.crawler)
        self.expire()
        try:
            reactor.stop()
        except RuntimeError:
            pass  # already stopping
