"""The composers of the two kinds of notice (通知), both numbered 发改…〔YYYY〕N号 and addressed:

- `compose_cover`: a cover letter (关于印发《…》的通知) whose text is the attached plan, in a PDF
  and a parallel OFD;
- `compose_fulltext`: a notice whose body is the full text (一、 / （一） / 1.), sometimes with a
  dated effective sentence or a .doc / .xls form attached.
"""

from __future__ import annotations

from datetime import timedelta

from replica import phrases as P
from replica.compose.draft import Draft
from replica.model import Block, FileSpec
from replica.wording import cn_date, numbered, sentences


def _number_and_addressees(d: Draft) -> None:
    rec, rng = d.rec, d.rng
    rule = "规" if rec.column == "ghxwj" else ""  # normative documents (规范性文件) carry 规 in their 文号
    d.doc_number = f"发改{'办' if d.general_office else ''}{d.code}{rule}〔{d.year}〕{rec.serial}号"
    d.parts = (d.doc_number.split("〔")[0], d.year, rec.serial)
    d.addressees = rng.choice(P.ADDRESSEES)


def compose_cover(d: Draft) -> None:
    _number_and_addressees(d)
    rec, rng, ov = d.rec, d.rng, d.rec.overrides
    plan = f"{d.topic}{rng.choice(P.PLAN_KINDS)}"
    d.subject = f"《{plan}》"
    title = d.title = ov.get("title") or f"关于印发《{plan}》的通知"
    head = title[:title.index("《")] if "《" in title else title
    d.blocks.append(Block("title", f"{d.issuer_line}{head}"))
    if title[len(head):]:  # the second centred line: 《…》的通知
        d.blocks.append(Block("title", title[len(head):]))
    d.blocks += [Block("number", d.doc_number), Block("addressee", d.addressees + "："),
                 Block("para", f"《{plan}》已经国务院同意，现印发给你们，{rng.choice(P.CLOSINGS)}{d.edit}")]
    d.signature()
    if rng.random() < 0.2:
        d.blocks.append(Block("note", "（本文有删减）"))
    full, d.att_labels = numbered(rng)
    full = [sentences(rng, 2, 3)] + full
    d.files += [FileSpec(d.file_name(0, "pdf"), f"《{plan}》.pdf", "pdf", tuple(full), plan),
                FileSpec(d.file_name(1, "ofd"), f"《{plan}》.ofd", "ofd", tuple(full), plan)]
    if rec.extra == "broken":
        d.files.append(FileSpec(d.file_name(2, "pdf"), f"《{plan}》解读材料.pdf", "pdf", (), None, exists=False))
    d.list_title = f"{title}({d.doc_number})"


def compose_fulltext(d: Draft) -> None:
    _number_and_addressees(d)
    rec, rng, ov = d.rec, d.rng, d.rec.overrides
    title = d.title = ov.get("title") or rng.choice(P.NOTICE_FORMS).format(s=d.topic)
    d.blocks += [Block("title", f"{d.issuer_line}{title}" if len(d.issuers) < 2 else f"{d.issuer_line} {title}"),
                 Block("number", d.doc_number), Block("addressee", d.addressees + "："),
                 Block("para", f"{sentences(rng, 1, 2)}现就有关事项通知如下。{d.edit}")]
    paras, d.body_labels = numbered(rng)
    d.blocks += [Block("para", p) for p in paras]
    if rng.random() < 0.3:
        d.effective = d.written + timedelta(days=rng.randint(10, 60))
        if "closing" not in ov:
            d.blocks.append(Block("para", f"本通知自{cn_date(d.effective)}起施行。"))
        else:  # the closing paragraphs say when it takes effect
            d.effective = None
    d.blocks += [Block("para", p) for p in ov.get("closing", ())]
    if rec.extra:
        form = f"{d.topic}{'申报表' if rec.extra == 'doc' else '统计表'}"
        d.blocks.append(Block("para", f"附件：{form}"))
        d.files.append(FileSpec(d.file_name(0, rec.extra), f"{form}.{rec.extra}", rec.extra, (), None))
    d.signature()
    d.list_title = f"{title}({d.doc_number})"
