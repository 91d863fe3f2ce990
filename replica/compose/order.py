"""The composer of an order (令): 中华人民共和国国家发展和改革委员会令 / 第N号, the promulgation
sentence, signed 主任：name; its rules (第一章 总则 / 第一条 …) are the attached PDF and OFD.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from replica import phrases as P
from replica.compose.draft import Draft
from replica.model import Block, FileSpec
from replica.wording import cn_date, cn_number, sentence, sentences


def compose_order(d: Draft) -> None:
    rec, rng, ov = d.rec, d.rng, d.rec.overrides
    written = d.written
    name_kind = rng.choice(P.ORDER_KINDS)
    name = f"{d.topic}{name_kind}"
    title = d.title = ov.get("title") or f"《{name}》"
    # in force from the first day of the month after next
    nxt = date(written.year + written.month // 12, written.month % 12 + 1, 1)
    effective = d.effective = date(nxt.year + nxt.month // 12, nxt.month % 12 + 1, 1)
    d.doc_number = f"{P.LEAD_ISSUER}令{d.year}年第{rec.serial}号"
    d.parts = (f"{P.LEAD_ISSUER}令", d.year, rec.serial)
    director = [n for since, n in P.DIRECTORS if date.fromisoformat(since) <= written][-1]
    meeting = written - timedelta(days=rng.randint(1, 10))
    d.blocks += [Block("title", "中华人民共和国国家发展和改革委员会令"), Block("number", f"第{rec.serial}号"),
                 Block("para", f"{title}已经{cn_date(meeting)}第{rng.randint(1, 40)}次委务会议审议通过，"
                               f"现予公布，自{cn_date(effective)}起施行。{d.edit}"),
                 Block("sign", f"主任：{director}"), Block("date", cn_date(written))]
    full, d.att_labels = _rules(rng, "办法" if "办法" in name_kind else "规定", effective)
    d.files += [FileSpec(d.file_name(0, "pdf"), f"{title}.pdf", "pdf", tuple(full), name),
                FileSpec(d.file_name(1, "ofd"), f"{title}.ofd", "ofd", tuple(full), name)]
    d.list_title = f"{title} {d.year}年第{rec.serial}号令"
    d.issuers = (P.LEAD_ISSUER,)
    d.office = rng.choice(P.ORDER_SOURCES)


def _rules(rng: random.Random, name: str, effective: date) -> tuple[list[str], list[str]]:
    """An order's text: 第一章 总则 / 第一条 … / … / 第X章 附则 / 第Y条 本办法自…起施行。"""
    chapters = ["总则"] + rng.sample(P.CHAPTERS[1:], rng.randint(1, 3)) + ["附则"]
    paras, labels, art = [], [], 0
    for c, chapter in enumerate(chapters, 1):
        paras.append(f"第{cn_number(c)}章　{chapter}")
        labels.append(f"第{cn_number(c)}章")
        count = 1 if chapter == "附则" else rng.randint(2, 4)
        for j in range(count):
            art += 1
            if art == 1:
                body = f"为了{sentence(rng)[:-1]}，根据有关法律、行政法规，制定本{name}。"
            elif chapter == "附则":
                body = f"本{name}自{cn_date(effective)}起施行。"
            else:
                body = sentences(rng, 1, 2)
            paras.append(f"第{cn_number(art)}条　{body}")
            labels.append(f"第{cn_number(art)}条")
    return paras, labels
