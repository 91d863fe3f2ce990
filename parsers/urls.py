"""Links of a page made absolute: `absolute_url(href, base)`.

The site's links are relative (./P020….pdf, ../../../jd/jd/….html); every one of a page is joined
to that page's URL. `urljoin` is the reference; the plain cases the site is made of take a
shortcut that a property test holds to urljoin's answer.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit


def absolute_url(href: str | None, base: str | None) -> str | None:
    """`href` made absolute against the page URL; None for empty, fragment and javascript: links,
    and for relative links when there is no page URL."""
    raw = href or ""
    if base and raw:
        # A plain relative link (./P020….pdf, ../../jd/…), the site's usual one, first: what
        # `_join_plain` takes has no space around it, no "#", no scheme's ":" and no leading "/",
        # so the tests below would pass it on unchanged.
        joined = _join_plain(raw, base)
        if joined is not None:
            return joined
    href = raw.strip()
    # (every scheme has its colon: a relative link is not lower-cased)
    if not href or href[0] == "#" or (":" in href and href.lower().startswith(("javascript:", "mailto:", "about:"))):
        return None
    if href.startswith("//"):
        return _absolute("https:" + href, base)  # a scheme's ":": never a plain relative link
    if base and href != raw:  # spaces around a plain link: joined once they are off
        joined = _join_plain(href, base)
        if joined is not None:
            return joined
    return _absolute(href, base)


def _absolute(href: str, base: str | None) -> str | None:
    """An http(s) link as it is; anything else joined by urljoin (None without a base)."""
    try:  # urlsplit/urljoin raise ValueError on malformed hosts ("http://[x")
        if urlsplit(href).scheme in ("http", "https"):
            return href
        return urljoin(base, href) if base else None
    except ValueError:
        return None


# What urljoin would resolve, drop or read as something else in a path: whitespace, query,
# fragment, parameters, a scheme's colon, backslashes.
_NOT_PLAIN_PATH = re.compile(r"[\s?#;:\\]")
_HOST = re.compile(r"[\w.\-]+(?::\d+)?")
# A relative path urljoin appends as it is: segments joined by single slashes, none empty and none
# starting with a dot (".", "..", ".hidden"), no slash at either end, and none of the characters
# above (whitespace other than " " is unprintable, which `str.isprintable` tells). One match
# instead of a test per rule: the segments' characters exclude "/", so it cannot backtrack.
_PLAIN_REST = re.compile(r"[^ ?#;:\\/.][^ ?#;:\\/]*(?:/[^ ?#;:\\/.][^ ?#;:\\/]*)*")


def _plain_segments(segments: list[str]) -> bool:
    """No empty, . or .. segment (urljoin would drop or resolve them)."""
    return "" not in segments and "." not in segments and ".." not in segments


@lru_cache(maxsize=1)
def _plain_base(base: str) -> tuple[str, tuple[str, ...], str] | None:
    """(scheme://host, folder names, the URL up to its last slash) of an http(s) URL with a plain
    path, else None.

    One cached entry: every link of a page is joined to that same page URL, one after another.
    """
    if base.startswith("https://"):
        host_at = 8
    elif base.startswith("http://"):
        host_at = 7
    else:
        return None
    path_at = base.find("/", host_at)
    if path_at < 0 or not _HOST.fullmatch(base, host_at, path_at) or _NOT_PLAIN_PATH.search(base, path_at):
        return None
    folders = base[path_at + 1 :].split("/")
    last = folders.pop()
    if not _plain_segments(folders) or last in (".", ".."):
        return None
    return base[:path_at], tuple(folders), base[: len(base) - len(last)]


def _join_plain(href: str, base: str) -> str | None:
    """urljoin(base, href) for the links the site is made of, or None for any other case.

    ./P020….pdf and ../../../jd/jd/….html against …/202608/t2026…_1407232.html (attachments and
    解读 pages): plain path segments under an http(s) page URL whose path has plain segments too.
    urljoin's general parsing cost a tenth of a parse. The link is checked by one match
    (`_PLAIN_REST`, whose earlier form with nested optional parts backtracked badly). The tests
    are conservative (a segment starting with a dot, any unprintable character): what they turn
    away is joined by urljoin.
    """
    parsed = _plain_base(base)
    if parsed is None:
        return None
    origin, folders, directory = parsed
    if href.startswith("./"):
        up, rest = 0, href[2:]
    else:
        up, rest = 0, href
        while rest.startswith("../"):
            up, rest = up + 1, rest[3:]
    if up > len(folders) or not rest.isprintable() or _PLAIN_REST.fullmatch(rest) is None:
        return None
    if not up:  # ./P020….pdf, the attachments: in the page's own folder
        return directory + rest
    kept = folders[: len(folders) - up]
    return origin + "/" + ("/".join(kept) + "/" if kept else "") + rest
