"""The policy spider's callbacks on the real saved NDRC list and detail pages (no network).

Each test builds the spider on a real crawler (project settings), feeds it `HtmlResponse`s made
from /work/shared/fixtures/ndrc/pages and checks the requests and items it yields: pagination by
the createPageHTML count, which detail pages are fetched on an incremental run, conditional
re-checks, withdrawals, and a detail page fetched whole with its attachments and 解读 pages.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from scrapy.http import HtmlResponse, Request, Response

from conftest import PAGES
from parsers.canonical import site_path

BASE = "https://www.ndrc.gov.cn"
TZ_LIST = PAGES / "tz_index_2026-08.html"  # 通知, page 1 of 20
FZGGWL_PAGE2 = PAGES / "fzggwl_index_1.html"  # 发展改革委令, page 2 of 9
TZ_DETAIL = PAGES / "tz_t20260828_1407232.html"
TZ_DETAIL_URL = f"{BASE}/xxgk/zcfb/tz/202608/t20260828_1407232.html"


@pytest.fixture(scope="module", autouse=True)
def reactor():
    from scrapy.utils.reactor import install_reactor, is_reactor_installed

    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")


def make_spider(**overrides):
    from scrapy.utils.test import get_crawler

    from crawler.run import project_settings
    from crawler.spiders.policy import PolicySpider

    settings = project_settings({"NDRC_RECHECK_DAYS": 0, **overrides}).copy_to_dict()
    crawler = get_crawler(PolicySpider, settings)
    spider = PolicySpider.from_crawler(crawler)
    crawler.spider = spider
    for column in spider.columns:
        spider.deep[column] = False
    return spider


def list_response(spider, column, index, path):
    request = spider.list_request(column, index)
    return HtmlResponse(request.url, body=path.read_bytes(), request=request)


def known_page(category, date, status="active"):
    from output.known import KnownPage

    return KnownPage("ndrc-x", category, date, status)


def split(results):
    from crawler.pipelines.items import FetchFailureItem, PageItem, WithdrawnItem

    requests = [r for r in results if isinstance(r, Request)]
    items = [r for r in results if isinstance(r, (PageItem, WithdrawnItem, FetchFailureItem))]
    return requests, items


def test_list_urls_follow_create_page_html_naming():
    from crawler.spiders.policy import list_url

    assert list_url(BASE, "tz", 0) == f"{BASE}/xxgk/zcfb/tz/index.html"
    assert list_url(BASE + "/", "tz", 3) == f"{BASE}/xxgk/zcfb/tz/index_3.html"


def test_first_run_fetches_every_entry_and_the_next_page():
    spider = make_spider()
    requests, _ = split(list(spider.parse_list(list_response(spider, "tz", 0, TZ_LIST))))
    details = [r for r in requests if r.meta["ndrc_kind"] == "detail"]
    lists = [r for r in requests if r.meta["ndrc_kind"] == "list"]
    assert len(details) == 25  # the real page lists 25 notices
    assert details[0].url == TZ_DETAIL_URL
    assert details[0].meta["ndrc_listing"].date == "2026-08-27"  # the listed date, not the URL's
    assert not any(r.meta["ndrc_conditional"] for r in details)
    assert all(304 in r.meta["handle_httpstatus_list"] and 404 in r.meta["handle_httpstatus_list"] for r in details)
    assert [r.url for r in lists] == [f"{BASE}/xxgk/zcfb/tz/index_1.html"]
    assert spider.crawler.stats.get_value("ndrc/tz/list_pages") == 1


def test_second_page_leads_to_the_third():
    spider = make_spider()
    requests, _ = split(list(spider.parse_list(list_response(spider, "fzggwl", 1, FZGGWL_PAGE2))))
    assert [r.url for r in requests if r.meta["ndrc_kind"] == "list"] == [f"{BASE}/xxgk/zcfb/fzggwl/index_2.html"]


def test_paging_stops_at_a_page_whose_entries_are_all_known():
    from parsers import parse_list_page

    spider = make_spider()
    listing = parse_list_page(TZ_LIST.read_bytes(), f"{BASE}/xxgk/zcfb/tz/index.html")
    spider.known = {site_path(item.url): known_page("通知", item.date) for item in listing.items}
    requests, _ = split(list(spider.parse_list(list_response(spider, "tz", 0, TZ_LIST))))
    assert requests == []  # one list page, nothing else


def test_one_new_entry_keeps_paging_and_fetches_only_it():
    from parsers import parse_list_page

    spider = make_spider()
    listing = parse_list_page(TZ_LIST.read_bytes(), f"{BASE}/xxgk/zcfb/tz/index.html")
    spider.known = {site_path(item.url): known_page("通知", item.date) for item in listing.items[1:]}
    requests, _ = split(list(spider.parse_list(list_response(spider, "tz", 0, TZ_LIST))))
    assert [r.url for r in requests if r.meta["ndrc_kind"] == "detail"] == [listing.items[0].url]
    assert [r.meta["ndrc_page_index"] for r in requests if r.meta["ndrc_kind"] == "list"] == [1]


def test_a_column_not_read_to_the_end_is_paged_deep_without_refetching_known_pages():
    from parsers import parse_list_page

    spider = make_spider()
    spider.deep["tz"] = True
    listing = parse_list_page(TZ_LIST.read_bytes(), f"{BASE}/xxgk/zcfb/tz/index.html")
    spider.known = {site_path(item.url): known_page("通知", item.date) for item in listing.items}
    requests, _ = split(list(spider.parse_list(list_response(spider, "tz", 0, TZ_LIST))))
    assert [(r.meta["ndrc_kind"], r.meta["ndrc_page_index"]) for r in requests] == [("list", 1)]


def test_max_pages_stops_paging():
    spider = make_spider(NDRC_MAX_PAGES=1)
    requests, _ = split(list(spider.parse_list(list_response(spider, "tz", 0, TZ_LIST))))
    assert not [r for r in requests if r.meta["ndrc_kind"] == "list"]
    assert len(requests) == 25


def test_recent_known_documents_are_rechecked_conditionally():
    from parsers import parse_list_page

    listing = parse_list_page(TZ_LIST.read_bytes(), f"{BASE}/xxgk/zcfb/tz/index.html")
    newest = dt.date.fromisoformat(listing.items[0].date)
    spider = make_spider(NDRC_RECHECK_DAYS=3)
    spider.today = newest + dt.timedelta(days=1)  # two days of the page fall in the window
    spider.known = {site_path(item.url): known_page("通知", item.date) for item in listing.items}
    requests, _ = split(list(spider.parse_list(list_response(spider, "tz", 0, TZ_LIST))))
    window = {i.url for i in listing.items if (spider.today - dt.date.fromisoformat(i.date)).days < 3}
    assert window and len(window) < 25
    assert {r.url for r in requests} == window
    assert all(r.meta["ndrc_conditional"] for r in requests)


def test_full_refetches_everything_unconditionally():
    from parsers import parse_list_page

    spider = make_spider(NDRC_FULL=True)
    spider.deep["tz"] = True
    listing = parse_list_page(TZ_LIST.read_bytes(), f"{BASE}/xxgk/zcfb/tz/index.html")
    spider.known = {site_path(item.url): known_page("通知", item.date) for item in listing.items}
    requests, _ = split(list(spider.parse_list(list_response(spider, "tz", 0, TZ_LIST))))
    details = [r for r in requests if r.meta["ndrc_kind"] == "detail"]
    assert len(details) == 25 and not any(r.meta["ndrc_conditional"] for r in details)


def test_under_another_base_url_known_pages_are_known_and_checks_go_to_the_crawled_site():
    """Pages stored from https://www.ndrc.gov.cn are known when the site is crawled elsewhere."""
    from parsers import parse_list_page

    mirror = "http://127.0.0.1:8000"
    spider = make_spider(NDRC_BASE_URL=mirror, NDRC_MAX_PAGES=1)
    listing = parse_list_page(TZ_LIST.read_bytes(), f"{BASE}/xxgk/zcfb/tz/index.html")
    spider.known = {site_path(item.url): known_page("通知", item.date) for item in listing.items}
    gone = "/xxgk/zcfb/tz/202608/t20260820_1400001.html"
    spider.known[gone] = known_page("通知", "2026-08-20")
    response = list_response(spider, "tz", 0, TZ_LIST)
    assert response.url.startswith(mirror + "/")
    requests, _ = split(list(spider.parse_list(response)))
    assert [r.url for r in requests] == [mirror + gone]  # only the missing check, on the mirror


