"""Page rendering for the replica: fills the templates in ``templates/`` (copied from real NDRC
pages) with a composed document, and builds attachment bytes.

`render_list`, `render_detail` (low level: ready-made fragments, so tests can rebuild a real
page byte for byte), `render_document` (a composed `model.Content`), `render_interpretation`,
`render_file`, and the small pages: robots.txt, the /xxgk/zcfb/ redirect, 404, WAF block pages.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Sequence

from replica import phrases as P
from replica.model import Content, FileSpec, Interp
from replica.wording import sentences

TEMPLATES = Path(__file__).resolve().parent / "templates"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
UTF8_META = '<meta charset="UTF-8">'
# What GBK pages of the 2019–2023 years declare (GBK is a superset of what gb2312 names).
GB2312_META = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
FILE_TYPES = {"pdf": "application/pdf", "ofd": "application/ofd", "doc": "application/msword",
              "xls": "application/vnd.ms-excel"}
# Magic of the OLE2 compound files .doc and .xls are: the opaque attachments start with it.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EM = "\u2003"
RUNNING_HEADER_ONE_IN = 5  # one attachment in five has a running header (the parsers must drop it)


# The 2019–2023 detail template is the current one with the body container of that time
# (div.article_con.article_con_title); the paragraphs inside are rendered in that era's style.
DERIVED_TEMPLATES = {
    "detail_2019.html": ("detail.html", '<div class="article_con">', '<div class="article_con article_con_title">'),
}


@lru_cache(maxsize=None)
def template(name: str) -> str:
    if name in DERIVED_TEMPLATES:
        base, old, new = DERIVED_TEMPLATES[name]
        text = template(base)
        if old not in text:
            raise ValueError(f"template {base} lacks {old!r}, needed for {name}")
        return text.replace(old, new, 1)
    return (TEMPLATES / name).read_text(encoding="utf-8")


def fill(name: str, **values: object) -> str:
    """Replace every {{key}} of template `name`; a key without a value is a bug, so it raises."""
    def sub(m: re.Match) -> str:
        try:
            return str(values[m[1]])
        except KeyError:
            raise KeyError(f"template {name} needs a value for {{{{{m[1]}}}}}") from None
    return _PLACEHOLDER.sub(sub, template(name))


def attr(text: str) -> str:
    return escape(text, quote=True)


# ---- list pages ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ListEntry:
    href: str
    title: str
    date: str  # YYYY/MM/DD
    interpretations: tuple[tuple[str, str], ...] = ()  # (href, title)


GROUP = 5  # the real lists close every 5 items with an li.empty spacer


def render_list(column: str, entries: Sequence[ListEntry], index: int, count: int) -> str:
    name, submenu_id, description, keywords = P.COLUMNS[column]
    groups = []
    for start in range(0, len(entries), GROUP):
        items = "".join(
            fill("list_item.html", href=attr(e.href), title_attr=attr(e.title), title=escape(e.title, quote=False),
                 jd_flags=template("list_jd_flag.html") * len(e.interpretations),
                 popbox_items="".join(fill("popbox_item.html", href=attr(h), title_attr=attr(t),
                                           title=escape(t, quote=False)) for h, t in e.interpretations),
                 date=e.date)
            for e in entries[start:start + GROUP])
        groups.append(fill("list_group.html", items=items))
    hrefs = {f"href_{c}": "./" if c == column else f"../{c}/" for c in P.COLUMNS}
    return fill("list.html", column_name=name, column_description=description, column_keywords=keywords,
                submenu_id=submenu_id, items="".join(groups), page_count=count, page_index=index, **hrefs)


# ---- detail pages -------------------------------------------------------------------------
@dataclass(frozen=True)
class DetailFields:
    """What a detail page shows, with the body already as HTML."""

    title: str
    column_name: str
    pub_datetime: str  # YYYY-MM-DD HH:MM:SS
    source: str
    page_stem: str  # t20260828_1407232
    body_html: str
    attachments: tuple[tuple[str, str], ...] = ()  # (href, label)
    related: tuple[tuple[str, str], ...] = ()  # (href, title) of div.xgwz
    legacy: bool = False
    charset_meta: str = UTF8_META
    column_type: str = "政策文件"


def render_detail(f: DetailFields) -> str:
    block = ""
    if f.attachments:
        links = "<BR>".join(f'<a href="{attr(h)}">{escape(t, quote=False)}</a>' for h, t in f.attachments)
        block = fill("attachment_block.html", links=links)
    return fill(
        "detail_2019.html" if f.legacy else "detail.html",
        charset_meta=f.charset_meta, title=escape(f.title, quote=False), title_attr=attr(f.title),
        column_name=f.column_name, pub_datetime=f.pub_datetime, source_attr=attr(f.source),
        source=escape(f.source, quote=False), page_stem=f.page_stem, pub_slash=f.pub_datetime[:10].replace("-", "/"),
        body=f.body_html, attachment_block=block, column_type=f.column_type,
        jd_flags=template("jd_flag.html") * len(f.related),
        xgwz_items="".join(fill("xgwz_item.html", href=attr(h), text=escape(t, quote=False)) for h, t in f.related),
    )


def _relative(path_from_xxgk: str) -> str:
    """A site path under /xxgk/ as a detail page four folders deep links it (../../../jd/jd/…)."""
    return "../../.." + path_from_xxgk[len("/xxgk"):]


def render_document(c: "Content") -> str:
    rec = c.record
    legacy = rec.template == "legacy"
    rng = random.Random(f"replica-markup:{rec.id}")
    body = _legacy_body(c, rng) if legacy else _current_body(c, rng)
    related = tuple((_relative(j.path), j.title) for j in c.interpretations)
    return render_detail(DetailFields(
        title=c.list_title, column_name=P.COLUMNS[rec.column][0], pub_datetime=f"{rec.publish:%Y-%m-%d %H:%M:%S}",
        source=c.source, page_stem=f"t{rec.url_date:%Y%m%d}_{rec.id}", body_html=body,
        attachments=tuple((f"./{f.name}", f.label) for f in c.files), related=related, legacy=legacy,
        charset_meta=GB2312_META if rec.encoding == "gbk" else UTF8_META,
    ))


_SPAN16 = '<span style="font-family: SimSun; font-size: 16px;">'


def _current_body(c: "Content", rng: random.Random) -> str:
    """The markup of current pages: centred divs inside spans, <br /> between lines, em-space indents."""
    out, first_title, signed = [], True, False
    letter_style = c.record.kind in ("cover", "order") or rng.random() < 0.5
    for b in c.blocks:
        t = escape(b.text, quote=False)
        if c.record.kind == "order" and b.role in ("title", "number"):  # as the real 令 pages
            out.append(f'<p style="text-align: center;"><b style=""><font size="5">{t}</font></b></p>'
                       '<div style="text-align: center;"><span style="font-size: 16px;"><b><br /></b></span></div>'
                       if b.role == "title" else
                       f'<div style="text-align: center;"><span style="font-size: 16px;"><b>{t}</b></span></div>'
                       '<div style="text-align: center;">&nbsp;</div>')
        elif b.role == "title":
            if first_title:
                out.append(f'<div style="text-align: center;"><span style="font-family: SimSun; font-size: 24px;">'
                           f'<strong>{t}</strong></span></div>')
            else:
                out.append(f'{_SPAN16}<div style="text-align: center;"><strong><span style="font-size: 24px; '
                           f'font-family: SimSun;">{t}</span></strong></div></span>')
            first_title = False
        elif b.role == "number":
            out.append('<div style="text-align: center;"><span style="font-size: 12px;"><br /></span></div>')
            out.append(f'{_SPAN16}<div style="text-align: center;">{t}</div></span><br />')
        elif b.role == "addressee":
            out.append(f"{_SPAN16}{t}</span><br />")
        elif b.role == "para":
            if letter_style:
                out.append(f"{_SPAN16}{EM * 2}{t}</span><br />")
            else:
                m = re.match(r"^(（[一二三四五六七八九十]+）[^。]{2,12}。)(.*)$", b.text)
                inner = (f"<strong>{escape(m[1], quote=False)}</strong>{escape(m[2], quote=False)}" if m else t)
                out.append(f'<p style="text-indent: 2em;">{inner}</p>')
        elif b.role in ("sign", "date"):
            if b.role == "sign" and not signed:  # a blank line between the letter and its signature
                out.append("<br />")
                signed = True
            if b.text == P.LEAD_ISSUER and rng.random() < 0.5:  # a name split across two spans
                t = f'{escape(b.text[0])}</span>{_SPAN16}{escape(b.text[1:])}'
            out.append(f'<div style="text-align: center;">{_SPAN16}{t}</span></div>')
        elif b.role == "note":
            out.append(f"<br />{_SPAN16}{t}</span><br />")
    return "".join(out)


def _legacy_body(c: "Content", rng: random.Random) -> str:
    """The 2019–2023 markup: <p> paragraphs with 　　 indents inside a Custom_UnionStyle div."""
    paras = []
    cut_at = _box_cut_block(c) if c.record.box_cut else None
    for i, b in enumerate(c.blocks):
        t = escape(b.text, quote=False)
        if b.role in ("title", "number"):
            tag = "strong" if b.role == "title" else "span"
            paras.append(f'<p style="text-align: center;"><{tag}>{t}</{tag}></p>')
        elif b.role in ("sign", "date"):
            paras.append(f'<p style="text-align: right;">{t}</p>')
        elif b.role == "addressee":
            paras.append(f"<p>{t}</p>")
        else:
            if i == cut_at:
                half = len(b.text) // 2
                t = escape(b.text[:half], quote=False) + _inline_box(c, rng) + escape(b.text[half:], quote=False)
            paras.append(f"<p>　　{t}</p>")
    return '<div class="Custom_UnionStyle">' + "".join(paras) + "</div>"


def _box_cut_block(c: "Content") -> int | None:
    """The longest ordinary paragraph: where a related-reading box lands mid-sentence."""
    candidates = [(len(b.text), i) for i, b in enumerate(c.blocks) if b.role == "para" and len(b.text) > 30]
    return max(candidates)[1] if candidates else None


def _inline_box(c: "Content", rng: random.Random) -> str:
    ranking = "".join(
        fill("inline_box_rank.html", n=f"{n:02d}", href=f"../../../zcfb/tz/{n}.html",
             title=f"关于{rng.choice(P.SUBJECTS)}有关事项的通知", date=f"{c.record.publish:%Y-%m-%d}")
        for n in range(1, 6))
    related = "".join(fill("inline_box_link.html", href=attr(_relative(j.path)), title=escape(j.title, quote=False))
                      for j in c.interpretations) or fill(
        "inline_box_link.html", href="../../../jd/jd/", title=f"一图读懂 | {c.title}")
    return fill("inline_box.html", ranking=ranking, related=related)


def render_interpretation(jd: "Interp", c: "Content") -> str:
    """A 解读 page: current template, category 解读, linking back to the policy it explains."""
    rng = random.Random(f"replica-jd:{jd.id}")  # the same sentence maker as the documents
    back = _relative(c.path)
    paras = [f"近日，国家发展改革委印发{c.list_title}。为便于社会各界更好理解和执行，现就有关问题解读如下。",
             f"问：出台{c.title}的背景是什么？", f"答：{sentences(rng, 2, 3)}",
             f"问：{c.title}的主要内容有哪些？", f"答：{sentences(rng, 2, 4)}"]
    body = "".join(f'<p style="text-indent: 2em;">{escape(p, quote=False)}</p>' for p in paras)
    body += f'<p style="text-indent: 2em;">原文链接：<a href="{attr(back)}">{escape(c.list_title, quote=False)}</a></p>'
    day = jd.path.split("/t")[-1][:8]
    return render_detail(DetailFields(
        title=jd.title, column_name="解读", pub_datetime=f"{day[:4]}-{day[4:6]}-{day[6:]} 10:00:00",
        source=c.source, page_stem=jd.path.rsplit("/", 1)[1][:-5], body_html=body,
        related=((back, c.list_title),), column_type="政策解读"))


# ---- files --------------------------------------------------------------------------------
def render_file(spec: "FileSpec", c: "Content") -> bytes:
    """The bytes of an attachment: PDF / OFD via `files`, opaque OLE2 bytes for .doc / .xls."""
    if spec.ext in ("pdf", "ofd"):
        from replica import files  # written separately; imported only when a file is asked for

        make = files.make_pdf if spec.ext == "pdf" else files.make_ofd
        # some attachments print their title as a running header on every page
        header = spec.title if int(hashlib.sha1(spec.name.encode()).hexdigest(), 16) % RUNNING_HEADER_ONE_IN == 0 else None
        return make(list(spec.paragraphs), title=spec.title, header=header)
    rng = random.Random(f"replica-file:{spec.name}")
    return OLE2_MAGIC + rng.randbytes(4096 + rng.randrange(4096))


# ---- small pages --------------------------------------------------------------------------
def robots_txt() -> str:
    return template("robots.txt")


def redirect_page(target: str) -> str:
    return fill("redirect.html", target=target)


def not_found_page() -> str:
    return template("not_found.html")


def private_page() -> str:
    return template("private.html")


def waf_page(seed: str) -> str:
    return fill("waf.html", event_id=hashlib.md5(seed.encode()).hexdigest()[:24])


def challenge_page(status: int, seed: str) -> str:
    token = hashlib.sha1(seed.encode()).hexdigest()
    return fill("challenge412.html" if status == 412 else "challenge521.html", token=token)
