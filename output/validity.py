"""A document's validity (时效性) as of a day, from its own dates and what later documents say.

`compute(...)` is the rule, pure; `refresh(db, ids)` writes `documents.validity` and
`documents.validity_basis` for some documents (the store calls it after each document write,
through output/relations.py), `refresh_all(db)` for all (reparse, the end of a crawl).

The rule, as of day D (today in Beijing, or `--as-of`):
1. `repealed`: a stored document repeals or replaces it as a whole, and the day that holds — the
   date the clause states (自2027年1月1日起停止执行), else that document's effective date (else its
   publish or written date) — is on or before D;
2. `expired`: its stated 有效期 ended before D (`expiry_date`);
3. `not_yet_effective`: its effective date is after D;
4. `partially_repealed`: a repeal in force names only parts of it (第三条…废止, 《X》中…的规定停止执行);
5. `amended`: a document in force amends it;
6. `in_force`: nothing in the archive says otherwise.
`validity_basis` lists every clause that holds on D (deciding ones first), each with its
sentence; a clause without a sentence counts for nothing, so `repealed` always shows why. A
clause of a document published before the one it names is ignored (a mis-resolved target: a
document cannot repeal a later one).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parsers.model import ValidityBasis
from parsers.relations import partial_repeal
from parsers.term import expiry, stated_start

# The day validity is computed for when none is given: documents are dated in Beijing time.
BEIJING = dt.timezone(dt.timedelta(hours=8))
# Relations of another document that change this one's force.
FORCE_RELATIONS = ("repeals", "replaces", "amends")


@dataclass(frozen=True)
class Incoming:
    """What another stored document says of this one."""

    relation: str  # one of FORCE_RELATIONS
    by_id: str
    by_doc_number: str | None
    date: str | None  # when it takes hold: the other document's effective (else publish) date
    by_publish_date: str | None
    text: str


def today() -> str:
    return dt.datetime.now(BEIJING).date().isoformat()


def as_of_date(value: str | dt.date | None) -> str:
    """An ISO day from `--as-of` (or today); ValueError with a readable message otherwise."""
    if value is None:
        return today()
    text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"--as-of takes a date as YYYY-MM-DD, got {value!r}") from None


def compute(
    *,
    effective_date: str | None,
    publish_date: str | None,
    expiry_date: str | None,
    expiry_text: str | None,
    incoming: Sequence[Incoming],
    as_of: str,
) -> tuple[str, tuple[ValidityBasis, ...]]:
    """(validity, basis) of one document as of `as_of` (ISO); see the module docstring."""
    holding = [
        i for i in incoming
        if i.text and i.text.strip() and (i.date is None or i.date <= as_of)
        and not (i.by_publish_date and publish_date and i.by_publish_date < publish_date)
    ]
    repeals = [i for i in holding if i.relation in ("repeals", "replaces")]
    whole = [i for i in repeals if not partial_repeal(i.text)]
    parts = [i for i in repeals if i not in whole]
    amends = [i for i in holding if i.relation == "amends"]
    expired = bool(expiry_date and expiry_date < as_of and expiry_text)
    own = ValidityBasis("expires", None, None, expiry_date, expiry_text) if expired else None

    def basis(first: Iterable[Incoming], *extra: ValidityBasis | None) -> tuple[ValidityBasis, ...]:
        ordered = list(dict.fromkeys([*first, *whole, *parts, *amends]))
        out = [ValidityBasis(i.relation, i.by_id, i.by_doc_number, i.date, i.text) for i in ordered]
        return tuple(out + [b for b in extra if b])

    if whole:
        return "repealed", basis(whole, own)
    if expired:
        return "expired", (own, *basis(()))  # type: ignore[arg-type]
    if effective_date and effective_date > as_of:
        return "not_yet_effective", ()
    if parts:
        return "partially_repealed", basis(parts)
    if amends:
        return "amended", basis(amends)
    return "in_force", ()


def of_document(db, document_id: str, as_of: str | None = None) -> tuple[str | None, tuple[ValidityBasis, ...]]:
    """Compute (not store) one stored document's validity as of `as_of` (today if None)."""
    row = db.execute(
        "SELECT effective_date, publish_date, expiry_date FROM documents WHERE id = ?", [document_id]
    ).fetchone()
    if row is None:
        return None, ()
    effective, publish, expiry_date = row
    stated = None
    if expiry_date:  # the sentence is read again only where there is one
        (body,) = db.execute("SELECT body_text FROM documents WHERE id = ?", [document_id]).fetchone()
        stated = expiry((body or "").split("\n"), effective)
    incoming = [
        Incoming(r[0], r[1], r[2], stated_start(r[5]) or r[3], r[4], r[5])
        for r in db.execute(
            "SELECT r.relation, r.document_id, d.doc_number,"
            " coalesce(d.effective_date, d.publish_date, d.written_date), d.publish_date, r.text"
            " FROM relations r JOIN documents d ON d.id = r.document_id"
            f" WHERE r.target_id = ? AND r.document_id != ? AND r.relation IN ({', '.join('?' * len(FORCE_RELATIONS))})"
            " ORDER BY r.document_id, r.position",
            [document_id, document_id, *FORCE_RELATIONS],
        )
    ]
    return compute(
        effective_date=effective,
        publish_date=publish,
        expiry_date=expiry_date,
        expiry_text=stated.text if stated else None,
        incoming=incoming,
        as_of=as_of or today(),
    )


def refresh(db, ids: Iterable[str], as_of: str | None = None) -> None:
    """Recompute and store the validity of the documents `ids`."""
    day = as_of or today()
    for document_id in dict.fromkeys(ids):
        state, basis = of_document(db, document_id, day)
        if state is None:
            continue
        text = basis_json(basis)
        # written only when it changed: most recomputations confirm what is stored
        db.execute(
            "UPDATE documents SET validity = ?, validity_basis = ? WHERE id = ?"
            " AND (validity IS NOT ? OR validity_basis IS NOT ?)",
            [state, text, document_id, state, text],
        )


def basis_json(basis: Iterable[ValidityBasis]) -> str:
    """`validity_basis` as stored: a JSON array of {relation, by_id, by_doc_number, date, text}."""
    return json.dumps(
        [{"relation": b.relation, "by_id": b.by_id, "by_doc_number": b.by_doc_number, "date": b.date, "text": b.text}
         for b in basis],
        ensure_ascii=False,
    )


def refresh_all(db, as_of: str | None = None) -> int:
    """Recompute every document's validity (a day has passed, or a reparse); returns the count."""
    ids = [i for (i,) in db.execute("SELECT id FROM documents")]
    refresh(db, ids, as_of)
    return len(ids)
