"""A cited or stored title in one form, and the keys a citation may name it by.

`normalize_title`: ``《关于印发〈X〉的通知》`` and ``关于印发《X》的通知`` are the same title.
`title_keys`: the exact keys (the normal form, its part from 关于 on when the title carries its
issuer, the X of 关于印发《X》的通知); `loose_key`: the fuzzy one. Used by `parsers.relations` for
targets and by `output.relations` to resolve them against stored titles. Pure.
"""

from __future__ import annotations

import re

_SPACE_RE = re.compile(r"[\s\u00a0\u3000]+")
# Citations type the inner title marks as 〈〉 (the standard for a title inside a title) or 《》,
# and round brackets in either width; stored titles use 《》 and （）.
_TITLE_BRACKETS = str.maketrans({"(": "（", ")": "）", "〈": "《", "〉": "》", "<": "《", ">": "》"})
# Whether a title needs either rewrite at all: most are already in normal form, and one search
# costs a fraction of the substitution and of a translate through a dict.
_NEEDS_REWRITE = re.compile(r"[\s\u00a0\u3000()〈〉<>]")
# What a loose match ignores: punctuation and quotes (“互联网+” vs 互联网+), and the status marks a
# citation often leaves out (《X办法》 for 《X办法（试行）》).
_LOOSE_DROP = re.compile(r"（(?:试行|暂行|修订|修订稿|征求意见稿)）|[^\u4e00-\u9fff0-9A-Za-z]")
# The issued text of a cover notice: 关于印发《X》的通知 issues X, and a citation of 《X》 means it.
ISSUED_TITLE = re.compile(r"^关于(?:印发|发布|颁布|公布|修订印发)《([^《》]+)》的(?:通知|公告|决定)$")
TITLE_KEY_WORD = "关于"


def normalize_title(raw: str | None) -> str | None:
    """A cited or stored title in one form: no spaces, 〈〉 inside written 《》, brackets （）,
    the outer 《》 off. ``《关于印发〈X〉的通知》`` and ``关于印发《X》的通知`` are the same."""
    if not raw:
        return None
    s = _SPACE_RE.sub("", raw).translate(_TITLE_BRACKETS) if _NEEDS_REWRITE.search(raw) else raw
    while s.startswith("《") and s.endswith("》") and _balanced(s[1:-1]):
        s = s[1:-1]
    return s or None


def _balanced(s: str) -> bool:
    if "《" not in s and "》" not in s:
        return True
    depth = 0
    for c in s:
        depth += (c == "《") - (c == "》")
        if depth < 0:
            return False
    return depth == 0


def title_keys(title: str | None) -> tuple[str, ...]:
    """The exact keys a title is matched by: the normalised title, its part from 关于 on (a
    title carrying its issuer: 国家发展改革委 财政部关于…), and X for 关于印发《X》的通知."""
    norm = normalize_title(title)
    if not norm:
        return ()
    keys = [norm]
    at = norm.find(TITLE_KEY_WORD)
    if at > 0:
        keys.append(norm[at:])
    issued = ISSUED_TITLE.match(keys[-1])
    if issued:
        keys.append(issued.group(1))
    return tuple(dict.fromkeys(keys))


def loose_key(title: str | None) -> str | None:
    """A title's fuzzy key: its most specific exact key (the issued X of 关于印发《X》的通知, else
    the part from 关于 on) without punctuation, quotes and (试行) marks."""
    keys = title_keys(title)
    if not keys:
        return None
    return _LOOSE_DROP.sub("", keys[-1]) or None
