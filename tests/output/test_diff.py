"""`diff` (output/diff.py): two versions of a real document compared unit by unit, with the
character-level edits inside a changed unit; stored versions read from the store."""

from __future__ import annotations

import copy

import pytest

from output.db import Store
from output.diff import DiffError, article_changes, char_edits, diff_versions, format_text, stored_diff
from test_search import real_documents


@pytest.fixture(scope="module")
def order():
    """The real opinion 1320629: 一、 and （一） units, two levels."""
    return next(d for d in real_documents() if d.id == "ndrc-1320629").to_dict()


def edited(doc, fn):
    new = copy.deepcopy(doc)
    fn(new)
    return new


def test_a_sentence_changed_in_one_article_is_marked_by_character(order):
    seq = next(a["seq"] for a in order["articles"] if a["label"] == "（三）")
    old_text = next(a["text"] for a in order["articles"] if a["seq"] == seq)

    def change(d):
        d["articles"][seq]["text"] = old_text.replace("，", "，特别是", 1)
    result = diff_versions(order, edited(order, change), from_version=1, to_version=2)
    (unit,) = result.units
    assert (unit.change, unit.label, unit.old_seq, unit.new_seq) == ("changed", "（三）", seq, seq)
    assert [e for e in unit.edits if e["op"] != "equal"] == [{"op": "insert", "old": "", "new": "特别是"}]
    heading = order["articles"][seq]["heading"] or ""
    assert "".join(e["new"] for e in unit.edits) == heading + old_text.replace("，", "，特别是", 1)
    assert "{+特别是+}" in format_text(result)
    assert result.fields == []


def test_an_inserted_article_renumbers_the_rest_which_are_moved_not_changed(order):
    arts = order["articles"]
    at = next(i for i, a in enumerate(arts) if a["label"] == "（五）")

    def insert(d):
        new = dict(d["articles"][at], text="新增加的一条规定，内容与其他条文都不相同。")
        d["articles"].insert(at, new)
        for i, a in enumerate(d["articles"]):
            a["seq"] = i
        # labels after the insertion move one number up, their text is unchanged
        for a in d["articles"][at + 1:]:
            a["label"] = a["label"] + "后"  # a label that differs, as （六） from （五）
    result = diff_versions(order, edited(order, insert))
    kinds = [u.change for u in result.units]
    assert kinds.count("added") == 1 and "changed" not in kinds and "removed" not in kinds
    assert all(u.old_label for u in result.units if u.change == "moved")


def test_removed_and_moved_units_and_metadata(order):
    arts = order["articles"]
    last = arts[-1]

    def rework(d):
        removed = d["articles"].pop(1)
        assert removed
        d["title"] = d["title"] + "（修订）"
    result = diff_versions(order, edited(order, rework))
    assert any(u.change == "removed" and u.old_seq == 1 for u in result.units)
    assert result.fields == [{"field": "title", "old": order["title"], "new": order["title"] + "（修订）"}]
    assert last  # the rest aligned: nothing else reported as added
    assert not [u for u in result.units if u.change == "added"]


def test_char_edits_round_trip():
    a, b = "本通知自印发之日起施行。", "本通知自2027年1月1日起施行。"
    edits = char_edits(a, b)
    assert "".join(e["old"] for e in edits) == a and "".join(e["new"] for e in edits) == b


def test_stored_versions_and_one_line_errors(tmp_path, order):
    doc = next(d for d in real_documents() if d.id == "ndrc-1320629")
    from dataclasses import replace

    with Store(tmp_path / "d.sqlite") as store:
        store.upsert_document(doc, fetched_at="2026-08-01T00:00:00Z")
        with pytest.raises(DiffError, match="one stored version"):
            stored_diff(store.db, doc.id)
        first = doc.articles[0]
        changed = replace(doc, articles=(replace(first, text=first.text + "补充一句。"), *doc.articles[1:]),
                          content_sha256="0" * 64)
        store.upsert_document(changed, fetched_at="2026-08-02T00:00:00Z")
        result = stored_diff(store.db, doc.id)
        assert (result.from_version, result.to_version) == (1, 2)
        assert [(u.change, u.new_seq) for u in result.units] == [("changed", 0)]
        assert article_changes(store.document_dict(doc.id, 1), store.document_dict(doc.id, 2)) == [
            {"change": "changed", "seq": 0, "label": first.label, "source": first.source}]
        with pytest.raises(DiffError, match="no version 7"):
            stored_diff(store.db, doc.id, 1, 7)
        with pytest.raises(DiffError, match="no document"):
            stored_diff(store.db, "ndrc-0")
