"""`Draft`: a document while it is composed, shared by the composer of each kind.

`start_draft` draws what every kind has (topic, office, written date, issuers) from the
document's own seeded generator; each kind's composer then adds its title, body blocks and
files to the draft, drawing from the same generator in the same order every time, so a
document is the same for the same (seed, page id, revision).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from replica import phrases as P
from replica.model import Block, FileSpec, Record
from replica.wording import cn_date, sentence, spaced


@dataclass(slots=True)
class Draft:
    rec: Record
    rng: random.Random
    topic: str
    office: str  # the source the page names (ContentSource)
    code: str  # the office's code in a 文号 (发改<code>〔YYYY〕N号)
    written: date | None
    general_office: bool  # signed by the 办公厅s rather than the agencies
    issuers: tuple[str, ...]
    issuer_line: str  # how the title names the issuers
    edit: str  # the sentence the latest edit added ("" for the original revision)
    year: int
    closing_date: date
    title: str = ""
    list_title: str = ""
    blocks: list[Block] = field(default_factory=list)
    files: list[FileSpec] = field(default_factory=list)
    body_labels: list[str] = field(default_factory=list)
    att_labels: list[str] = field(default_factory=list)
    addressees: str | None = None
    doc_number: str | None = None
    parts: tuple[str, int, int] | None = None
    effective: date | None = None
    subject: str | None = None  # how 解读 titles name the document

    def signature(self) -> None:
        """The signature block: one issuer a line (short names letter-spaced), then the date."""
        for name in self.issuers:
            self.blocks.append(Block("sign", spaced(name) if len(name) <= 5 and self.rng.random() < 0.4 else name))
        self.blocks.append(Block("date", cn_date(self.closing_date)))

    def file_name(self, k: int, ext: str) -> str:
        """The name of the document's k-th attachment, in the form of the real ones (P0…)."""
        rec = self.rec
        check = int(hashlib.sha1(f"{rec.id}:{k}:{ext}".encode()).hexdigest(), 16) % 10_000
        return f"P0{rec.url_date:%Y%m%d}{rec.id % 10_000_000:07d}{k}{check:04d}.{ext}"


def start_draft(rec: Record, seed: int) -> Draft:
    rng = random.Random(f"replica-doc:{seed}:{rec.id}")
    ov = rec.overrides
    pub = rec.publish.date()
    topic = ov.get("topic") or rng.choice(P.SUBJECTS)
    office, code = rng.choice(P.OFFICES)
    written = max(pub - timedelta(days=rng.randint(2, 20)), date(pub.year, 1, 1))
    general_office = rec.kind in ("cover", "fulltext") and rng.random() < 0.2
    if "issuers" in ov:
        issuers = tuple(ov["issuers"])
    elif rec.kind in ("cover", "fulltext"):
        roll = rng.random()
        n_co = 0 if roll < 0.5 else 1 if roll < 0.8 else rng.randint(2, 4)
        co = rng.sample(P.AGENCIES, n_co)
        lead = P.LEAD_ISSUER + ("办公厅" if general_office else "")
        issuers = (lead, *(a + "办公厅" if general_office else a for a in co))
    elif rec.kind in ("order", "announcement"):
        issuers = (P.LEAD_ISSUER,)
    else:
        issuers = ()
    issuer_line = issuers[0] if len(issuers) == 1 else (
        " ".join(issuers) if len(issuers) == 2 else f"{issuers[0]}等部门") if issuers else ""
    return Draft(rec=rec, rng=rng, topic=topic, office=office, code=code, written=written,
                 general_office=general_office, issuers=issuers, issuer_line=issuer_line,
                 edit=_edit_sentence(rec, seed), year=written.year, closing_date=written)


def _edit_sentence(rec: Record, seed: int) -> str:
    """The sentence each edit adds (empty for the original revision)."""
    if not rec.revision:
        return ""
    rng = random.Random(f"replica-edit:{seed}:{rec.id}:{rec.revision}")
    return f"{rng.choice(P.EDIT_NOTES)}{sentence(rng)}"
