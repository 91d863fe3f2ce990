"""`compose(record, seed) -> Content`: a document of the replica, composed on demand.

The common part (topic, office, written date, issuers) is drawn by `draft.start_draft`; the
composer of the document's kind writes its title, body and files — one module per kind:
`notice` (cover letter 印发…的通知 and full-text 通知, normative 规范性文件 included), `order` (令),
`announcement` (公告), `plan` (规划文本); the 解读 pages listed with it are added last.
Deterministic: the same (seed, record) gives the same document.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from replica import phrases as P
from replica.compose.announcement import compose_announcement
from replica.compose.draft import Draft, start_draft
from replica.compose.notice import compose_cover, compose_fulltext
from replica.compose.order import compose_order
from replica.compose.plan import compose_plan
from replica.model import JD_ID_OFFSET, Content, Interp, Record

# The composer of each kind of document (site.KINDS).
COMPOSERS: dict[str, Callable[[Draft], None]] = {
    "cover": compose_cover,
    "fulltext": compose_fulltext,
    "order": compose_order,
    "announcement": compose_announcement,
    "plan": compose_plan,
}


def compose(rec: Record, seed: int) -> Content:
    d = start_draft(rec, seed)
    COMPOSERS[rec.kind](d)
    return Content(
        record=rec, list_title=d.list_title, title=d.title, doc_number=d.doc_number, doc_number_parts=d.parts,
        source=d.office, issuers=d.issuers, addressees=d.addressees,
        written_date=d.written if rec.kind != "plan" else None, effective_date=d.effective,
        blocks=tuple(d.blocks), body_labels=tuple(d.body_labels), attachment_labels=tuple(d.att_labels),
        files=tuple(d.files), interpretations=_interpretations(d),
    )


def _interpretations(d: Draft) -> tuple[Interp, ...]:
    """The 解读 pages listed with the document (the last one a broken 一图读懂 link, when so drawn)."""
    rec, pub = d.rec, d.rec.publish.date()
    interps = []
    for k in range(rec.jd_count):
        jd_id = rec.id + JD_ID_OFFSET + k
        jd_day = pub + timedelta(days=k % 2)
        broken = rec.jd_broken and k == rec.jd_count - 1
        subject = d.subject = d.subject or (d.title if d.title.startswith("《") else f"《{d.title}》")
        if broken:
            path, text = f"/xxgk/jd/zctj/{jd_day:%Y%m}/t{jd_day:%Y%m%d}_{jd_id}.html", f"一图读懂 | {subject}"
        else:
            path = f"/xxgk/jd/jd/{jd_day:%Y%m}/t{jd_day:%Y%m%d}_{jd_id}.html"
            text = (f"{P.LEAD_ISSUER}有关负责同志就{subject}答记者问", f"{subject}解读",
                    f"专家解读 | {d.topic}工作迈出重要一步")[k % 3]
        interps.append(Interp(jd_id, path, text, not broken))
    return tuple(interps)
