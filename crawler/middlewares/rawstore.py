"""Raw page storage: every answer the site gives is written to `pages` before anything parses it.

Runs after block detection and the retries (lower order number), so what reaches it is a real
answer: a 200 is stored raw (a body already stored for the URL only moves `last_checked`), a 304
touches the stored content, a 404/410 is stored with its status. 5xx answers that outlived their
retries are not content and are not stored. The stored page's sha256, whether the URL's content
changed, and the fetch time go into ``request.meta`` (`ndrc_page_sha256`, `ndrc_page_changed`,
`ndrc_fetched_at`) for the spider and the pipelines.

Settings read: none (the writes go through extensions.worker). Stats: ``ndrc/pages/stored``,
``ndrc/pages/changed``, ``ndrc/pages/not_modified``.
"""

from __future__ import annotations

from crawler.extensions.worker import worker_for

STATS_PREFIX = "ndrc/pages"
# Answers kept as the page's content: 200, and the 404/410 that say a page was withdrawn.
STORED_STATUSES = (200, 404, 410)
NOT_MODIFIED = 304
KIND_BY_META = {"list": "list", "detail": "detail", "attachment": "attachment"}


class RawPageStoreMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        worker = worker_for(self.crawler)
        from output.timestamps import utc_now

        at = utc_now()
        request.meta["ndrc_fetched_at"] = at
        if response.status == NOT_MODIFIED:
            worker.touch_page(request.url, at)
            self.stats.inc_value(f"{STATS_PREFIX}/not_modified")
            return response
        if response.status not in STORED_STATUSES:
            return response
        kind = KIND_BY_META.get(request.meta.get("ndrc_kind"), "other")
        saved = worker.save_page(
            response.url,
            status=response.status,
            body=response.body,
            kind=kind,
            content_type=header_value(response, b"Content-Type"),
            etag=header_value(response, b"ETag"),
            last_modified=header_value(response, b"Last-Modified"),
            fetched_at=at,
        )
        request.meta["ndrc_page_sha256"] = saved.sha256
        request.meta["ndrc_page_changed"] = saved.changed
        self.stats.inc_value(f"{STATS_PREFIX}/stored")
        if saved.changed:
            self.stats.inc_value(f"{STATS_PREFIX}/changed")
        return response


def header_value(response, name: bytes) -> str | None:
    """A response header as text (latin-1, as HTTP headers are), or None."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
