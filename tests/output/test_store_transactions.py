"""The store's transactions: the search index and relations written inside a document's
transaction, group commit, readers that never wait for a writer; the run lock (a second run is
refused at once) and crash safety (a writer killed with SIGKILL at the worst moment, inside a
document's transaction, leaves an intact database of whole documents). Split from test_db.py,
whose documents and fixtures it uses."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from test_db import (  # noqa: F401 - db_path and store are fixtures
    ROOT,
    T1,
    T2,
    _replace,
    counts,
    db_path,
    generated_document,
    real_document,
    store,
)

import output.db as dbmod
from output.db import Store, StoreLocked

# ---------------------------------------------------------------------------- lock, crash safety


# ---------------------------------------------------------------------------- hooks of other modules


def test_search_and_citation_calls_run_inside_the_document_transaction(db_path, monkeypatch):
    from output import relations
    from output.search import index as search

    calls = []
    monkeypatch.setattr(search, "installed", lambda db: False)
    monkeypatch.setattr(search, "install", lambda db: calls.append(("install", db.conn.in_transaction)))
    monkeypatch.setattr(search, "index_documents", lambda db, ids: calls.append(("index", ids, db.conn.in_transaction)))
    monkeypatch.setattr(
        relations, "refresh_document", lambda db, doc: calls.append(("cite", doc.id, db.conn.in_transaction))
    )
    with Store(db_path) as s:
        s.upsert_document(real_document())
        s.upsert_document(real_document())
        s.upsert_document(real_document(parser_version="2.0.0"))
    # the index is written last, just before the document's transaction commits
    assert calls == [("install", True), ("cite", "ndrc-1320629", True), ("index", ["ndrc-1320629"], True),
                     ("cite", "ndrc-1320629", True), ("index", ["ndrc-1320629"], True)]


def test_under_group_commit_the_index_is_written_once_per_commit(db_path, monkeypatch):
    from output.search import index as search

    calls = []
    monkeypatch.setattr(search, "index_documents", lambda db, ids: calls.append((ids, db.conn.in_transaction)))
    docs = [generated_document(i) for i in range(3)]
    with Store(db_path) as s:
        s.group_commits(True)
        for doc in docs:
            s.upsert_document(doc, fetched_at=T1)
        s.upsert_document(docs[0], fetched_at=T2)  # unchanged: nothing to index
        assert calls == []
        assert s.commit() is True and s.commit() is False
        s.upsert_document(_replace(docs[1], title="改过的标题"), fetched_at=T2)
        s.group_commits(False)
    assert calls == [([d.id for d in docs], True), ([docs[1].id], True)]


def test_group_commit_keeps_writes_whole_and_shows_them_to_others_only_once_committed(db_path):
    docs = [generated_document(i) for i in range(4)]
    with Store(db_path) as s:
        s.group_commits(True)
        s.save_page("https://example.org/a", status=200, body=b"<html>a</html>", kind="detail")
        s.upsert_document(docs[0], fetched_at=T1)
        with pytest.raises(ValueError, match="no id"):
            s.upsert_document(_replace(docs[1], id=None))
        with pytest.raises(RuntimeError, match="boom"):
            with s.transaction() as db:  # a failing write undoes itself, not the group
                db.execute("INSERT INTO parse_failures (url, reason, at) VALUES ('x', 'y', 'z')")
                raise RuntimeError("boom")
        s.upsert_document(docs[2], fetched_at=T1)
        other = sqlite3.connect(db_path)
        try:
            assert other.execute("SELECT count(*) FROM documents").fetchone() == (0,)
            assert s.commit()
            assert other.execute("SELECT count(*) FROM documents").fetchone() == (2,)
            assert other.execute("SELECT count(*) FROM pages").fetchone() == (1,)
            assert other.execute("SELECT count(*) FROM parse_failures").fetchone() == (0,)
            s.upsert_document(docs[3], fetched_at=T1)
        finally:
            other.close()
    # closing commits what was held
    with Store(db_path) as s:
        assert {d for (d,) in s.db.execute("SELECT id FROM documents")} == {docs[i].id for i in (0, 2, 3)}
        assert found_in_index(s, docs[3].title) == {docs[3].id}


def found_in_index(store, title):
    from output.search import search

    exact = '"' + title.replace('"', '""') + '"'
    return {h.document_id for h in search(store.db, exact, limit=None) if h.title == title}


def test_opening_the_store_to_read_does_not_wait_for_a_writer(db_path, monkeypatch):
    """A crawl's group commit holds the write lock most of the time; status, search and export
    open the store meanwhile."""
    Store(db_path).close()
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO parse_failures (url, reason, at) VALUES ('u', 'r', 'a')")
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 200)  # fail fast rather than wait 30 s
    try:
        with Store(db_path) as s:
            assert s.last_runs() == [] and s.newest_sha256("u") is None
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_failing_index_rolls_the_whole_document_back(db_path, monkeypatch):
    from output.search import index as search

    def broken(db, ids):
        raise RuntimeError("index full")

    monkeypatch.setattr(search, "index_documents", broken)
    with Store(db_path) as s:
        with pytest.raises(RuntimeError, match="index full"):
            s.upsert_document(real_document())
        assert sum(counts(s).values()) == 0


def test_the_store_keeps_documents_whole_through_new_updated_unchanged(db_path):
    with Store(db_path) as s:
        assert s.upsert_document(real_document()) == "new"
        assert s.upsert_document(real_document()) == "unchanged"
        assert s.upsert_document(real_document(title="改过的标题")) == "updated"
        assert s.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _start(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{Path(__file__).resolve().parent}"},
    )


def test_a_second_run_on_the_same_database_is_refused_at_once(store, db_path):
    holder = _start(
        """
        import sys, time
        from output.db import Store
        with Store(sys.argv[1], extensions=False).lock():
            print("locked", flush=True)
            time.sleep(120)
        """,
        str(db_path),
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreLocked, match=rf"another ndrc-policy run \(pid {holder.pid}\) is using"):
            with store.lock():
                pass
    finally:
        holder.kill()
        holder.wait()
    with store.lock():  # the kernel released the dead process's lock
        with pytest.raises(StoreLocked):
            with Store(db_path, extensions=False).lock():
                pass


# The writer loop: page + document, revision after revision, until killed. With a statement
# and a count it kills itself with SIGKILL as that statement starts for the count-th time,
# i.e. inside an open document transaction, the worst moment.
WRITER = """
    import os, signal, sys
    from output.db import Store
    from test_db import generated_document
    store = Store(sys.argv[1], extensions=False)
    UNQUOTE = str.maketrans("", "", '"[]')  # sqlite-utils quotes table names
    if len(sys.argv) > 2:
        statement, remaining = sys.argv[2], [int(sys.argv[3])]
        def trace(sql):
            if sql.translate(UNQUOTE).startswith(statement):
                remaining[0] -= 1
                if remaining[0] == 0:
                    os.kill(os.getpid(), signal.SIGKILL)
        store.db.conn.set_trace_callback(trace)
    i = 0
    while True:
        store.save_page(f"https://www.ndrc.gov.cn/p/{i}.html", status=200, body=b"x" * 5000 + str(i).encode(), kind="detail")
        store.upsert_document(generated_document(i % 400, revision=i // 400))
        i += 1
"""


@pytest.mark.parametrize(
    "kill_at",
    [None, ("INSERT INTO articles", "4000"), ("INSERT INTO document_versions", "650"),
     ("UPDATE documents", "300"), ("COMMIT", "1500")],
    ids=["external", "articles", "versions", "update", "commit"],
)
def test_kill_9_while_writing_leaves_an_intact_database_of_complete_documents(db_path, kill_at):
    Store(db_path, extensions=False).close()
    writer = _start(WRITER, str(db_path), *(kill_at or ()))
    try:
        if kill_at is None:
            reader = sqlite3.connect(db_path, timeout=30)
            deadline = time.monotonic() + 120
            while reader.execute("SELECT count(*) FROM document_versions").fetchone()[0] < 600:
                assert writer.poll() is None, writer.stderr.read()
                assert time.monotonic() < deadline, "the writer made no progress"
                time.sleep(0.05)
            reader.close()
            writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=120)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == -signal.SIGKILL, writer.stderr.read()

    with Store(db_path, extensions=False) as s:
        assert s.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert s.db.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = s.db.execute("SELECT id, version FROM documents").fetchall()
        assert len(rows) == 400
        for doc_id, version in rows:
            doc = s.document_dict(doc_id)
            assert doc is not None, doc_id
            i = int(doc_id.split("-")[1]) - 1_000_000
            revision = int(doc["articles"][0]["text"].rsplit("修订", 1)[1])
            assert doc == generated_document(i, revision=revision).to_dict()
            assert version == revision + 1
            assert s.db.execute("SELECT content_sha256 FROM documents WHERE id = ?", (doc_id,)).fetchone() == (
                doc["content_sha256"],)
            for table, key in (("articles", "articles"), ("issuers", "issuers"), ("attachments", "attachments")):
                n = s.db.execute(f"SELECT count(*) FROM {table} WHERE document_id = ?", (doc_id,)).fetchone()[0]
                assert n == len(doc[key]), (doc_id, table)
            texts = [t for (t,) in s.db.execute(
                "SELECT text FROM articles WHERE document_id = ? ORDER BY seq", (doc_id,))]
            assert texts == [a["text"] for a in doc["articles"]], doc_id
        assert s.upsert_document(generated_document(0, revision=99)) == "updated"
