"""The metadata a document's body prints about itself: `read_body(paragraphs, centered) -> BodyMeta`.

An official document (公文) opens with a header — its title (often two centred lines), the 文号
line, the addressees (主送机关) ending with a colon — and ends with a closing — the 附件 list, the
signature block (one agency a line, often letter-spaced: 交 通 运 输 部), the written date, 抄送
and notes such as （此件公开发布）. An order (令) opens with 中华人民共和国国家发展和改革委员会令 /
第40号 and is signed 主任：name. This module finds those parts in any reader's paragraphs (HTML,
rendering, PDF or OFD text) and reports, in words, whatever it was unsure of. It never guesses:
what it cannot find stays None.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.identifiers import doc_number_line, normalize_doc_number
from parsers.numerals import cn_to_int


@dataclass(frozen=True)
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


# --- Agencies ----------------------------------------------------------------------------------

# How the name of a Chinese government body ends. A signature line is an agency when its name,
# spaces removed, ends with one of these (longest first, so 委员会 is tried before 会) or is in
# KNOWN_AGENCIES: agencies are recognised by this list, never guessed from position alone.
AGENCY_SUFFIXES = (
    "委员会", "办公厅", "办公室", "领导小组", "总工会", "总局", "总署", "总社", "银行", "公司",
    "中心", "小组", "委", "部", "局", "署", "院", "会", "厅", "办",
)  # fmt: skip
# Signatories whose names end otherwise (or whose suffix alone would be too loose).
KNOWN_AGENCIES = frozenset(
    {
        "全国总工会", "共青团中央", "全国妇联", "中国残联", "中国科协", "全国工商联", "中国侨联",
        "中央网信办", "国务院扶贫办", "国务院港澳办", "国务院台办", "中央编办", "国务院国资委",
        "中国人民银行", "国家发展改革委", "国家发展和改革委员会",
    }
)  # fmt: skip
# An agency name is CJK text of this length (a few carry a bracketed alias: 国家发展改革委（国家能源局）).
AGENCY_NAME = re.compile(r"^[\u4e00-\u9fff]{2,30}(?:[（(][\u4e00-\u9fff]{2,20}[)）])?$")
# Words that end like an agency but are headings or phrases of a text, not a signatory.
NOT_AGENCY_ENDINGS = ("工作会", "座谈会", "的会", "不会", "学会", "机会", "社会", "大会", "协调会")

# The name an order's issuer signs as in NDRC's other documents (orders are signed 主任：name).
NDRC_NAME = "国家发展改革委"

# --- Header lines ------------------------------------------------------------------------------

# An order's heading: 中华人民共和国国家发展和改革委员会令 (also joint orders naming several bodies).
ORDER_HEADING = re.compile(r"^(?:中华人民共和国)?[\u4e00-\u9fff、]{2,80}令$")
# An announcement's heading: 中华人民共和国国家发展和改革委员会公告, its number on the next line
# (2026年第1号), as orders have theirs. Only counted when that number line follows, so a title
# ending in 公告 (关于…的公告) is not taken for a heading.
ANNOUNCEMENT_HEADING = re.compile(r"^(?:中华人民共和国)?国家发展(?:和)?改革委(?:员会)?公告$")
# The normalised prefix of each kind of numbered heading.
NUMBERED_HEADING_PREFIX = {"order": "国家发展改革委令", "announcement": "国家发展改革委公告"}
# Its number line: 第40号, sometimes 2026年第40号.
ORDER_NUMBER = re.compile(r"^(?:(\d{4})年)?第([0-9〇○零一二三四五六七八九十百千]{1,6})号$")
# The red header of a printed 公文 (国家发展和改革委员会文件): chrome of the paper, not the title.
FILE_HEADER = re.compile(r"^[\u4e00-\u9fff、]{2,60}文件$")
# An attachment's text opens with its 附件 marker (附件1, 附件二): not part of its title.
ATTACHMENT_MARKER = re.compile(r"^附件[0-9一二三四五六七八九十]*[:：]?$")
# A 文号 line is short: the number alone, maybe with a 签发人 beside it.
DOC_NUMBER_LINE_MAX = 40
# The addressees: a short line ending with a colon, right after the 文号 (or title); never a
# sentence (。) and never the 如下： that introduces a list.
ADDRESSEE_MAX = 400
# How far into the body the header can reach (title lines, 文号, 签发人, addressees).
HEADER_SCAN = 10
# A title line is short and does not end a sentence.
TITLE_LINE_MAX = 80
# Title lines a title can take (a long title wraps onto three or four).
TITLE_LINES_MAX = 4
# Article labels: the first one after the title, in an attachment's text, ends the header.
ARTICLE_LABEL = re.compile(
    r"^(?:第[一二三四五六七八九十百千零〇两0-9]+[编章节条]|[一二三四五六七八九十百]+、"
    r"|[（(][一二三四五六七八九十百0-9]+[）)]|\d+[.．、]|[①-⑳])"
)

# The characters ARTICLE_LABEL can start with (besides decimal digits): tested before the regex,
# which most lines (and every line in a closing) fail.
_LABEL_FIRST = frozenset("第一二三四五六七八九十百（(" + "".join(chr(c) for c in range(0x2460, 0x2474)))


def _is_label(line: str) -> bool:
    return bool(line) and (line[0] in _LABEL_FIRST or line[0].isdecimal()) and ARTICLE_LABEL.match(line) is not None


# --- Closing lines -----------------------------------------------------------------------------

# A written date: 2026年8月18日, or in Chinese numerals 二〇二二年三月十六日.
_YEAR = r"(\d{4}|[〇○零一二三四五六七八九]{4})"
_MD = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
DATE = re.compile(_YEAR + r"年" + _MD + r"月" + _MD + r"日")
DATE_LINE = re.compile(r"^" + DATE.pattern + r"$")
# Notes closing a published text: （此件公开发布）, （此件主动公开）, （本文有删减）, （此页无正文）.
CLOSING_NOTE = re.compile(r"^[（(](?:此件|本件|此页|本页|本文|此文)[^（）()]{0,20}[)）]$")
# 抄送 / 主题词 lines of the 版记.
CC_LINE = re.compile(r"^(?:抄送|主题词|主送|抄报|分送)[:：]")
_CC_STARTS = ("抄送", "主题词", "主送", "抄报", "分送")
# The 版记's printing line: 国家发展改革委办公厅 2022年3月28日印发.
PRINTED_LINE = re.compile(r"^[\u4e00-\u9fff]{2,40}" + DATE.pattern + r"印发$")
# An order's signature: 主任：郑栅洁 (or another head of an agency).
SIGNER_LINE = re.compile(r"^(?:主任|部长|局长|署长|行长|主席|总局长|委员长)[:：][\u4e00-\u9fff·]{2,6}$")
# The 附件 list of a notice stands just before the signature: 附件：1．… / 2．….
ATTACHMENT_LIST_HEAD = re.compile(r"^附件[0-9一二三四五六七八九十]*[:：]")
ATTACHMENT_LIST_ITEM = re.compile(r"^\d{1,2}\s*[.．、]")
# How many lines an attachment list may hold, and how long an item is.
ATTACHMENT_LIST_MAX = 20
ATTACHMENT_ITEM_MAX = 100

# --- Effective date ----------------------------------------------------------------------------

# 自2026年4月1日起施行 (or 实施, 执行, 生效; 于 / 从 instead of 自).
EFFECTIVE = re.compile(r"(?:自|于|从)?\s*" + DATE.pattern + r"\s*(?:起|开始)\s*(?:施行|实施|执行|生效)")
# How far before its 年 an EFFECTIVE match can start in a compact line: 自 and a four-digit year.
EFFECTIVE_LEAD = 5
# 自印发之日起施行: the date is the publish (or written) date, which the caller knows, so the
# body gives no date of its own here and effective_date stays None.
EFFECTIVE_ON_ISSUE = re.compile(r"自\s*(?:印发|发布|公布|颁布|签发|下发)\s*之日\s*起\s*(?:施行|实施|执行|生效)")

# Whitespace of every kind extracted text carries: indents in U+3000 / U+2003, &nbsp;.
_SPACES = re.compile(r"[\s\u3000\u00a0\u2002\u2003\u200b]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_ASCII_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_TERMINAL = "。！？；!?;…"


def read_body(paragraphs: Sequence[str], centered: frozenset[int] = frozenset()) -> BodyMeta:
    """Title, 文号, addressees, issuers, dates and the header/closing bounds of a body.

    `paragraphs` in reading order; `centered`: indexes of paragraphs the page centred (HTML only).
    Never raises for any sequence of strings.
    """
    paras = [p if isinstance(p, str) else "" for p in paragraphs]
    compact = [_compact(p) for p in paras]
    warnings: list[str] = []
    header = _read_header(paras, compact, centered, warnings)
    closing = _read_closing(compact, paras, header["end"], warnings)

    issuers = closing["issuers"]
    if not issuers and header["order"] and (closing["signer"] or header["doc_number"]):
        issuers = [NDRC_NAME]
    if not issuers and header["title_lines"]:
        issuers = _issuers_from_title(header["title_lines"][0], warnings)

    doc_number = header["doc_number"]
    if header["order"] and header["order_serial"] is not None:
        year = header["order_year"] or _year(closing["date"]) or _promulgation_year(compact, header["end"])
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
        effective_date=_effective_date(compact, warnings),
        header_end=header["end"],
        closing_start=max(closing["start"], header["end"]),
        warnings=tuple(warnings),
    )


# --- Header ------------------------------------------------------------------------------------


def _read_header(paras: list[str], compact: list[str], centered: frozenset[int], warnings: list[str]) -> dict:
    n = len(paras)
    out = {
        "title": None, "title_lines": [], "doc_number": None, "addressees": None, "end": 0,
        "order": False, "order_serial": None, "order_year": None, "kind": None,
    }  # fmt: skip
    scan = [i for i in range(min(n, HEADER_SCAN)) if compact[i]]
    if not scan:
        return out

    # An order: heading, then its number line.
    for pos, i in enumerate(scan[:3]):
        line = compact[i]
        announcement = (
            line.endswith("公告")
            and ANNOUNCEMENT_HEADING.match(line) is not None
            and any(ORDER_NUMBER.match(compact[j]) for j in scan[pos + 1 : pos + 3])
        )
        if announcement or (line.endswith("令") and ORDER_HEADING.match(line) and "号" not in line):
            out["order"] = True
            out["kind"] = "announcement" if announcement else "order"
            end = i + 1
            following = scan[pos + 1 : pos + 3]
            for j in following:
                number = ORDER_NUMBER.match(compact[j])
                if number:
                    out["order_year"] = int(number.group(1)) if number.group(1) else None
                    out["order_serial"] = cn_to_int(number.group(2))
                    end = j + 1
                    break
            else:
                warnings.append("an order's heading without its 第…号 number line")
            out["end"] = end
            return out

    start = 0
    while start < n and (not compact[start] or _is_file_header(compact[start]) or _is_attachment_marker(compact[start])):
        start += 1

    number_at = None
    for i in scan:
        if i < start:
            continue
        line = compact[i]
        if len(line) <= DOC_NUMBER_LINE_MAX and not line.endswith("。") and not _is_label(line):
            found = doc_number_line(line)  # a line of its own: a sentence citing a number is not it
            if found:
                number_at, out["doc_number"] = i, found
                break

    after = (number_at + 1) if number_at is not None else None
    addressee_at = None
    candidates = [i for i in scan if i >= (after if after is not None else start)]
    if after is None:
        # Without a 文号 the addressees follow the title lines directly.
        candidates = candidates[: TITLE_LINES_MAX + 1]
    else:
        candidates = candidates[:2]  # right after the 文号 (a 签发人 line may stand between)
    for i in candidates:
        if _is_addressee(compact[i]):
            addressee_at = i
            out["addressees"] = _clean_spaces(paras[i]).rstrip("：:").strip()
            break
        if after is None and not _is_title_line(compact[i]):
            break

    anchor = number_at if number_at is not None else addressee_at
    if anchor is None:
        anchor = _first_label_after_title(compact, start)
    if anchor is None and centered and start in centered:
        anchor = start
        while anchor in centered and anchor < n and _is_title_line(compact[anchor]):
            anchor += 1
    title_lines: list[str] = []
    title_end = start
    if anchor is not None:
        for i in range(start, anchor):
            if not compact[i]:
                continue
            if not _is_title_line(compact[i]) or (centered and i not in centered and title_lines):
                break
            title_lines.append(paras[i])
            title_end = i + 1
        if len(title_lines) > TITLE_LINES_MAX:
            warnings.append(f"{len(title_lines)} lines before the 文号 or addressees; not read as a title")
            title_lines = []
    if title_lines:
        out["title_lines"] = title_lines
        out["title"] = _clean_spaces("".join(_clean_spaces(t) for t in title_lines))

    ends = [x + 1 for x in (number_at, addressee_at) if x is not None]
    if ends:
        out["end"] = max(ends)
    elif title_lines:
        out["end"] = title_end
    return out


def _is_title_line(line: str) -> bool:
    return bool(line) and len(line) <= TITLE_LINE_MAX and line[-1] not in _TERMINAL + "：:" and not _is_label(line)


def _is_addressee(line: str) -> bool:
    return (
        len(line) <= ADDRESSEE_MAX
        and line.endswith(("：", ":"))
        and len(line) > 2
        and "。" not in line
        and "如下" not in line
        and not _is_label(line)
        and not (line.startswith("附件") and ATTACHMENT_LIST_HEAD.match(line))
    )


def _first_label_after_title(compact: list[str], start: int) -> int | None:
    """An attachment's text: title lines, then 第一章 / 第一条 / 一、 — the first label ends the title."""
    i = start
    while i < len(compact) and i < start + TITLE_LINES_MAX + 1:
        if _is_label(compact[i]):
            return i if i > start else None
        if compact[i] and not _is_title_line(compact[i]):
            return None
        i += 1
    return None


