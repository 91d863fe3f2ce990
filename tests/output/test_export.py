"""JSON Lines export (output/export.py): full and `since` dumps, determinism, the manifest."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import jsonschema
import pytest

from output import schema_check
from output.db import Store
from output.export import ExportError, export
from test_db import REAL_URL, T1, T2, T3, generated_document, real_document


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "ndrc.sqlite"
    with Store(path, extensions=False) as s:
        s.upsert_document(real_document(), fetched_at=T1)
        for i in (5, 1, 3):
            s.upsert_document(generated_document(i), fetched_at=T1)
    return path


def _read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_full_dump_is_sorted_compact_unescaped_and_valid(db_path, tmp_path):
    out = tmp_path / "json"
    manifest = export(db_path, out)
    raw = (out / "documents.jsonl").read_bytes()
    text = raw.decode("utf-8")
    assert "\\u" not in text and "国家发展改革委" in text
    lines = text.splitlines()
    docs = [json.loads(line) for line in lines]
    assert [d["id"] for d in docs] == sorted(d["id"] for d in docs) == [
        "ndrc-1000001", "ndrc-1000003", "ndrc-1000005", "ndrc-1320629"]
    assert docs[-1] == real_document().to_dict()
    for line, doc in zip(lines, docs):
        assert line == json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    validator = jsonschema.Draft202012Validator(json.loads((out / "document.schema.json").read_text()))
    assert all(not list(validator.iter_errors(d)) for d in docs)
    assert (out / "document.schema.json").read_bytes() == schema_check.SCHEMA_PATH.read_bytes()
    assert not (out / "changes.jsonl").exists()

    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk == manifest.to_dict()
    assert on_disk["counts"] == {"documents": 4, "active": 4, "withdrawn": 0}
    assert on_disk["schema_version"] == schema_check.SCHEMA_VERSION and on_disk["since"] is None
    assert on_disk["data_as_of"] == T1
    for name in ("documents.jsonl", "document.schema.json"):
        data = (out / name).read_bytes()
        assert on_disk["files"][name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert on_disk["files"][name]["bytes"] == len(data)
    assert on_disk["files"]["documents.jsonl"]["lines"] == 4
    assert sorted(p.name for p in out.iterdir()) == ["document.schema.json", "documents.jsonl", "manifest.json"]


def test_nothing_changed_gives_byte_identical_files_twice(db_path, tmp_path):
    export(db_path, tmp_path / "a")
    with Store(db_path, extensions=False) as s:  # a later crawl that finds nothing new
        assert s.upsert_document(real_document(), fetched_at=T3) == "unchanged"
    export(db_path, tmp_path / "b")
    export(db_path, tmp_path / "b")
    for name in ("documents.jsonl", "document.schema.json", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_since_writes_only_what_changed_and_a_changes_log(db_path, tmp_path):
    with Store(db_path, extensions=False) as s:
        s.upsert_document(generated_document(3, revision=1), fetched_at=T3)  # updated
        s.upsert_document(generated_document(9), fetched_at=T3)  # added
        s.mark_withdrawn(REAL_URL, "2026-08-03")  # withdrawn
    out = tmp_path / "delta"
    manifest = export(db_path, out, since="2026-08-02")
    docs = _read(out / "documents.jsonl")
    assert [d["id"] for d in docs] == ["ndrc-1000003", "ndrc-1000009", "ndrc-1320629"]
    assert docs[0] == generated_document(3, revision=1).to_dict()
    assert _read(out / "changes.jsonl") == [
        # an update names the articles that differ from the version stored before --since
        {"id": "ndrc-1000003", "change": "updated", "at": T3, "articles": [
            {"change": "changed", "seq": i, "label": f"第{i + 1}条", "source": "body"} for i in range(4)]},
        {"id": "ndrc-1000009", "change": "added", "at": T3},
        {"id": "ndrc-1320629", "change": "withdrawn", "at": "2026-08-03"},
    ]
    assert manifest.counts == {"documents": 3, "added": 1, "updated": 1, "withdrawn": 1}
    assert manifest.since == "2026-08-02" and manifest.data_as_of == T3
    assert manifest.withdrawn == [{"id": "ndrc-1320629", "withdrawn_date": "2026-08-03"}]
    assert set(manifest.files) == {"documents.jsonl", "changes.jsonl", "document.schema.json"}

    assert export(db_path, tmp_path / "later", since="2026-08-04").counts["documents"] == 0
    assert (tmp_path / "later" / "documents.jsonl").read_bytes() == b""
    # a full export into the same folder drops the stale changes log
    full = export(db_path, out)
    assert not (out / "changes.jsonl").exists()
    assert full.counts == {"documents": 5, "active": 4, "withdrawn": 1}


def test_an_export_runs_while_a_crawl_holds_the_write_lock(db_path, tmp_path):
    writer = Store(db_path, extensions=False)
    writer.db.execute("BEGIN IMMEDIATE")
    writer.upsert_document(generated_document(42), fetched_at=T2)  # not committed yet
    try:
        manifest = export(db_path, tmp_path / "during")
    finally:
        writer.db.commit()
        writer.close()
    assert manifest.counts["documents"] == 4
    assert export(db_path, tmp_path / "after").counts["documents"] == 5


def test_bad_input_is_one_clear_error(db_path, tmp_path):
    with pytest.raises(ExportError, match="no database at"):
        export(tmp_path / "missing.sqlite", tmp_path / "x")
    with pytest.raises(ExportError, match="since must be an ISO date"):
        export(db_path, tmp_path / "x", since="last week")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ExportError, match="cannot create"):
        export(db_path, blocker / "sub")


def test_an_older_database_is_upgraded_before_export(tmp_path):
    path = tmp_path / "old.sqlite"
    sqlite3.connect(path).close()  # version 0, no tables
    assert export(path, tmp_path / "out").counts["documents"] == 0
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] >= 1


def test_no_temporary_files_are_left_behind(db_path, tmp_path):
    out = tmp_path / "out"
    export(db_path, out)
    export(db_path, out, since="2026-01-01")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
