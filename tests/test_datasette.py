"""Datasette for researchers (output/serve.py, output/datasette/metadata.json): pages and JSON
answer with Chinese results, for short terms too; facets; canned queries; a headless browser
renders a served search."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from output import search
from output.db import Store
from output.serve import METADATA_PATH, load_metadata, make_datasette
from test_search import make_doc, real_documents

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("ds") / "ndrc.sqlite"
    store = Store(path)
    for doc in real_documents():
        store.upsert_document(doc)
    store.upsert_document(
        make_doc(
            90,
            title="关于转发绿色发展意见的通知",
            body_extra="请按照发改开放〔2022〕408号贯彻落实。",
            doc_number="发改办开放〔2022〕500号",
            publish_date="2022-05-01",
        )
    )
    store.close()
    return path


@pytest.fixture(scope="module")
def ds(db_path):
    return make_datasette(db_path)


def get_json(ds, path):
    async def fetch():
        return await ds.client.get(path)

    response = asyncio.run(fetch())
    assert response.status_code == 200, (path, response.text[:300])
    return response.json()


def get_html(ds, path):
    async def fetch():
        return await ds.client.get(path)

    response = asyncio.run(fetch())
    assert response.status_code == 200, (path, response.text[:300])
    return response.text


def test_metadata_json_search_query_is_the_module_sql():
    meta = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    assert meta["databases"]["ndrc"]["queries"]["search"]["sql"] == search.datasette_search_sql()
    assert "www.ndrc.gov.cn" in meta["source"] and "国家发展和改革委员会" in meta["source"]
    assert "other" in load_metadata("other")["databases"]


@pytest.mark.parametrize(
    "term, expected",
    [("煤", "（十四）"), ("煤电", "（十四）"), ("碳达峰", None), ("一带一路", "（十九）"), ("郑栅洁", None)],
)
def test_search_query_answers_every_length_like_the_module(ds, db_path, term, expected):
    rows = get_json(ds, f"/ndrc/search.json?q={quote(term)}&_shape=array")
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    want = search.scan(db, term)
    got = {(r["document_id"], None if r["kind"] == "document" else r["label"]) for r in rows}
    labels = dict(
        ((d, s), lbl)
        for d, s, lbl in db.execute("SELECT document_id, seq, label FROM articles")
    )
    assert got == {(d, None if s is None else labels[(d, s)]) for d, s in want}
    if expected:
        assert any(r["label"] == expected and f"【{term}】" in r["snippet"] for r in rows)
    db.close()


def test_search_query_takes_syntax_characters_and_blank_input(ds):
    for term in ['"', "AND", "(", " ", "NEAR(煤电"]:
        assert isinstance(get_json(ds, f"/ndrc/search.json?q={quote(term)}&_shape=array"), list)


def test_table_search_box_uses_trigram_index(ds):
    rows = get_json(ds, f"/ndrc/documents.json?_search={quote('一带一路')}&_shape=array")
    assert {r["id"] for r in rows} == {"ndrc-1320629"}
    arts = get_json(ds, f"/ndrc/articles.json?_search={quote('绿色丝绸之路')}&_shape=array")
    assert arts and all("绿色丝绸之路" in (r["text"] or "") + (r["heading"] or "") for r in arts)


def test_facets_category_year_issuer(ds):
    data = get_json(ds, "/ndrc/documents.json?_size=0")
    facets = data["facet_results"]
    categories = {v["value"]: v["count"] for v in facets["category"]["results"]}
    # two saved 通知 pages, the 408 rendering and the generated 通知; two saved orders
    assert categories == {"通知": 4, "发展改革委令": 2}
    assert {v["value"] for v in facets["doc_number_year"]["results"]} >= {2022, 2026}
    issuers = get_json(ds, "/ndrc/issuers.json?_size=0")["facet_results"]["name"]["results"]
    assert "国家发展改革委" in {v["value"] for v in issuers}


def test_canned_queries(ds):
    arts = get_json(ds, "/ndrc/document_articles.json?document_id=ndrc-1320629&_shape=array")
    assert [a["seq"] for a in arts] == sorted(a["seq"] for a in arts) and len(arts) > 20
    assert arts[0]["label"] == "一、" and arts[0]["heading"] == "总体要求"
    citing = get_json(ds, f"/ndrc/cites_doc_number.json?doc_number={quote('发改开放〔2022〕408号')}&_shape=array")
    assert [r["document_id"] for r in citing] == ["test-90"]
    by = get_json(
        ds, f"/ndrc/documents_by_issuer_and_year.json?issuer={quote('外交部')}&year=2022&_shape=array"
    )
    assert [r["id"] for r in by] == ["ndrc-1320629"]


def test_html_pages_show_chinese_results(ds):
    html = get_html(ds, f"/ndrc/search?q={quote('煤电')}")
    assert "【煤电】" in html and "发改开放〔2022〕408号" in html
    home = get_html(ds, "/")
    assert "国家发展和改革委员会" in home


# ----------------------------------------------------------------------------- browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(ds):
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(ds.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("Datasette did not start on 127.0.0.1")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _chromium(args, tmp_path) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    base = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
    ]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=120)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)")
def test_browser_renders_a_chinese_search(served, tmp_path):
    url = f"{served}/ndrc/search?q={quote('煤电')}"
    shot = tmp_path / "search.png"
    _chromium([f"--screenshot={shot}", "--window-size=1200,2000", url], tmp_path)
    assert shot.exists() and shot.stat().st_size > 20_000  # a rendered page, not a blank canvas
    dom = _chromium(["--dump-dom", url], tmp_path).stdout
    rows = re.findall(r"<tr>.*?</tr>", dom, flags=re.S)
    matching = [r for r in rows if "【煤电】" in r]
    assert len(matching) == 1
    assert "（十四）" in matching[0] and "ndrc-1320629" in matching[0]