def _issuers_from_title(first_line: str, warnings: list[str]) -> list[str]:
    """国家发展改革委 交通运输部关于印发… → the agencies named before 关于 (a signature is missing)."""
    head, sep, _ = first_line.partition("关于")
    if not sep or not head.strip():
        return []
    if "等" in head:
        warnings.append(f"no signature block; the title names only {_compact(head)}, so the issuers are not known")
        return []
    parts = [p for p in re.split(r"[\s、，,]+", head.strip()) if p]
    if parts and all(is_agency(p) for p in parts):
        warnings.append("no signature block: issuers taken from the agencies the title names")
        return parts
    return []


# --- Closing -----------------------------------------------------------------------------------


def _read_closing(compact: list[str], paras: list[str], header_end: int, warnings: list[str]) -> dict:
    n = len(compact)
    agencies: list[str] = []
    date: str | None = None
    signer = False
    i = n
    while i > header_end:
        line = compact[i - 1]
        if not line or _is_closing_note(line):
            i -= 1
            continue
        if line.endswith("日") and (date_line := DATE_LINE.match(line)):
            if date is None and not agencies:
                date = _iso(date_line, warnings)
            elif agencies:
                break  # a date above the signature belongs to the text
            i -= 1
            continue
        if ("：" in line or ":" in line) and SIGNER_LINE.match(line):
            signer = True
            i -= 1
            continue
        found = agencies_in_line(paras[i - 1])
        if not found:
            date_match = DATE.search(line) if "日" in line else None
            if date_match and date_match.end() == len(line) and date is None and not agencies:
                found = agencies_in_line(line[: date_match.start()])
                if found:
                    date = _iso(date_match, warnings)
        if found:
            agencies[:0] = found
            i -= 1
            continue
        if agencies and len(line) <= 2 and is_agency(line + agencies[0]):
            agencies[0] = line + agencies[0]  # a name split across two spans: 国 + 家发展改革委
            i -= 1
            continue
        break
    start = i
    if not (agencies or date or signer):
        # Only notes (or nothing) at the end: a signature may still stand mid-text, above an
        # attached document's text that follows the cover letter.
        mid = _signature_mid_text(compact, paras, header_end, start, warnings)
        if mid:
            agencies, date = mid
    else:
        start = _attachment_list_start(compact, start, header_end)
    return {"start": start, "issuers": agencies, "date": date, "signer": signer}


