"""Scrapy settings of ndrc-policy: polite defaults for the real site, the project's own NDRC_* settings.

Every value can be overridden per run (`ndrc-policy crawl -s NAME=VALUE`, as `scrapy crawl -s` does);
tests turn the politeness off that way and never edit this file.

Project settings (read by the spider, middlewares, extensions and pipelines named beside each):
    NDRC_BASE_URL        site root crawled (spider)
    NDRC_CANONICAL_BASE  the site's own address, on which documents' URLs and ids are made (spider, pipelines.parse)
    NDRC_COLUMNS         column slugs under /xxgk/zcfb/ (spider)
    NDRC_DB_PATH         SQLite file (extensions.store)
    NDRC_WORKER_PROCESS  parse and write to the store in a child process, False on the reactor thread (extensions.worker)
    NDRC_COMMIT_INTERVAL seconds between group commits of the store's writes, 0 for one per write (extensions.worker)
    NDRC_FULL            fetch every list and detail page again (spider, middlewares.conditional)
    NDRC_MAX_PAGES       list pages per column at most, 0 for no limit (spider)
    NDRC_RECHECK_DAYS    known documents published in the last N days are fetched again (spider)
    NDRC_BLOCK_*         block detection and its back-off (middlewares.blocking)
    NDRC_RETRY_BACKOFF*  back-off between retries of 5xx and timeouts (middlewares.backoff)
    NDRC_PROGRESS        per-column progress lines, NDRC_PROGRESS_INTERVAL seconds apart (extensions.progress)
    NDRC_STALL_TIMEOUT   stop a run that made no progress this long (extensions.stall)
    NDRC_FIRST_CONTACT_TIMEOUT download timeout until the site first answers (middlewares.reachability)
    NDRC_TODAY           the run's date, ISO, empty for today: a settable clock for tests (spider, dead links)
    NDRC_DEAD_LINK_*     back-off of dead links' re-checks (extensions.deadlinks, output.deadlinks)
"""

BOT_NAME = "ndrc_policy"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- the project's own settings ---------------------------------------------------------------
NDRC_BASE_URL = "https://www.ndrc.gov.cn"
# Where the site really is: a document's `url` is its page's path on this address, whatever address
# it was fetched from (a mirror, a proxy, http, the replica on loopback); `pages.url` keeps that one.
NDRC_CANONICAL_BASE = "https://www.ndrc.gov.cn"
# Column slug -> category name the site prints (the ColumnName meta of its pages).
NDRC_COLUMN_NAMES = {
    "fzggwl": "发展改革委令",
    "ghxwj": "规范性文件",
    "ghwb": "规划文本",
    "gg": "公告",
    "tz": "通知",
}
NDRC_COLUMNS = list(NDRC_COLUMN_NAMES)
NDRC_DB_PATH = "data/ndrc.sqlite"
NDRC_FULL = False
NDRC_MAX_PAGES = 0
# Documents published in the last N days are fetched again (conditionally) on every run: the site
# corrects fresh documents (typos, a missing attachment) in the first days after publication.
NDRC_RECHECK_DAYS = 7
# Statuses the site's WAF answers with instead of a page: never content, never cached.
NDRC_BLOCK_STATUSES = [403, 412, 429, 521]
# A block is usually lifted after minutes: retry a few times with a long, doubling pause, then stop
# the run rather than hammer a site that has asked us to go away.
NDRC_BLOCK_RETRIES = 3
NDRC_BLOCK_BACKOFF = 60.0
NDRC_BLOCK_BACKOFF_MAX = 600.0
# First pause before retrying a 5xx or a timeout, doubled per retry up to the maximum.
NDRC_RETRY_BACKOFF = 2.0
NDRC_RETRY_BACKOFF_MAX = 60.0
NDRC_PROGRESS = True
# Seconds between per-column progress lines (a column's line is said only when its counts moved).
NDRC_PROGRESS_INTERVAL = 60.0
# A run with no answer from the site and no document through the pipelines for this long is
# stopped (exit 4) rather than holding the run lock for ever; then NDRC_STALL_GRACE seconds for
# the spider to close before the reactor is stopped outright. Above DOWNLOAD_TIMEOUT with its
# retries, so one slow page is no stall; block back-offs are announced and never count.
NDRC_STALL_TIMEOUT = 300.0
NDRC_STALL_GRACE = 30.0
# Download timeout until the site first answers: four tries of an unreachable site (and their
# back-off) take about a minute, not the four minutes of DOWNLOAD_TIMEOUT.
NDRC_FIRST_CONTACT_TIMEOUT = 10.0
# The run's date (ISO), empty for today: recent documents and dead links' re-checks count from it.
NDRC_TODAY = ""
# Dead links (listed pages, attachments, 解读 answering 404/410) are checked again after 1, 2, 4…
# days, never the same day, at most this many days apart.
NDRC_DEAD_LINK_MAX_DAYS = 30
# The run that first meets a dead link exits 4 (partial failure); later runs exit 0 for it.
NDRC_NEW_DEAD_LINKS_FAIL = True
# Parsing and the store's writes run in a child process so that fetching goes on meanwhile
# (both are CPU-bound and hold the GIL); False runs them on the reactor thread.
NDRC_WORKER_PROCESS = True
# Writes are committed in groups at most this many seconds apart: one commit per page and per
# document (and one search-index segment per document) was a third of the cost of storing. A crawl
# killed in between loses at most this much work, which the next run fetches again.
NDRC_COMMIT_INTERVAL = 0.5

