"""The composer of a plan text (规划文本): a title and the plan's numbered text, unsigned and
undated, the same text attached as PDF and OFD.
"""

from __future__ import annotations

from replica import phrases as P
from replica.compose.draft import Draft
from replica.model import Block, FileSpec
from replica.wording import numbered, sentences


def compose_plan(d: Draft) -> None:
    rng, ov = d.rng, d.rec.overrides
    title = d.title = ov.get("title") or rng.choice(P.PLAN_TITLES).format(s=d.topic)
    d.office = "规划司"
    d.blocks += [Block("title", title), Block("para", f"{sentences(rng, 2, 3)}{d.edit}")]
    paras, d.body_labels = numbered(rng)
    d.blocks += [Block("para", p) for p in paras]
    d.att_labels = list(d.body_labels)
    full = [b.text for b in d.blocks[1:]]
    d.files += [FileSpec(d.file_name(0, "pdf"), f"{title}.pdf", "pdf", tuple(full), title),
                FileSpec(d.file_name(1, "ofd"), f"{title}.ofd", "ofd", tuple(full), title)]
    d.written = None
    d.list_title = title
