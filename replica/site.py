"""The replica's site model: a deterministic archive of NDRC policy documents, and its URL space.

`Site(size, seed)` lays out `size` documents over the five policy columns (a small record each);
the text of a document is composed on demand by `compose` (one composer per kind of document)
with a random generator seeded by (seed, page id), and pages are rendered on demand by `pages` —
nothing big is held, so ``Site(10_000)`` is cheap. `Site.truth(id)` is what a perfect crawl + parse should find;
`Site.resolve(path)` answers a URL path with a `Resource`. Mutations (`add_document`,
`edit_document`, `remove_document`) let tests watch a crawler notice changes.
"""

from __future__ import annotations

import random
import re
import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterator

from replica import pages
from replica import phrases as P
from replica.compose import compose
from replica.model import ID_STEP, JD_ID_OFFSET, MAX_JD, Content, Record, Resource

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
        return compose(rec, self.seed)

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
            c = compose(replace(self._records[doc_id]), self.seed)
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
        c = compose(replace(rec), self.seed)
        html = pages.render_document(c)
        return _html(html, rec.mtime, rec.encoding)

    def _file(self, m: re.Match) -> Resource:
        rec = self._doc_for(m)
        if rec is None:
            return _not_found()
        if rec.removed:
            return _not_found(rec.removed, rec.mtime)
        c = compose(replace(rec), self.seed)
        spec = next((f for f in c.files if f.name == m["name"] and f.exists), None)
        if spec is None:
            return _not_found()
        return Resource(200, pages.render_file(spec, c), pages.FILE_TYPES[spec.ext], rec.mtime)

    def _jd_page(self, m: re.Match) -> Resource:
        jd_id = int(m["id"])
        for k in range(MAX_JD):
            rec = self._records.get(jd_id - JD_ID_OFFSET - k)
            if rec is not None and not rec.removed:
                c = compose(replace(rec), self.seed)
                jd = next((j for j in c.interpretations if j.id == jd_id and j.exists), None)
                if jd is not None and jd.path == m.string:
                    return _html(pages.render_interpretation(jd, c), rec.mtime)
        return _not_found()


def _html(text: str, modified: datetime, encoding: str = "utf-8") -> Resource:
    return Resource(200, text.encode(encoding, "xmlcharrefreplace"), "text/html", modified)


def _not_found(status: int = 404, modified: datetime = SITE_CLOCK_START) -> Resource:
    return Resource(status, pages.not_found_page().encode(), "text/html", modified)
