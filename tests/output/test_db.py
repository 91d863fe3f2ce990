"""The SQLite store (output/db.py and the modules it writes through): schema and migrations, raw
pages, documents and versions, withdrawal, runs (transactions, the run lock and crash safety: test_store_transactions.py). Every test uses
an on-disk database."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given, settings, strategies as st
import os
import sqlite3
import zlib
from pathlib import Path

import pytest

import output.db as dbmod
from output import schema
from output.db import Store, StoreError
from output.documents import document_json
from output.pages import PageRef
from output.timestamps import timestamp
from parsers.model import Article, Attachment, DocNumberParts, Document, Link

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("NDRC_SHARED", ROOT.parent / "shared")) / "fixtures" / "ndrc"
EXPECTED = FIXTURES / "expected" / "tz_2022_408_rendering.json"
REAL_URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202203/t20220328_1320629.html"
T1, T2, T3 = "2026-08-01T08:00:00Z", "2026-08-02T08:00:00Z", "2026-08-03T08:00:00Z"

# ARCHITECTURE.md "SQLite tables": the columns other modules rely on.
REQUIRED_COLUMNS = {
    "documents": """id url category title doc_number doc_number_prefix doc_number_year
        doc_number_serial publish_date written_date effective_date source addressees body_text
        preamble warnings content_sha256 parser_version status withdrawn_date first_seen last_seen
        updated_at version""",
    "issuers": "document_id position name",
    "articles": "document_id seq level label number heading text parent source",
    "attachments": "document_id position title url file_type text sha256 size",
    "interpretations": "document_id position title url interpretation_id",
    "pages": """id url kind status fetched_at last_checked sha256 size content_type etag
        last_modified body""",
    "document_versions": "document_id version content_sha256 fetched_at document_json",
    "crawl_runs": """id started_at finished_at base_url columns full requests documents_new
        documents_updated documents_withdrawn documents_failed blocked exit_status message""",
    "parse_failures": "url page_sha256 reason at",
}
CHILD_TABLES = ("issuers", "articles", "attachments", "interpretations")


# ---------------------------------------------------------------------------- documents to store


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _with_parents(units: list[dict], source: str = "body", start: int = 0) -> list[Article]:
    """Articles from (label, number, level, heading, text) dicts, parent from the level nesting."""
    out, stack = [], []
    for i, unit in enumerate(units):
        while stack and stack[-1][0] >= unit["level"]:
            stack.pop()
        seq = start + i
        out.append(
            Article(seq=seq, level=unit["level"], label=unit["label"], number=unit["number"],
                    heading=unit["heading"], text=unit["text"],
                    parent=stack[-1][1] if stack else None, source=source)
        )
        stack.append((unit["level"], seq))
    return out


def real_document(**changes) -> Document:
    """The expected parse of the real 发改开放〔2022〕408号 rendering, as a Document."""
    data = json.loads(EXPECTED.read_text(encoding="utf-8"))
    articles = _with_parents(data["articles"])
    body = "\n".join([data["preamble"], *(a.label + (a.heading or "") + a.text for a in articles)])
    parts = data["doc_number_parts"]
    doc = Document(
        id="ndrc-1320629",
        url=REAL_URL,
        category=data["category"],
        title=data["title"],
        doc_number=data["doc_number"],
        doc_number_parts=DocNumberParts(parts["prefix"], parts["year"], parts["serial"]),
        publish_date=data["publish_date"],
        written_date=data["written_date"],
        effective_date=None,
        source=data["source"],
        issuers=tuple(data["issuers"]),
        addressees=data["addressees"],
        body_text=body,
        preamble=data["preamble"],
        articles=tuple(articles),
        attachments=(),
        interpretations=tuple(Link(i["title"], i["url"]) for i in data["interpretations"]),
        warnings=("written_date: no date in the signature block",),
        content_sha256=_sha(body),
    )
    if "body_text" in changes and "content_sha256" not in changes:
        changes["content_sha256"] = _sha(changes["body_text"])
    return _replace(doc, **changes)


def _replace(doc: Document, **changes) -> Document:
    from dataclasses import replace

    return replace(doc, **changes)


def generated_document(i: int, *, revision: int = 0) -> Document:
    """Document number i: 1-12 articles in two levels, 1-4 issuers, an attachment every 3rd."""
    n_articles, n_issuers = 1 + i % 12, 1 + i % 4
    units = []
    for k in range(n_articles):
        top = k % 3 == 0
        units.append(dict(level=1 if top else 2, label=f"第{k + 1}条", number=k + 1,
                          heading="总体要求" if top else None,
                          text=f"第{i}号文件第{k + 1}条，推进绿色发展。修订{revision}"))
    articles = _with_parents(units)
    body = "\n".join(a.text for a in articles)
    attachments = (
        (Attachment(f"附件{i}", f"https://www.ndrc.gov.cn/files/{i}.pdf", "pdf", "附件正文"),)
        if i % 3 == 0 else ()
    )
    return Document(
        id=f"ndrc-{1_000_000 + i}",
        url=f"https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260801_{1_000_000 + i}.html",
        category="通知",
        title=f"关于第{i}项工作的通知",
        doc_number=f"发改环资〔2026〕{i}号",
        doc_number_parts=DocNumberParts("发改环资", 2026, i),
        publish_date=f"2026-08-{1 + i % 28:02d}",
        written_date=None,
        effective_date=None,
        source="环资司",
        issuers=tuple(["国家发展改革委", "生态环境部", "商务部", "外交部"][:n_issuers]),
        addressees="各省、自治区、直辖市发展改革委",
        body_text=body,
        preamble=None,
        articles=tuple(articles),
        attachments=attachments,
        interpretations=(),
        warnings=(),
        content_sha256=_sha(body),
    )


# ---------------------------------------------------------------------------- helpers


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "data" / "ndrc.sqlite"


@pytest.fixture
def store(db_path):
    s = Store(db_path, extensions=False)
    yield s
    s.close()


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table this module owns (pages bodies as hashes)."""
    out = {}
    for table in REQUIRED_COLUMNS:
        rows = store.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        out[table] = [tuple(hashlib.sha256(v).hexdigest() if isinstance(v, bytes) else v for v in r) for r in rows]
    return out


