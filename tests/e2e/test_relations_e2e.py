"""End to end on the replica: documents that repeal, amend and expire others, crawled in both
arrival orders (the repealed document stored first; the repealing one first and its targets on a
later crawl), then an edit of the repealing page between two crawls. Validity, its basis,
relations and target ids are checked in SQLite and in the JSON dump; `diff` and `changes.jsonl`
on the edited page; `search --in-force` leaves the repealed document out.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time

import pytest

from crawler import exitcodes
from replica import ReplicaServer, Site
from output.timestamps import utc_now
from output.export import export
from test_crawl_e2e import ROOT, SUBPROCESS_TIMEOUT, assert_healthy, crawl, query

pytestmark = pytest.mark.slow

SIZE, SEED = 12, 5
LATE_TITLE = "关于开展测试专项清理工作的通知"


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=SUBPROCESS_TIMEOUT)


def dump(json_dir) -> dict[str, dict]:
    lines = (json_dir / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return {d["id"]: d for d in map(json.loads, lines)}


def validity(db, doc_id):
    (row,) = query(db, "SELECT validity, validity_basis, expiry_date FROM documents WHERE id = ?", (doc_id,))
    return row[0], json.loads(row[1] or "[]"), row[2]


def relation_rows(db, doc_id):
    return query(db, "SELECT relation, target_doc_number, target_title, target_id, article_seq, text"
                     " FROM relations WHERE document_id = ? ORDER BY position", (doc_id,))


def test_validity_relations_and_diff_across_crawls(tmp_path):
    site = Site(size=SIZE, seed=SEED)
    fulltext = [site.truth(i) for i in site.ids() if site.truth(i)["kind"] == "fulltext"]
    old, amended = fulltext[0], fulltext[1]  # stored before the documents that name them
    repeal_old = (f"本通知自印发之日起施行。《{old['title']}》（{old['doc_number']}）同时废止。",)
    specs = [
        ("repealer", dict(closing=repeal_old)),
        ("amender", dict(closing=(f"决定对《{amended['title']}》（{amended['doc_number']}）作如下修改：",
                                   "将第二条修改为：加强测试工作。"))),
        ("expiring", dict(publish_date="2019-06-03", closing=("本通知自印发之日起施行，有效期2年。",))),
        ("future", dict(closing=("本通知自2099年1月1日起施行。",))),
        ("early", dict()),  # names the late ones; its closing is set below
        ("late", dict(publish_date="2020-05-06")),
        ("late_titled", dict(publish_date="2020-05-07", title=LATE_TITLE)),
    ]
    # The late target's 文号 is known before it is published: a second replica makes the same adds.
    probe = Site(size=SIZE, seed=SEED)
    probe_ids = [probe.add_document("tz", kind="fulltext", **{k: v for k, v in o.items() if k != "closing"})
                 for _, o in specs]
    late_number = probe.truth(probe_ids[5])["doc_number"]
    specs[4] = ("early", dict(closing=(f"本通知自印发之日起施行。《测试旧文》（{late_number}）同时废止。",
                                       f"《{LATE_TITLE}》停止执行。")))
    ids = {}
    with ReplicaServer(site) as server:
        db, out = tmp_path / "ndrc.sqlite", tmp_path / "json"
        for name, overrides in specs[:5]:
            ids[name] = f"ndrc-{site.add_document('tz', kind='fulltext', **overrides)}"
        run = crawl(server.base_url, db, out)
        assert_healthy(run)

        # the targets were stored first: resolved at once
        state, basis, _ = validity(db, old["id"])
        assert state == "repealed"
        assert [(b["relation"], b["by_id"], b["text"]) for b in basis] == [
            ("repeals", ids["repealer"], repeal_old[0][len("本通知自印发之日起施行。"):])]
        (repealer,) = query(db, "SELECT doc_number, written_date, effective_date FROM documents WHERE id = ?",
                            (ids["repealer"],))
        assert basis[0]["by_doc_number"] == repealer[0]
        assert basis[0]["date"] == repealer[1] == repealer[2]  # 自印发之日起施行: the written date
        (rel,) = relation_rows(db, ids["repealer"])
        assert rel[:4] == ("repeals", old["doc_number"], old["title"], old["id"]) and rel[4] is not None
        state, basis, _ = validity(db, amended["id"])
        assert state == "amended" and basis[0]["by_id"] == ids["amender"] and "作如下修改" in basis[0]["text"]
        state, basis, expiry = validity(db, ids["expiring"])
        (written,) = query(db, "SELECT written_date FROM documents WHERE id = ?", (ids["expiring"],))[0]
        assert state == "expired" and basis[0]["relation"] == "expires" and basis[0]["by_id"] is None
        assert expiry == basis[0]["date"] == (dt.date.fromisoformat(written).replace(
            year=int(written[:4]) + 2) - dt.timedelta(days=1)).isoformat()
        assert "有效期2年" in basis[0]["text"]
        assert validity(db, ids["future"])[0] == "not_yet_effective"
        assert validity(db, ids["repealer"])[0] == "in_force"
        # the repealing one first: its targets are not stored yet
        assert [(r[0], r[1], r[2], r[3]) for r in relation_rows(db, ids["early"])] == [
            ("repeals", late_number, "测试旧文", None), ("repeals", None, LATE_TITLE, None)]
        docs = dump(out)
        assert docs[old["id"]]["validity"] == "repealed"
        assert docs[old["id"]]["validity_basis"][0]["by_id"] == ids["repealer"]
        assert docs[ids["repealer"]]["relations"][0]["target_id"] == old["id"]
        assert docs[ids["expiring"]]["expiry_date"] == expiry

        # every 解读 page interprets the document whose page lists it (the replica numbers a
        # document's 解读 pages after it: page id + 4 … + 6)
        interprets = query(db, "SELECT document_id, target_id FROM relations WHERE relation = 'interprets'")
        assert interprets
        assert all(t and 4 <= int(j.split("-")[1]) - int(t.split("-")[1]) <= 6 for j, t in interprets), interprets
        # searching with --in-force leaves the repealed document out
        hits = cli("search", old["title"], "--db", str(db), "--json")
        assert old["id"] in {json.loads(line)["document_id"] for line in hits.stdout.splitlines()}, hits.stderr
        hits = cli("search", old["title"], "--db", str(db), "--json", "--in-force")
        assert old["id"] not in {json.loads(line)["document_id"] for line in hits.stdout.splitlines()}

        # the targets arrive on a later crawl: the waiting relations resolve
        for name, overrides in specs[5:]:
            ids[name] = f"ndrc-{site.add_document('tz', kind='fulltext', **overrides)}"
        run = crawl(server.base_url, db, out)
        assert_healthy(run)
        assert [r[3] for r in relation_rows(db, ids["early"])] == [ids["late"], ids["late_titled"]]
        for name in ("late", "late_titled"):
            state, basis, _ = validity(db, ids[name])
            assert state == "repealed" and basis[0]["by_id"] == ids["early"] and basis[0]["text"]
        docs = dump(out)
        assert [r["target_id"] for r in docs[ids["early"]]["relations"]] == [ids["late"], ids["late_titled"]]
        assert docs[ids["late"]]["validity"] == "repealed"

        # the repealing page is edited: the repeal sentence goes, the old document is in force again
        page_id = int(ids["repealer"].removeprefix("ndrc-"))
        (published,) = query(db, "SELECT publish_date FROM documents WHERE id = ?", (ids["repealer"],))[0]
        window = (dt.date.today() - dt.date.fromisoformat(published)).days + 1
        site.edit_document(page_id, closing=("本通知自印发之日起施行。",))
        time.sleep(1.1)  # the versions' fetched_at (whole seconds) fall on either side of `since`
        since = utc_now()
        run = crawl(server.base_url, db, out, NDRC_RECHECK_DAYS=window)
        assert_healthy(run)
        assert query(db, "SELECT version FROM documents WHERE id = ?", (ids["repealer"],)) == [(2,)]
        assert validity(db, old["id"])[:2] == ("in_force", [])
        assert relation_rows(db, ids["repealer"]) == []

    shown = cli("diff", ids["repealer"], "--db", str(db), "--json")
    assert shown.returncode == 0, shown.stderr
    result = json.loads(shown.stdout)
    assert (result["from_version"], result["to_version"]) == (1, 2)
    changed = [u for u in result["units"] if u["change"] == "changed"]
    deleted = "".join(e["old"] for u in changed for e in u["edits"] if e["op"] in ("delete", "replace"))
    assert repeal_old[0][len("本通知自印发之日起施行。"):] in deleted
    text = cli("diff", ids["repealer"], "--db", str(db))
    assert text.returncode == 0 and "~ changed" in text.stdout and "[-《" in text.stdout
    # changes.jsonl of an export since the edit names the changed articles
    export(db, tmp_path / "delta", since=since)
    entries = [json.loads(x) for x in (tmp_path / "delta" / "changes.jsonl").read_text().splitlines()]
    (entry,) = [e for e in entries if e["id"] == ids["repealer"]]
    assert entry["change"] == "updated"
    assert {(a["change"], a["seq"]) for a in entry["articles"]} >= {("changed", u["new_seq"]) for u in changed}
    # one version only: a clear one-line error
    lone = cli("diff", old["id"], "--db", str(db))
    assert lone.returncode == exitcodes.CONFIG_ERROR and lone.stderr.count("\n") == 1
    assert "one stored version" in lone.stderr
