"""The metadata a document's body prints about itself: `read_body(paragraphs, centered) -> BodyMeta`.

An official document (公文) opens with a header — its title (often two centred lines), the 文号
line, the addressees (主送机关) ending with a colon — and ends with a closing — the 附件 list, the
signature block (one agency a line, often letter-spaced: 交 通 运 输 部), the written date, 抄送
and notes such as （此件公开发布）. An order (令) opens with 中华人民共和国国家发展和改革委员会令 /
第40号 and is signed 主任：name. This module finds those parts in any reader's paragraphs (HTML,
rendering, PDF or OFD text) and reports, in words, whatever it was unsure of. It never guesses:
what it cannot find stays None.

The parts are read by their own modules: body_header (title, 文号, addressees, an order's
heading), body_closing (signature, written date, 附件 list, 版记), agencies (agency names),
body_dates (written and effective dates) and body_text (spacing).
"""

from __future__ import annotations

from collections.abc import Sequence

from parsers.agencies import NDRC_NAME
from parsers.body_closing import read_closing
from parsers.body_dates import iso_year, promulgation_year, read_effective_date
from parsers.body_header import NUMBERED_HEADING_PREFIX, issuers_from_title, read_header
from parsers.body_text import without_spaces
from parsers.frozen import frozen
from parsers.identifiers import normalize_doc_number


@frozen
class BodyMeta:
    title: str | None  # the title as the body prints it (first centred lines), spaces removed
    doc_number: str | None  # normalised 文号 or order number found in the header
    issuers: tuple[str, ...]
    addressees: str | None
    written_date: str | None  # ISO
    effective_date: str | None  # ISO
    header_end: int  # index of the first paragraph after title / 文号 / addressees
    closing_start: int  # index of the first paragraph of the closing (signature, 抄送, …); len() if none
    warnings: tuple[str, ...]


# isinstance(x, str), as a C-level function map() can call without a Python frame per paragraph.
_IS_STR = str.__instancecheck__


def read_body(paragraphs: Sequence[str], centered: frozenset[int] = frozenset()) -> BodyMeta:
    """Title, 文号, addressees, issuers, dates and the header/closing bounds of a body.

    `paragraphs` in reading order; `centered`: indexes of paragraphs the page centred (HTML only).
    Never raises for any sequence of strings.
    """
    paras = paragraphs if type(paragraphs) in (list, tuple) else list(paragraphs)  # once: any iterable
    if all(map(_IS_STR, paras)):  # the usual case, tested without a Python-level loop
        paras = list(paras)
    else:
        paras = [p if isinstance(p, str) else "" for p in paras]
    if "\u200b" in "".join(paras):
        compact = [without_spaces(p) for p in paras]
    else:  # without U+200B, without_spaces is "".join(p.split()): mapped in C, no call per line
        compact = list(map("".join, map(str.split, paras)))
    warnings: list[str] = []
    header = read_header(paras, compact, centered, warnings)
    closing = read_closing(compact, paras, header["end"], warnings)

    issuers = closing["issuers"]
    if not issuers and header["order"] and (closing["signer"] or header["doc_number"]):
        issuers = [NDRC_NAME]
    if not issuers and header["title_lines"]:
        issuers = issuers_from_title(header["title_lines"][0], warnings)

    doc_number = header["doc_number"]
    if header["order"] and header["order_serial"] is not None:
        year = header["order_year"] or iso_year(closing["date"]) or promulgation_year(compact, header["end"])
        if year is None:
            warnings.append(f"order 第{header['order_serial']}号: no year found in its text or date")
        else:
            prefix = NUMBERED_HEADING_PREFIX[header["kind"] or "order"]
            number = f"{prefix}{year}年第{header['order_serial']}号"
            # A four-digit year makes this the normal form already (normalize_doc_number would
            # return it unchanged, after a pass of its large pattern).
            doc_number = number if 1000 <= year <= 9999 else normalize_doc_number(number)
            if doc_number is None:
                warnings.append(f"order number {year}年第{header['order_serial']}号 could not be normalised")

    return BodyMeta(
        title=header["title"],
        doc_number=doc_number,
        issuers=tuple(dict.fromkeys(issuers)),
        addressees=header["addressees"],
        written_date=closing["date"],
        effective_date=read_effective_date(compact, warnings),
        header_end=header["end"],
        closing_start=max(closing["start"], header["end"]),
        warnings=tuple(warnings),
    )