def test_a_known_document_missing_from_the_list_is_checked_again():
    from parsers import parse_list_page

    spider = make_spider(NDRC_MAX_PAGES=1)
    listing = parse_list_page(TZ_LIST.read_bytes(), f"{BASE}/xxgk/zcfb/tz/index.html")
    spider.known = {site_path(item.url): known_page("通知", item.date) for item in listing.items}
    gone = f"{BASE}/xxgk/zcfb/tz/202608/t20260820_1400001.html"
    older = f"{BASE}/xxgk/zcfb/tz/201901/t20190101_1000001.html"
    other_column = f"{BASE}/xxgk/zcfb/gg/202608/t20260820_1400002.html"
    spider.known[site_path(gone)] = known_page("通知", "2026-08-20")
    spider.known[site_path(older)] = known_page("通知", "2019-01-01")  # beyond the pages read: not checked
    spider.known[site_path(other_column)] = known_page("公告", "2026-08-20")
    requests, _ = split(list(spider.parse_list(list_response(spider, "tz", 0, TZ_LIST))))
    assert [r.url for r in requests] == [gone]
    assert requests[0].meta["ndrc_known"] is not None


def run_async(agen):
    async def collect():
        return [x async for x in agen]

    return asyncio.new_event_loop().run_until_complete(collect())


