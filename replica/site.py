"""The replica's site model: a deterministic archive of NDRC policy documents, and its URL space.

`Site(size, seed)` lays out `size` documents over the five policy columns (a small record each);
the text of a document is composed on demand from `phrases` with a random generator seeded by
(seed, page id), and pages are rendered on demand by `pages` — nothing big is held, so
``Site(10_000)`` is cheap. `Site.truth(id)` is what a perfect crawl + parse should find;
`Site.resolve(path)` answers a URL path with a `Resource`. Mutations (`add_document`,
`edit_document`, `remove_document`) let tests watch a crawler notice changes.
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterator

from replica import pages
from replica import phrases as P

COLUMN_NAMES = {key: value[0] for key, value in P.COLUMNS.items()}
# Kinds of document: cover-letter notice (印发…的通知, text in the attachment), full-text notice,
# order (令), announcement (公告), plan text (规划文本).
KINDS = ("cover", "fulltext", "order", "announcement", "plan")
# Which kinds each column holds, with weights.
COLUMN_KINDS: dict[str, tuple[tuple[str, int], ...]] = {
    "tz": (("cover", 55), ("fulltext", 45)),
    "ghxwj": (("cover", 40), ("fulltext", 60)),
    "fzggwl": (("order", 1),),
    "gg": (("announcement", 1),),
    "ghwb": (("plan", 1),),
}
WENHAO_KINDS = ("cover", "fulltext")  # the kinds numbered 发改…〔YYYY〕N号
ITEMS_PER_PAGE = 25  # the real list pages hold 25 items
ARCHIVE_START = date(2019, 1, 2)
ARCHIVE_END = date(2026, 8, 28)
# The 2019–2023 detail template (div.article_con_title, Custom_UnionStyle) was replaced in 2024;
# this share of older pages still carries it.
LEGACY_BEFORE = date(2024, 1, 1)
LEGACY_SHARE = 0.6
GBK_SHARE_OF_LEGACY = 0.3  # older pages served in GBK under a gb2312 declaration
BOX_CUT_SHARE_OF_LEGACY = 0.15  # a related-reading box inserted mid-sentence (seen in 2022 pages)
URL_DATE_SHIFT_SHARE = 0.05  # t20260828_… listed 2026/08/27: the URL date is not the publish date
NEWEST_PAGE_ID = 1_407_300
# Page ids step by 16; a document's 解读 pages take the ids doc_id + 4 … doc_id + 7.
ID_STEP, JD_ID_OFFSET, MAX_JD = 16, 4, 3
SITE_CLOCK_START = datetime(2026, 8, 31, 0, 0, tzinfo=timezone.utc)  # mutations tick from here
CACHE_ENTRIES = 96  # rendered responses kept (PDF attachments are the costly ones)
OVERRIDABLE = ("kind", "topic", "title", "publish_date", "template", "encoding", "issuers",
               "interpretations", "box_cut", "closing")
BEIJING = timezone(timedelta(hours=8))

_DETAIL_RE = re.compile(r"^/xxgk/zcfb/(?P<col>\w+)/(?P<ym>\d{6})/t(?P<d>\d{8})_(?P<id>\d+)\.html$")
_FILE_RE = re.compile(r"^/xxgk/zcfb/(?P<col>\w+)/(?P<ym>\d{6})/(?P<name>P0\d{8}(?P<id>\d{7})(?P<k>\d)\d{4}\.(?P<ext>pdf|ofd|doc|xls))$")
_JD_RE = re.compile(r"^/xxgk/jd/jd/(?P<ym>\d{6})/t(?P<d>\d{8})_(?P<id>\d+)\.html$")
_MULTISPACE = re.compile(r" {2,}")  # a browser shows 水  利  部 as 水 利 部
_LIST_RE = re.compile(r"^/xxgk/zcfb/(?P<col>\w+)/(?:index(?:_(?P<n>\d+))?\.html)?$")


@dataclass(frozen=True)
class Resource:
    """One answer of the site: status, body bytes, Content-Type, and when it last changed."""

    status: int
    body: bytes
    content_type: str
    last_modified: datetime


@dataclass(slots=True)
class Record:
    """What the site keeps per document; everything else is composed from it on demand."""

    id: int
    column: str
    kind: str
    publish: datetime  # PubDate, Beijing time
    url_date: date
    template: str  # "current" | "legacy"
    encoding: str  # "utf-8" | "gbk"
    box_cut: bool
    jd_count: int
    jd_broken: bool  # the last 解读 link is a 一图读懂 page that 404s
    extra: str  # "" | "doc" | "xls" | "broken" (an attachment link that 404s)
    serial: int  # 文号 serial, order number or announcement number
    mtime: datetime
    revision: int = 0
    removed: int = 0  # the status the page answers once removed
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Block:
    """A body paragraph and its role: title, number, addressee, para, sign, date, note."""

    role: str
    text: str


@dataclass(frozen=True)
class FileSpec:
    name: str  # file name in the detail page's folder
    label: str  # link text
    ext: str
    paragraphs: tuple[str, ...]  # the text the file holds (pdf/ofd)
    title: str | None
    exists: bool = True


@dataclass(frozen=True)
class Interp:
    id: int
    path: str
    title: str
    exists: bool


@dataclass(frozen=True)
class Content:
    """A composed document: everything the pages show and the truth reports."""

    record: Record
    list_title: str
    title: str
    doc_number: str | None
    doc_number_parts: tuple[str, int, int] | None
    source: str
    issuers: tuple[str, ...]
    addressees: str | None
    written_date: date | None
    effective_date: date | None
    blocks: tuple[Block, ...]
    body_labels: tuple[str, ...]
    attachment_labels: tuple[str, ...]
    files: tuple[FileSpec, ...]
    interpretations: tuple[Interp, ...]

    @property
    def path(self) -> str:
        return detail_path(self.record)


def detail_path(rec: Record) -> str:
    return f"/xxgk/zcfb/{rec.column}/{rec.url_date:%Y%m}/t{rec.url_date:%Y%m%d}_{rec.id}.html"


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 21 -> 二十一, 105 -> 一百零五 (enough for any label the replica prints)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + digits[rest] if rest < 10 else cn_number(rest) if rest >= 20 else "一" + cn_number(rest))
    return digits[n // 100] + "百" + tail


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _spaced(name: str) -> str:
    """交通运输部 -> 交 通 运 输 部 (or 水  利  部): how signature blocks letter-space short names."""
    return (" " if len(name) > 3 else "  ").join(name)


class Site:
    """A deterministic archive of `size` documents over the five columns (see module docstring)."""

    def __init__(self, size: int = 200, seed: int = 0):
        if not isinstance(size, int) or size < 0:
            raise ValueError(f"size must be a non-negative integer, got {size!r}")
        self.size, self.seed = size, seed
        self._lock = threading.RLock()
        self._records: dict[int, Record] = {}
        self._clock = SITE_CLOCK_START
        self._column_mtime: dict[str, datetime] = {}
        self._lists: dict[str, list[int]] = {}
        self._cache: OrderedDict[tuple, Resource] = OrderedDict()
        self._generation = 0  # bumped by every mutation: list pages are cached per generation
        self._build()

    # ---- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        rng = random.Random(f"replica-layout:{self.seed}")
        base = NEWEST_PAGE_ID - ID_STEP * self.size  # the newest page gets an id like the real ones of 2026
        span = (ARCHIVE_END - ARCHIVE_START).days
        days = sorted(rng.randrange(span + 1) for _ in range(self.size))
        columns, weights = zip(*P.COLUMN_WEIGHTS.items())
        order_no, notice_no = 0, {}
        for i, day in enumerate(days):
            column = rng.choices(columns, weights)[0]
            pub = ARCHIVE_START + timedelta(days=day)
            rec = self._new_record(rng, base + ID_STEP * i + rng.randrange(4), column, pub)
            if rec.kind == "order":
                order_no += 1
                rec.serial = order_no
            elif rec.kind == "announcement":
                notice_no[pub.year] = notice_no.get(pub.year, 0) + 1
                rec.serial = notice_no[pub.year]
            self._records[rec.id] = rec
        # 文号 serials: unique within a year (the written date never leaves the publish year)
        by_year: dict[int, list[Record]] = {}
        for rec in self._records.values():
            if rec.kind in WENHAO_KINDS:
                by_year.setdefault(rec.publish.year, []).append(rec)
        for year, recs in sorted(by_year.items()):
            for rec, serial in zip(recs, rng.sample(range(1, max(1800, 2 * len(recs)) + 1), len(recs))):
                rec.serial = serial
        for rec in self._records.values():
            self._column_mtime[rec.column] = max(self._column_mtime.get(rec.column, rec.mtime), rec.mtime)

    def _new_record(self, rng: random.Random, page_id: int, column: str, pub: date,
                    kind: str | None = None) -> Record:
        kinds, weights = zip(*COLUMN_KINDS[column])
        kind = kind or rng.choices(kinds, weights)[0]
        legacy = pub < LEGACY_BEFORE and rng.random() < LEGACY_SHARE
        published = datetime.combine(pub, time(rng.randrange(8, 18), rng.randrange(60), rng.randrange(60)),
                                     BEIJING)
        jd_roll = rng.random()
        jd_count = 0 if jd_roll < 0.65 else 1 if jd_roll < 0.9 else rng.randint(2, MAX_JD)
        extra_roll = rng.random()
        extra = ""
        if kind in ("fulltext", "announcement") and extra_roll < 0.2:
            extra = "doc" if kind == "fulltext" and extra_roll < 0.14 else "xls"
        elif kind == "cover" and extra_roll < 0.04:
            extra = "broken"
        return Record(
            id=page_id, column=column, kind=kind, publish=published,
            url_date=pub + timedelta(days=1) if rng.random() < URL_DATE_SHIFT_SHARE else pub,
            template="legacy" if legacy else "current",
            encoding="gbk" if legacy and rng.random() < GBK_SHARE_OF_LEGACY else "utf-8",
            box_cut=legacy and kind in ("fulltext", "plan") and rng.random() < BOX_CUT_SHARE_OF_LEGACY,
            jd_count=jd_count, jd_broken=jd_count > 0 and rng.random() < 0.3, extra=extra,
            serial=rng.randint(1, 1800), mtime=published.astimezone(timezone.utc),
        )

    # ---- listing --------------------------------------------------------------------------
    def documents(self) -> Iterator[dict]:
        """The truth of every document still on the site, newest first."""
        with self._lock:
            ids = sorted((r for r in self._records.values() if not r.removed),
                         key=lambda r: (r.publish, r.id), reverse=True)
        for rec in ids:
            yield self.truth(rec.id)

    def ids(self, include_removed: bool = False) -> list[int]:
        with self._lock:
            return [r.id for r in self._records.values() if include_removed or not r.removed]

    def column_ids(self, column: str) -> list[int]:
        """Ids listed in a column, newest first (what its list pages show, in order)."""
        with self._lock:
            if column not in self._lists:
                recs = [r for r in self._records.values() if r.column == column and not r.removed]
                recs.sort(key=lambda r: (r.publish, r.id), reverse=True)
                self._lists[column] = [r.id for r in recs]
            return self._lists[column]

    def page_count(self, column: str) -> int:
        return max(1, -(-len(self.column_ids(column)) // ITEMS_PER_PAGE))

    # ---- mutations ------------------------------------------------------------------------
    def _tick(self) -> datetime:
        self._clock += timedelta(minutes=1)
        return self._clock

    def _changed(self, rec: Record) -> None:
        rec.mtime = self._tick()
        self._generation += 1
        self._column_mtime[rec.column] = rec.mtime
        self._lists.pop(rec.column, None)

    def add_document(self, column: str, **overrides: Any) -> int:
        """Publish a new document at the top of `column` (page 1, first item); returns its page id.

        Overrides: kind, topic (the subject in 《…》), title (the truth title, without 文号),
        publish_date (ISO), template ("current" | "legacy"), encoding ("utf-8" | "gbk"),
        issuers (tuple, lead first), interpretations (count of 解读 pages), box_cut (bool),
        closing (a full-text notice's last paragraphs, e.g. "本通知自印发之日起施行。《…》（…号）同时废止。",
        in place of its dated effective sentence).
        """
        if column not in P.COLUMNS:
            raise ValueError(f"unknown column {column!r}: expected one of {', '.join(P.COLUMNS)}")
        unknown = sorted(set(overrides) - set(OVERRIDABLE))
        if unknown:
            raise ValueError(f"unknown override(s) {', '.join(unknown)}: allowed are {', '.join(OVERRIDABLE)}")
        kind = overrides.get("kind")
        if kind is not None and kind not in dict(COLUMN_KINDS[column]):
            raise ValueError(f"kind {kind!r} does not belong in column {column!r}")
        with self._lock:
            newest = max((r.publish.date() for r in self._records.values()), default=ARCHIVE_END)
            pub = date.fromisoformat(overrides["publish_date"]) if "publish_date" in overrides else newest + timedelta(days=1)
            page_id = max(self._records, default=NEWEST_PAGE_ID) + ID_STEP
            rng = random.Random(f"replica-add:{self.seed}:{page_id}")
            rec = self._new_record(rng, page_id, column, pub, kind)
            rec.url_date = pub
            if "publish_date" not in overrides:  # newest of all: publish at the end of the day
                rec.publish = datetime.combine(pub, time(23, 59, 59), BEIJING)
            for key, value in overrides.items():
                if key == "template":
                    rec.template = value
                elif key == "encoding":
                    rec.encoding = value
                elif key == "box_cut":
                    rec.box_cut = bool(value) and rec.kind in ("fulltext", "plan")
                elif key == "interpretations":
                    rec.jd_count, rec.jd_broken = min(int(value), MAX_JD), False
            if rec.template not in ("current", "legacy") or rec.encoding not in ("utf-8", "gbk"):
                raise ValueError("template must be 'current' or 'legacy', encoding 'utf-8' or 'gbk'")
            if rec.encoding == "gbk":
                rec.template = "legacy"
            rec.overrides = {k: v for k, v in overrides.items() if k in ("topic", "title", "issuers", "closing")}
            if rec.kind == "order":
                rec.serial = 1 + max((r.serial for r in self._records.values() if r.kind == "order"), default=0)
            else:  # the next free serial of its kind in that year
                same = ("announcement",) if rec.kind == "announcement" else WENHAO_KINDS
                rec.serial = 1 + max((r.serial for r in self._records.values()
                                      if r.kind in same and r.publish.year == pub.year), default=0)
            self._records[rec.id] = rec
            self._changed(rec)
            return rec.id

    def edit_document(self, doc_id: int, closing: tuple[str, ...] | None = None) -> int:
        """Change the body text of a document (a sentence is added; with `closing`, a full-text
        notice's last paragraphs are replaced too); returns its new revision."""
        with self._lock:
            rec = self._record(doc_id)
            if closing is not None:
                rec.overrides = {**rec.overrides, "closing": tuple(closing)}
            rec.revision += 1
            self._changed(rec)
            return rec.revision

    def remove_document(self, doc_id: int, status: int = 404) -> None:
        """Withdraw a document: it leaves its list, and its page and files answer `status`."""
        if status not in (404, 410):
            raise ValueError(f"status must be 404 or 410, got {status!r}")
        with self._lock:
            rec = self._record(doc_id)
            rec.removed = status
            self._changed(rec)

    def _record(self, doc_id: int) -> Record:
        try:
            return self._records[int(doc_id)]
        except (KeyError, ValueError, TypeError):
            raise KeyError(f"no document with id {doc_id!r} in this replica") from None

    # ---- composition ----------------------------------------------------------------------
    def compose(self, doc_id: int) -> Content:
        """The document's full content (titles, body blocks, files, truth facts), deterministic."""
        with self._lock:
            rec = replace(self._record(doc_id))
        return _compose(rec, self.seed)

    def truth(self, doc_id: int, base_url: str = "") -> dict:
        """What a perfect crawl and parse should find for this document.

        Keys: id ("ndrc-<page id>"), page_id, url, column, category, kind, list_title, title
        (without 文号), doc_number (normal form: 发改经贸〔2026〕1241号, 国家发展改革委令2026年第41号,
        国家发展改革委公告2026年第3号, or None), doc_number_parts, issuers, source, addressees,
        publish_date, written_date, effective_date (ISO or None), articles_body / articles_attachment
        (numbered units in the HTML body / in the attached full text — the PDF and the OFD hold the
        same text, counted once), body_labels, attachment_labels, body_paragraphs (as a browser
        shows them, indents dropped, a sentence cut by a box joined again), attachments / interpretations ([{title, url, file_type,
        exists}] / [{title, url, exists}]), template, encoding, box_cut, revision, status
        ("active" | "withdrawn"), http_status.
        """
        c = self.compose(doc_id)
        rec = c.record
        folder = f"/xxgk/zcfb/{rec.column}/{rec.url_date:%Y%m}/"
        parts = c.doc_number_parts
        return {
            "id": f"ndrc-{rec.id}", "page_id": rec.id, "url": base_url + c.path,
            "column": rec.column, "category": COLUMN_NAMES[rec.column], "kind": rec.kind,
            "list_title": c.list_title, "title": c.title, "doc_number": c.doc_number,
            "doc_number_parts": dict(zip(("prefix", "year", "serial"), parts)) if parts else None,
            "issuers": list(c.issuers), "source": c.source, "addressees": c.addressees,
            "publish_date": rec.publish.date().isoformat(),
            "written_date": c.written_date.isoformat() if c.written_date else None,
            "effective_date": c.effective_date.isoformat() if c.effective_date else None,
            "articles_body": len(c.body_labels), "articles_attachment": len(c.attachment_labels),
            "body_labels": list(c.body_labels), "attachment_labels": list(c.attachment_labels),
            "body_paragraphs": [_MULTISPACE.sub(" ", b.text) for b in c.blocks],
            "attachments": [{"title": f.label, "url": base_url + folder + f.name, "file_type": f.ext,
                             "exists": f.exists} for f in c.files],
            "interpretations": [{"title": j.title, "url": base_url + j.path, "exists": j.exists}
                                for j in c.interpretations],
            "template": rec.template, "encoding": rec.encoding, "box_cut": rec.box_cut,
            "revision": rec.revision, "status": "withdrawn" if rec.removed else "active",
            "http_status": rec.removed or 200,
        }

    # ---- URL space ------------------------------------------------------------------------
    def resolve(self, path: str) -> Resource:
        """Answer a URL path (no query): a page, a file, robots.txt, or the 404 page."""
        with self._lock:
            key = self._cache_key(path)
            if key is not None and key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            res = self._render(path)
            if key is not None:
                self._cache[key] = res
                while len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
            return res

    def _cache_key(self, path: str) -> tuple | None:
        m = _DETAIL_RE.match(path) or _FILE_RE.match(path)
        if m and int(m["id"]) in self._records:
            rec = self._records[int(m["id"])]
            return (path, rec.revision, rec.removed)
        if _LIST_RE.match(path):
            return (path, self._generation)
        return None

    def _render(self, path: str) -> Resource:
        if path == "/robots.txt":
            return Resource(200, pages.robots_txt().encode(), "text/plain", SITE_CLOCK_START)
        if path in ("/xxgk/zcfb/", "/xxgk/zcfb/index.html"):
            return _html(pages.redirect_page("./fzggwl/"), SITE_CLOCK_START)
        if path.startswith("/private/"):
            return _html(pages.private_page(), SITE_CLOCK_START)
        m = _LIST_RE.match(path)
        if m and m["col"] in P.COLUMNS:
            if m["n"] is not None and int(m["n"]) == 0:  # page 1 is index.html; no index_0.html
                return _not_found()
            return self._list_page(m["col"], int(m["n"] or 0))
        m = _DETAIL_RE.match(path)
        if m:
            return self._detail_page(m)
        m = _FILE_RE.match(path)
        if m:
            return self._file(m)
        m = _JD_RE.match(path)
        if m:
            return self._jd_page(m)
        return _not_found()

    def _list_page(self, column: str, index: int) -> Resource:
        ids = self.column_ids(column)
        count = self.page_count(column)
        if index >= count:
            return _not_found()
        entries = []
        for doc_id in ids[index * ITEMS_PER_PAGE:(index + 1) * ITEMS_PER_PAGE]:
            c = _compose(replace(self._records[doc_id]), self.seed)
            rec = c.record
            entries.append(pages.ListEntry(
                href=f"./{rec.url_date:%Y%m}/t{rec.url_date:%Y%m%d}_{rec.id}.html",
                title=c.list_title, date=f"{rec.publish:%Y/%m/%d}",
                interpretations=tuple(("../.." + j.path[len("/xxgk"):], j.title) for j in c.interpretations)))
        html = pages.render_list(column, entries, index, count)
        return _html(html, self._column_mtime.get(column, SITE_CLOCK_START))

    def _doc_for(self, m: re.Match) -> Record | None:
        rec = self._records.get(int(m["id"]))
        if rec is None or rec.column != m["col"] or f"{rec.url_date:%Y%m}" != m["ym"]:
            return None
        return rec

    def _detail_page(self, m: re.Match) -> Resource:
        rec = self._doc_for(m)
        if rec is None or m["d"] != f"{rec.url_date:%Y%m%d}":
            return _not_found()
        if rec.removed:
            return _not_found(rec.removed, rec.mtime)
        c = _compose(replace(rec), self.seed)
        html = pages.render_document(c)
        return _html(html, rec.mtime, rec.encoding)

    def _file(self, m: re.Match) -> Resource:
        rec = self._doc_for(m)
        if rec is None:
            return _not_found()
        if rec.removed:
            return _not_found(rec.removed, rec.mtime)
        c = _compose(replace(rec), self.seed)
        spec = next((f for f in c.files if f.name == m["name"] and f.exists), None)
        if spec is None:
            return _not_found()
        return Resource(200, pages.render_file(spec, c), pages.FILE_TYPES[spec.ext], rec.mtime)

    def _jd_page(self, m: re.Match) -> Resource:
        jd_id = int(m["id"])
        for k in range(MAX_JD):
            rec = self._records.get(jd_id - JD_ID_OFFSET - k)
            if rec is not None and not rec.removed:
                c = _compose(replace(rec), self.seed)
                jd = next((j for j in c.interpretations if j.id == jd_id and j.exists), None)
                if jd is not None and jd.path == m.string:
                    return _html(pages.render_interpretation(jd, c), rec.mtime)
        return _not_found()


def _html(text: str, modified: datetime, encoding: str = "utf-8") -> Resource:
    return Resource(200, text.encode(encoding, "xmlcharrefreplace"), "text/html", modified)


def _not_found(status: int = 404, modified: datetime = SITE_CLOCK_START) -> Resource:
    return Resource(status, pages.not_found_page().encode(), "text/html", modified)


# ---- text composition ---------------------------------------------------------------------
def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(P.VERBS)}{rng.choice(P.OBJECTS)}，{rng.choice(P.PURPOSES)}。"


