"""The header of a body: `read_header` finds its title lines, 文号 line and addressees (主送机关),
or an order's / announcement's heading and number line (中华人民共和国国家发展和改革委员会令 /
第40号), and where the header ends. `issuers_from_title` names the issuers when a body has no
signature block.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from parsers.agencies import is_agency
from parsers.body_closing import ATTACHMENT_LIST_HEAD
from parsers.body_text import TERMINAL, clean_spaces, without_spaces
from parsers.identifiers import doc_number_line
from parsers.numerals import cn_to_int

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



def read_header(paras: list[str], compact: list[str], centered: frozenset[int], warnings: list[str]) -> dict:
    n = len(paras)
    out = {
        "title": None, "title_lines": [], "doc_number": None, "addressees": None, "end": 0,
        "order": False, "order_serial": None, "order_year": None, "kind": None,
    }  # fmt: skip
    # The indexes of the first HEADER_SCAN lines that are not empty (filtered in C).
    scan = list(filter(compact.__getitem__, range(min(n, HEADER_SCAN))))
    if not scan:
        return out

    # An order: heading, then its number line.
    for pos, i in enumerate(scan[:3]):
        line = compact[i]
        if line[-1] not in "告令":  # both headings end so (公告, 令): most first lines end otherwise
            continue
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
    while start < n:  # over empty lines, the red 文件 header and an attachment's 附件 marker
        line = compact[start]
        # each test's first check made here: most first lines are neither, and skip both calls
        if line and not (line.endswith("文件") and _is_file_header(line)) and not (
            line.startswith("附件") and _is_attachment_marker(line)
        ):
            break
        start += 1

    number_at = None
    for i in scan:
        if i < start:
            continue
        line = compact[i]
        # 号 first: doc_number_line finds nothing in a line without it, and most lines have none.
        if "号" in line and len(line) <= DOC_NUMBER_LINE_MAX and not line.endswith("。") and not _is_label(line):
            found = doc_number_line(line)  # a line of its own: a sentence citing a number is not it
            if found:
                number_at, out["doc_number"] = i, found
                break

    after = (number_at + 1) if number_at is not None else None
    addressee_at = None
    candidates = scan[bisect_left(scan, after if after is not None else start) :]  # scan is ascending
    if after is None:
        # Without a 文号 the addressees follow the title lines directly.
        candidates = candidates[: TITLE_LINES_MAX + 1]
    else:
        candidates = candidates[:2]  # right after the 文号 (a 签发人 line may stand between)
    for i in candidates:
        if _is_addressee(compact[i]):
            addressee_at = i
            out["addressees"] = clean_spaces(paras[i]).rstrip("：:").strip()
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
        # Cleaned lines joined are clean already: each keeps a space only between two ASCII
        # words, and begins and ends with no space (so none is made where two lines meet).
        out["title"] = "".join(map(clean_spaces, title_lines))

    if number_at is not None or addressee_at is not None:  # the header ends after the later one
        out["end"] = max(-1 if number_at is None else number_at, -1 if addressee_at is None else addressee_at) + 1
    elif title_lines:
        out["end"] = title_end
    return out


# How a title line never ends: a sentence's end or a colon (the addressees' line).
_NOT_TITLE_END = TERMINAL + "：:"


def _is_title_line(line: str) -> bool:
    return bool(line) and len(line) <= TITLE_LINE_MAX and line[-1] not in _NOT_TITLE_END and not _is_label(line)


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


def issuers_from_title(first_line: str, warnings: list[str]) -> list[str]:
    """国家发展改革委 交通运输部关于印发… → the agencies named before 关于 (a signature is missing)."""
    head, sep, _ = first_line.partition("关于")
    if not sep or not head.strip():
        return []
    if "等" in head:
        warnings.append(f"no signature block; the title names only {without_spaces(head)}, so the issuers are not known")
        return []
    parts = [p for p in re.split(r"[\s、，,]+", head.strip()) if p]
    if parts and all(is_agency(p) for p in parts):
        warnings.append("no signature block: issuers taken from the agencies the title names")
        return parts
    return []



def _is_file_header(line: str) -> bool:
    return line.endswith("文件") and FILE_HEADER.match(line) is not None


def _is_attachment_marker(line: str) -> bool:
    return line.startswith("附件") and ATTACHMENT_MARKER.match(line) is not None
