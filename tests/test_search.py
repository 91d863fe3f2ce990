"""Chinese full-text search (output/search.py): exact recall against an instr scan for terms of
every length, the tokenizer traps, query syntax in user input, filters, upkeep of the index.

Real documents: the saved NDRC pages and the rendering of 发改开放〔2022〕408号, stored through
`output.db.Store` as the crawler stores them. Generated documents add what the real ones lack
(attachments, Latin and digit runs, FTS5 syntax characters in the text).
"""

from __future__ import annotations

import csv
import hashlib
import random
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from output import search
from output.db import Store
from parsers import parse
from parsers.model import Article, Attachment, Document

# ----------------------------------------------------------------------------- builders


def real_documents() -> list[Document]:
    """Every real detail page and rendering, parsed with the URL it was saved from."""
    docs = []
    with open(FIXTURES / "PROVENANCE.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if "_index" in row["file"]:
                continue
            url = row["original_url"].split(" ")[0]
            docs.append(parse((FIXTURES / row["file"]).read_bytes(), url=url))
    return docs


def make_doc(
    n: int,
    *,
    title: str,
    articles: list[tuple[str | None, str]] = (),
    body_extra: str = "",
    attachments: list[str] = (),
    category: str = "通知",
    publish_date: str = "2024-05-06",
    doc_number: str | None = None,
    issuers: tuple[str, ...] = ("国家发展改革委",),
) -> Document:
    """A document as the parsers would return it: the body is the title, extra text, articles."""
    arts = tuple(
        Article(seq=i, level=1, label=f"第{i + 1}条", number=i + 1, heading=h, text=t, parent=None)
        for i, (h, t) in enumerate(articles)
    )
    body = "\n".join([title, body_extra, *(((h or "") + t) for h, t in articles)])
    return Document(
        id=f"test-{n}",
        url=f"https://www.ndrc.gov.cn/xxgk/zcfb/tz/202405/t20240506_{n}.html",
        category=category,
        title=title,
        doc_number=doc_number,
        doc_number_parts=None,
        publish_date=publish_date,
        written_date=None,
        effective_date=None,
        source=None,
        issuers=issuers,
        addressees=None,
        body_text=body,
        preamble=body_extra or None,
        articles=arts,
        attachments=tuple(
            Attachment(title=f"附件{i}", url=None, file_type="pdf", text=t)
            for i, t in enumerate(attachments, 1)
        ),
        interpretations=(),
        warnings=(),
        content_sha256=hashlib.sha256(repr((title, body, attachments)).encode()).hexdigest(),
    )


# Text pieces of the generated documents: policy phrases plus what trips tokenizers (Latin and
# digit runs, mixed case, full-width forms, FTS5 operators and quotes, whitespace of all kinds).
PHRASES = [
    "煤电", "碳达峰", "碳中和", "可再生能源", "新型储能", "电力市场", "天然气", "氢能", "高质量发展",
    "绿色低碳", "价格机制", "营商环境", "数字经济", "一带一路", "乡村振兴", "粮食安全", "光伏", "风电",
    "5G网络", "2025年", "AND", "OR", "NOT", "NEAR", '"', "*", "(", ")", "^", ":", "-", "+", "'",
    "ＡＢＣ", "１２３", "Wi-Fi", "wifi", "　", " ", "\t", "「", "」", "《", "》", "〔", "〕", "号",
]
FILL = list("的和与及等在对推进完善建立健全支持鼓励有关工作要求各地部门机制体系建设发展。，、；：")


def generated_documents(count: int, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)

    def text(lo: int, hi: int) -> str:
        return "".join(
            rng.choice(PHRASES) if rng.random() < 0.3 else rng.choice(FILL)
            for _ in range(rng.randint(lo, hi))
        )

    docs = []
    for n in range(count):
        arts = [(text(1, 4) if rng.random() < 0.4 else None, text(5, 40)) for _ in range(rng.randint(0, 5))]
        docs.append(
            make_doc(
                n,
                title="关于" + text(2, 8) + "的通知",
                articles=arts,
                body_extra=text(0, 30),
                attachments=[text(5, 30) for _ in range(rng.randint(0, 2))],
                category=rng.choice(["通知", "公告", "规范性文件"]),
                publish_date=f"{rng.randint(2019, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                issuers=tuple(rng.sample(["国家发展改革委", "国家能源局", "财政部", "商务部"], rng.randint(1, 2))),
            )
        )
    return docs


def corpus_texts(db) -> list[str]:
    """Every text the search covers, as stored."""
    sql = (
        "SELECT title FROM documents UNION ALL SELECT body_text FROM documents "
        "UNION ALL SELECT text FROM attachments UNION ALL SELECT heading FROM articles "
        "UNION ALL SELECT text FROM articles"
    )
    return [t for (t,) in db.execute(sql) if t]


def found(db, query: str, **kw) -> set[tuple[str, int | None]]:
    return {(h.document_id, h.seq) for h in search.search(db, query, limit=None, **kw)}


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def real_db(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("real") / "ndrc.sqlite")
    for doc in real_documents():
        store.upsert_document(doc)
    yield store.db
    store.close()


@pytest.fixture(scope="module")
def gen_db(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("gen") / "ndrc.sqlite")
    for doc in real_documents() + generated_documents(150):
        store.upsert_document(doc)
    yield store.db
    store.close()


# ----------------------------------------------------------------------------- real documents


def test_real_terms_of_every_length_find_the_articles_that_say_them(real_db):
    # 煤电 is in （十四）of 发改开放〔2022〕408号 only; 碳 in many of its articles.
    hits = search.search(real_db, "煤电")
    assert [(h.document_id, h.label) for h in hits] == [("ndrc-1320629", "（十四）")]
    hit = hits[0]
    assert hit.doc_number == "发改开放〔2022〕408号"
    assert hit.publish_date == "2022-03-28"
    assert "<mark>煤电</mark>" in hit.snippet
    for q in ("碳", "煤电", "绿色发展", "一带一路", "生态文明建设", "构建人与自然生命共同体"):
        got = found(real_db, q)
        assert got, q
        assert got == search.scan(real_db, q), q


def test_document_hit_when_no_article_says_it(real_db):
    # 第41号 is in the order's body, which has no numbered articles; 发改开放 is in the 408 header only.
    hits = search.search(real_db, "发改开放〔2022〕408号")
    assert [(h.document_id, h.seq, h.field) for h in hits] == [("ndrc-1320629", None, "body")]
    assert {h.document_id for h in search.search(real_db, "郑栅洁")} == {"ndrc-1404577", "ndrc-1403694"}


def test_trigram_alone_cannot_answer_short_queries(real_db):
    """The trap the one-character index exists for: trigram MATCH finds nothing under 3 chars."""
    n = real_db.execute(
        f"SELECT count(*) FROM {search.ARTICLES_TRIGRAM} WHERE {search.ARTICLES_TRIGRAM} MATCH ?",
        ['"煤电"'],
    ).fetchone()[0]
    assert n == 0
    assert found(real_db, "煤电") == search.scan(real_db, "煤电") != set()


def test_like_over_trigram_trap_does_not_reach_search(real_db):
    """SQLite 3.40: LIKE '%煤%' over a trigram table returns no rows although 煤 is there."""
    like = real_db.execute(
        f"SELECT count(*) FROM {search.ARTICLES_TRIGRAM} WHERE text GLOB ?", ["*煤*"]
    ).fetchone()[0]
    if sqlite3.sqlite_version_info[:2] == (3, 40):
        assert like == 0  # the trap is live on this SQLite
    assert found(real_db, "煤") == search.scan(real_db, "煤") != set()


# ----------------------------------------------------------------------------- generated corpus


@pytest.mark.parametrize(
    "query",
    ['"', '""', "AND", "OR", "NOT", "NEAR", "*", "(", ")", "^", ":", "-", "+", "'", "a OR b",
     '"煤电"', "煤电 AND 光伏", "NEAR(煤电", "column:煤电", "5G", "5g", "2025年", "2025", "Wi-Fi",
     "ＡＢＣ", "１２３", "「", "。", "，", "、"],
)
def test_syntax_characters_latin_and_punctuation_match_like_instr(gen_db, query):
    assert found(gen_db, query) == search.scan(gen_db, query)


def test_case_matters_as_in_instr(gen_db):
    assert found(gen_db, "5G")
    assert found(gen_db, "5g") == search.scan(gen_db, "5g")
    assert not found(gen_db, "5g") & found(gen_db, "5G") - search.scan(gen_db, "5g")


def test_whitespace_around_the_query_is_dropped_inside_kept(gen_db):
    assert found(gen_db, "  煤电\u3000\n") == found(gen_db, "煤电") == search.scan(gen_db, "煤电")
    assert search.search(gen_db, "") == search.search(gen_db, " \u3000\t") == []
    inner = "煤电\u3000"  # a full-width space is a character of the text like any other
    assert found(gen_db, inner + "x") == search.scan(gen_db, inner + "x")


def test_attachment_text_and_title_are_searched(gen_db):
    db = gen_db
    att = db.execute("SELECT document_id, text FROM attachments WHERE length(text) > 12").fetchone()
    q = att[1][3:10].strip(search.QUERY_TRIM)
    assert any(d == att[0] for d, _ in found(db, q))
    assert found(db, q) == search.scan(db, q)
    title = db.execute("SELECT id, title FROM documents WHERE id LIKE 'test-%'").fetchone()
    assert any(d == title[0] for d, _ in found(db, title[1]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_recall_is_exact_for_random_substrings(gen_db, data):
    texts = corpus_texts(gen_db)
    text = data.draw(st.sampled_from(texts))
    length = data.draw(st.integers(1, 8))
    start = data.draw(st.integers(0, max(0, len(text) - 1)))
    query = search.normalize_query(text[start : start + length])
    if not query:
        return
    got = search.search(gen_db, query, limit=None)
    assert {(h.document_id, h.seq) for h in got} == search.scan(gen_db, query)
    for h in got:
        assert f"<mark>{query}</mark>".replace("\n", " ") in h.snippet


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(alphabet="煤电碳光伏的和。， 5Gg\"*()ANDOR年２", min_size=1, max_size=5))
def test_recall_is_exact_for_arbitrary_strings(gen_db, query):
    assert found(gen_db, query) == search.scan(gen_db, query)


def test_filters_category_year_issuer(gen_db):
    q = "的"
    every = search.search(gen_db, q, limit=None)
    for kw, check in (
        ({"category": "公告"}, lambda d: d["category"] == "公告"),
        ({"year": 2021}, lambda d: d["publish_date"].startswith("2021")),
        ({"issuer": "财政部"}, lambda d: "财政部" in d["issuers"]),
    ):
        hits = search.search(gen_db, q, limit=None, **kw)
        meta = {
            r[0]: {"category": r[1], "publish_date": r[2] or "", "issuers": r[3] or ""}
            for r in gen_db.execute(
                "SELECT d.id, d.category, d.publish_date, (SELECT group_concat(name) FROM issuers i"
                " WHERE i.document_id = d.id) FROM documents d"
            )
        }
        assert hits, kw
        expected = {(h.document_id, h.seq) for h in every if check(meta[h.document_id])}
        assert {(h.document_id, h.seq) for h in hits} == expected, kw


def test_common_terms_stream_unranked_and_stop_at_the_limit(gen_db, monkeypatch):
    monkeypatch.setattr(search, "RANK_ALL_MAX", 3)
    hits = search.search(gen_db, "的", limit=7)
    assert len(hits) == 7
    assert all(h.rank is None for h in hits)
    assert {(h.document_id, h.seq) for h in hits} <= search.scan(gen_db, "的")


def test_ranked_results_put_a_heading_match_first(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    store.upsert_document(
        make_doc(1, title="关于甲的通知", articles=[(None, "其他内容提到氢能一次。" * 3), ("氢能", "发展规划。")])
    )
    hits = search.search(store.db, "氢能")
    assert [h.field for h in hits][0] == "heading"
    assert all(h.rank is not None for h in hits)
    store.close()


# ----------------------------------------------------------------------------- upkeep


def test_index_follows_updates_and_rebuild_agrees(tmp_path):
    store = Store(tmp_path / "u.sqlite")
    db = store.db
    store.upsert_document(make_doc(1, title="关于煤电的通知", articles=[(None, "推进煤电升级。"), (None, "光伏。")]))
    store.upsert_document(make_doc(2, title="关于光伏的通知", articles=[(None, "光伏治理。")]))
    assert found(db, "煤电") == {("test-1", 0)}
    # the same document, rewritten: 煤电 gone, 氢能 arrives, one article fewer
    store.upsert_document(make_doc(1, title="关于氢能的通知", articles=[(None, "推进氢能。")]))
    assert found(db, "煤电") == set() == search.scan(db, "煤电")
    assert found(db, "氢能") == {("test-1", 0)}
    assert found(db, "光伏") == {("test-2", 0)}
    rows = db.execute(f"SELECT count(*) FROM {search.ROWS_TABLE}").fetchone()[0]
    assert rows == 2 + 2  # two documents, two articles: nothing left of the old version
    before = {q: found(db, q) for q in ("氢", "光伏", "通知", "推进氢能。")}
    assert search.rebuild(db) == 2
    assert {q: found(db, q) for q in before} == before
    # a removed document leaves the index on the next index_document
    db.execute("DELETE FROM articles WHERE document_id = 'test-2'")
    db.execute("DELETE FROM issuers WHERE document_id = 'test-2'")
    db.execute("DELETE FROM document_versions WHERE document_id = 'test-2'")
    db.execute("DELETE FROM documents WHERE id = 'test-2'")
    search.index_document(db, "test-2")
    assert found(db, "光伏") == set()
    store.close()


def test_missing_index_is_one_clear_error(tmp_path):
    import sqlite_utils

    db = sqlite_utils.Database(tmp_path / "bare.sqlite")
    row = {"id": "x", "title": "煤电", "body_text": "煤电", "doc_number": None, "publish_date": None, "category": None}
    db["documents"].insert(row, pk="id", columns={"doc_number": str, "publish_date": str, "category": str})
    with pytest.raises(RuntimeError, match="no search index"):
        search.search(db, "煤电")
    db["articles"].create({"document_id": str, "seq": int, "label": str, "heading": str, "text": str})
    search.rebuild(db)
    assert [h.document_id for h in search.search(db, "煤电")] == ["x"]


def test_chars_encoding_is_one_token_per_character():
    assert search.encode_chars("煤电5G a") == "煤 电 5 x47 x20 a"
    assert search.chars_expression('"AND"') == '"x22 x41 x4e x44 x22"'
    assert search.trigram_expression('煤"电') == '"煤""电"'


@pytest.mark.parametrize("query", ["光伏", "煤电", "绿色低碳", "AND", "的和"])
def test_limited_results_are_the_best_of_all(gen_db, query):
    every = search.search(gen_db, query, limit=None)
    assert every and all(h.rank is not None for h in every)
    top = search.search(gen_db, query, limit=5)
    assert [h.rank for h in top] == sorted(h.rank for h in every)[:5]
