"""What changed between two stored versions of a document, article by article.

`diff_versions(old, new)` compares two document JSON objects (rows of `document_versions`):
- the metadata fields that differ (title, 文号, dates, issuers, …);
- every numbered unit (article), plus the preamble, as `added`, `removed`, `moved` (the same
  text elsewhere, or under another label: 第五条 that became 第六条) or `changed`, a changed unit
  with its character-level edits (difflib over characters: Chinese has no word spaces).

Units are aligned in three passes: a sequence alignment of their texts (unchanged runs), then the
same text found elsewhere (moved), then the same label path (第二章/第三条) or, failing that, a
similar text (`SIMILAR`) in the same region (changed). What is left was added or removed.
`stored_diff(db, id, from_v, to_v)` reads the versions; `article_changes` is the summary
`changes.jsonl` carries; `format_text` is what `ndrc-policy diff` prints.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

# Metadata compared besides the units, in the order they are shown.
FIELDS = ("title", "doc_number", "publish_date", "written_date", "effective_date", "expiry_date",
          "issuers", "addressees", "category")
# Two texts at least this similar (difflib ratio) are one unit changed rather than one removed
# and one added: a sentence rewritten in a paragraph keeps it well above, an unrelated paragraph
# in the same place falls well below.
SIMILAR = 0.5
# Characters of unchanged text shown around an edit in the text output.
CONTEXT = 12
PREAMBLE_LABEL = "（序言）"


class DiffError(ValueError):
    """The versions asked for cannot be compared; `str()` is one line a person can act on."""


@dataclass(frozen=True)
class Unit:
    path: str  # labels from the outermost unit down, with the source: "body:第二章/第三条"
    label: str
    seq: int | None
    source: str
    text: str  # heading and text


@dataclass(frozen=True)
class UnitChange:
    change: str  # added | removed | moved | changed
    label: str
    source: str
    old_seq: int | None
    new_seq: int | None
    old_label: str | None = None  # for moved / changed units whose label changed
    edits: tuple[dict[str, str], ...] = ()  # changed: [{op: equal|insert|delete|replace, old, new}]


@dataclass
class DocumentDiff:
    id: str
    from_version: int | None
    to_version: int | None
    fields: list[dict[str, Any]] = field(default_factory=list)
    units: list[UnitChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["units"] = [asdict(u) | {"edits": list(u.edits)} for u in self.units]
        return out


def _units(doc: dict[str, Any]) -> list[Unit]:
    articles = doc.get("articles") or []
    by_seq = {a["seq"]: a for a in articles}
    out = []
    if doc.get("preamble"):
        out.append(Unit("body:" + PREAMBLE_LABEL, PREAMBLE_LABEL, None, "body", doc["preamble"]))
    elif not articles and doc.get("body_text"):
        out.append(Unit("body:（正文）", "（正文）", None, "body", doc["body_text"]))
    for a in articles:
        labels, parent, guard = [a["label"]], a.get("parent"), 0
        while parent is not None and parent in by_seq and guard < 64:
            labels.append(by_seq[parent]["label"])
            parent, guard = by_seq[parent].get("parent"), guard + 1
        path = f"{a['source']}:" + "/".join(reversed(labels))
        out.append(Unit(path, a["label"], a["seq"], a["source"], (a.get("heading") or "") + (a.get("text") or "")))
    return out


def char_edits(old: str, new: str) -> tuple[dict[str, str], ...]:
    """The character-level edits turning `old` into `new`."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return tuple({"op": op, "old": old[i1:i2], "new": new[j1:j2]} for op, i1, i2, j1, j2 in matcher.get_opcodes())


def diff_versions(old: dict[str, Any], new: dict[str, Any], *, from_version=None, to_version=None) -> DocumentDiff:
    """Compare two document JSON objects (see the module docstring)."""
    result = DocumentDiff(new.get("id") or old.get("id"), from_version, to_version)
    for name in FIELDS:
        if old.get(name) != new.get(name):
            result.fields.append({"field": name, "old": old.get(name), "new": new.get(name)})
    a, b = _units(old), _units(new)
    matcher = difflib.SequenceMatcher(None, [u.text for u in a], [u.text for u in b], autojunk=False)
    changes: list[tuple[float, UnitChange]] = []
    gone: list[tuple[int, int]] = []  # (old index, opcode block)
    came: list[tuple[int, int]] = []
    for block, (op, i1, i2, j1, j2) in enumerate(matcher.get_opcodes()):
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                if a[i].path != b[j].path:
                    changes.append((j, UnitChange("moved", b[j].label, b[j].source, a[i].seq, b[j].seq, a[i].label)))
            continue
        gone += [(i, block) for i in range(i1, i2)]
        came += [(j, block) for j in range(j1, j2)]
    # the same text elsewhere: moved
    for i, _ in list(gone):
        j = next((j for j, _ in came if b[j].text == a[i].text), None)
        if j is not None:
            gone.remove(next(g for g in gone if g[0] == i))
            came.remove(next(c for c in came if c[0] == j))
            changes.append((j, UnitChange("moved", b[j].label, b[j].source, a[i].seq, b[j].seq, a[i].label)))
    # the same place (label path), else a similar text in the same region: changed
    pairs = []
    for i, _ in gone:
        j = next((j for j, _ in came if b[j].path == a[i].path and j not in {p[1] for p in pairs}), None)
        if j is not None:
            pairs.append((i, j))
    for i, block in gone:
        if any(p[0] == i for p in pairs):
            continue
        best, best_ratio = None, SIMILAR
        for j, other in came:
            if other != block or any(p[1] == j for p in pairs):
                continue
            ratio = difflib.SequenceMatcher(None, a[i].text, b[j].text, autojunk=False).ratio()
            if ratio >= best_ratio:
                best, best_ratio = j, ratio
        if best is not None:
            pairs.append((i, best))
    for i, j in pairs:
        old_label = a[i].label if a[i].label != b[j].label else None
        changes.append((j, UnitChange("changed", b[j].label, b[j].source, a[i].seq, b[j].seq, old_label,
                                      char_edits(a[i].text, b[j].text))))
    paired_old, paired_new = {p[0] for p in pairs}, {p[1] for p in pairs}
    for i, _ in gone:
        if i not in paired_old:
            # a removed unit sorts where its successor now stands
            changes.append((i - 0.5, UnitChange("removed", a[i].label, a[i].source, a[i].seq, None)))
    for j, _ in came:
        if j not in paired_new:
            changes.append((j, UnitChange("added", b[j].label, b[j].source, None, b[j].seq)))
    result.units = [c for _, c in sorted(changes, key=lambda x: x[0])]
    return result


