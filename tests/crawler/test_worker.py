"""The crawl's worker (crawler/extensions/worker.py): parsing and the store's writes in a child.

Real saved pages with generated PDF and OFD attachments give, through the child, exactly what the
parsers give in-process; pages, documents, failures and withdrawals written through the child give
the same database as written in-process, visible to others only once committed; a child that dies
loses the uncommitted writes, stops the run and commits nothing more; a crawl killed with -9 leaves
no child behind.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import PAGES, ROOT
from crawler.extensions import worker as wk
from crawler.pages import PageJob, PageOutcome, read_response
from replica.files import make_ofd, make_pdf
from output.db import Store
from parsers.document import document_id, page_links

BASE = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/"
DETAILS = sorted(PAGES.glob("*_t2026*.html"))
AT = "2026-08-30T08:00:00Z"
# Polling for another process to go away; not an assertion on speed.
POLL_SECONDS, POLL_LIMIT = 0.05, 400


def inputs(path):
    """(body, url, attachments) of a saved page, its PDF and OFD attachments generated."""
    body = path.read_bytes()
    url = BASE + path.name.split("_", 1)[1]
    files = {}
    for att in page_links(body, url)[0]:
        text = [f"{att.title}", "第一条 为了规范管理，制定本办法。", "第二条 本办法自发布之日起施行。"]
        files[att.url] = make_pdf(text, title=att.title) if att.file_type == "pdf" else make_ofd(text, title=att.title)
    return body, url, files


def job(body, url, files, sha="x") -> PageJob:
    return PageJob(url=url, read=read_response(body, url), canonical_base="https://www.ndrc.gov.cn",
                   page_sha256=sha, fetched_at=AT, attachments=files)


def run(coro):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


class Stats(dict):
    def inc_value(self, key, count=1):
        self[key] = self.get(key, 0) + count


async def crawl_writes(worker: wk.CrawlWorker) -> list:
    """What a crawl does through its worker, for every saved detail page; the answers it gets."""
    answers = []
    for path in DETAILS:
        body, url, files = inputs(path)
        answers.append(worker.save_page(url, status=200, body=body, kind="detail", fetched_at=AT))
        for file_url, data in files.items():
            answers.append(worker.save_page(file_url, status=200, body=data, kind="attachment", fetched_at=AT))
        answers.append(await worker.parse_and_store(job(body, url, files)))
    again = inputs(DETAILS[0])
    answers.append(worker.save_page(again[1], status=200, body=again[0], kind="detail", fetched_at=AT))
    answers.append(worker.save_page(again[1], status=200, body=again[0] + b" ", kind="detail", fetched_at=AT))
    worker.touch_page(again[1], AT)
    answers.append(await worker.parse_and_store(job(b"   ", BASE + "t20260830_1.html", {}, "abc")))
    doc_id = document_id(again[1])
    answers.append(await worker.withdraw(doc_id, "2026-09-01"))
    answers.append(await worker.withdraw(doc_id, "2026-09-02"))
    return answers


def dump(path) -> dict:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'search_%_data' AND name NOT LIKE 'search_%_idx'")]
        return {t: sorted(map(repr, conn.execute(f"SELECT * FROM [{t}]"))) for t in tables}
    finally:
        conn.close()


def test_the_child_parses_and_writes_exactly_what_the_crawl_process_would(tmp_path):
    async def through(process):
        store = Store(tmp_path / f"{process}.sqlite")
        worker = wk.CrawlWorker(store, process=process, stats=Stats())
        await worker.start()
        try:
            answers = await crawl_writes(worker)
            # group commit: another connection sees nothing before the commit
            other = sqlite3.connect(store.path)
            before = other.execute("SELECT count(*) FROM documents").fetchone()[0]
            assert await worker.commit() is True
            after = other.execute("SELECT count(*) FROM documents").fetchone()[0]
            other.close()
            await worker.close()
            return answers, (before, after), worker
        finally:
            store.close()

    child, child_seen, child_worker = run(through(True))
    inline, inline_seen, _ = run(through(False))
    assert child == inline
    assert child_seen == (0, len(DETAILS)) == inline_seen
    assert dump(tmp_path / "True.sqlite") == dump(tmp_path / "False.sqlite")
    assert child_worker.stats == {"ndrc/store/commits": 1}
    stored = [a for a in child if isinstance(a, PageOutcome) and a.outcome == "new"]
    assert len(stored) == len(DETAILS)
    assert [a.reason for a in child if isinstance(a, PageOutcome) and a.outcome == "failed"] == ["empty"]
    assert child[-2:] == [True, False]
    texts = sqlite3.connect(tmp_path / "True.sqlite").execute("SELECT count(*) FROM attachments WHERE text != ''")
    assert texts.fetchone()[0] >= len(DETAILS)


def test_without_a_child_process_or_an_asyncio_loop_the_work_is_inline(tmp_path):
    body, url, files = inputs(DETAILS[0])
    store = Store(tmp_path / "x.sqlite")
    worker = wk.CrawlWorker(store, process=True)
    coro = worker.parse_and_store(job(body, url, files))  # driven without an asyncio loop
    with pytest.raises(StopIteration) as done:
        coro.send(None)
    assert done.value.value == PageOutcome("new", document_id(url))
    start = worker.start()
    with pytest.raises(StopIteration):
        start.send(None)
    assert worker.process is False and worker._child is None
    store.close()


def test_a_child_that_dies_loses_what_it_held_stops_the_run_and_commits_nothing_more(tmp_path):
    stops = []

    async def crash():
        store = Store(tmp_path / "x.sqlite")
        worker = wk.CrawlWorker(store, process=True, stats=Stats(), on_lost=lambda: stops.append(True))
        await worker.start()
        try:
            first, second = inputs(DETAILS[0]), inputs(DETAILS[1])
            worker.save_page(first[1], status=200, body=first[0], kind="detail", fetched_at=AT)
            stored = await worker.parse_and_store(job(*first))
            assert await worker.commit()
            worker.save_page(second[1], status=200, body=second[0], kind="detail", fetched_at=AT)
            os.kill(worker._child.proc.pid, signal.SIGKILL)
            outcome = await worker.parse_and_store(job(*second))
            with pytest.raises(Exception):
                await worker.withdraw(stored.document_id, "2026-09-01")
            assert await worker.commit() is False
            await worker.close()
            return outcome, worker.stats, stored
        finally:
            store.close()

    outcome, stats, stored = run(crash())
    assert (outcome.outcome, outcome.reason) == ("failed", "worker_died")
    assert stops == [True] and stats["ndrc/store/writes_lost"] >= 1
    conn = sqlite3.connect(tmp_path / "x.sqlite")
    assert conn.execute("SELECT id FROM documents").fetchall() == [(stored.document_id,)]
    assert conn.execute("SELECT count(*) FROM pages").fetchone() == (1,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_the_parse_pipeline_stores_the_same_through_the_child(tmp_path):
    from scrapy.utils.reactor import install_reactor, is_reactor_installed
    from scrapy.utils.test import get_crawler

    from crawler.pipelines.documents import DocumentStorePipeline
    from crawler.pipelines.items import PageItem
    from crawler.pipelines.parse import ParsePipeline
    from crawler.run import project_settings
    from crawler.spiders.policy import PolicySpider

    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

    def store_all(process):
        path = tmp_path / f"w{process}.sqlite"
        settings = project_settings({"NDRC_DB_PATH": str(path), "NDRC_WORKER_PROCESS": process})
        crawler = get_crawler(PolicySpider, settings.copy_to_dict())
        crawler.ndrc_store = Store(path)
        crawler.stats.open_spider()

        async def go():
            worker = wk.worker_for(crawler)
            await worker.start()
            try:
                for page in DETAILS:
                    body, url, files = inputs(page)
                    item = PageItem(url=url, body=body, column="tz", page_sha256="x", attachments=files)
                    item = await ParsePipeline.from_crawler(crawler).process_item(item)
                    await DocumentStorePipeline.from_crawler(crawler).process_item(item)
            finally:
                await worker.close()

        run(go())
        rows = crawler.ndrc_store.db.execute(
            "SELECT d.id, v.document_json FROM documents d JOIN document_versions v ON v.document_id = d.id"
            " ORDER BY d.id").fetchall()
        crawler.ndrc_store.close()
        return rows, crawler.stats.get_value("ndrc/documents/new")

    through_child = store_all(True)
    assert len(through_child[0]) == len(DETAILS) == through_child[1]
    assert through_child == store_all(False)


def test_the_child_leaves_when_the_crawl_process_is_killed(tmp_path):
    code = textwrap.dedent(
        f"""
        import asyncio
        from crawler.extensions.worker import CrawlWorker
        from output.db import Store

        async def main():
            worker = CrawlWorker(Store({str(tmp_path / "x.sqlite")!r}))
            await worker.start()
            worker.save_page("https://example.org/a", status=200, body=b"<html>a</html>", kind="detail")
            print(worker._child.proc.pid, flush=True)
            await asyncio.sleep(3600)

        asyncio.run(main())
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        pid = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        for _ in range(POLL_LIMIT):
            if not _running(pid):
                break
            time.sleep(POLL_SECONDS)
        assert not _running(pid)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    # killed: the page it held was never committed, and the database is intact
    conn = sqlite3.connect(tmp_path / "x.sqlite")
    assert conn.execute("SELECT count(*) FROM pages").fetchone() == (0,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (an orphan is reaped by init, not by us)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