def counts(store: Store) -> dict[str, int]:
    return {t: store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in REQUIRED_COLUMNS}


# ---------------------------------------------------------------------------- schema, migrations


def test_new_database_has_the_architecture_tables_indexes_and_pragmas(store, db_path):
    for table, cols in REQUIRED_COLUMNS.items():
        assert set(cols.split()) <= set(store.db.table(table).columns_dict), table
    assert store.db.table("pages").pks == ["id"]
    assert store.db.table("articles").pks == ["document_id", "seq"]
    assert store.db.table("document_versions").pks == ["document_id", "version"]
    conn = store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == dbmod.BUSY_TIMEOUT_MS
    assert store.schema_version == len(schema.MIGRATIONS) >= 1
    indexed = set()
    for table in REQUIRED_COLUMNS:
        for index in store.db.table(table).indexes:
            indexed.add((table, tuple(index.columns)))
    for wanted in [("documents", ("publish_date",)), ("documents", ("category",)),
                   ("documents", ("doc_number",)), ("issuers", ("name",)),
                   ("articles", ("document_id",)), ("pages", ("url", "sha256"))]:
        assert wanted in indexed
    assert db_path.parent.is_dir()


def test_empty_file_and_v0_database_open_and_migrate(tmp_path):
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    v0 = tmp_path / "v0.sqlite"
    conn = sqlite3.connect(v0)
    conn.execute("CREATE TABLE notes (x TEXT)")  # a user's own table is left alone
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    for path in (empty, v0):
        with Store(path, extensions=False) as s:
            assert s.schema_version == len(schema.MIGRATIONS)
            assert s.upsert_document(generated_document(1)) == "new"
    with Store(v0, extensions=False) as s:
        assert s.db.execute("SELECT x FROM notes").fetchall() == [("keep me",)]


