"""The replica's records and what it composes from them: `Record` (what the site keeps per
document), `Content` (a composed document: body `Block`s, `FileSpec` attachments, `Interp`
解读 pages) and `Resource` (one answer of the site). Shared by the site, the composers and the
page renderer, so none of them imports another for its types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Page ids step by 16; a document's 解读 pages take the ids doc_id + 4 … doc_id + 7.
ID_STEP, JD_ID_OFFSET, MAX_JD = 16, 4, 3


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

