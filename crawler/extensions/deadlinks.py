"""Dead links in a crawl: which to leave alone today, which to check again, and what this run found.

Reads the `dead_links` table (output.deadlinks) when the engine starts. For the spider
(`dead_links_for(crawler)`):

- `known_status(url)`: a listed page recorded dead is *known* for the stop-at-a-known-list-page rule;
  it is fetched again only on the day its back-off says (status ``dead_due``), else not at all
  (``dead``);
- `parents_due()`: documents whose dead attachment or 解读 page is due: the spider fetches them
  again whole, attachments and 解读 pages with them.

It watches every answer: a 404/410 of a listed page not stored as a document (``ndrc_known`` false
in the request), of an attachment or of a 解读 page is a dead link of this run; a recorded dead
link answering 200 is alive again. What the run found is written when the engine stops, in one
transaction (after the worker's last commit, so the documents linking them are stored).

Settings read: NDRC_TODAY (the run's date, empty for today), NDRC_DEAD_LINK_MAX_DAYS.
Stats: ``ndrc/dead_links/new`` (first met this run), ``ndrc/dead_links/still`` (re-checked, still
dead), ``ndrc/dead_links/revived``, ``ndrc/dead_links/first`` (one of the new ones, for the closing line).
"""

from __future__ import annotations

import datetime as dt
import logging

from scrapy import signals

from output import deadlinks

logger = logging.getLogger(__name__)

STATS_PREFIX = "ndrc/dead_links"
ATTR = "ndrc_dead_links"
DEAD = "dead"  # a KnownPage status: recorded dead, not due today
DEAD_DUE = "dead_due"  # recorded dead, due for its re-check today
DEAD_STATUSES = (DEAD, DEAD_DUE)
GONE = (404, 410)


def run_date(settings) -> dt.date:
    """The run's date: NDRC_TODAY (ISO) when set, else today."""
    value = (settings.get("NDRC_TODAY") or "").strip()
    return dt.date.fromisoformat(value) if value else dt.date.today()


def dead_links_for(crawler) -> DeadLinkExtension:
    ext = getattr(crawler, ATTR, None)
    if ext is None:
        ext = DeadLinkExtension(crawler)
        setattr(crawler, ATTR, ext)
    return ext


class DeadLinkExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self.today = run_date(crawler.settings)
        self.max_days = crawler.settings.getint("NDRC_DEAD_LINK_MAX_DAYS")
        self.table: dict[str, dict] | None = None
        self.seen: dict[str, dict] = {}
        self.revived: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        ext = dead_links_for(crawler)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    # -- what the spider asks --------------------------------------------------------------------------
    def recorded(self) -> dict[str, dict]:
        if self.table is None:
            from crawler.extensions.store import store_for

            self.table = deadlinks.load(store_for(self.crawler).db)
        return self.table

    def listed(self) -> dict[str, str]:
        """url -> DEAD or DEAD_DUE for every listed page recorded dead."""
        return {
            url: DEAD_DUE if deadlinks.is_due(row, self.today) else DEAD
            for url, row in self.recorded().items()
            if row.get("kind") == "detail"
        }

    def parents_due(self) -> list[tuple[str, str]]:
        """(document URL, column) of documents whose dead attachment or 解读 page is due today."""
        out = {}
        for row in self.recorded().values():
            if row.get("kind") != "detail" and row.get("linked_from") and deadlinks.is_due(row, self.today):
                out.setdefault(row["linked_from"], row.get("listed_in"))
        return list(out.items())

    # -- what the run meets ----------------------------------------------------------------------------
    def response_received(self, response, request, spider=None):
        url = request.url
        if response.status == 200:
            if url in self.recorded():
                self.revived.add(url)
                self.crawler.stats.inc_value(f"{STATS_PREFIX}/revived")
            return
        if response.status not in GONE:
            return
        kind = self.kind_of(request)
        if kind is None or url in self.seen:
            return
        self.seen[url] = {"kind": kind, "listed_in": request.meta.get("ndrc_column"), "status": response.status}
        stats = self.crawler.stats
        if url in self.recorded():
            stats.inc_value(f"{STATS_PREFIX}/still")
        else:
            stats.inc_value(f"{STATS_PREFIX}/new")
            if stats.get_value(f"{STATS_PREFIX}/first") is None:
                stats.set_value(f"{STATS_PREFIX}/first", f"{url} (HTTP {response.status})")
            logger.warning("dead link (HTTP %d, %s): %s", response.status, kind, url)

    @staticmethod
    def kind_of(request) -> str | None:
        meta = request.meta
        kind = meta.get("ndrc_kind")
        if kind == "attachment":
            return "attachment"
        if kind != "detail":
            return None
        if "ndrc_known" not in meta:
            return "interpretation"  # fetched for its document, not listed
        return None if meta.get("ndrc_known") else "detail"  # a known document gone is withdrawn

    def engine_stopped(self):
        if not self.seen and not self.revived:
            return
        from crawler.extensions.store import store_for

        db = store_for(self.crawler).db
        try:
            parents = deadlinks.linked_from(db, [u for u, f in self.seen.items() if f["kind"] != "detail"])
            for url, parent in parents.items():
                self.seen[url]["linked_from"] = parent
            deadlinks.record(db, self.seen, self.revived, self.today, self.max_days)
        except Exception as err:  # noqa: BLE001 - met again next run; the run's documents are stored
            logger.error("the dead links of this run could not be recorded: %s", err)