def detail_response(spider, status=200, body=None, known=None):
    request = spider.detail_request(TZ_DETAIL_URL, "tz", listing=None, known=known, force=True)
    return HtmlResponse(TZ_DETAIL_URL, status=status, body=body or b"", request=request)


def test_404_on_a_known_page_is_a_withdrawal_and_on_an_unknown_one_a_dead_link():
    from crawler.pipelines.items import WithdrawnItem

    spider = make_spider()
    _, items = split(run_async(spider.parse_detail(detail_response(spider, 404, known=known_page("通知", "2026-08-27")))))
    assert len(items) == 1 and isinstance(items[0], WithdrawnItem)
    assert items[0].url == TZ_DETAIL_URL and items[0].status == 404 and items[0].document_id == "ndrc-x"
    # a listed page that does not exist is a dead link (extensions.deadlinks), not a failed document
    spider = make_spider()
    _, items = split(run_async(spider.parse_detail(detail_response(spider, 410))))
    assert items == []


def test_304_yields_nothing():
    spider = make_spider()
    response = detail_response(spider, 304, known=known_page("通知", "2026-08-27"))
    assert run_async(spider.parse_detail(response)) == []


def test_detail_page_is_yielded_whole_with_attachments_and_interpretations():
    """The real notice: both attachments fetched and handed over, its 解读 page yielded first."""
    from parsers import parse_list_page

    from crawler.pipelines.items import PageItem

    listing = parse_list_page(TZ_LIST.read_bytes(), f"{BASE}/xxgk/zcfb/tz/index.html").items[0]
    spider = make_spider()
    fetched = []
    jd_body = TZ_DETAIL.read_bytes().replace(b"\xe9\x80\x9a\xe7\x9f\xa5", b"\xe8\xa7\xa3\xe8\xaf\xbb")

    async def fake_fetch(url, kind, column):
        fetched.append((url, kind))
        if url.endswith(".pdf"):
            return Response(url, status=200, body=b"%PDF-1.4 not really")
        if url.endswith(".ofd"):
            return Response(url, status=404, body=b"")
        return HtmlResponse(url, status=200, body=jd_body, request=Request(url))

    spider.fetch = fake_fetch
    request = spider.detail_request(TZ_DETAIL_URL, "tz", listing=listing, known=None)
    response = HtmlResponse(TZ_DETAIL_URL, body=TZ_DETAIL.read_bytes(), request=request)
    _, items = split(run_async(spider.parse_detail(response)))
    # the notice's PDF and OFD, then its 解读 page (whose own attachments follow: it is a copy here)
    assert [kind for _, kind in fetched[:3]] == ["attachment", "attachment", "detail"]
    assert fetched[2][0] == listing.interpretations[0].url
    assert [type(i) for i in items] == [PageItem, PageItem]
    jd, notice = items
    assert jd.category == "解读"
    assert notice.url == TZ_DETAIL_URL and notice.listing == listing
    assert list(notice.attachments) == [f"{BASE}/xxgk/zcfb/tz/202608/P020260828319115295873.pdf"]
    # read once, here: the worker assembles the document from this read, not from the bytes again
    assert notice.body is None and notice.read.extract.title and notice.read.attachments