def _is_closing_note(line: str) -> bool:
    """A （此件公开发布） note, a 抄送 / 主题词 line or the 印发 line: the 版记 below a signature."""
    return (
        (line[0] in "（(" and CLOSING_NOTE.match(line) is not None)
        or (line.startswith(_CC_STARTS) and CC_LINE.match(line) is not None)
        or (line.endswith("印发") and PRINTED_LINE.match(line) is not None)
    )


def _is_file_header(line: str) -> bool:
    return line.endswith("文件") and FILE_HEADER.match(line) is not None


def _is_attachment_marker(line: str) -> bool:
    return line.startswith("附件") and ATTACHMENT_MARKER.match(line) is not None


def _signature_mid_text(compact, paras, header_end, end, warnings):
    """The first run of agency lines followed by a date line between header and closing."""
    i = header_end
    while i < end:
        run: list[str] = []
        j = i
        while j < end and compact[j] and (names := agencies_in_line(paras[j])):
            run.extend(names)
            j += 1
        if run and j < end and compact[j].endswith("日") and DATE_LINE.match(compact[j]):
            return run, _iso(DATE_LINE.match(compact[j]), warnings)
        i = j + 1 if j > i else i + 1
    return None


def _attachment_list_start(compact: list[str], start: int, header_end: int) -> int:
    """Move the closing's start up over a 附件：1．… list standing just above the signature."""
    j = start - 1
    lowest = max(header_end, start - ATTACHMENT_LIST_MAX)
    while j >= lowest:
        line = compact[j]
        if line.startswith("附件") and ATTACHMENT_LIST_HEAD.match(line) and len(line) <= ATTACHMENT_ITEM_MAX + 4:
            return j
        if line and not (
            ATTACHMENT_LIST_ITEM.match(line) and len(line) <= ATTACHMENT_ITEM_MAX and line[-1] not in _TERMINAL
        ):
            return start
        j -= 1
    return start


