"""Pipelines and downloader middlewares on an on-disk SQLite store in tmp_path, each run twice.

Real saved pages go through the raw store, the parse pipeline and the document pipeline; doing it
again must change nothing (idempotent). Block detection is checked on the real pages (not blocks)
and on the answers the site's WAF gives (blocks).
"""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response

from conftest import PAGES

BASE = "https://www.ndrc.gov.cn"
TZ_DETAIL = PAGES / "tz_t20260828_1407232.html"
TZ_DETAIL_URL = f"{BASE}/xxgk/zcfb/tz/202608/t20260828_1407232.html"
ORDER = PAGES / "fzggwl_t20260409_1404577.html"
ORDER_URL = f"{BASE}/xxgk/zcfb/fzggwl/202604/t20260409_1404577.html"
TZ_LIST = PAGES / "tz_index_2026-08.html"


@pytest.fixture(scope="module", autouse=True)
def reactor():
    from scrapy.utils.reactor import install_reactor, is_reactor_installed

    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")


@pytest.fixture
def crawler(tmp_path):
    from scrapy.utils.test import get_crawler

    from crawler.run import project_settings
    from crawler.spiders.policy import PolicySpider
    from output.db import Store

    # the worker is not started: it parses and writes inline, each write committed at once
    # (tests/crawler/test_worker.py runs the same through its child process)
    settings = project_settings({"NDRC_DB_PATH": str(tmp_path / "t.sqlite")}).copy_to_dict()
    crawler = get_crawler(PolicySpider, settings)
    crawler.ndrc_store = Store(tmp_path / "t.sqlite")
    crawler.stats.open_spider()
    yield crawler
    crawler.ndrc_store.close()


def count(store, table, where="1=1", params=()):
    return store.db.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]


def page_item(path, url, column="tz", listing=None, **kw):
    from crawler.pipelines.items import PageItem

    return PageItem(url=url, body=path.read_bytes(), column=column, page_sha256="x", listing=listing, **kw)


def through(crawler, item):
    """The item through the parse pipeline and the document pipeline (both coroutines)."""
    import asyncio

    from crawler.pipelines.documents import DocumentStorePipeline
    from crawler.pipelines.parse import ParsePipeline

    async def both(item):
        item = await ParsePipeline.from_crawler(crawler).process_item(item)
        return await DocumentStorePipeline.from_crawler(crawler).process_item(item)

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(both(item))
    finally:
        loop.close()


def test_documents_are_stored_once_and_a_second_pass_changes_nothing(crawler):
    from parsers import parse_list_page

    store = crawler.ndrc_store
    listing = parse_list_page(TZ_LIST.read_bytes(), f"{BASE}/xxgk/zcfb/tz/index.html").items[0]
    for _ in range(2):
        through(crawler, page_item(TZ_DETAIL, TZ_DETAIL_URL, listing=listing))
        through(crawler, page_item(ORDER, ORDER_URL, column="fzggwl"))
    stats = crawler.stats
    assert stats.get_value("ndrc/documents/new") == 2
    assert stats.get_value("ndrc/documents/unchanged") == 2
    assert stats.get_value("ndrc/tz/documents/new") == 1
    assert count(store, "documents") == 2 and count(store, "document_versions") == 2
    row = store.db.execute(
        "SELECT id, category, title, doc_number, publish_date FROM documents WHERE url = ?", (TZ_DETAIL_URL,)
    ).fetchone()
    assert row == ("ndrc-1407232", "通知", "关于印发《物流网建设实施方案》的通知", "发改经贸〔2026〕1241号", "2026-08-27")
    assert count(store, "interpretations", "document_id = 'ndrc-1407232'") == 1


def test_interpretation_pages_are_stored_as_category_jiedu(crawler):
    item = page_item(ORDER, f"{BASE}/xxgk/jd/jd/202604/t20260410_1404600.html", category="解读")
    through(crawler, item)
    assert item.outcome.outcome == "new" and item.outcome.document_id == "ndrc-1404600"
    row = crawler.ndrc_store.db.execute("SELECT category FROM documents WHERE id = 'ndrc-1404600'").fetchone()
    assert row == ("解读",)


def test_a_page_without_a_document_is_recorded_and_dropped_idempotently(crawler):
    from crawler.pipelines.items import PageItem

    store = crawler.ndrc_store
    for _ in range(2):
        with pytest.raises(DropItem):
            through(crawler, PageItem(url=TZ_DETAIL_URL, body=b"   ", column="tz", page_sha256="abc"))
    assert count(store, "documents") == 0
    rows = store.db.execute("SELECT url, page_sha256, reason FROM parse_failures").fetchall()
    assert len(rows) == 1 and rows[0][:2] == (TZ_DETAIL_URL, "abc") and rows[0][2].startswith("empty")
    assert crawler.stats.get_value("ndrc/tz/documents/failed") == 2


def test_withdrawal_marks_the_document_and_keeps_it(crawler):
    from crawler.pipelines.items import WithdrawnItem

    store = crawler.ndrc_store
    through(crawler, page_item(TZ_DETAIL, TZ_DETAIL_URL))
    for _ in range(2):
        through(crawler, WithdrawnItem(TZ_DETAIL_URL, "ndrc-1407232", "tz", 404, "2026-09-01"))
    row = store.db.execute("SELECT status, withdrawn_date FROM documents WHERE url = ?", (TZ_DETAIL_URL,)).fetchone()
    assert row == ("withdrawn", "2026-09-01")
    assert count(store, "documents") == 1


