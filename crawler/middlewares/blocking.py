"""Block detection: WAF answers, challenge shells and empty pages are never content.

A response is a block when its status is one the site's WAF uses (NDRC_BLOCK_STATUSES: 403, 412,
429, 521), when `parsers.blocking.block_reason` recognises a challenge or block page served with
200, when a page or robots.txt comes back empty or as an HTML page, or when a column list page
suddenly lists nothing. Such a response never reaches the raw store, the spider or the retry
middleware: the request is sent again after a long, doubling pause (NDRC_BLOCK_BACKOFF, at most
NDRC_BLOCK_BACKOFF_MAX) up to NDRC_BLOCK_RETRIES times; then the run is stopped with the close
reason ``blocked`` and every request still queued is dropped. A robots.txt that is a block page
stops the run too: it is neither "allow all" nor "disallow all".

A list page parsed here is handed to the spider in ``request.meta`` (`list_page_of`), so it is
parsed once.

Settings read: NDRC_BLOCK_STATUSES, NDRC_BLOCK_RETRIES, NDRC_BLOCK_BACKOFF, NDRC_BLOCK_BACKOFF_MAX.
Stats: ``ndrc/blocked/count``, ``ndrc/blocked/reason/<reason>``, ``ndrc/blocked/stopped`` (the one
line saying where and how often), ``ndrc/blocked/url``.
"""

from __future__ import annotations

import logging
import re

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import deferred_from_coro

from crawler.console import VERDICT
from crawler.extensions.stall import pausing
from crawler.middlewares.backoff import backoff_delay

logger = logging.getLogger(__name__)

STATS_PREFIX = "ndrc/blocked"
CLOSE_REASON = "blocked"
META_TRIES = "ndrc_block_tries"
# (body, parsers.ListPage) of a list page this middleware parsed, for the spider (see list_page_of)
META_LIST_PAGE = "ndrc_list_page"

# Binary attachments are looked at by their magic bytes only: a PDF, OFD/DOCX (zip) or OLE file
# (DOC, WPS, XLS) cannot be a WAF page, and scanning megabytes of it for challenge markers is waste.
BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
# robots.txt is plain text; an HTML document in its place is the WAF's page or an error page.
HTML_START = re.compile(rb"^\s*(<!doctype|<html|<head|<body|<script)", re.IGNORECASE)


class StoppedBlocked(IgnoreRequest):
    """Raised for every request once the run has been stopped because the site blocks us."""


class BlockDetectionMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.block_statuses = {int(s) for s in settings.getlist("NDRC_BLOCK_STATUSES")}
        self.max_tries = settings.getint("NDRC_BLOCK_RETRIES")
        self.backoff = settings.getfloat("NDRC_BLOCK_BACKOFF")
        self.backoff_max = settings.getfloat("NDRC_BLOCK_BACKOFF_MAX")
        self.stopped: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # -- detection ---------------------------------------------------------------------------------
    def block_reason(self, request, response) -> str | None:
        """Why this response is a block page, or None when it is a real answer."""
        status = response.status
        body = response.body or b""
        kind = request.meta.get("ndrc_kind")
        is_robots = request.url.endswith("/robots.txt")
        if status in self.block_statuses:
            return f"HTTP {status}"
        if status != 200:
            return None  # 304, 404, 410, 5xx: answers, handled by the spider and the retries
        if body.startswith(BINARY_MAGIC):
            return None
        if not body.strip():
            return None if is_robots else "empty body"
        if is_robots and HTML_START.match(body):
            return "robots.txt answered with an HTML page"
        from parsers.blocking import block_reason

        reason = block_reason(body, status)
        if reason:
            return reason
        if kind == "list" and request.meta.get("ndrc_expect_items", True):
            # A column that had entries (or a page past the first) listing nothing is a block
            # page dressed as a list; a first page of a column never seen may really be empty.
            from parsers import parse_list_page

            page = parse_list_page(body, response.url)
            # the spider reads the same page: it takes this parse (META_LIST_PAGE) instead of its own
            request.meta[META_LIST_PAGE] = (body, page)
            if not page.items:
                return "list page without items"
        return None

    # -- Scrapy hooks ------------------------------------------------------------------------------
    def process_request(self, request, spider=None):
        if self.stopped:
            raise StoppedBlocked(self.stopped)
        return None

    async def process_response(self, request, response, spider=None):
        reason = self.block_reason(request, response)
        if reason is not None:
            self.stats.inc_value(f"{STATS_PREFIX}/count")
            self.stats.inc_value(f"{STATS_PREFIX}/reason/{reason}")
        if self.stopped:
            raise StoppedBlocked(self.stopped)
        if reason is None:
            return response
        tries = request.meta.get(META_TRIES, 0) + 1
        if tries <= self.max_tries:
            delay = backoff_delay(tries, self.backoff, self.backoff_max)
            logger.warning(
                "blocked (%s) at %s; trying again in %.0f s (%d/%d)", reason, request.url, delay, tries, self.max_tries
            )
            if delay:
                pausing(self.crawler, delay)  # a wait on purpose, no stall
                await sleep(delay)
            if self.stopped:
                raise StoppedBlocked(self.stopped)
            retry = request.replace(dont_filter=True)
            retry.meta[META_TRIES] = tries
            return retry
        self.stop(reason, request.url)
        raise StoppedBlocked(self.stopped)

    def stop(self, reason: str, url: str) -> None:
        """Stop the run: one line saying it was blocked, where and how often."""
        count = self.stats.get_value(f"{STATS_PREFIX}/count", 0)
        self.stopped = f"blocked by the site at {url}: {reason} ({count} blocked responses); the run stopped early"
        self.stats.set_value(f"{STATS_PREFIX}/stopped", self.stopped)
        self.stats.set_value(f"{STATS_PREFIX}/url", url)
        logger.error(self.stopped, extra={VERDICT: True})
        self.close_spider()

    def close_spider(self) -> None:
        self._closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason=CLOSE_REASON))


def list_page_of(response):
    """The `parsers.ListPage` of a list response: the one parsed here when it was, else parsed now."""
    body, page = response.meta.pop(META_LIST_PAGE, (None, None))
    if page is not None and body is response.body:
        return page
    from parsers import parse_list_page

    return parse_list_page(response.body, response.url)