def test_current_database_opens_and_a_future_migration_runs_exactly_once(db_path, monkeypatch):
    current = len(schema.MIGRATIONS)
    with Store(db_path, extensions=False) as s:
        s.upsert_document(real_document())
        assert s.schema_version == current
    calls = []

    def migration_next(db):
        calls.append(1)
        db.table("documents").add_column("language", str)

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, migration_next])
    for _ in range(3):
        with Store(db_path, extensions=False) as s:
            assert s.schema_version == current + 1
            assert "language" in s.db.table("documents").columns_dict
            assert s.document_dict("ndrc-1320629") == real_document().to_dict()
    assert calls == [1]


def test_a_newer_database_or_a_non_database_is_refused_with_one_line(tmp_path, db_path):
    Store(db_path, extensions=False).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="schema version 99 is newer") as err:
        Store(db_path, extensions=False)
    assert "\n" not in str(err.value)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        Store(junk, extensions=False)


# ---------------------------------------------------------------------------- raw pages


REAL_PAGES = sorted((FIXTURES / "pages").glob("*.html"))


def test_real_pages_are_stored_raw_compressed_and_read_back_exactly(store):
    assert REAL_PAGES, "no real fixture pages"
    for path in REAL_PAGES:
        body = path.read_bytes()
        kind = "list" if "_index_" in path.name else "detail"
        url = f"https://www.ndrc.gov.cn/fixture/{path.name}"
        ref = store.save_page(url, status=200, body=body, kind=kind, content_type="text/html",
                              fetched_at=T1)
        assert ref == PageRef(ref.id, hashlib.sha256(body).hexdigest(), True)
        assert store.page_body(url) == body
        stored, size = store.db.execute("SELECT body, size FROM pages WHERE id = ?", (ref.id,)).fetchone()
        assert zlib.decompress(stored) == body and size == len(body)
        assert len(stored) < len(body)
    lists = list(store.latest_pages(kind="list"))
    details = list(store.latest_pages(kind="detail"))
    assert len(lists) + len(details) == len(REAL_PAGES)
    assert all(p.url.endswith(".html") and "_index_" in p.url for p in lists)
    assert all(p.fetched_at == T1 and p.status == 200 for p in details)


def test_unchanged_body_only_moves_last_checked_and_new_content_is_a_new_row(store):
    url = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260828_1407232.html"
    a, b = b"<html>first</html>", b"<html>second</html>"
    first = store.save_page(url, status=200, body=a, kind="detail", etag='"e1"', fetched_at=T1)
    again = store.save_page(url, status=200, body=a, kind="detail", etag='"e1"', fetched_at=T2)
    assert first.changed and not again.changed and first.id == again.id
    assert store.db.execute("SELECT fetched_at, last_checked FROM pages").fetchall() == [(T1, T2)]
    assert store.page_validators(url) == ('"e1"', None)

    second = store.save_page(url, status=200, body=b, kind="detail", last_modified="Tue, 01 Sep 2026",
                             fetched_at=T3)
    assert second.changed and second.id != first.id
    assert store.page_body(url) == b
    assert store.page_validators(url) == (None, "Tue, 01 Sep 2026")
    # content going back to the first body: no new row, but the newest content changed
    back = store.save_page(url, status=200, body=a, kind="detail", fetched_at="2026-08-04T08:00:00Z")
    assert back.changed and back.id == first.id
    assert store.page_body(url) == a
    assert counts(store)["pages"] == 2
    [latest] = list(store.latest_pages())
    assert (latest.url, latest.body, latest.sha256) == (url, a, first.sha256)