def article_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """[{change, seq, label, source}] of the units that differ (seq: the new one, or the old one
    for a removed unit; null for the preamble)."""
    return [
        {"change": u.change, "seq": u.new_seq if u.new_seq is not None else u.old_seq,
         "label": u.label, "source": u.source}
        for u in diff_versions(old, new).units
    ]


def _version_json(db, doc_id: str, version: int) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT document_json FROM document_versions WHERE document_id = ? AND version = ?", [doc_id, version]
    ).fetchone()
    return json.loads(row[0]) if row else None


def versions_around(db, doc_id: str, bound: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(the last version stored before `bound`, the current version), or None without both."""
    row = db.execute(
        "SELECT (SELECT max(version) FROM document_versions WHERE document_id = ? AND fetched_at < ?),"
        " (SELECT version FROM documents WHERE id = ?)", [doc_id, bound, doc_id]
    ).fetchone()
    if not row or row[0] is None or row[1] is None or row[0] == row[1]:
        return None
    old, new = _version_json(db, doc_id, row[0]), _version_json(db, doc_id, row[1])
    return (old, new) if old and new else None


def stored_diff(db, doc_id: str, from_version: int | None = None, to_version: int | None = None) -> DocumentDiff:
    """Compare two stored versions of a document (default: the last two)."""
    versions = [v for (v,) in db.execute(
        "SELECT version FROM document_versions WHERE document_id = ? ORDER BY version", [doc_id])]
    if not versions:
        raise DiffError(f"no document {doc_id} in the database")
    to_version = versions[-1] if to_version is None else to_version
    if from_version is None:
        earlier = [v for v in versions if v < to_version]
        if not earlier:
            raise DiffError(
                f"{doc_id} has only version {to_version} stored before --to: nothing to compare"
                if len(versions) > 1 else f"{doc_id} has one stored version: nothing to compare yet")
        from_version = earlier[-1]
    for v in (from_version, to_version):
        if v not in versions:
            raise DiffError(f"{doc_id} has no version {v}; stored: {', '.join(map(str, versions))}")
    return diff_versions(_version_json(db, doc_id, from_version), _version_json(db, doc_id, to_version),
                         from_version=from_version, to_version=to_version)


def _marked(edits: tuple[dict[str, str], ...]) -> str:
    """Edits as one line: [-deleted-]{+inserted+}, unchanged text shortened to its context."""
    out = []
    last = len(edits) - 1
    for k, e in enumerate(edits):
        if e["op"] == "equal":
            text = e["old"]
            if k == 0:
                out.append(text if len(text) <= CONTEXT else "…" + text[-CONTEXT:])
            elif k == last:
                out.append(text if len(text) <= CONTEXT else text[:CONTEXT] + "…")
            else:
                out.append(text if len(text) <= 2 * CONTEXT else text[:CONTEXT] + "…" + text[-CONTEXT:])
        else:
            if e["old"]:
                out.append(f"[-{e['old']}-]")
            if e["new"]:
                out.append(f"{{+{e['new']}+}}")
    return "".join(out).replace("\n", "⏎")


def format_text(d: DocumentDiff) -> str:
    """What `ndrc-policy diff` prints: one line per changed field and unit."""
    lines = [f"{d.id}: version {d.from_version} → {d.to_version}"]
    for f in d.fields:
        lines.append(f"  field {f['field']}: {f['old']!r} → {f['new']!r}")
    marks = {"added": "+", "removed": "-", "moved": ">", "changed": "~"}
    for u in d.units:
        where = u.label if u.source == "body" else f"{u.label} ({u.source})"
        line = f"  {marks[u.change]} {u.change:<7} {where}"
        if u.old_label:
            line += f" (was {u.old_label})"
        if u.edits:
            line += ": " + _marked(u.edits)
        lines.append(line)
    if len(lines) == 1:
        lines.append("  no change in the fields or the articles")
    return "\n".join(lines)
