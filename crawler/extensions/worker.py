"""The crawl's worker: assembling documents and every write to the store, in one child process.

Assembling a document (attachment text through pdfium and the layout pass, metadata, articles)
and storing it (zlib, SQLite, its full-text index, citations) are CPU-bound and hold the GIL: on the reactor thread they stalled every download while they ran, and
threads would not run beside the reactor (pdfium is not thread-safe besides). The parsers are pure
functions and SQLite lets another process write, so one child process (`crawler.child`: calls over
pipes, nothing of the crawl's state inherited) assembles and writes on another core while the
crawl process fetches. Components ask the crawler's worker (`worker_for(crawler)`):

    worker.save_page(url, status=, body=, kind=, ...)    # -> SavedPage(sha256, changed), at once
    worker.touch_page(url, at)
    await worker.parse_and_store(job)                    # crawler.pages: PageJob -> PageOutcome
    await worker.withdraw(document_id, date)             # True when this call withdrew it

One call per detail page: `parse_and_store` assembles the document from the page the spider read
(crawler.pages) and writes it, its citations and search rows; only the `PageOutcome` comes back.

Calls are carried out in the order they are made, so a page is stored before the document parsed
from it. The child writes through its own `output.db.Store` in group commit: `commit()` runs every
NDRC_COMMIT_INTERVAL seconds and when the spider closes, one commit (and one full-text index
segment per table) for many pages and documents instead of one each. The crawl process's Store
(extensions.store) only reads meanwhile: known documents, validators, the newest content of a URL.

A crawl killed (kill -9 included) loses the writes since the last commit, never committed ones:
the child drops its open transaction when its input closes, and the next run fetches those pages
again. Writes lost any other way (a failed commit, a failed write nobody waited for, the child
dying, say in pdfium on a hostile PDF) stop the run, judged a partial failure, and nothing more is
committed: a document kept after its page was lost would break "a page is stored before its
document".

With NDRC_WORKER_PROCESS False, or without the asyncio reactor, the same calls run on the reactor
thread, writing through the crawl's Store (group commit all the same).

Settings read: NDRC_WORKER_PROCESS, NDRC_COMMIT_INTERVAL (0: every write commits). Stats:
``ndrc/store/commits``, ``ndrc/store/writes_lost``.

This module imports neither Scrapy nor asyncio at import time: the child loads the parsers and the
store only.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from crawler.child import CallFailed, Child, ChildDied, serve
from crawler.pages import FAILED, PageJob, PageOutcome, parse_and_store

logger = logging.getLogger(__name__)

WORKER_ATTR = "ndrc_worker"
STATS_PREFIX = "ndrc/store"
# Close reason of a run stopped because writes were lost.
CLOSE_REASON = "store_writes_lost"


@dataclass(frozen=True)
class SavedPage:
    """What `save_page` tells at once: the stored body's sha256, and whether the URL's content changed."""

    sha256: str
    changed: bool


# -- what the child runs --------------------------------------------------------------------------------


class _ChildStore:
    """The child's end of the store: one `output.db.Store`."""

    def __init__(self):
        self.store = None

    def open(self, path: str, group: bool) -> None:
        from output.db import Store

        self.store = Store(path)
        self.store.group_commits(group)

    def close(self, keep: bool) -> None:
        if not keep:
            self.store.rollback()
        self.store.close()  # commits what is still held
        self.store = None

    def save_page(self, url: str, page: dict) -> None:
        self.store.save_page(url, **page)

    def calls(self) -> dict:
        def store():
            return self.store

        return {
            "open_store": self.open,
            "close_store": self.close,
            "commit": lambda: store().commit(),
            "save_page": self.save_page,
            "touch_page": lambda url, at: store().touch_page(url, at),
            "parse_and_store": lambda job: parse_and_store(store(), job),
            "withdraw": lambda doc_id, date: store().withdraw(doc_id, date),
        }


def child_calls() -> dict:
    """Everything a worker child answers."""
    import parsers.document  # noqa: F401 - loaded while the crawl starts, not on the first page

    return _ChildStore().calls()


# -- the crawl's side -------------------------------------------------------------------------------------