# --- politeness on the real site ----------------------------------------------------------------
USER_AGENT = (
    "ndrc-policy/0.1 (open research crawler of NDRC policy documents; "
    "+https://github.com/ndrc-policy/ndrc-policy)"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.5
# ±50% around DOWNLOAD_DELAY, so requests do not come at a machine-regular beat.
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
# Attachments are PDFs of a few MB; anything far larger is not a policy document.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's remote-control HTTP server (a port open to anyone on the machine): not for a cron job.
REMOTE_CONTROL_ENABLED = False
HTTPCACHE_ENABLED = False

# Retries: 5xx and timeouts with back-off (middlewares.backoff replaces Scrapy's RetryMiddleware);
# 429 is a block, handled by middlewares.blocking.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    # process_request runs low -> high, process_response high -> low: the conditional headers are
    # added last, block pages are caught right after decompression (590) and before the retry (550)
    # and the raw store (540), so a block page is never retried as a 5xx nor stored.
    "crawler.middlewares.rawstore.RawPageStoreMiddleware": 540,
    "crawler.middlewares.backoff.BackoffRetryMiddleware": 550,
    "crawler.middlewares.blocking.BlockDetectionMiddleware": 560,
    "crawler.middlewares.conditional.ConditionalRequestMiddleware": 580,
    # next to the downloader, so it sees every failed attempt before the retry middleware
    "crawler.middlewares.reachability.ReachabilityMiddleware": 600,
}
EXTENSIONS = {
    "crawler.extensions.store.StoreExtension": 0,
    "crawler.extensions.worker.WorkerExtension": 10,
    "crawler.extensions.progress.ProgressExtension": 500,
    "crawler.extensions.stall.StallExtension": 510,
    "crawler.extensions.deadlinks.DeadLinkExtension": 520,
}
ITEM_PIPELINES = {
    "crawler.pipelines.parse.ParsePipeline": 300,
    "crawler.pipelines.documents.DocumentStorePipeline": 400,
}

LOG_LEVEL = "INFO"
# The log goes to a file per run (crawler.runlog), through the root handler Scrapy installs.
LOG_INSTALL_ROOT_HANDLER = True
LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
FEED_EXPORT_ENCODING = "utf-8"