def stored_response(crawler, url, body, status=200, kind="detail", headers=None):
    from crawler.middlewares.rawstore import RawPageStoreMiddleware

    request = Request(url, meta={"ndrc_kind": kind})
    response = HtmlResponse(url, status=status, body=body, headers=headers or {}, request=request)
    return RawPageStoreMiddleware.from_crawler(crawler).process_response(request, response), request


def test_raw_store_keeps_one_row_per_content_and_touches_on_304(crawler):
    store = crawler.ndrc_store
    body = TZ_DETAIL.read_bytes()
    headers = {"ETag": '"abc"', "Last-Modified": "Thu, 27 Aug 2026 08:00:00 GMT"}
    _, first = stored_response(crawler, TZ_DETAIL_URL, body, headers=headers)
    _, second = stored_response(crawler, TZ_DETAIL_URL, body, headers=headers)
    assert first.meta["ndrc_page_changed"] is True and second.meta["ndrc_page_changed"] is False
    assert first.meta["ndrc_page_sha256"] == second.meta["ndrc_page_sha256"]
    assert count(store, "pages") == 1
    assert store.page_body(TZ_DETAIL_URL) == body
    stored_response(crawler, TZ_DETAIL_URL, b"", status=304)
    assert count(store, "pages") == 1
    stored_response(crawler, TZ_DETAIL_URL, b"<html>busy</html>", status=503)
    assert count(store, "pages") == 1  # a 5xx is not the page's content
    assert store.page_validators(TZ_DETAIL_URL) == ('"abc"', "Thu, 27 Aug 2026 08:00:00 GMT")


def test_conditional_requests_carry_the_stored_validators(crawler):
    from crawler.middlewares.conditional import ConditionalRequestMiddleware

    stored_response(crawler, TZ_DETAIL_URL, TZ_DETAIL.read_bytes(), headers={"ETag": '"v1"'})
    middleware = ConditionalRequestMiddleware.from_crawler(crawler)
    conditional = Request(TZ_DETAIL_URL, meta={"ndrc_conditional": True})
    plain = Request(TZ_DETAIL_URL)
    unknown = Request(ORDER_URL, meta={"ndrc_conditional": True})
    for request in (conditional, plain, unknown):
        assert middleware.process_request(request) is None
    assert conditional.headers.get(b"If-None-Match") == b'"v1"'
    assert b"If-None-Match" not in plain.headers and b"If-None-Match" not in unknown.headers


def block_reason(crawler, body, status=200, url=TZ_DETAIL_URL, kind="detail", expect_items=False):
    from crawler.middlewares.blocking import BlockDetectionMiddleware

    request = Request(url, meta={"ndrc_kind": kind, "ndrc_expect_items": expect_items})
    response = HtmlResponse(url, status=status, body=body, request=request)
    return BlockDetectionMiddleware.from_crawler(crawler).block_reason(request, response)


def test_real_pages_are_not_blocks(crawler):
    for path in sorted(PAGES.glob("*.html")):
        kind = "list" if "_index" in path.name else "detail"
        assert block_reason(crawler, path.read_bytes(), kind=kind, expect_items=True) is None, path.name
    assert block_reason(crawler, b"%PDF-1.7 binary", url=TZ_DETAIL_URL.replace(".html", ".pdf")) is None
    assert block_reason(crawler, b"", status=404) is None
    assert block_reason(crawler, b"", url=f"{BASE}/robots.txt", kind=None) is None
    assert block_reason(crawler, b"User-agent: *\nDisallow: /admin/\n", url=f"{BASE}/robots.txt", kind=None) is None


def test_waf_answers_are_blocks(crawler):
    challenge = b"<html><script>document.cookie='__jsl_clearance=1';location.reload()</script></html>"
    for status in (403, 412, 429, 521):
        assert block_reason(crawler, challenge, status=status) == f"HTTP {status}"
    assert block_reason(crawler, challenge) is not None  # a challenge shell served with 200
    assert block_reason(crawler, b"") == "empty body"
    assert block_reason(crawler, b"<!DOCTYPE html><html><body>hi</body></html>", url=f"{BASE}/robots.txt", kind=None)
    empty_list = TZ_LIST.read_bytes().split(b'<ul class="u-list">')[0] + b"</body></html>"
    assert block_reason(crawler, empty_list, kind="list", expect_items=True) == "list page without items"


def test_block_retries_with_backoff_then_stops_the_run(crawler, monkeypatch):
    import asyncio

    from crawler.middlewares.blocking import BlockDetectionMiddleware, StoppedBlocked

    crawler.settings.frozen = False
    crawler.settings.set("NDRC_BLOCK_RETRIES", 2)
    crawler.settings.set("NDRC_BLOCK_BACKOFF", 0)
    middleware = BlockDetectionMiddleware.from_crawler(crawler)
    closed = []
    monkeypatch.setattr(middleware, "close_spider", lambda: closed.append(True))

    async def answer(request):
        return await middleware.process_response(request, Response(request.url, status=412, request=request))

    loop = asyncio.new_event_loop()
    request = Request(TZ_DETAIL_URL)
    for tries in (1, 2):
        request = loop.run_until_complete(answer(request))
        assert isinstance(request, Request) and request.meta["ndrc_block_tries"] == tries
    assert not closed
    with pytest.raises(StoppedBlocked) as stopped:
        loop.run_until_complete(answer(request))
    assert closed == [True]
    assert str(stopped.value) == (
        f"blocked by the site at {TZ_DETAIL_URL}: HTTP 412 (3 blocked responses); the run stopped early"
    )
    assert crawler.stats.get_value("ndrc/blocked/count") == 3
    with pytest.raises(IgnoreRequest):  # every later request is dropped
        middleware.process_request(Request(ORDER_URL))
