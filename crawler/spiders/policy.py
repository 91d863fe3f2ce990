"""The one spider: every policy column of www.ndrc.gov.cn, newest first, incremental.

For each column (`/xxgk/zcfb/{column}/index.html`, `index_1.html`, … as createPageHTML counts) it
reads the list, fetches the detail pages it does not know yet, each with all its attachments and the
解读 pages it links, and yields one `PageItem` per page only once everything the page needs was
fetched: a document becomes "known" (stored) complete or not at all, so a run killed at any moment
is finished by the next.

Incremental rules:
- paging stops at the first list page whose entries are all known, unless NDRC_FULL or the column
  has not yet been crawled to the end by a healthy run (`Store.last_runs`): then every page is read;
- known detail pages are not fetched again, except those published in the last NDRC_RECHECK_DAYS
  days (conditionally: If-None-Match / If-Modified-Since), and every one with NDRC_FULL;
- a known active document of the column that is missing from the list pages read (between their
  newest and oldest dates) is fetched again: 404/410 marks it withdrawn;
- a listed page recorded as a dead link counts as known, and is fetched again only on the day its
  back-off says; so is the document of a dead attachment or 解读 page (extensions.deadlinks).

Identity: a page is known by its path on the site (`parsers.canonical.site_path`), never by the
host it was fetched from, and every request goes to NDRC_BASE_URL: a crawl of the same site under
another address (http/https, a mirror, another port of the replica) fetches no known page again,
and never asks the address an earlier run used.

Settings read: NDRC_BASE_URL, NDRC_CANONICAL_BASE, NDRC_COLUMNS, NDRC_COLUMN_NAMES, NDRC_FULL,
NDRC_MAX_PAGES, NDRC_RECHECK_DAYS, NDRC_TODAY. Stats: ``ndrc/<column>/list_pages``, ``ndrc/<column>/details_requested``,
``ndrc/<column>/fetch_failed``, ``ndrc/fetch_failed``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.extensions.deadlinks import DEAD_DUE, DEAD_STATUSES, dead_links_for, run_date
from crawler.extensions.store import store_for
from crawler.history import completed_columns
from crawler.middlewares.blocking import list_page_of
from crawler.middlewares.rawstore import header_value
from crawler.pipelines.items import FetchFailureItem, PageItem, WithdrawnItem
from crawler.pages import PARSER_ERROR, read_response
from output.known import KnownPage, known_pages
from parsers.canonical import site_path

logger = logging.getLogger(__name__)

STATS_PREFIX = "ndrc"
LIST_PATH = "/xxgk/zcfb/{column}/"
INTERPRETATION_CATEGORY = "解读"
# Answers a detail callback must see: 304 (unchanged since the stored validators), 404 and 410
# (the page was withdrawn). Anything else non-2xx is a fetch failure.
DETAIL_STATUSES = [304, 404, 410]
GONE_STATUSES = (404, 410)
# Attachment and 解读 links outside the crawled site are not fetched (mirrors, other ministries).
SAME_SITE_ONLY = True


def list_url(base_url: str, column: str, index: int) -> str:
    """index.html for the first page, index_N.html for page N+1 (createPageHTML's naming)."""
    name = "index.html" if index == 0 else f"index_{index}.html"
    return urljoin(base_url.rstrip("/") + "/", LIST_PATH.format(column=column).lstrip("/") + name)


@dataclass
class ColumnState:
    """Progress of one column through the current run."""

    list_pages: int = 0
    page_count: int | None = None
    listed: set[str] = field(default_factory=set)  # site paths
    oldest_date: str | None = None
    newest_date: str | None = None
    reached_end: bool = False


class PolicySpider(scrapy.Spider):
    name = "policy"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.base_url = settings.get("NDRC_BASE_URL").rstrip("/")
        spider.columns = [c for c in settings.getlist("NDRC_COLUMNS")]
        spider.column_names = dict(settings.getdict("NDRC_COLUMN_NAMES"))
        spider.full = settings.getbool("NDRC_FULL")
        spider.max_pages = settings.getint("NDRC_MAX_PAGES") or 0
        spider.recheck_days = settings.getint("NDRC_RECHECK_DAYS")
        spider.today = run_date(settings)
        spider.known: dict[str, KnownPage] = {}
        spider.deep: dict[str, bool] = {}
        spider.state = {c: ColumnState() for c in spider.columns}
        spider.canonical_base = settings.get("NDRC_CANONICAL_BASE").rstrip("/")
        # the hosts the site answers on here: the one crawled, and the canonical one its pages may name
        spider.sites = {urlsplit(spider.base_url).netloc, urlsplit(spider.canonical_base).netloc}
        spider.in_flight: set[str] = set()  # site paths of the detail pages requested this run
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        return spider

    # -- start -------------------------------------------------------------------------------------
    async def start(self):
        store = store_for(self.crawler)
        self.known = known_pages(store)
        dead = dead_links_for(self.crawler)
        for url, status in dead.listed().items():  # known for the paging rule, fetched when due
            self.known.setdefault(site_path(url), KnownPage(None, None, None, status))
        complete = self.settings.getlist("NDRC_COMPLETED_COLUMNS", None)
        complete = set(complete) if complete is not None else completed_columns(store)
        for column in self.columns:
            self.deep[column] = self.full or column not in complete
            yield self.list_request(column, 0)
        for url, column in dead.parents_due():  # a dead attachment or 解读 page is due: fetch its page whole
            if column in self.state:
                request = self.detail_request(url, column, listing=None, known=None)
                if request is not None:
                    yield request

    def list_request(self, column: str, index: int) -> scrapy.Request:
        category = self.column_names.get(column)
        has_known = any(k.category == category for k in self.known.values())
        return scrapy.Request(
            list_url(self.base_url, column, index),
            callback=self.parse_list,
            errback=self.list_failed,
            dont_filter=True,
            # List pages are always fetched whole: they are how new documents are found.
            meta={
                "ndrc_kind": "list",
                "ndrc_column": column,
                "ndrc_page_index": index,
                # a list page that lists nothing is a block page when the column had entries
                "ndrc_expect_items": index > 0 or has_known,
            },
        )

    # -- list pages --------------------------------------------------------------------------------
    def parse_list(self, response):
        column = response.meta["ndrc_column"]
        index = response.meta["ndrc_page_index"]
        state = self.state[column]
        page = list_page_of(response)  # parsed once, by block detection when it looked
        state.list_pages += 1
        state.page_count = page.page_count or state.page_count or 1
        self.crawler.stats.inc_value(f"{STATS_PREFIX}/{column}/list_pages")
        all_known = True
        requested = 0
        for item in page.items:
            state.listed.add(site_path(item.url))
            if item.date:
                state.oldest_date = min(filter(None, [state.oldest_date, item.date]))
                state.newest_date = max(filter(None, [state.newest_date, item.date]))
            known = self.known.get(site_path(item.url))
            if known is None:
                all_known = False
            request = self.detail_request(item.url, column, listing=item, known=known)
            if request is not None:
                requested += 1
                yield request
        last = index + 1 >= (page.page_count or 1)
        limited = self.max_pages and state.list_pages >= self.max_pages
        more = not last and not limited and (self.deep[column] or not all_known)
        logger.info(
            "[%s] list page %d/%s: %d entries, %d to fetch%s",
            column,
            index + 1,
            page.page_count or "?",
            len(page.items),
            requested,
            "" if more else " (last page read this run)",
        )
        if more:
            yield self.list_request(column, index + 1)
            return
        state.reached_end = last
        yield from self.missing_checks(column)

    def list_failed(self, failure):
        request = failure.request
        column = request.meta.get("ndrc_column", "?")
        if dropped_on_purpose(failure):
            return
        self.crawler.stats.inc_value(f"{STATS_PREFIX}/list_failed")
        self.crawler.stats.inc_value(f"{STATS_PREFIX}/{column}/list_failed")
        logger.error("[%s] list page %s could not be fetched: %s", column, request.url, failure_reason(failure))

    def missing_checks(self, column: str):
        """Re-fetch known active documents of the column that the list pages read no longer show."""
        state = self.state[column]
        category = self.column_names.get(column)
        for path, known in self.known.items():
            if known.category != category or known.status == "withdrawn" or path in state.listed:
                continue
            date = known.publish_date
            if not state.reached_end:
                # Only the span the pages read cover: older documents live on pages not read.
                if not date or not state.oldest_date or date <= state.oldest_date:
                    continue
            # asked of the site crawled now, whatever address the page was stored from
            request = self.detail_request(self.base_url + path, column, listing=None, known=known, force=True)
            if request is not None:
                yield request

    # -- detail pages ------------------------------------------------------------------------------
    def detail_request(self, url, column, *, listing, known, force=False):
        """The request for a detail page, or None when the known page needs no fetch this run."""
        url = self.site_url(url)
        if url is None or site_path(url) in self.in_flight:
            return None
        if known is not None and known.status in DEAD_STATUSES:
            if known.status != DEAD_DUE:
                return None  # a dead link, not due for its re-check today
            known = None  # due: fetched whole, as a new page
        conditional = known is not None and not self.full
        if known is not None and not (self.full or force or self.is_recent(known, listing)):
            return None
        self.in_flight.add(site_path(url))
        self.crawler.stats.inc_value(f"{STATS_PREFIX}/{column}/details_requested")
        return scrapy.Request(
            url,
            callback=self.parse_detail,
            errback=self.detail_failed,
            meta={
                "ndrc_kind": "detail",
                "ndrc_column": column,
                "ndrc_listing": listing,
                "ndrc_known": known,
                "ndrc_conditional": conditional,
                "handle_httpstatus_list": DETAIL_STATUSES,
            },
        )

    def is_recent(self, known: KnownPage, listing) -> bool:
        date = (listing.date if listing is not None else None) or known.publish_date
        if not date or self.recheck_days <= 0:
            return False
        try:
            published = dt.date.fromisoformat(date[:10])
        except ValueError:
            return False
        return (self.today - published).days < self.recheck_days

    async def parse_detail(self, response):
        meta = response.meta
        column = meta["ndrc_column"]
        known = meta.get("ndrc_known")
        if response.status in GONE_STATUSES:
            if known is not None and known.status == "withdrawn":
                return  # withdrawn before: keeps its first withdrawal date
            if known is not None and known.id:
                yield WithdrawnItem(response.url, known.id, column, response.status, self.today.isoformat())
            # else a page that held no document, or a listed page that does not exist: a dead
            # link (extensions.deadlinks records it)
            return
        if response.status == 304:
            return  # unchanged: the raw store touched it
        if known is not None and not self.full and meta.get("ndrc_page_changed") is False:
            return  # the same bytes as the stored page: the document is unchanged
        async for item in self.complete_page(response, column, meta.get("ndrc_listing")):
            yield item

    async def complete_page(self, response, column, listing, *, category=None):
        """Fetch what the page needs (attachments, 解读 pages) and yield its items, parent last.

        The page is read here, once (`crawler.pages.read_response`): its links are needed now,
        and the worker assembles the document from this same read (see crawler.pages).
        """
        read = read_response(response.body, response.url, header_value(response, b"Content-Type"))
        if read.reason == PARSER_ERROR:
            logger.error("parser error on %s: %s", response.url, read.message)
        fetched: dict[str, bytes] = {}
        for att in read.attachments:
            if not att.url or att.url in fetched or self.site_url(att.url) is None:
                continue
            try:
                att_response = await self.fetch(self.site_url(att.url), "attachment", column)
            except IgnoreRequest:
                return  # stopped (blocked) or forbidden: the page stays unknown, retried next run
            except Exception as err:  # noqa: BLE001 - network errors after the retries
                yield FetchFailureItem(response.url, column, f"attachment {att.url}: {err}")
                return
            if att_response.status == 200:
                fetched[att.url] = att_response.body
            elif att_response.status not in GONE_STATUSES:
                yield FetchFailureItem(response.url, column, f"attachment {att.url}: HTTP {att_response.status}")
                return
            # a 404 attachment is recorded by the parser as not fetched; the document is whole
        if read.extract is not None and category is None:
            links = list(read.interpretations)
            if listing is not None:
                links += list(getattr(listing, "interpretations", ()) or ())
            async for item in self.interpretations(links, column):
                yield item
        yield PageItem(
            url=response.url,
            column=column,
            read=read,
            page_sha256=response.meta.get("ndrc_page_sha256") or hashlib.sha256(response.body).hexdigest(),
            fetched_at=response.meta.get("ndrc_fetched_at"),
            listing=listing,
            attachments=fetched,
            category=category,
        )

    async def interpretations(self, links, column):
        """The 解读 pages a document links, fetched and yielded before the document itself."""
        for link in links:
            url = self.site_url(link.url) if link.url else None
            if url is None or site_path(url) in self.in_flight:
                continue
            known = self.known.get(site_path(url))
            if known is not None and not self.full:
                continue
            self.in_flight.add(site_path(url))
            try:
                response = await self.fetch(url, "detail", column)
            except IgnoreRequest:
                return
            except Exception as err:  # noqa: BLE001
                yield FetchFailureItem(url, column, f"解读 page: {err}")
                continue
            if response.status != 200:
                if response.status not in GONE_STATUSES:
                    yield FetchFailureItem(url, column, f"解读 page: HTTP {response.status}")
                continue
            async for item in self.complete_page(response, column, None, category=INTERPRETATION_CATEGORY):
                yield item

    async def fetch(self, url: str, kind: str, column: str):
        """Download one URL through the downloader middlewares (raw store, blocks, retries)."""
        request = scrapy.Request(
            url,
            dont_filter=True,
            meta={"ndrc_kind": kind, "ndrc_column": column, "handle_httpstatus_all": True},
        )
        return await self.crawler.engine.download_async(request)

    def site_url(self, url: str) -> str | None:
        """Where to fetch a page of the site: `url`'s path on the site crawled now.

        None for what is not fetched: not http(s), or (SAME_SITE_ONLY) another site's. A page
        that names the canonical host (https://www.ndrc.gov.cn/…) is fetched from the crawled
        address too, so a crawl through a mirror stays on the mirror.
        """
        if not url.startswith(("http://", "https://")):
            return None
        netloc = urlsplit(url).netloc
        if netloc not in self.sites:
            return None if SAME_SITE_ONLY else url
        return self.base_url + site_path(url)

    def detail_failed(self, failure):
        request = failure.request
        column = request.meta.get("ndrc_column", "?")
        if dropped_on_purpose(failure):
            return None
        reason = failure_reason(failure)
        return [FetchFailureItem(request.url, column, reason)]

    def _on_closed(self, spider, reason):
        for column, state in self.state.items():
            self.crawler.stats.set_value(f"{STATS_PREFIX}/{column}/reached_end", state.reached_end)


def dropped_on_purpose(failure) -> bool:
    """A request dropped by a middleware on purpose (blocked run, robots.txt), not a failed fetch."""
    return bool(failure.check(IgnoreRequest)) and not failure.check(HttpError)


def failure_reason(failure) -> str:
    """One line saying why a fetch failed: the HTTP status that outlived the retries, or the error."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return (str(failure.value).splitlines() or [""])[0] or type(failure.value).__name__

