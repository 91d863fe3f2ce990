"""Chinese full-text search (output/search/): exact recall against an instr scan for terms of
every length, the tokenizer traps, filters, ranking, snippets, upkeep of the index. The query
language's operators are tested in test_search_syntax.py.

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
from output.search.syntax import Term
from search_scan import render, scan, scan_articles
from parsers import parse
from parsers.relations import read_relations
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
        relations=read_relations(body, arts, attachments, own_doc_number=doc_number, own_title=title,
                                 category=category),
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


def exact(text: str) -> str:
    """`text` as a query that finds exactly it."""
    return render(Term(text))


def found(db, query: str, **kw) -> set[str]:
    return {h.document_id for h in search.search(db, query, limit=None, **kw)}


def found_articles(db, query: str, **kw) -> set[tuple[str, int]]:
    hits = search.search(db, query, limit=None, articles=None, **kw)
    return {(h.document_id, a.seq) for h in hits for a in h.articles}


def assert_exact(db, query: str) -> None:
    hits = search.search(db, query, limit=None, articles=None)
    docs = {h.document_id for h in hits}
    assert docs == scan(db, query), query
    assert {(h.document_id, a.seq) for h in hits for a in h.articles} == scan_articles(db, query, docs), query
    assert all(h.article_count == len(h.articles) for h in hits)


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
    assert [h.document_id for h in hits] == ["ndrc-1320629"]
    hit = hits[0]
    assert [a.label for a in hit.articles] == ["（十四）"] and hit.article_count == 1
    assert hit.doc_number == "发改开放〔2022〕408号"
    assert hit.publish_date == "2022-03-28"
    assert "<mark>煤电</mark>" in hit.articles[0].snippet
    for q in ("碳", "煤电", "绿色发展", "一带一路", "生态文明建设", "构建人与自然生命共同体"):
        assert found(real_db, q), q
        assert_exact(real_db, q)


def test_document_hit_when_no_article_says_it(real_db):
    # 发改开放〔2022〕408号 is in the 408 header only, no article holds it
    hits = search.search(real_db, "发改开放〔2022〕408号")
    assert [(h.document_id, h.field, h.article_count) for h in hits] == [("ndrc-1320629", "body", 0)]
    assert "<mark>发改开放〔2022〕408号</mark>" in hits[0].snippet
    assert found(real_db, "郑栅洁") == {"ndrc-1404577", "ndrc-1403694"}


def test_trigram_alone_cannot_answer_short_queries(real_db):
    """The trap the one-character index exists for: trigram MATCH finds nothing under 3 chars."""
    n = real_db.execute(
        f"SELECT count(*) FROM {search.ARTICLES_TRIGRAM} WHERE {search.ARTICLES_TRIGRAM} MATCH ?",
        ['"煤电"'],
    ).fetchone()[0]
    assert n == 0
    assert found(real_db, "煤电") == scan(real_db, "煤电") != set()


def test_like_over_trigram_trap_does_not_reach_search(real_db):
    """SQLite 3.40: LIKE '%煤%' over a trigram table returns no rows although 煤 is there."""
    like = real_db.execute(
        f"SELECT count(*) FROM {search.ARTICLES_TRIGRAM} WHERE text GLOB ?", ["*煤*"]
    ).fetchone()[0]
    if sqlite3.sqlite_version_info[:2] == (3, 40):
        assert like == 0  # the trap is live on this SQLite
    assert found(real_db, "煤") == scan(real_db, "煤") != set()


# ----------------------------------------------------------------------------- generated corpus


@pytest.mark.parametrize(
    "text",
    ['"', '""', "AND", "OR", "NOT", "NEAR", "*", "(", ")", "^", ":", "-", "+", "'", "a OR b",
     '"煤电"', "煤电 AND 光伏", "NEAR(煤电", "column:煤电", "5G", "5g", "2025年", "2025", "Wi-Fi",
     "ＡＢＣ", "１２３", "「", "。", "，", "、"],
)
def test_syntax_characters_latin_and_punctuation_quoted_match_like_instr(gen_db, text):
    assert_exact(gen_db, exact(text))


def test_case_matters_as_in_instr(gen_db):
    assert found(gen_db, "5G")
    assert found(gen_db, "5g") == scan(gen_db, "5g")
    assert found(gen_db, "5G") != found(gen_db, "5g")


def test_whitespace_around_terms_separates_inside_quotes_kept(gen_db):
    assert found(gen_db, "  煤电\u3000\n") == found(gen_db, "煤电") == scan(gen_db, "煤电")
    inner = '"煤电\u3000x"'  # a full-width space inside quotes is a character like any other
    assert found(gen_db, inner) == scan(gen_db, inner)


def test_attachment_text_and_title_are_searched(gen_db):
    db = gen_db
    att = db.execute("SELECT document_id, text FROM attachments WHERE length(text) > 12").fetchone()
    q = exact(att[1][3:10])
    assert att[0] in found(db, q)
    assert_exact(db, q)
    title = db.execute("SELECT id, title FROM documents WHERE id LIKE 'test-%'").fetchone()
    hits = search.search(db, exact(title[1]), limit=None)
    assert title[0] in {h.document_id for h in hits}
    assert next(h for h in hits if h.document_id == title[0]).tier == "title"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_recall_is_exact_for_random_substrings(gen_db, data):
    texts = corpus_texts(gen_db)
    text = data.draw(st.sampled_from(texts))
    length = data.draw(st.integers(1, 8))
    start = data.draw(st.integers(0, max(0, len(text) - 1)))
    term = text[start : start + length]
    if not term.strip(" \t\r\n\f\v\u3000\xa0"):
        return
    query = exact(term)
    assert_exact(gen_db, query)
    for h in search.search(gen_db, query, limit=None, articles=None):
        assert f"<mark>{term}</mark>".replace("\n", " ") in h.snippet
        for a in h.articles:
            assert f"<mark>{term}</mark>".replace("\n", " ") in a.snippet or a.field == "heading"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet="煤电碳光伏的和。， 5Gg\"*()ANDOR年２", min_size=1, max_size=5))
def test_recall_is_exact_for_arbitrary_strings(gen_db, text):
    if text.strip(" "):
        assert_exact(gen_db, exact(text))


def test_filters_category_year_issuer_dates(gen_db):
    q = "的"
    every = search.search(gen_db, q, limit=None)
    meta = {
        r[0]: {"category": r[1], "publish_date": r[2] or "", "issuers": r[3] or ""}
        for r in gen_db.execute(
            "SELECT d.id, d.category, d.publish_date, (SELECT group_concat(name) FROM issuers i"
            " WHERE i.document_id = d.id) FROM documents d"
        )
    }
    for kw, check in (
        ({"category": "公告"}, lambda d: d["category"] == "公告"),
        ({"year": 2021}, lambda d: d["publish_date"].startswith("2021")),
        ({"issuer": "财政部"}, lambda d: "财政部" in d["issuers"].split(",")),
        ({"since": "2023-05"}, lambda d: d["publish_date"] >= "2023-05"),
        ({"until": "2021"}, lambda d: d["publish_date"][:4] <= "2021"),
        ({"since": "2020-03-01", "until": "2022-06-30"}, lambda d: "2020-03-01" <= d["publish_date"] <= "2022-06-30"),
    ):
        hits = search.search(gen_db, q, limit=None, **kw)
        assert hits, kw
        expected = {h.document_id for h in every if check(meta[h.document_id])}
        assert {h.document_id for h in hits} == expected, kw


def test_bad_filters_are_one_clear_error(gen_db):
    with pytest.raises(search.FilterError, match="--since 2024/05: write a date as"):
        search.search(gen_db, "的", since="2024/05")
    # this store has no validity column (another version adds it): --in-force says so
    if "validity" not in {r[1] for r in gen_db.execute("PRAGMA table_info(documents)")}:
        with pytest.raises(search.FilterError, match="no validity column"):
            search.search(gen_db, "的", in_force=True)


def test_in_force_leaves_out_repealed_and_expired(tmp_path):
    store = Store(tmp_path / "v.sqlite")
    for n in range(4):
        store.upsert_document(make_doc(n, title=f"关于氢能的通知{n}"))
    db = store.db
    if "validity" not in {r[1] for r in db.execute("PRAGMA table_info(documents)")}:
        db.execute("ALTER TABLE documents ADD COLUMN validity TEXT")
    for n, v in enumerate(("in_force", "repealed", "expired", None)):
        db.execute("UPDATE documents SET validity = ? WHERE id = ?", [v, f"test-{n}"])
    assert found(db, "氢能", in_force=True) == {"test-0", "test-3"}
    results = search.run(db, "氢能", facets=True)
    assert dict(results.facets["validity"]) == {"in_force": 1, "repealed": 1, "expired": 1}
    assert {h.validity for h in results.hits} == {"in_force", "repealed", "expired", None}
    store.close()


def test_ranking_title_then_heading_then_bm25(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    store.upsert_document(make_doc(1, title="关于甲的通知", articles=[(None, "提到氢能一次。" * 3)]))
    store.upsert_document(make_doc(2, title="关于乙的通知", articles=[(None, "其他内容。"), ("氢能", "发展规划。")]))
    store.upsert_document(make_doc(3, title="关于氢能产业的通知", articles=[(None, "无关。")]))
    store.upsert_document(make_doc(4, title="关于丙的通知", articles=[(None, "氢能。氢能。氢能。氢能。氢能。")]))
    hits = search.search(store.db, "氢能")
    assert [h.document_id for h in hits][:2] == ["test-3", "test-2"]
    assert [h.tier for h in hits] == ["title", "heading", "text", "text"]
    assert hits[2].rank <= hits[3].rank  # bm25: lower is better
    assert hits[1].articles[0].field == "heading"
    store.close()


def test_paging_and_limit_cut_the_same_order(gen_db):
    every = [h.document_id for h in search.search(gen_db, "的", limit=None)]
    assert [h.document_id for h in search.search(gen_db, "的", limit=5)] == every[:5]
    assert [h.document_id for h in search.search(gen_db, "的", limit=5, offset=5)] == every[5:10]
    r = search.run(gen_db, "的", limit=5, offset=5)
    assert r.total == len(every) and r.offset == 5


def test_articles_shown_are_the_best_of_the_document(gen_db):
    q = "的 和"
    full = search.search(gen_db, q, limit=None, articles=None)
    short = search.search(gen_db, q, limit=None)
    for f, s in zip(full, short):
        assert s.articles == f.articles[: search.ARTICLES_SHOWN]
        assert [a.terms for a in f.articles] == sorted((a.terms for a in f.articles), reverse=True)


# ----------------------------------------------------------------------------- upkeep


def test_index_follows_updates_and_rebuild_agrees(tmp_path):
    store = Store(tmp_path / "u.sqlite")
    db = store.db
    store.upsert_document(make_doc(1, title="关于煤电的通知", articles=[(None, "推进煤电升级。"), (None, "光伏。")]))
    store.upsert_document(make_doc(2, title="关于光伏的通知", articles=[(None, "光伏治理。")]))
    assert found_articles(db, "煤电") == {("test-1", 0)}
    # the same document, rewritten: 煤电 gone, 氢能 arrives, one article fewer
    store.upsert_document(make_doc(1, title="关于氢能的通知", articles=[(None, "推进氢能。")]))
    assert found(db, "煤电") == set() == scan(db, "煤电")
    assert found_articles(db, "氢能") == {("test-1", 0)}
    assert found(db, "光伏") == {"test-2"}
    rows = db.execute(f"SELECT count(*) FROM {search.ROWS_TABLE}").fetchone()[0]
    assert rows == 2 + 2  # two documents, two articles: nothing left of the old version
    before = {q: found_articles(db, q) for q in ("氢", "光伏", "通知", "推进氢能。")}
    assert search.rebuild(db) == 2
    assert {q: found_articles(db, q) for q in before} == before
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
    db["articles"].create({"document_id": str, "seq": int, "level": int, "label": str, "heading": str, "text": str})
    search.rebuild(db)
    assert [h.document_id for h in search.search(db, "煤电")] == ["x"]


def test_chars_encoding_is_one_token_per_character():
    assert search.encode_chars("煤电5G a") == "煤 电 5 x47 x20 a"
    assert search.chars_expression('"AND"') == '"x22 x41 x4e x44 x22"'
    assert search.trigram_expression('煤"电') == '"煤""电"'


def test_snippets_mark_every_shown_term_and_html_stays_text(gen_db):
    for h in search.search(gen_db, "煤电 光伏", limit=None):
        marked = h.snippet.count("<mark>")
        assert marked >= 1
    parts = search.highlight("<b>煤电</b>与光伏", ["煤电", "光伏"])
    assert parts == [("<b>", False), ("煤电", True), ("</b>与", False), ("光伏", True)]


def test_a_database_indexed_before_the_gram_index_gets_it_filled_on_open(tmp_path):
    path = tmp_path / "old.sqlite"
    store = Store(path)
    for doc in generated_documents(20):
        store.upsert_document(doc)
    db = store.db
    want = {q: found(db, q) for q in ("煤", "光伏", "的 和", "5G")}
    assert all(want.values())
    db.execute(f"DROP TABLE {search.DOCS_GRAMS}")  # as an earlier version left it
    db.conn.commit()
    store.close()
    store = Store(path)  # opening the store creates the missing table and fills it
    assert {q: found(store.db, q) for q in want} == want
    store.close()


def test_a_database_without_the_gram_index_is_still_searched_exactly(gen_db, tmp_path):
    import shutil

    import sqlite_utils

    copy = tmp_path / "copy.sqlite"
    gen_db.conn.commit()
    shutil.copy(gen_db.conn.execute("PRAGMA database_list").fetchone()[2], copy)
    db = sqlite_utils.Database(copy)
    db.execute(f"DROP TABLE {search.DOCS_GRAMS}")
    for q in ("煤", "光伏", "的 和", "5G OR 煤电", "绿色低碳 -的"):
        assert found(db, q) == scan(db, q), q
    db.close()


def test_gram_tokens_are_the_distinct_short_substrings_one_token_each():
    from output.search.index import gram_expression, gram_tokens

    assert gram_tokens(["绿色", "色x"]) == "x78y 绿 绿色 色 色x78y"  # no bigram spans two texts
    assert gram_tokens(["a\x00"]) == "x61y x0y x61yx0y"  # a NUL is a character like any other
    assert gram_expression("5G") == '"x35yx47y"' and gram_expression("碳") == '"碳"'