def agencies_in_line(line: str) -> list[str]:
    """The agencies a signature line names: 交 通 运 输 部 → [交通运输部]; 国家发展改革委 财政部 → both."""
    words = line.replace("\u200b", " ").split()  # split on _SPACES (U+200B is no space to str.split)
    if not words:
        return []
    if len(words) > 1 and all(len(w) >= 2 and is_agency(w) for w in words):
        return words
    joined = "".join(words)
    return [joined] if is_agency(joined) else []


# A bracketed alias after an agency's name: 国家发展改革委（国家能源局）.
_ALIAS = re.compile(r"[（(].*[)）]$")


def is_agency(name: str) -> bool:
    # The cheap tests first: most lines a closing is scanned for end in no agency suffix.
    if name in KNOWN_AGENCIES:
        return AGENCY_NAME.match(name) is not None
    base = _ALIAS.sub("", name) if name.endswith((")", "）")) else name
    return (
        len(base) >= 3
        and base.endswith(AGENCY_SUFFIXES)
        and not base.endswith(NOT_AGENCY_ENDINGS)
        and AGENCY_NAME.match(name) is not None
    )


# --- Dates -------------------------------------------------------------------------------------


def _effective_date(compact: list[str], warnings: list[str]) -> str | None:
    """The first 自…起施行 of the text; None when it takes effect on issue (the caller's date)."""
    first: str | None = None
    decided = False
    dates: list[str] = []
    for line in compact:
        if not ("施行" in line or "实施" in line or "执行" in line or "生效" in line):
            continue  # both patterns end in one of these words: no need for two regex scans
        # A dated one holds 年 and 日, and starts at most EFFECTIVE_LEAD characters before its 年
        # (compact lines have no spaces): its scan starts there. An on-issue one holds 之日.
        year_at = line.find("年")
        dated = EFFECTIVE.finditer(line, max(year_at - EFFECTIVE_LEAD, 0)) if year_at >= 0 and "日" in line else ()
        on_issue = EFFECTIVE_ON_ISSUE.finditer(line) if "之日" in line else ()
        for match in sorted([*dated, *on_issue], key=lambda m: m.start()):
            if match.re is EFFECTIVE:
                iso = _iso(match, warnings)
                if iso:
                    dates.append(iso)
                    if not decided:
                        first, decided = iso, True
            elif not decided:
                decided = True
    if len(set(dates)) > 1:
        warnings.append(f"several effective dates in the text ({', '.join(dict.fromkeys(dates))}); kept the first")
    return first


