"""Retries of 5xx answers and network errors with an exponential back-off between attempts.

Scrapy's RetryMiddleware sends a failed request again at once; a government site that answers 500
or drops connections is usually overloaded, and hammering it makes that worse. This subclass waits
NDRC_RETRY_BACKOFF * 2**(attempt-1) seconds (at most NDRC_RETRY_BACKOFF_MAX) before each retry.

Settings read: RETRY_ENABLED, RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS (Scrapy's own),
NDRC_RETRY_BACKOFF, NDRC_RETRY_BACKOFF_MAX. Stats: ``ndrc/retry/backoff_seconds``.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request
from scrapy.utils.asyncio import sleep

from crawler.extensions.stall import pausing

STATS_PREFIX = "ndrc/retry"


def backoff_delay(attempt: int, base: float, maximum: float) -> float:
    """Seconds to wait before retry number `attempt` (1-based): base, 2·base, 4·base, … capped."""
    if base <= 0:
        return 0.0
    return min(maximum, base * (2 ** max(0, attempt - 1)))


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that sleeps with exponential back-off before handing back the retry."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("NDRC_RETRY_BACKOFF")
        self.backoff_max = settings.getfloat("NDRC_RETRY_BACKOFF_MAX")

    async def _wait(self, result):
        if isinstance(result, Request):
            delay = backoff_delay(result.meta.get("retry_times", 1), self.backoff, self.backoff_max)
            if delay:
                self.crawler.stats.inc_value(f"{STATS_PREFIX}/backoff_seconds", delay)
                pausing(self.crawler, delay)  # a wait on purpose, no stall
                await sleep(delay)
        return result

    async def process_response(self, request, response, spider=None):
        return await self._wait(super().process_response(request, response))

    async def process_exception(self, request, exception, spider=None):
        return await self._wait(super().process_exception(request, exception))
