"""Datasette for researchers (output/serve.py, output/datasette/metadata.json): metadata,
facets, canned queries. The web UI's own pages are tested in test_web.py."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import pytest

from output.db import Store
from output.serve import METADATA_PATH, load_metadata, make_datasette
from test_search import make_doc, real_documents

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


def test_metadata_names_the_source_and_follows_the_database_name():
    meta = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    assert "www.ndrc.gov.cn" in meta["source"] and "国家发展和改革委员会" in meta["source"]
    assert "other" in load_metadata("other")["databases"]
    assert "search" not in meta["databases"]["ndrc"]["queries"]  # /search replaced the SQL one
    assert "validity" in load_metadata("ndrc", {"id", "validity"})["databases"]["ndrc"]["tables"]["documents"]["facets"]


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


def test_home_page_names_the_source_and_links_search(ds):
    home = get_html(ds, "/")
    assert "国家发展和改革委员会" in home and 'href="/search"' in home