def test_touch_validators_and_bad_input(store):
    url = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/index.html"
    assert store.page_validators(url) is None and store.page_body(url) is None
    assert store.touch_page(url, T2) is False
    store.save_page(url, status=200, body=b"list", kind="list", etag='"x"', fetched_at=T1)
    assert store.touch_page(url, T3) is True
    assert store.db.execute("SELECT last_checked FROM pages").fetchone() == (T3,)
    store.save_page(url, status=503, body=b"busy", kind="list", fetched_at="2026-08-05T00:00:00Z")
    assert store.page_validators(url) is None  # the newest response was no 200
    with pytest.raises(ValueError, match="page kind must be one of"):
        store.save_page(url, status=200, body=b"x", kind="detial")
    with pytest.raises(TypeError, match="must be bytes"):
        store.save_page(url, status=200, body="text", kind="list")
    with pytest.raises(ValueError, match="not an ISO 8601"):
        store.save_page(url, status=200, body=b"x", kind="list", fetched_at="yesterday")


def test_timestamps_are_normalised_to_utc():
    assert timestamp("2026-08-01T16:00:00+08:00") == "2026-08-01T08:00:00Z"
    assert timestamp("2026-08-01") == "2026-08-01T00:00:00Z"
    assert timestamp("2026-08-01T08:00:00Z") == "2026-08-01T08:00:00Z"
    assert timestamp(1785571200) == "2026-08-01T08:00:00Z"
    with pytest.raises(ValueError, match="not an ISO 8601"):
        timestamp([2026, 8, 1])


# ---------------------------------------------------------------------------- documents


def test_a_real_document_is_stored_in_every_table_and_twice_is_unchanged(store):
    doc = real_document()
    assert store.upsert_document(doc, fetched_at=T1) == "new"
    before = snapshot(store)
    assert store.upsert_document(doc, fetched_at=T1) == "unchanged"
    assert snapshot(store) == before

    row = store.db.query("SELECT * FROM documents").__next__()
    assert (row["doc_number"], row["doc_number_prefix"], row["doc_number_year"], row["doc_number_serial"]) == (
        "发改开放〔2022〕408号", "发改开放", 2022, 408)
    assert (row["status"], row["version"], row["first_seen"], row["updated_at"]) == ("active", 1, T1, T1)
    assert json.loads(row["warnings"]) == list(doc.warnings)
    assert row["category"] == "通知" and row["publish_date"] == "2022-03-28"
    issuers = store.db.execute("SELECT position, name FROM issuers ORDER BY position").fetchall()
    assert issuers == [(1, "国家发展改革委"), (2, "外交部"), (3, "生态环境部"), (4, "商务部")]
    articles = store.db.execute(
        "SELECT seq, level, label, number, heading, parent FROM articles ORDER BY seq").fetchall()
    assert len(articles) == len(doc.articles)
    assert articles[:2] == [(0, 1, "一、", 1, "总体要求", None), (1, 2, "（一）", 1, "指导思想", 0)]
    interps = store.db.execute("SELECT position, title, url, interpretation_id FROM interpretations").fetchall()
    assert [i[1] for i in interps] == [link.title for link in doc.interpretations]
    assert store.document_dict(doc.id) == doc.to_dict()
    assert store.known_documents() == {REAL_URL: ("ndrc-1320629", "2022-03-28", "active")}

    # a later check of the same page: only last_seen moves
    assert store.upsert_document(doc, fetched_at=T2) == "unchanged"
    assert store.db.execute("SELECT last_seen, updated_at FROM documents").fetchone() == (T2, T1)
    assert counts(store)["document_versions"] == 1