def _text(rng: random.Random, lo: int = 1, hi: int = 3) -> str:
    return "".join(_sentence(rng) for _ in range(rng.randint(lo, hi)))


def _numbered(rng: random.Random) -> tuple[list[str], list[str]]:
    """A 公文 full text: 一、heading / （一）heading。text / 1.text / （1）text. Returns (paragraphs, labels).

    （一） numbering runs on across sections, as in real notices (（四） under 二、).
    """
    paras, labels, sub = [], [], 0
    headings = rng.sample(P.SECTION_HEADINGS, rng.randint(2, 4))
    for i, heading in enumerate(headings, 1):
        paras.append(f"{cn_number(i)}、{heading}")
        labels.append(f"{cn_number(i)}、")
        for _ in range(rng.randint(1, 3)):
            sub += 1
            label = f"（{cn_number(sub)}）"
            paras.append(f"{label}{rng.choice(P.SUBSECTION_HEADINGS)}。{_text(rng)}")
            labels.append(label)
            if rng.random() < 0.3:
                for n in range(1, rng.randint(2, 3) + 1):
                    paras.append(f"{n}.{_text(rng, 1, 2)}")
                    labels.append(f"{n}.")
                    if n == 1 and rng.random() < 0.4:
                        for k in (1, 2):
                            paras.append(f"（{k}）{_sentence(rng)}")
                            labels.append(f"（{k}）")
    return paras, labels


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
                body = f"为了{_sentence(rng)[:-1]}，根据有关法律、行政法规，制定本{name}。"
            elif chapter == "附则":
                body = f"本{name}自{cn_date(effective)}起施行。"
            else:
                body = _text(rng, 1, 2)
            paras.append(f"第{cn_number(art)}条　{body}")
            labels.append(f"第{cn_number(art)}条")
    return paras, labels


