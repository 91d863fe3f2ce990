"""Anti-bot, WAF and challenge responses: `block_reason(body, status)` names one, or returns None.

Chinese government sites sit behind 加速乐 (JSL cookie challenges answered with 412/521),
WZWS (`wzwschallenge` redirect shells), 知道创宇云防御 / 创宇盾 (block pages served with 200) and
plain 403/429 gateways. None of these is a document, and storing one as a page would overwrite a
real document with a challenge. The markers below come from such pages as seen in the wild;
each reason is a short stable code the crawler records ("jsl_challenge", "status_412", …).
"""

from __future__ import annotations

import re

# How much of the body is scanned. Challenge and block pages are a few KiB; a real document that
# happened to quote a marker deep in its text must not be flagged.
SCAN_WINDOW = 65536

# Visible text at or under this length makes a page "short": only then do the generic phrases
# ("Access Denied", "访问被拦截", vendor names) count, since a real policy page is far longer and
# might mention them in passing (a notice on network security, a list of companies).
SHORT_PAGE_CHARS = 1500

# 加速乐 (JSL, by 知道创宇): the first answer (412/521) is `<script>document.cookie=…;
# location.href=location.pathname+location.search</script>`; the second a `go({"bts":…,"ha":…})`
# call computing `__jsl_clearance(_s)`. The cookie names never occur in a document.
JSL_MARKERS: tuple[str, ...] = ("__jsl_clearance", "__jsluid", "_jsl_clearance")
JSL_RELOAD = "location.href=location.pathname+location.search"
JSL_GO_CALL = re.compile(r"""\bgo\(\{\s*["']bts["']""")

# WZWS (网站卫士 on many gov.cn sites): a script shell computing `wzwschallenge` and redirecting
# to /WZWSREL…?wzwschallenge=…; blocked requests land on /wzws-waf-cgi/.
WZWS_MARKERS: tuple[str, ...] = ("wzwschallenge", "wzwstemplate", "wzwsquestion", "wzwsconfirm", "WZWSREL", "/wzws-waf-cgi/")

# 知道创宇云防御 / 创宇盾 block pages (status 200): their fixed sentences and branding.
KNOWNSEC_PHRASES: tuple[str, ...] = (
    "当前访问疑似黑客攻击",  # "…已被创宇盾拦截。"
    "已被创宇盾拦截",
    "最近有可疑的攻击行为",  # the rate-limit variant of the same page
    "创宇盾",
    "知道创宇云防御",
    "知道创宇云安全",
    "yunaq.com",  # the vendor's domain in the page's logo and links
)

# Generic block pages from other gateways (short pages only).
ACCESS_BLOCKED_PHRASES: tuple[str, ...] = ("访问被拦截", "访问已被拦截", "您的访问被阻断", "已被网站管理员设置拦截", "已被云防护安全拦截", "网站防火墙")
ACCESS_DENIED_PHRASES: tuple[str, ...] = ("access denied", "403 forbidden", "request blocked", "访问被拒绝", "禁止访问", "have been blocked")
RATE_LIMIT_PHRASES: tuple[str, ...] = ("too many requests", "访问过于频繁", "请求过于频繁")

# A body that is nothing but script and sets a cookie, or runs packed code, is a challenge; a plain
# script redirect (/xxgk/zcfb/ → ./fzggwl/) is not and must not be flagged.
COOKIE_SETTER = re.compile(r"document\s*\.\s*cookie\s*=")
PACKED_JS = re.compile(r"eval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e")

# Status codes that are themselves the answer: 412 / 521 are JSL challenge statuses, 429 is rate
# limiting, 403 a refusal. 304 (not modified) legitimately has an empty body.
BLOCK_STATUSES = frozenset({403, 412, 429, 521})
EMPTY_OK_STATUSES = frozenset({204, 304})

_INVISIBLE = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[\s\u3000\xa0]+|&nbsp;", re.I)


def _to_text(body: bytes | str | None) -> str:
    if body is None:
        return ""
    if isinstance(body, str):
        return body[:SCAN_WINDOW]
    chunk = bytes(body[:SCAN_WINDOW])
    try:
        return chunk.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = chunk.decode("utf-8", "replace")
    if text.count("\ufffd") > 10:
        text = chunk.decode("gb18030", "replace")
    return text


def visible_text(html: str) -> str:
    """The text a browser would show, roughly: scripts, styles, comments and tags removed."""
    return _SPACE.sub(" ", _TAG.sub(" ", _INVISIBLE.sub(" ", html))).strip()


def block_reason(body: bytes | str | None, status: int | None = None) -> str | None:
    """Why this response is a block or challenge rather than a page, or None if it is a page.

    Reasons: "empty_body", "jsl_challenge", "wzws_challenge", "knownsec_block", "access_blocked",
    "access_denied", "rate_limited", "cookie_challenge", "status_403", "status_412", "status_429",
    "status_521". Never raises.
    """
    try:
        return _reason(body, status)
    except Exception:  # a detector must never take the crawl down
        return None


def _reason(body: bytes | str | None, status: int | None) -> str | None:
    text = _to_text(body)
    if not text.strip():
        return None if status in EMPTY_OK_STATUSES else "empty_body"

    if any(m in text for m in JSL_MARKERS) or JSL_GO_CALL.search(text):
        return "jsl_challenge"
    if any(m in text for m in WZWS_MARKERS):
        return "wzws_challenge"

    shown = visible_text(text)
    if len(shown) <= SHORT_PAGE_CHARS:
        lowered = shown.lower()
        if any(p in text for p in KNOWNSEC_PHRASES):
            return "knownsec_block"
        if any(p in shown for p in ACCESS_BLOCKED_PHRASES):
            return "access_blocked"
        if any(p in lowered for p in RATE_LIMIT_PHRASES):
            return "rate_limited"
        if any(p in lowered for p in ACCESS_DENIED_PHRASES):
            return "access_denied"
        if not shown and re.search(r"<script\b", text, re.I):
            if JSL_RELOAD in text and COOKIE_SETTER.search(text):
                return "jsl_challenge"
            if COOKIE_SETTER.search(text) or PACKED_JS.search(text):
                return "cookie_challenge"

    if status in BLOCK_STATUSES:
        return f"status_{status}"
    return None
