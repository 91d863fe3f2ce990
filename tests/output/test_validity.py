"""Validity (output/validity.py) and a document's term (parsers/term.py): the rule over dates
and incoming clauses, `--as-of`, recomputation when a document arrives or changes, and a
property: validity never says repealed without a basis that holds a sentence."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from output import validity
from output.db import Store
from output.validity import Incoming, compute
from parsers.term import effective_on_issue, expiry
from test_search import make_doc, real_documents

REPEAL = "《X》（发改价格〔2015〕1号）同时废止。"


def test_effective_on_issue_says_which_date():
    assert effective_on_issue(["本通知自印发之日起施行。"], "2026-01-02", "2026-01-09") == "2026-01-02"
    assert effective_on_issue(["本办法自发布之日起施行。"], "2026-01-02", "2026-01-09") == "2026-01-09"
    assert effective_on_issue(["本办法自公布之日起施行。"], None, "2026-01-09") == "2026-01-09"
    assert effective_on_issue(["本通知自印发之日起施行。"], None, "2026-01-09") == "2026-01-09"  # unsigned
    assert effective_on_issue(["另行通知。"], "2026-01-02", "2026-01-09") is None


def test_expiry_until_a_date_or_for_n_years_from_the_effective_date():
    got = expiry(["本通知自2021年1月1日起施行，有效期5年。"], "2021-01-01")
    assert got.date == "2025-12-31" and got.text == "本通知自2021年1月1日起施行，有效期5年。"
    assert expiry(["有效期至二〇三〇年十二月三十一日。"], None).date == "2030-12-31"
    assert expiry(["本办法有效期为五年。"], "2024-02-29").date == "2029-02-28"
    assert expiry(["本规定试行期2年。"], None) is None  # N years, but from no known start
    assert expiry(["2026年第3号公告有效期…"], None) is None


def test_the_real_pages_take_effect_on_the_date_their_text_says():
    by_id = {d.id: d for d in real_documents()}
    assert by_id["ndrc-1404577"].effective_date == "2026-07-01"  # 自2026年7月1日起施行
    assert all(d.expiry_date is None for d in by_id.values())


def incoming(relation="repeals", date="2026-01-01", text=REPEAL, by="b"):
    return Incoming(relation, by, "发改价格〔2026〕1号", date, date, text)


def state(*inc, effective="2020-01-01", expiry_date=None, expiry_text=None, as_of="2026-06-01"):
    return compute(effective_date=effective, publish_date=effective, expiry_date=expiry_date,
                   expiry_text=expiry_text, incoming=list(inc), as_of=as_of)


def test_the_rule_in_order():
    assert state()[0] == "in_force" and state()[1] == ()
    assert state(effective="2027-01-01")[0] == "not_yet_effective"
    s, basis = state(incoming())
    assert s == "repealed" and basis[0].by_id == "b" and basis[0].text == REPEAL
    # from the repealing document's effective date only
    assert state(incoming(date="2026-09-01"))[0] == "in_force"
    assert state(incoming(date="2026-09-01"), as_of="2026-09-01")[0] == "repealed"
    assert state(incoming("replaces"))[0] == "repealed"
    assert state(incoming(text="《X》第三条同时废止。"))[0] == "partially_repealed"
    s, basis = state(incoming("amends", text="决定对《X》作如下修改："))
    assert s == "amended" and basis[0].relation == "amends"
    s, basis = state(expiry_date="2025-12-31", expiry_text="有效期5年。")
    assert s == "expired" and basis[0].relation == "expires" and basis[0].by_id is None
    assert state(expiry_date="2026-12-31", expiry_text="有效期5年。")[0] == "in_force"
    # repealed wins over amended and expired, and the basis keeps the amendment too
    s, basis = state(incoming("amends", text="决定对《X》作如下修改：", by="a"), incoming(),
                     expiry_date="2025-12-31", expiry_text="有效期5年。")
    assert s == "repealed" and [b.relation for b in basis] == ["repeals", "amends", "expires"]
    # a document published before the one it names cannot repeal it (a mis-resolved target)
    assert state(incoming(date="2019-01-01"))[0] == "in_force"


clauses = st.builds(
    Incoming,
    relation=st.sampled_from(["repeals", "replaces", "amends"]),
    by_id=st.sampled_from(["a", "b", "c"]),
    by_doc_number=st.none() | st.just("发改价格〔2026〕1号"),
    date=st.none() | st.dates().map(lambda d: d.isoformat()),
    by_publish_date=st.none() | st.dates().map(lambda d: d.isoformat()),
    text=st.sampled_from(["", "  ", REPEAL, "《X》第三条同时废止。", "决定对《X》作如下修改："]),
)


@settings(max_examples=300, deadline=None)
@given(
    inc=st.lists(clauses, max_size=5),
    effective=st.none() | st.dates().map(lambda d: d.isoformat()),
    expiry_date=st.none() | st.dates().map(lambda d: d.isoformat()),
    expiry_text=st.none() | st.sampled_from(["", "有效期5年。"]),
    as_of=st.dates().map(lambda d: d.isoformat()),
)
def test_validity_never_says_repealed_without_a_sentence(inc, effective, expiry_date, expiry_text, as_of):
    s, basis = compute(effective_date=effective, publish_date=effective, expiry_date=expiry_date,
                       expiry_text=expiry_text, incoming=inc, as_of=as_of)
    if s in ("repealed", "partially_repealed"):
        assert any(b.relation in ("repeals", "replaces") and b.text.strip() and b.by_id for b in basis)
    if s == "expired":
        assert basis[0].relation == "expires" and basis[0].text
    if s == "amended":
        assert any(b.relation == "amends" and b.text.strip() for b in basis)
    assert all(b.text and b.text.strip() for b in basis)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "v.sqlite") as s:
        yield s


doc = make_doc  # a document with the relations its text states, as the parser reads them


def validity_of(store, doc_id):
    return store.db.execute("SELECT validity FROM documents WHERE id = ?", [doc_id]).fetchone()[0]


def test_recomputed_when_the_repealing_document_arrives_changes_and_as_of(store):
    target = doc(1, title="关于X的通知", doc_number="发改价格〔2015〕1号", publish_date="2015-03-01")
    store.upsert_document(target)
    assert validity_of(store, "test-1") == "in_force"
    repealer = replace(doc(2, title="关于Y的通知", body_extra=REPEAL, publish_date="2026-02-01"),
                       effective_date="2026-03-01")
    store.upsert_document(repealer)
    assert validity_of(store, "test-1") == "repealed"
    with store.transaction() as db:
        validity.refresh_all(db, as_of="2026-02-15")  # before the repeal takes effect
    assert validity_of(store, "test-1") == "in_force"
    with store.transaction() as db:
        validity.refresh_all(db)
    assert validity_of(store, "test-1") == "repealed"
    # a clause stating its own start holds from that day
    store.upsert_document(replace(doc(3, title="关于Z的通知", doc_number="发改价格〔2016〕2号", publish_date="2016-03-01")))
    store.upsert_document(replace(doc(4, title="关于W的通知", publish_date="2026-02-01",
                                      body_extra="《Z》（发改价格〔2016〕2号）自2099年1月1日起停止执行。"),
                                  effective_date="2026-02-01"))
    assert validity_of(store, "test-3") == "in_force"
    with store.transaction() as db:
        validity.refresh_all(db, as_of="2099-01-01")
    assert validity_of(store, "test-3") == "repealed"
    (basis,) = validity.of_document(store.db, "test-3", "2099-01-01")[1]
    assert basis.date == "2099-01-01" and basis.by_id == "test-4"
    # the repealing document changes and no longer repeals it
    store.upsert_document(replace(doc(2, title="关于Y的通知", publish_date="2026-02-01"), content_sha256="1" * 64))
    assert validity_of(store, "test-1") == "in_force"


def test_a_version_1_database_gains_relations_validity_and_the_citations_view(tmp_path):
    from output import citations
    from output.schema import MIGRATIONS

    path = tmp_path / "v1.sqlite"
    with Store(path, extensions=False) as old:
        old.upsert_document(doc(1, title="关于X的通知", doc_number="发改价格〔2015〕1号", publish_date="2015-03-01"))
        old.upsert_document(doc(2, title="关于Y的通知", body_extra=REPEAL, publish_date="2026-02-01"))
        # back to the version 1 schema: no relations, validity columns or view; citations a table
        for statement in (
            "DROP VIEW citations", "DROP TABLE relations", "DROP TABLE document_title_keys",
            "DROP TABLE relation_target_keys", "ALTER TABLE documents DROP COLUMN validity",
            "ALTER TABLE documents DROP COLUMN validity_basis", "ALTER TABLE documents DROP COLUMN expiry_date",
            "CREATE TABLE citations (document_id TEXT, position INTEGER, cited_doc_number TEXT,"
            " cited_title TEXT, cited_id TEXT)", "PRAGMA user_version = 1",
        ):
            old.db.execute(statement)
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert validity_of(store, "test-1") == "repealed"
        assert store.db.execute("SELECT target_id FROM relations WHERE document_id = 'test-2'").fetchall() == [
            ("test-1",)]
        assert [c["cited_id"] for c in citations.cites(store.db, "test-2")] == ["test-1"]
        assert "citations" in store.db.view_names()