def test_new_content_adds_a_version_and_keeps_the_earlier_one(store):
    doc = real_document()
    store.upsert_document(doc, fetched_at=T1)
    revised = real_document(body_text=doc.body_text + "\n本意见自发布之日起施行。",
                            effective_date="2022-03-28", issuers=("国家发展改革委", "外交部"))
    for expected in ("updated", "unchanged"):
        assert store.upsert_document(revised, fetched_at=T2) == expected
    versions = store.db.execute(
        "SELECT version, content_sha256, fetched_at FROM document_versions ORDER BY version").fetchall()
    assert versions == [(1, doc.content_sha256, T1), (2, revised.content_sha256, T2)]
    assert store.document_dict(doc.id, version=1) == doc.to_dict()
    assert store.document_dict(doc.id) == revised.to_dict()
    row = store.db.execute("SELECT version, first_seen, updated_at, effective_date FROM documents").fetchone()
    assert row == (2, T1, T2, "2022-03-28")
    assert store.db.execute("SELECT name FROM issuers ORDER BY position").fetchall() == [
        ("国家发展改革委",), ("外交部",)]
    # going back to the first content is a third version: history is never rewritten
    assert store.upsert_document(doc, fetched_at=T3) == "updated"
    assert store.db.execute("SELECT max(version), count(*) FROM document_versions").fetchone() == (3, 3)


def test_a_newer_parser_on_the_same_content_updates_rows_without_a_version(store):
    doc = real_document()
    store.upsert_document(doc, fetched_at=T1)
    reparsed = real_document(parser_version="9.9.0", warnings=())
    assert store.upsert_document(reparsed, fetched_at=T2) == "updated"
    assert store.upsert_document(reparsed, fetched_at=T2) == "unchanged"
    assert store.db.execute("SELECT count(*) FROM document_versions").fetchone() == (1,)
    assert store.db.execute("SELECT parser_version, warnings, version FROM documents").fetchone() == (
        "9.9.0", "[]", 1)
    assert store.document_dict(doc.id)["parser_version"] == "9.9.0"


def test_interpretations_link_in_either_order(store):
    jd_url = "https://www.ndrc.gov.cn/xxgk/jd/jd/202203/t20220328_1320630.html"
    jd = _replace(generated_document(7), id="ndrc-1320630", url=jd_url, category="解读")
    policy = real_document(interpretations=(Link("解读：推进绿色丝绸之路", jd_url), Link("一图读懂", None)))
    # document first, 解读 later: linked back when the 解读 arrives
    store.upsert_document(policy)
    assert store.db.execute("SELECT interpretation_id FROM interpretations ORDER BY position").fetchall() == [
        (None,), (None,)]
    store.upsert_document(jd)
    assert store.db.execute("SELECT interpretation_id FROM interpretations ORDER BY position").fetchall() == [
        ("ndrc-1320630",), (None,)]
    # 解读 already stored when the document is rewritten: linked at once
    store.upsert_document(_replace(policy, title="新标题"))
    assert store.db.execute("SELECT interpretation_id FROM interpretations WHERE position = 1").fetchone() == (
        "ndrc-1320630",)


def test_attachment_hash_and_size_come_from_the_stored_file_in_either_order(store):
    url = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/W020260828.doc"
    raw = b"\xd0\xcf\x11\xe0" + b"old word file" * 100
    doc = real_document(attachments=(Attachment("附件1：实施方案", url, "doc", None),))
    # document first, then the file
    store.upsert_document(doc)
    assert store.db.execute("SELECT sha256, size FROM attachments").fetchone() == (None, None)
    store.save_page(url, status=200, body=raw, kind="attachment", content_type="application/msword")
    assert store.attachment_file(url, file_type="DOC") == 1
    sha = hashlib.sha256(raw).hexdigest()
    assert store.db.execute("SELECT sha256, size, file_type FROM attachments").fetchone() == (sha, len(raw), "doc")
    # file first, then the (new content of the) document
    store.upsert_document(real_document(body_text="正文", attachments=doc.attachments))
    assert store.db.execute("SELECT position, sha256, size FROM attachments").fetchone() == (1, sha, len(raw))