def _iso(match: re.Match, warnings: list[str]) -> str | None:
    year = _year_value(match.group(1))
    month, day = cn_to_int(match.group(2)), cn_to_int(match.group(3))
    try:
        return _dt.date(year, month, day).isoformat()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        warnings.append(f"not a valid date: {match.group(0)}")
        return None


def _year_value(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    value = cn_to_int(text.replace("○", "〇"))
    return value if value and value >= 1000 else None


def _year(iso: str | None) -> int | None:
    return int(iso[:4]) if iso else None


def _promulgation_year(compact: list[str], start: int) -> int | None:
    """An order's year from its promulgation text (《…》已经2026年2月5日…审议通过) when unsigned."""
    for line in compact[start : start + 3]:
        match = DATE.search(line)
        if match:
            return _year_value(match.group(1))
    return None


# --- Text --------------------------------------------------------------------------------------


def _compact(text: str) -> str:
    """`_SPACES` removed: str.split() splits on exactly its characters but U+200B (not a space
    to Python), and is many times faster than the regex on CJK text."""
    if "\u200b" in text:
        text = text.replace("\u200b", "")
    return "".join(text.split())


def _clean_spaces(text: str) -> str:
    """Inner spaces removed, except a single one between two ASCII words (APEC 2026)."""
    if "\u200b" not in text:
        # Without U+200B (no space to str.split) a run of `_SPACES` is a run str.split() splits
        # at: the words are joined directly, keeping one space only between two ASCII words.
        words = text.split()
        if len(words) <= 1:
            return words[0] if words else ""  # no inner space: nothing to decide
        out = [words[0]]
        for before, word in zip(words, words[1:]):
            if before[-1] in _ASCII_WORD_CHARS and word[0] in _ASCII_WORD_CHARS:
                out.append(" ")
            out.append(word)
        return "".join(out)
    return _clean_spaces_by_pattern(text)


def _clean_spaces_by_pattern(text: str) -> str:
    """`_clean_spaces` for any text (U+200B included), by substituting each run of `_SPACES`."""
    text = text.strip()

    def _keep(match: re.Match) -> str:
        s, e = match.start(), match.end()
        before = text[s - 1] if s > 0 else ""
        after = text[e] if e < len(text) else ""
        return " " if _ASCII_WORD.match(before) and _ASCII_WORD.match(after) else ""

    return _SPACES.sub(_keep, text)