class CrawlWorker:
    """The parsing and the writes of one crawl: in a child process, or inline through `store`."""

    def __init__(self, store, *, process: bool = True, group: bool = True, stats=None, on_lost=None):
        self.store = store  # the crawl's Store: reads, and the writes when inline
        self.process = bool(process)
        self.group = bool(group)
        self.stats = stats
        self.on_lost = on_lost  # called once, when writes are first lost (the crawl stops the run)
        self.lost = False
        self._child: Child | None = None
        # the newest sha256 of each URL saved through the child since its last commit, which the
        # crawl's Store cannot see yet (see save_page)
        self._unsaved: dict[str, str] = {}

    # -- lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the child (a crawl does when its engine starts), or go inline."""
        if self.process:
            try:
                import asyncio

                asyncio.get_running_loop()
            except RuntimeError:
                pass  # not under the asyncio reactor
            else:
                try:
                    self._child = await self._spawn()
                    return
                except Exception as err:  # noqa: BLE001 - no child can start here: work inline
                    logger.error("cannot start the worker process (%s); working in the crawl process", err)
        self.process = False
        self.store.group_commits(self.group)

    async def _spawn(self) -> Child:
        child = await Child.start(__name__)
        # not waited for (the child is still loading the parsers): later calls queue behind it
        child.send("open_store", str(self.store.path), self.group).add_done_callback(self._check)
        return child

    async def commit(self) -> bool:
        """Commit the writes made so far; False when there were none, or writes were lost.

        Once writes were lost nothing more is committed (see the module docstring).
        """
        if self.lost:
            return False
        try:
            if self._child is None:
                committed = self.store.commit()
            else:
                sent = dict(self._unsaved)
                committed = await self._child.call("commit")
                for url, sha in sent.items():  # committed now, unless sent again meanwhile
                    if self._unsaved.get(url) == sha:
                        del self._unsaved[url]
        except Exception as err:  # noqa: BLE001 - counted, and the run stopped
            self._lost(err)
            return False
        if committed:
            self._count("commits")
        return committed

    async def close(self) -> None:
        """Commit (unless writes were lost) and stop the child."""
        await self.commit()
        child, self._child = self._child, None
        if child is None:
            if self.lost:
                self.store.rollback()
            self.store.group_commits(False)
            return
        if child.alive:
            try:
                await child.call("close_store", not self.lost)
            except Exception as err:  # noqa: BLE001
                self._lost(err)
        await child.stop()

    # -- writes -------------------------------------------------------------------------------------------

    def save_page(self, url: str, **page) -> SavedPage:
        """Store one response raw (`Store.save_page`): its sha256 and whether the URL's content changed.

        Through the child the row is written a little later, in order; `changed` is decided here,
        against the newest content the crawl's Store sees and the pages sent since the last commit.
        """
        if self._child is None:
            ref = self.store.save_page(url, **page)
            return SavedPage(ref.sha256, ref.changed)
        sha = hashlib.sha256(page["body"]).hexdigest()
        previous = self._unsaved.get(url) or self.store.newest_sha256(url)
        self._unsaved[url] = sha
        self._send("save_page", url, page)
        return SavedPage(sha, previous != sha)

    def touch_page(self, url: str, at: str) -> None:
        """Record a 304 for `url` (`Store.touch_page`)."""
        if self._child is None:
            self.store.touch_page(url, at)
        else:
            self._send("touch_page", url, at)

    async def parse_and_store(self, job: PageJob) -> PageOutcome:
        """`crawler.pages.parse_and_store`: the page's document assembled and written, in order."""
        if self._child is None:
            return parse_and_store(self.store, job)
        try:
            return await self._call("parse_and_store", job)
        except ChildDied:
            return PageOutcome(FAILED, None, "worker_died", "the worker process died; the run stops")

    async def withdraw(self, document_id: str, date: str) -> bool:
        """`Store.withdraw`: True when this call withdrew the document."""
        if self._child is None:
            return self.store.withdraw(document_id, date)
        return await self._call("withdraw", document_id, date)

    def _send(self, name: str, *args) -> None:
        self._child.send(name, *args).add_done_callback(self._check)

    def _check(self, answer) -> None:
        if not answer.cancelled() and answer.exception() is not None:
            self._lost(answer.exception())

    async def _call(self, name: str, *args):
        try:
            return await self._child.call(name, *args)
        except CallFailed:
            raise  # this write failed alone and was undone, as the Store's own error would be
        except ChildDied as err:
            self._lost(err)
            raise

    def _lost(self, err: Exception) -> None:
        self._count("writes_lost")
        if not self.lost:
            self.lost = True
            logger.error("writes to the database were lost (%s: %s); stopping the run", type(err).__name__, err)
            if self.on_lost is not None:
                self.on_lost()

    def _count(self, what: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"{STATS_PREFIX}/{what}")


def worker_for(crawler) -> CrawlWorker:
    """The crawl's worker, made on first use (NDRC_WORKER_PROCESS, NDRC_COMMIT_INTERVAL)."""
    worker = getattr(crawler, WORKER_ATTR, None)
    if worker is None:
        from crawler.extensions.store import store_for

        def stop_run() -> None:
            from scrapy.utils.defer import deferred_from_coro

            engine = getattr(crawler, "engine", None)
            if engine is not None and engine.spider is not None:
                deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))

        worker = CrawlWorker(
            store_for(crawler),
            process=crawler.settings.getbool("NDRC_WORKER_PROCESS"),
            group=crawler.settings.getfloat("NDRC_COMMIT_INTERVAL") > 0,
            stats=crawler.stats,
            on_lost=stop_run,
        )
        setattr(crawler, WORKER_ATTR, worker)
    return worker


class WorkerExtension:
    """Starts the worker with the engine, commits every NDRC_COMMIT_INTERVAL, stops it with the spider."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("NDRC_COMMIT_INTERVAL")
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        ext = cls(crawler)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        # spider_closed: every item is through the pipelines, and the crawl's Store is still open
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    async def engine_started(self) -> None:
        worker = worker_for(self.crawler)
        await worker.start()
        if self.interval > 0:
            from scrapy.utils.defer import deferred_from_coro
            from twisted.internet import task

            self.loop = task.LoopingCall(lambda: deferred_from_coro(worker.commit()))
            self.loop.start(self.interval, now=False)

    async def spider_closed(self, spider, reason) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        await worker_for(self.crawler).close()

if __name__ == "__main__":
    serve(child_calls())