def test_withdrawn_documents_are_kept_and_a_reparse_does_not_revive_them(store):
    doc = real_document()
    store.upsert_document(doc, fetched_at=T1)
    before = counts(store)
    assert store.mark_withdrawn(REAL_URL, "2026-09-01") is True
    assert store.mark_withdrawn(REAL_URL, "2026-09-05") is False  # already withdrawn: first date kept
    assert store.db.execute("SELECT status, withdrawn_date FROM documents").fetchone() == ("withdrawn", "2026-09-01")
    assert counts(store) == before
    assert store.upsert_document(doc, fetched_at=T2) == "unchanged"
    assert store.upsert_document(real_document(parser_version="2.0.0"), fetched_at=T2) == "updated"
    assert store.db.execute("SELECT status FROM documents").fetchone() == ("withdrawn",)
    assert store.known_documents()[REAL_URL][2] == "withdrawn"
    assert store.mark_withdrawn("https://www.ndrc.gov.cn/nowhere.html", "2026-09-01") is False
    with pytest.raises(ValueError, match="ISO date"):
        store.mark_withdrawn(REAL_URL, "September")


def test_parse_failures_runs_and_documents_without_id(store):
    url = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t1.html"
    for _ in range(2):
        store.record_parse_failure(url, "ab" * 32, "blocked: a challenge page", at=T1)
    store.record_parse_failure(url, "ab" * 32, "empty: no body", at=T2)
    assert store.db.execute("SELECT url, reason, at FROM parse_failures").fetchall() == [(url, "empty: no body", T2)]

    run = store.start_run("http://127.0.0.1:8000", ["tz", "fzggwl"], full=False)
    store.finish_run(run, requests=40, documents_new=3, documents_updated=1, documents_withdrawn=0,
                     documents_failed=1, blocked=0, exit_status=0, message="ok", finished_at=T2)
    second = store.start_run("http://127.0.0.1:8000", "tz", full=True)
    runs = store.last_runs(5)
    assert [r["id"] for r in runs] == [second, run]
    assert runs[1]["columns"] == ["tz", "fzggwl"] and runs[1]["full"] is False and runs[0]["full"] is True
    assert (runs[1]["requests"], runs[1]["documents_new"], runs[1]["finished_at"]) == (40, 3, T2)
    assert runs[0]["finished_at"] is None
    assert len(store.last_runs(1)) == 1
    with pytest.raises(ValueError, match="unknown crawl run figures"):
        store.finish_run(run, pages=3)
    with pytest.raises(StoreError, match="no crawl run 999"):
        store.finish_run(999, requests=1)
    with pytest.raises(ValueError, match="no id"):
        store.upsert_document(real_document(id=None))


def test_a_thousand_documents_twice(store):
    docs = [generated_document(i) for i in range(1000)]
    assert [store.upsert_document(d, fetched_at=T1) for d in docs].count("new") == 1000
    first = counts(store)
    assert [store.upsert_document(d, fetched_at=T1) for d in docs].count("unchanged") == 1000
    assert counts(store) == first
    assert first["documents"] == first["document_versions"] == 1000
    assert first["articles"] == sum(len(d.articles) for d in docs)
    assert first["issuers"] == sum(len(d.issuers) for d in docs)
    assert first["attachments"] == 334


def test_document_json_is_canonical():
    doc = real_document()
    text = document_json(doc)
    assert "\\u" not in text and ", " not in text.split('"body_text"')[0]
    assert json.loads(text) == doc.to_dict()
    assert list(json.loads(text)) == sorted(doc.to_dict())


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=())),
       st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3000, blacklist_categories=())))
def test_document_json_is_the_bytes_json_dumps_writes(title, body):
    """Stored lines are compared and exported byte for byte: the fast encoder must write exactly
    what json.dumps(sort_keys, compact, ensure_ascii=False) writes, for any text (control
    characters, quotes, U+2028, lone surrogates and all)."""
    from dataclasses import replace

    doc = replace(real_document(), title=title, body_text=body)
    expected = json.dumps(doc.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert document_json(doc) == expected
