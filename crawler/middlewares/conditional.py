"""Conditional requests: a known page is asked for only if it changed since it was stored.

For requests the spider marks ``meta["ndrc_conditional"]`` (known detail pages fetched again),
adds If-None-Match / If-Modified-Since from the validators stored with the page's newest content
(`Store.page_validators`); the site then answers 304 without a body when nothing changed. A full
crawl (NDRC_FULL) sends no validators: it fetches every page whole.

Settings read: NDRC_FULL. Stats: ``ndrc/conditional/sent``.
"""

from __future__ import annotations

from crawler.extensions.store import store_for

STATS_KEY = "ndrc/conditional/sent"


class ConditionalRequestMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.full = crawler.settings.getbool("NDRC_FULL")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if self.full or not request.meta.get("ndrc_conditional"):
            return None
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return None
        validators = store_for(self.crawler).page_validators(request.url)
        if validators is None:
            return None
        etag, last_modified = validators
        if etag:
            request.headers[b"If-None-Match"] = etag
        if last_modified:
            request.headers[b"If-Modified-Since"] = last_modified
        self.crawler.stats.inc_value(STATS_KEY)
        return None
