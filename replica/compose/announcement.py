"""The composer of an announcement (公告): 中华人民共和国国家发展和改革委员会公告 / YYYY年第N号,
numbered items, 特此公告。, sometimes a list (名单) attached as .xls, signed and dated.
"""

from __future__ import annotations

from datetime import timedelta

from replica import phrases as P
from replica.compose.draft import Draft
from replica.model import Block, FileSpec
from replica.wording import cn_number, sentences


def compose_announcement(d: Draft) -> None:
    rec, rng, ov = d.rec, d.rng, d.rec.overrides
    pub = rec.publish.date()
    title = d.title = ov.get("title") or rng.choice(P.ANNOUNCEMENT_FORMS).format(s=d.topic)
    year = d.year = pub.year  # numbered in the year it is published
    d.doc_number = f"{P.LEAD_ISSUER}公告{year}年第{rec.serial}号"
    d.parts = (f"{P.LEAD_ISSUER}公告", year, rec.serial)
    d.blocks += [Block("title", "中华人民共和国国家发展和改革委员会公告"), Block("number", f"{year}年第{rec.serial}号"),
                 Block("para", f"{sentences(rng, 1, 2)}现将有关事项公告如下。{d.edit}")]
    for i in range(1, rng.randint(2, 5) + 1):
        d.blocks.append(Block("para", f"{cn_number(i)}、{sentences(rng, 1, 2)}"))
        d.body_labels.append(f"{cn_number(i)}、")
    d.blocks.append(Block("para", "特此公告。"))
    if rec.extra:
        form = f"{d.topic}名单"
        d.blocks.append(Block("para", f"附件：{form}"))
        d.files.append(FileSpec(d.file_name(0, "xls"), f"{form}.xls", "xls", (), None))
    d.closing_date = pub - timedelta(days=rng.randint(0, 5))
    d.written = d.closing_date
    d.signature()
    d.list_title = title
