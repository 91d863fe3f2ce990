"""Parsing in a child process, so the reactor keeps fetching while pages are parsed.

Parsing a page with its PDF and OFD attachments is CPU-bound Python that holds the GIL: on the
reactor thread it stalls every download while it runs, and a thread would not run beside the
reactor either (pdfium is not thread-safe besides). The parsers are pure functions, bytes in and
frozen dataclasses out, so a child process runs them on another core: the page and its attachments
go to it over a pipe, the `Document` (or the reason there is none) comes back. A crawl awaits
`parse_worker_for(crawler).parse(...)` (the parse pipeline) and `.page_links(...)` (the spider).

The children are `python -m crawler.extensions.parse_worker` processes (`crawler.child`: calls
over pipes, driven by the asyncio loop under the reactor, no thread of ours, nothing of the
crawl's state inherited). They start with the engine and stop with it, and end by themselves
when the crawl process is gone, kill -9 included. A child that dies while parsing (a crash in
pdfium on a hostile PDF) is replaced and its calls retried once in the new one; a page that kills
the parser twice is reported as the parse failure ``parser_crashed``. Without the asyncio
reactor, or with NDRC_PARSE_WORKERS = 0, the parsers run on the reactor thread, as before.

Settings read: NDRC_PARSE_WORKERS (child processes; 0 parses on the reactor thread). Stats:
``ndrc/parse_worker/started``, ``ndrc/parse_worker/died``.

This module imports no Scrapy at import time, so a child loads only the parsers.
"""

from __future__ import annotations

import logging

from crawler.child import CallFailed, Child, ChildDied, serve

logger = logging.getLogger(__name__)

WORKER_ATTR = "ndrc_parse_worker"
STATS_PREFIX = "ndrc/parse_worker"
# A call whose child died is retried this many times in a fresh child before it is given up.
CRASH_RETRIES = 1


# -- the functions a child runs ---------------------------------------------------------------------


def parse_page(body: bytes, url: str, attachments: dict, listing) -> tuple:
    """`parsers.parse` as a picklable answer: ("ok", Document) or ("failed", reason, message).

    A `ParseError` (the input holds no document) gives its reason; any other exception is a
    parser bug ("parser_error"), which costs one page, not the run.
    """
    from parsers import ParseError, parse

    try:
        return ("ok", parse(body, url, attachments=attachments, listing=listing))
    except ParseError as err:
        return ("failed", err.reason, str(err))
    except Exception as err:  # noqa: BLE001
        return ("failed", "parser_error", f"{type(err).__name__}: {err}")


def page_links(body: bytes, url: str) -> tuple:
    """`parsers.document.page_links`: (attachments, interpretations) a page needs fetched."""
    from parsers.document import page_links as links

    return links(body, url)


# What a child may be asked to run, by name.
CALLS = {"parse_page": parse_page, "page_links": page_links}


# -- the crawl's side ---------------------------------------------------------------------------------


ParserFailed = CallFailed  # the parser raised in the child; the message names the exception


class ParserCrashed(RuntimeError):
    """The parser process died on the same input every time it was tried."""


class ParseWorker:
    """Runs `parse_page` and `page_links` in `processes` children, or inline when 0."""

    def __init__(self, processes: int, stats=None):
        self.processes = max(0, int(processes))
        self.stats = stats
        self._children: list = []  # asyncio tasks starting (or holding) a crawler.child.Child

    async def parse(self, body: bytes, url: str, attachments: dict, listing) -> tuple:
        """("ok", Document) or ("failed", reason, message); see `parse_page`."""
        try:
            return await self.call("parse_page", body, url, attachments, listing)
        except ParserCrashed as err:
            return ("failed", "parser_crashed", str(err))

    async def page_links(self, body: bytes, url: str) -> tuple:
        """(attachments, interpretations) of a page; ParserFailed if the parser raised."""
        return await self.call("page_links", body, url)

    async def call(self, name: str, *args):
        """CALLS[name](*args) in a child, or inline without children or an asyncio loop."""
        for _ in range(CRASH_RETRIES + 1):
            child = await self._child()
            if child is None:
                return CALLS[name](*args)
            try:
                return await child.call(name, *args)
            except ChildDied:
                self._count("died")
                logger.error("the parser process died while parsing; starting a new one")
        raise ParserCrashed(f"the parser process died {CRASH_RETRIES + 1} times on this input")

    async def start(self) -> None:
        """Start the children now (a crawl does at engine start) rather than on the first page."""
        await self._child()

    async def _child(self) -> Child | None:
        """The live child with the fewest calls waiting, started if need be; None to run inline."""
        import asyncio  # not at the top: a child, which runs this module, has no use for it

        if not self.processes:
            return None
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not under the asyncio reactor
            return None
        self._children = [t for t in self._children if not t.done() or _alive(t)]
        while len(self._children) < self.processes:
            self._children.append(asyncio.ensure_future(Child.start(__name__)))
            self._count("started")
        try:
            children = [await t for t in self._children]
        except Exception as err:  # noqa: BLE001 - no child can start here: parse inline
            logger.error("cannot start a parser process (%s); parsing in the crawl process", err)
            self.processes, self._children = 0, []
            return None
        return min(children, key=lambda c: (not c.alive, c.pending))

    def _count(self, what: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"{STATS_PREFIX}/{what}")

    async def close(self) -> None:
        """Stop the children (each finishes what it was sent first)."""
        tasks, self._children = self._children, []
        for task in tasks:
            try:
                child = await task
            except Exception:  # noqa: BLE001 - it never started: nothing to stop
                continue
            await child.stop()


def _alive(task) -> bool:
    return not task.cancelled() and task.exception() is None and task.result().alive


def parse_worker_for(crawler) -> ParseWorker:
    """The crawl's ParseWorker, made from NDRC_PARSE_WORKERS on first use."""
    worker = getattr(crawler, WORKER_ATTR, None)
    if worker is None:
        worker = ParseWorker(crawler.settings.getint("NDRC_PARSE_WORKERS"), crawler.stats)
        setattr(crawler, WORKER_ATTR, worker)
    return worker


class ParseWorkerExtension:
    """Starts the parse children with the engine and stops them after it."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        ext = cls(crawler)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self):
        from scrapy.utils.defer import deferred_from_coro

        return deferred_from_coro(parse_worker_for(self.crawler).start())

    def engine_stopped(self):
        from scrapy.utils.defer import deferred_from_coro

        return deferred_from_coro(parse_worker_for(self.crawler).close())


if __name__ == "__main__":
    import parsers.document  # noqa: F401 - loaded while the crawl starts, not on the first page

    serve(CALLS)
