"""The site cannot be reached: say so once, early, and stop, instead of failing every column.

Until the site has answered anything at all (any HTTP status counts: a 500 is an answer), each
request gets a shorter download timeout (NDRC_FIRST_CONTACT_TIMEOUT), so a site that swallows
connections is found out in about a minute rather than after 60-second timeouts on every column.
When the first request to run out of its retries (robots.txt, or a first list page) did so without
any answer from the site (DNS failure, connection refused, timeouts), the run stops with the close
reason ``unreachable`` and the stat ``ndrc/unreachable``: one line naming the host and the reason.
Once the site has answered, failures are the ordinary partial failures of a run.

Sits next to the downloader (order above the retry middleware's), so it sees every failed attempt
before the retry middleware decides to try again.

Settings read: NDRC_FIRST_CONTACT_TIMEOUT, RETRY_ENABLED, RETRY_TIMES, DOWNLOAD_TIMEOUT.
Stats: ``ndrc/unreachable`` (the one line), ``ndrc/unreachable/host``.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import deferred_from_coro

from crawler.console import VERDICT

logger = logging.getLogger(__name__)

STATS_KEY = "ndrc/unreachable"
CLOSE_REASON = "unreachable"
META_TIMEOUT = "ndrc_timeout_before_contact"
# What a network failure means, in words, by the exception's class name (Scrapy's and Twisted's).
REASONS = {
    "CannotResolveHostError": "the host name does not resolve (DNS lookup failed)",
    "DNSLookupError": "the host name does not resolve (DNS lookup failed)",
    "DownloadConnectionRefusedError": "connection refused",
    "ConnectionRefusedError": "connection refused",
    "DownloadTimeoutError": "no answer within {timeout:g} s",
    "TimeoutError": "no answer within {timeout:g} s",
    "TCPTimedOutError": "no answer within {timeout:g} s",
    "NoRouteError": "no route to the host",
    "ConnectionLost": "the connection closed before an answer",
    "ConnectionDone": "the connection closed before an answer",
    "ResponseNeverReceived": "the connection closed before an answer",
    "ResponseDataLossError": "the connection closed before the whole answer",
}
OFFLINE_HINT = "no network? `ndrc-policy demo` crawls a local replica of the site"


class SiteUnreachable(IgnoreRequest):
    """Raised for every request once the run stopped because the site cannot be reached."""


def failure_words(exception: BaseException, timeout: float) -> str:
    """Why a download failed, in words, without the exception's class name."""
    for cls in type(exception).__mro__:
        words = REASONS.get(cls.__name__)
        if words:
            return words.format(timeout=timeout)
    text = (str(exception).splitlines() or [""])[0].strip()
    return text or "the download failed"


class ReachabilityMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.first_timeout = settings.getfloat("NDRC_FIRST_CONTACT_TIMEOUT")
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        self.retry = settings.getbool("RETRY_ENABLED")
        self.retry_times = settings.getint("RETRY_TIMES")
        self.answered: set[str] = set()  # hosts that answered this run
        self.stopped: str | None = None
        self.attempts = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if self.stopped:
            raise SiteUnreachable(self.stopped)
        host = urlsplit(request.url).netloc
        if host in self.answered:
            if META_TIMEOUT in request.meta:  # a retry of a request sent before the first answer
                request.meta["download_timeout"] = request.meta.pop(META_TIMEOUT)
            return None
        if self.first_timeout > 0:
            current = request.meta.get("download_timeout", self.timeout)
            if current > self.first_timeout:
                request.meta.setdefault(META_TIMEOUT, current)
                request.meta["download_timeout"] = self.first_timeout
        return None

    def process_response(self, request, response, spider=None):
        self.answered.add(urlsplit(request.url).netloc)
        return response

    def process_exception(self, request, exception, spider=None):
        host = urlsplit(request.url).netloc
        if self.stopped or host in self.answered or isinstance(exception, IgnoreRequest):
            return None
        self.attempts += 1
        if not self._last_try(request):
            return None
        words = failure_words(exception, request.meta.get("download_timeout", self.timeout))
        self.stop(host, words)
        raise SiteUnreachable(self.stopped)

    def _last_try(self, request) -> bool:
        if not self.retry or request.meta.get("dont_retry"):
            return True
        limit = request.meta.get("max_retry_times", self.retry_times)
        return request.meta.get("retry_times", 0) >= limit

    def stop(self, host: str, words: str) -> None:
        self.stopped = f"cannot reach {host}: {words} ({self.attempts} tries); {OFFLINE_HINT}"
        stats = self.crawler.stats
        stats.set_value(STATS_KEY, self.stopped)
        stats.set_value(f"{STATS_KEY}/host", host)
        logger.error(self.stopped, extra={VERDICT: True})
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            self._closing = deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))