def _file_name(rec: Record, k: int, ext: str) -> str:
    check = int(hashlib.sha1(f"{rec.id}:{k}:{ext}".encode()).hexdigest(), 16) % 10_000
    return f"P0{rec.url_date:%Y%m%d}{rec.id % 10_000_000:07d}{k}{check:04d}.{ext}"


def _compose(rec: Record, seed: int) -> Content:
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
    blocks: list[Block] = []
    files: list[FileSpec] = []
    body_labels: list[str] = []
    att_labels: list[str] = []
    addressees = doc_number = parts = effective = None
    subject = None  # how 解读 titles name the document
    edit = _edit_sentence(rec, seed)
    year = written.year
    closing_date = written

    def signature() -> None:
        for name in issuers:
            blocks.append(Block("sign", _spaced(name) if len(name) <= 5 and rng.random() < 0.4 else name))
        blocks.append(Block("date", cn_date(closing_date)))

    if rec.kind in ("cover", "fulltext"):
        rule = "规" if rec.column == "ghxwj" else ""
        doc_number = f"发改{'办' if general_office else ''}{code}{rule}〔{year}〕{rec.serial}号"
        parts = (doc_number.split("〔")[0], year, rec.serial)
        addressees = rng.choice(P.ADDRESSEES)
    if rec.kind == "cover":
        plan = f"{topic}{rng.choice(P.PLAN_KINDS)}"
        subject = f"《{plan}》"
        title = ov.get("title") or f"关于印发《{plan}》的通知"
        head = title[:title.index("《")] if "《" in title else title
        blocks.append(Block("title", f"{issuer_line}{head}"))
        if title[len(head):]:  # the second centred line: 《…》的通知
            blocks.append(Block("title", title[len(head):]))
        blocks += [Block("number", doc_number), Block("addressee", addressees + "："),
                   Block("para", f"《{plan}》已经国务院同意，现印发给你们，{rng.choice(P.CLOSINGS)}{edit}")]
        signature()
        if rng.random() < 0.2:
            blocks.append(Block("note", "（本文有删减）"))
        full, att_labels = _numbered(rng)
        full = [_text(rng, 2, 3)] + full
        files += [FileSpec(_file_name(rec, 0, "pdf"), f"《{plan}》.pdf", "pdf", tuple(full), plan),
                  FileSpec(_file_name(rec, 1, "ofd"), f"《{plan}》.ofd", "ofd", tuple(full), plan)]
        if rec.extra == "broken":
            files.append(FileSpec(_file_name(rec, 2, "pdf"), f"《{plan}》解读材料.pdf", "pdf", (), None, exists=False))
        list_title = f"{title}({doc_number})"
    elif rec.kind == "fulltext":
        title = ov.get("title") or rng.choice(P.NOTICE_FORMS).format(s=topic)
        blocks += [Block("title", f"{issuer_line}{title}" if len(issuers) < 2 else f"{issuer_line} {title}"),
                   Block("number", doc_number), Block("addressee", addressees + "："),
                   Block("para", f"{_text(rng, 1, 2)}现就有关事项通知如下。{edit}")]
        paras, body_labels = _numbered(rng)
        blocks += [Block("para", p) for p in paras]
        if rng.random() < 0.3:
            effective = written + timedelta(days=rng.randint(10, 60))
            if "closing" not in ov:
                blocks.append(Block("para", f"本通知自{cn_date(effective)}起施行。"))
            else:  # the closing paragraphs say when it takes effect
                effective = None
        blocks += [Block("para", p) for p in ov.get("closing", ())]
        if rec.extra:
            form = f"{topic}{'申报表' if rec.extra == 'doc' else '统计表'}"
            blocks.append(Block("para", f"附件：{form}"))
            files.append(FileSpec(_file_name(rec, 0, rec.extra), f"{form}.{rec.extra}", rec.extra, (), None))
        signature()
        list_title = f"{title}({doc_number})"
    elif rec.kind == "order":
        name_kind = rng.choice(P.ORDER_KINDS)
        name = f"{topic}{name_kind}"
        title = ov.get("title") or f"《{name}》"
        # in force from the first day of the month after next
        nxt = date(written.year + written.month // 12, written.month % 12 + 1, 1)
        effective = date(nxt.year + nxt.month // 12, nxt.month % 12 + 1, 1)
        doc_number = f"{P.LEAD_ISSUER}令{year}年第{rec.serial}号"
        parts = (f"{P.LEAD_ISSUER}令", year, rec.serial)
        director = [n for since, n in P.DIRECTORS if date.fromisoformat(since) <= written][-1]
        meeting = written - timedelta(days=rng.randint(1, 10))
        blocks += [Block("title", "中华人民共和国国家发展和改革委员会令"), Block("number", f"第{rec.serial}号"),
                   Block("para", f"{title}已经{cn_date(meeting)}第{rng.randint(1, 40)}次委务会议审议通过，"
                                 f"现予公布，自{cn_date(effective)}起施行。{edit}"),
                   Block("sign", f"主任：{director}"), Block("date", cn_date(written))]
        full, att_labels = _rules(rng, "办法" if "办法" in name_kind else "规定", effective)
        files += [FileSpec(_file_name(rec, 0, "pdf"), f"{title}.pdf", "pdf", tuple(full), name),
                  FileSpec(_file_name(rec, 1, "ofd"), f"{title}.ofd", "ofd", tuple(full), name)]
        list_title = f"{title} {year}年第{rec.serial}号令"
        issuers = (P.LEAD_ISSUER,)
        office = rng.choice(P.ORDER_SOURCES)
    elif rec.kind == "announcement":
        title = ov.get("title") or rng.choice(P.ANNOUNCEMENT_FORMS).format(s=topic)
        year = pub.year
        doc_number = f"{P.LEAD_ISSUER}公告{year}年第{rec.serial}号"
        parts = (f"{P.LEAD_ISSUER}公告", year, rec.serial)
        blocks += [Block("title", "中华人民共和国国家发展和改革委员会公告"), Block("number", f"{year}年第{rec.serial}号"),
                   Block("para", f"{_text(rng, 1, 2)}现将有关事项公告如下。{edit}")]
        for i in range(1, rng.randint(2, 5) + 1):
            blocks.append(Block("para", f"{cn_number(i)}、{_text(rng, 1, 2)}"))
            body_labels.append(f"{cn_number(i)}、")
        blocks.append(Block("para", "特此公告。"))
        if rec.extra:
            form = f"{topic}名单"
            blocks.append(Block("para", f"附件：{form}"))
            files.append(FileSpec(_file_name(rec, 0, "xls"), f"{form}.xls", "xls", (), None))
        closing_date = pub - timedelta(days=rng.randint(0, 5))
        written = closing_date
        signature()
        list_title = title
    else:  # plan
        title = ov.get("title") or rng.choice(P.PLAN_TITLES).format(s=topic)
        office = "规划司"
        blocks += [Block("title", title), Block("para", f"{_text(rng, 2, 3)}{edit}")]
        paras, body_labels = _numbered(rng)
        blocks += [Block("para", p) for p in paras]
        att_labels = list(body_labels)
        full = [b.text for b in blocks[1:]]
        files += [FileSpec(_file_name(rec, 0, "pdf"), f"{title}.pdf", "pdf", tuple(full), title),
                  FileSpec(_file_name(rec, 1, "ofd"), f"{title}.ofd", "ofd", tuple(full), title)]
        written = None
        list_title = title

    interps = []
    for k in range(rec.jd_count):
        jd_id = rec.id + JD_ID_OFFSET + k
        jd_day = pub + timedelta(days=k % 2)
        broken = rec.jd_broken and k == rec.jd_count - 1
        subject = subject or (title if title.startswith("《") else f"《{title}》")
        if broken:
            path, text = f"/xxgk/jd/zctj/{jd_day:%Y%m}/t{jd_day:%Y%m%d}_{jd_id}.html", f"一图读懂 | {subject}"
        else:
            path = f"/xxgk/jd/jd/{jd_day:%Y%m}/t{jd_day:%Y%m%d}_{jd_id}.html"
            text = (f"{P.LEAD_ISSUER}有关负责同志就{subject}答记者问", f"{subject}解读",
                    f"专家解读 | {topic}工作迈出重要一步")[k % 3]
        interps.append(Interp(jd_id, path, text, not broken))

    return Content(
        record=rec, list_title=list_title, title=title, doc_number=doc_number, doc_number_parts=parts,
        source=office, issuers=issuers, addressees=addressees,
        written_date=written if rec.kind != "plan" else None, effective_date=effective,
        blocks=tuple(blocks), body_labels=tuple(body_labels), attachment_labels=tuple(att_labels),
        files=tuple(files), interpretations=tuple(interps),
    )


def _edit_sentence(rec: Record, seed: int) -> str:
    """The sentence each edit adds (empty for the original revision)."""
    if not rec.revision:
        return ""
    rng = random.Random(f"replica-edit:{seed}:{rec.id}:{rec.revision}")
    return f"{rng.choice(P.EDIT_NOTES)}{_sentence(rng)}"