def test_attachment_that_fails_keeps_the_document_unknown():
    from crawler.pipelines.items import FetchFailureItem

    spider = make_spider()

    async def failing_fetch(url, kind, column):
        return Response(url, status=503, body=b"busy")

    spider.fetch = failing_fetch
    request = spider.detail_request(TZ_DETAIL_URL, "tz", listing=None, known=None)
    response = HtmlResponse(TZ_DETAIL_URL, body=TZ_DETAIL.read_bytes(), request=request)
    _, items = split(run_async(spider.parse_detail(response)))
    assert len(items) == 1 and isinstance(items[0], FetchFailureItem)
    assert "HTTP 503" in items[0].reason


def test_defaults_are_polite_to_the_real_site_and_overrides_win():
    from crawler.run import project_settings

    settings = project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1 and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert "ndrc-policy" in settings.get("USER_AGENT") and "+https://" in settings.get("USER_AGENT")
    assert 429 not in settings.getlist("RETRY_HTTP_CODES") and 503 in [int(c) for c in settings.getlist("RETRY_HTTP_CODES")]
    assert settings.get("NDRC_BASE_URL") == BASE and settings.getlist("NDRC_COLUMNS") == ["fzggwl", "ghxwj", "ghwb", "gg", "tz"]
    fast = project_settings({"DOWNLOAD_DELAY": "0", "ROBOTSTXT_OBEY": "False", "NDRC_COLUMNS": "tz,gg"})
    assert fast.getfloat("DOWNLOAD_DELAY") == 0 and not fast.getbool("ROBOTSTXT_OBEY")
    assert fast.getlist("NDRC_COLUMNS") == ["tz", "gg"]


def test_exit_status_follows_from_the_run():
    from crawler import exitcodes
    from crawler.run import judge

    assert judge({"ndrc/documents/new": 3}, "finished") == (exitcodes.OK, "healthy")
    stopped = "blocked by the site at https://x/: HTTP 412 (3 blocked responses); the run stopped early"
    assert judge({"ndrc/blocked/stopped": stopped, "ndrc/documents/failed": 1}, "blocked") == (exitcodes.BLOCKED, stopped)
    assert judge({"ndrc/documents/failed": 2}, "finished") == (exitcodes.PARTIAL_FAILURE, "2 documents failed")
    status, message = judge({}, "shutdown")
    assert status == exitcodes.PARTIAL_FAILURE and "stopped early (shutdown)" in message
    status, message = judge({"spider_exceptions/KeyError": 1}, "finished")
    assert status == exitcodes.PARTIAL_FAILURE and "1 errors in the spider" in message


def test_only_columns_whose_newest_run_was_healthy_and_whole_are_complete(tmp_path):
    from crawler import exitcodes
    from crawler.history import completed_columns
    from output.db import Store

    with Store(tmp_path / "runs.sqlite") as store:
        old = store.start_run(BASE, ["tz", "gg", "ghwb"], False)
        store.finish_run(old, exit_status=exitcodes.OK, message="healthy")
        limited = store.start_run(BASE, ["gg"], False)
        store.finish_run(limited, exit_status=exitcodes.OK, message="healthy (max_pages=1: only the first pages)")
        store.start_run(BASE, ["ghwb"], False)  # killed: no end recorded
        partial = store.start_run(BASE, ["fzggwl"], False)
        store.finish_run(partial, exit_status=exitcodes.PARTIAL_FAILURE, message="1 documents failed")
        assert completed_columns(store) == {"tz"}
