"""The parse worker (crawler/extensions/parse_worker.py): parsing in a child process.

Real saved pages with generated PDF and OFD attachments give, through a child, exactly what the
parsers give in-process (documents, links, failures); the parse pipeline stores the same through
either; a child that dies is replaced and its call retried; a crawl killed with -9 leaves no child.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import PAGES, ROOT
from crawler.extensions import parse_worker as pw
from crawler.replica.files import make_ofd, make_pdf
from parsers.document import page_links

BASE = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/"
DETAILS = sorted(PAGES.glob("*_t2026*.html"))
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


def run(coro):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def test_a_child_parses_exactly_what_the_parsers_give_in_process():
    async def both():
        worker = pw.ParseWorker(1)
        try:
            out = []
            for path in DETAILS:
                body, url, files = inputs(path)
                out.append((await worker.parse(body, url, files, None), pw.parse_page(body, url, files, None)))
                out.append((await worker.page_links(body, url), page_links(body, url)))
            out.append((await worker.parse(b"   ", BASE + "x.html", {}, None),
                        pw.parse_page(b"   ", BASE + "x.html", {}, None)))
            with pytest.raises(pw.ParserFailed, match="KeyError"):
                await worker.call("no_such_call")
            return out, [await t for t in worker._children]
        finally:
            await worker.close()

    pairs, children = run(both())
    assert len(children) == 1 and children[0].proc.returncode == 0  # one child did it all, then ended
    for child_answer, in_process in pairs:
        assert child_answer == in_process
    docs = [a[1] for a, _ in pairs if a[0] == "ok"]
    assert len(docs) == len(DETAILS) and all(d.attachments[0].text for d in docs)
    assert pairs[-1][0][:2] == ("failed", "empty")


def test_without_children_or_an_asyncio_loop_the_parsers_run_inline():
    body, url, files = inputs(DETAILS[0])
    worker = pw.ParseWorker(0)
    assert run(worker.parse(body, url, files, None)) == pw.parse_page(body, url, files, None)
    assert worker._children == []
    # a coroutine driven without an asyncio loop (as under a non-asyncio reactor)
    coro = pw.ParseWorker(1).parse(body, url, files, None)
    with pytest.raises(StopIteration) as done:
        coro.send(None)
    assert done.value.value == pw.parse_page(body, url, files, None)


def test_a_child_that_dies_is_replaced_and_the_call_retried():
    class Stats(dict):
        def inc_value(self, key, count=1):
            self[key] = self.get(key, 0) + count

    body, url, files = inputs(DETAILS[0])

    async def crash_once():
        worker = pw.ParseWorker(1, Stats())
        try:
            await worker.start()
            first = await worker._children[0]
            calls = [asyncio.ensure_future(worker.parse(body, url, files, None)) for _ in range(3)]
            await asyncio.sleep(0)  # the calls are sent
            os.kill(first.proc.pid, signal.SIGKILL)
            answers = await asyncio.gather(*calls)
            return worker.stats, answers, first.alive, await worker._children[0]
        finally:
            await worker.close()

    stats, answers, first_alive, second = run(crash_once())
    assert not first_alive and second.proc.returncode == 0
    assert stats["ndrc/parse_worker/started"] == 2 and stats["ndrc/parse_worker/died"] >= 1
    assert answers == [pw.parse_page(body, url, files, None)] * 3


def test_a_page_that_kills_the_parser_every_time_is_a_parse_failure(monkeypatch):
    from crawler import child

    async def dies(self, name, *args):
        raise child.ChildDied()

    monkeypatch.setattr(child.Child, "call", dies)
    body, url, files = inputs(DETAILS[0])

    async def parse():
        worker = pw.ParseWorker(1)
        try:
            return await worker.parse(body, url, files, None)
        finally:
            await worker.close()

    outcome = run(parse())
    assert outcome[:2] == ("failed", "parser_crashed")


def test_the_parse_pipeline_stores_the_same_through_a_child(tmp_path):
    from scrapy.utils.reactor import install_reactor, is_reactor_installed
    from scrapy.utils.test import get_crawler

    from crawler.pipelines.documents import DocumentStorePipeline
    from crawler.pipelines.items import PageItem
    from crawler.pipelines.parse import ParsePipeline
    from crawler.run import project_settings
    from crawler.spiders.policy import PolicySpider
    from output.db import Store

    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

    def store_all(workers):
        path = tmp_path / f"w{workers}.sqlite"
        settings = project_settings({"NDRC_DB_PATH": str(path), "NDRC_PARSE_WORKERS": workers})
        crawler = get_crawler(PolicySpider, settings.copy_to_dict())
        crawler.ndrc_store = Store(path)
        crawler.stats.open_spider()

        async def go():
            try:
                for page in DETAILS:
                    body, url, files = inputs(page)
                    item = PageItem(url=url, body=body, column="tz", page_sha256="x", attachments=files)
                    DocumentStorePipeline.from_crawler(crawler).process_item(
                        await ParsePipeline.from_crawler(crawler).process_item(item))
            finally:
                await pw.parse_worker_for(crawler).close()

        run(go())
        rows = crawler.ndrc_store.db.execute(
            "SELECT d.id, v.document_json FROM documents d JOIN document_versions v ON v.document_id = d.id"
            " ORDER BY d.id").fetchall()
        crawler.ndrc_store.close()
        return rows

    through_child = store_all(1)
    assert len(through_child) == len(DETAILS)
    assert through_child == store_all(0)


def test_children_leave_when_the_crawl_process_is_killed(tmp_path):
    code = textwrap.dedent(
        """
        import asyncio, sys
        from crawler.extensions.parse_worker import ParseWorker

        async def main():
            worker = ParseWorker(2)
            await worker.start()
            print(" ".join([str((await t).proc.pid) for t in worker._children]), flush=True)
            await asyncio.sleep(3600)

        asyncio.run(main())
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        for _ in range(POLL_LIMIT):
            if not any(_running(pid) for pid in pids):
                break
            time.sleep(POLL_SECONDS)
        assert not any(_running(pid) for pid in pids)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (an orphan is reaped by init, not by us)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
