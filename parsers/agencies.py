"""Agency names in a signature block: `is_agency(name)` and `agencies_in_line(line)`.

A signature line is an agency when its name, spaces removed, ends like the name of a Chinese
government body (委员会, 部, 局, …) or is one of the known signatories: agencies are recognised
by these lists, never guessed from position alone.
"""

from __future__ import annotations

import re

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


def agencies_in_line(line: str) -> list[str]:
    """The agencies a signature line names: 交 通 运 输 部 → [交通运输部]; 国家发展改革委 财政部 → both."""
    words = line.replace("\u200b", " ").split()  # split on body_text's spaces (U+200B is no space to str.split)
    if not words:
        return []
    if len(words) > 1:
        # A loop, not all() over a generator: a letter-spaced name (交 通 运 输 部) fails at once.
        for word in words:
            if len(word) < 2 or not is_agency(word):
                break
        else:
            return words
    joined = "".join(words)
    return [joined] if is_agency(joined) else []


# A bracketed alias after an agency's name: 国家发展改革委（国家能源局）.
_ALIAS = re.compile(r"[（(].*[)）]$")

# The known signatories AGENCY_NAME takes (all of them): a constant, so not matched per line.
_KNOWN_NAMES = frozenset(name for name in KNOWN_AGENCIES if AGENCY_NAME.match(name))
# AGENCY_SUFFIXES by their last character: a name ends with a suffix only if it ends with that
# suffix's last character, so one look-up leaves the one or two suffixes worth testing (instead
# of endswith walking all twenty for every line).
_SUFFIXES_BY_LAST: dict[str, tuple[str, ...]] = {
    last: tuple(s for s in AGENCY_SUFFIXES if s[-1] == last) for last in {s[-1] for s in AGENCY_SUFFIXES}
}
# The last characters of NOT_AGENCY_ENDINGS (all 会): other names need not be tested against them.
_NOT_AGENCY_LAST = frozenset(e[-1] for e in NOT_AGENCY_ENDINGS)


def is_agency(name: str) -> bool:
    # The cheap tests first: most lines a closing is scanned for end in no agency suffix.
    if name in KNOWN_AGENCIES:
        return name in _KNOWN_NAMES
    base = _ALIAS.sub("", name) if name.endswith((")", "）")) else name
    if len(base) < 3:
        return False
    suffixes = _SUFFIXES_BY_LAST.get(base[-1])
    return (
        suffixes is not None
        and base.endswith(suffixes)
        and not (base[-1] in _NOT_AGENCY_LAST and base.endswith(NOT_AGENCY_ENDINGS))
        and AGENCY_NAME.match(name) is not None
    )
