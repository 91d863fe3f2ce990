"""Citations (output/citations.py): 文号 and 《title》 cited by a document, its own number and title
left out, cited_id resolved when the cited document is stored, before or after the citing one.
The view is derived from the relations parsers.relations reads (one reader)."""

from __future__ import annotations

import pytest

from output import citations
from output.db import Store
from test_search import make_doc, real_documents


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "c.sqlite")
    yield s
    s.close()


def rows(db, document_id):
    return [
        (r["cited_doc_number"], r["cited_title"], r["cited_id"]) for r in citations.cites(db, document_id)
    ]


def test_real_documents_cite_what_their_text_names_but_not_themselves(store):
    for doc in real_documents():
        store.upsert_document(doc)
    db = store.db
    # 发改开放〔2022〕408号 cites international texts by title, and never its own number or title
    cited = rows(db, "ndrc-1320629")
    titles = [t for _, t, _ in cited]
    assert "巴黎协定" in titles and "联合国气候变化框架公约" in titles
    assert all(n != "发改开放〔2022〕408号" for n, _, _ in cited)
    # an order's body names itself (…委员会令 第41号, 《电力重大事故隐患…规定》): not a citation
    assert rows(db, "ndrc-1404577") == []
    assert rows(db, "ndrc-1403694") == []
    # 关于印发《X》的通知 issues X: the body's 《X》 is the document itself
    assert all(t != "新型能源体系建设“十五五”规划" for _, t, _ in rows(db, "ndrc-1406079"))


def test_a_title_pairs_with_its_bracketed_number_and_repeats_count_once(store):
    text = (
        "根据《关于完善煤电价格机制的通知》（发改价格〔2021〕1439号）和发改能源〔2022〕206号，"
        "参照《巴黎协定》。再次强调《巴黎协定》和发改价格〔2021〕1439号，及京发改规〔2017〕4号。"
    )
    store.upsert_document(make_doc(1, title="关于某事的通知", body_extra=text, doc_number="发改能源〔2023〕1号"))
    assert rows(store.db, "test-1") == [
        ("发改价格〔2021〕1439号", "关于完善煤电价格机制的通知", None),
        ("发改能源〔2022〕206号", None, None),
        (None, "巴黎协定", None),
    ]


def test_cited_id_filled_when_the_cited_document_arrives_later(store):
    db = store.db
    citing = make_doc(
        1,
        title="关于进一步做好煤电工作的通知",
        body_extra="按照发改价格〔2021〕1439号和《关于推进电力市场建设的意见》要求，",
        doc_number="发改能源〔2024〕10号",
    )
    store.upsert_document(citing)
    assert rows(db, "test-1") == [
        ("发改价格〔2021〕1439号", None, None),
        (None, "关于推进电力市场建设的意见", None),
    ]
    # the cited documents arrive: one matched by 文号, one by title (stored with its issuer prefix)
    store.upsert_document(make_doc(2, title="关于完善煤电价格机制的通知", doc_number="发改价格〔2021〕1439号"))
    store.upsert_document(make_doc(3, title="国家发展改革委 国家能源局关于推进电力市场建设的意见"))
    assert rows(db, "test-1") == [
        ("发改价格〔2021〕1439号", None, "test-2"),
        (None, "关于推进电力市场建设的意见", "test-3"),
    ]
    assert [r["document_id"] for r in citations.cited_by(db, "test-2")] == ["test-1"]
    assert [r["document_id"] for r in citations.cited_by(db, doc_number="发改价格〔2021〕1439号")] == ["test-1"]
    assert citations.cited_by(db, "test-1") == []
    # a document that already exists is resolved at once
    store.upsert_document(make_doc(4, title="关于转发的通知", body_extra="转发发改价格〔2021〕1439号。"))
    assert rows(db, "test-4") == [("发改价格〔2021〕1439号", None, "test-2")]
    # the cited document's number changes: rows pointing at it are resolved again
    store.upsert_document(make_doc(2, title="关于完善煤电价格机制的通知（修订）", doc_number="发改价格〔2021〕9999号"))
    assert rows(db, "test-1")[0] == ("发改价格〔2021〕1439号", None, None)
    # rebuild gives the same table as the incremental upkeep
    before = {d: rows(db, d) for d in ("test-1", "test-4")}
    assert citations.rebuild(db) == 3
    assert {d: rows(db, d) for d in before} == before


def test_cited_by_needs_exactly_one_key(store):
    with pytest.raises(ValueError):
        citations.cited_by(store.db)
    with pytest.raises(ValueError):
        citations.cited_by(store.db, "a", doc_number="b")
