"""Bytes to text for HTML pages and text renderings in any encoding the site has used.

`decode_bytes` holds the whole decision: byte-order marks first, then strict UTF-8 (a page that
decodes as UTF-8 without error is UTF-8 whatever it declares), then the declared charset (GB2312 and
GBK read as their superset GB18030), then bs4's `UnicodeDammit` with GB18030 as the likely guess for
a Chinese government site. It never raises: the last resort decodes with replacement characters and
says so in a warning.
"""

from __future__ import annotations

import codecs
import logging
import re
from functools import lru_cache

from bs4 import UnicodeDammit

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one). A BOM is the
# strongest evidence there is: browsers let it override any declaration.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (b"\x84\x31\x95\x33", "gb18030"),  # GB18030's own encoding of U+FEFF
)

_ANY_BOM = tuple(bom for bom, _ in BOMS)
# Their first bytes: one set look-up tells that a page (which starts with "<" or a space) has
# none, where testing the six marks costs a call each.
BOM_LEADS = frozenset(bom[:1] for bom in _ANY_BOM)

# Declared names that are subsets of GB18030: decoding with the superset never loses a character
# the page really holds (GBK pages routinely use characters outside GB2312, e.g. 镕 or 堃).
GB_SUPERSET = "gb18030"
GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "cp936", "euc_cn", "hz"})
# WHATWG labels for GBK that Python's codec registry does not know.
GB_LABELS = frozenset({"x-gbk", "chinese", "csgb2312", "csiso58gb231280", "gb_2312", "gb_2312-80", "iso-ir-58", "x-euc-cn"})

# How far into the document a charset declaration is looked for (the HTML spec's prescan reads
# 1024 bytes; old TRS pages put long comments first, so look a little further).
DECLARATION_WINDOW = 4096

# <meta charset=gbk>, <meta http-equiv="Content-Type" content="text/html; charset=gb2312">,
# and an XML declaration's encoding="…" (XHTML pages).
# Only the words are matched ignoring case: a pattern ignoring case as a whole cannot use the
# regex engine's fast scan for its leading "<" and tries every byte, and lower-casing the window
# first cost more than the search (bytes patterns fold ASCII only, as bytes.lower() does).
_META_CHARSET = re.compile(rb"""<(?i:meta)[^>]*?(?i:charset)\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""")
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:\-]+)""", re.I)

# A page is treated as UTF-8 with a few damaged bytes (rather than as another encoding) when at
# most this share of its non-ASCII characters come out as U+FFFD: real GBK read as UTF-8 fails on
# most of its characters, a truncated or corrupted UTF-8 page on a handful.
UTF8_DAMAGE_RATIO = 0.2
UTF8_DAMAGE_MIN_CHARS = 10



class _QuietDammit(logging.Filter):
    """UnicodeDammit logs each replacement; decode_bytes records it as a warning instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "could not be decoded" not in record.getMessage()


logging.getLogger("bs4.dammit").addFilter(_QuietDammit())

# Chinese characters and CJK punctuation: a page of this site that decodes as UTF-8 without a single
# one, while its GB18030 reading is all Chinese, is a short GB page that happened to be valid UTF-8
# (一 is D2 BB in GBK, which is also UTF-8 for U+04BB).
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


_NON_ASCII = re.compile(r"[^\x00-\x7f]")

# The UTF-8 lead bytes of U+4000–U+9FFF, all inside `_CJK`: in valid UTF-8 such a byte starts a
# CJK character, and bytes.find (memchr) sees one sooner than a regex scan of the decoded text
# (which first walks the page's ASCII head). Most used first.
_CJK_LEAD_BYTES = (b"\xe5", b"\xe6", b"\xe7", b"\xe4", b"\xe8", b"\xe9")


def _has_common_cjk_lead(data: bytes) -> bool:
    """Whether valid UTF-8 `data` holds a character of U+4000–U+9FFF (only for valid UTF-8)."""
    for lead in _CJK_LEAD_BYTES:
        if lead in data:
            return True
    return False


def _cjk_share(text: str) -> float:
    non_ascii = len(_NON_ASCII.findall(text))
    return len(_CJK.findall(text)) / non_ascii if non_ascii else 1.0


# Encodings tried after the declared one, in order, before UnicodeDammit's own detection.
LIKELY_ENCODINGS = (GB_SUPERSET,)


@lru_cache(maxsize=256)
def _canonical(name: str | bytes | None) -> str | None:
    """Python's codec name for a declared charset, GB family mapped to GB18030; None if unknown."""
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "replace")
    if name.strip().strip("\"'").lower() in GB_LABELS:
        return GB_SUPERSET
    try:
        codec = codecs.lookup(name.strip().strip("\"'").lower()).name
    except (LookupError, ValueError):
        return None
    if codec.replace("-", "_") in GB_FAMILY or codec in GB_FAMILY:
        return GB_SUPERSET
    if codec.startswith("utf_16") or codec.startswith("utf_32") or codec.startswith("utf-16"):
        # A <meta> cannot really declare UTF-16 (the meta itself would be unreadable); the
        # HTML spec reads such a declaration as UTF-8.
        return "utf-8"
    return codec


def declared_charset(data: bytes, *, is_html: bool = True) -> tuple[str | None, str | None]:
    """(name as written, canonical codec name) of the charset the document declares, if any."""
    # The window is searched in place (`endpos` reads as the end): a 4 KB slice is a copy.
    match = _XML_ENCODING.match(data, 0, DECLARATION_WINDOW)
    if match is not None:
        raw = match.group(1).decode("ascii", "replace")
    elif is_html and (match := _META_CHARSET.search(data, 0, DECLARATION_WINDOW)) is not None:
        raw = match.group(1).decode("ascii", "replace")
    else:
        return None, None
    return raw, _canonical(raw)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """The UTF-8 reading of `data` if only a few bytes are damaged, else None."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    non_ascii = len(_NON_ASCII.findall(text)) - bad
    if non_ascii >= UTF8_DAMAGE_MIN_CHARS and bad <= non_ascii * UTF8_DAMAGE_RATIO:
        return text
    return None


def _mismatch(declared_raw: str | None, declared: str | None, used: str) -> tuple[str, ...]:
    if declared_raw is None or declared == used:
        return ()
    if declared is None:
        return (f"unknown declared charset {declared_raw!r}; decoded as {used}",)
    return (f"declared charset {declared_raw} disagrees with the bytes; decoded as {used}",)


def _replaced(text: str) -> tuple[str, ...]:
    count = text.count("\ufffd")
    return (f"{count} undecodable byte sequences replaced",) if count else ()


def decode_bytes(data: bytes, *, is_html: bool, charset: str | None = None) -> tuple[str, str, tuple[str, ...]]:
    """Decode a page or rendering: (text, encoding used, warnings). Never raises.

    The text has no BOM. A warning is recorded when the declared charset was not the one used
    (a UTF-8 page declaring gb2312 is read as UTF-8) and when bytes had to be replaced.
    `charset`: the one the HTTP Content-Type header declares, which stands before the
    document's own declaration (as in the HTML standard's order of encoding sniffing).
    """
    return decode_utf8_aware(data, is_html=is_html, charset=charset)[:3]


# Lone surrogates: halves of a UTF-16 pair, no character. A text handed in may hold them (a
# decoder's "surrogateescape"), and no UTF-8 can carry them into a hash or a database.
SURROGATES = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """The text without lone surrogates (the usual text, holding none, comes back as it is)."""
    return SURROGATES.sub("", text) if not text.isascii() and SURROGATES.search(text) else text


def http_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value (`text/html; charset=GBK`), or None."""
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return None


def decode_utf8_aware(
    data: bytes, *, is_html: bool, charset: str | None = None
) -> tuple[str, str, tuple[str, ...], bool]:
    """`decode_bytes`, plus whether `data` is exactly the UTF-8 encoding of the text (strict
    UTF-8, no BOM): then a caller that needs UTF-8 bytes can use `data` as it is."""
    if isinstance(data, str):  # tolerate text handed in by mistake
        return data.lstrip("\ufeff"), "utf-8", (), False
    if type(data) is not bytes:
        data = bytes(data)
    if charset:
        declared_raw, declared = charset, _canonical(charset)
    else:
        declared_raw, declared = declared_charset(data, is_html=is_html)

    for bom, encoding in BOMS if data[:1] in BOM_LEADS and data.startswith(_ANY_BOM) else ():
        if data.startswith(bom):
            body = data[len(bom):]
            text = _strict(body, encoding)
            if text is None:
                text = body.decode(encoding, "replace")
            warnings = ()
            if encoding in ("utf-8", GB_SUPERSET) and not text.isascii():
                warnings = _mismatch(declared_raw, declared, encoding)
            return text, encoding, warnings + _replaced(text), False

    # Strict UTF-8 success is strong evidence: GBK text almost never forms valid UTF-8.
    text = _strict(data, "utf-8")
    if text is not None:
        if text.isascii():
            return text, "utf-8", (), True  # ASCII reads the same in every declared charset
        if not _has_common_cjk_lead(data) and _CJK.search(text) is None:  # the share: only in this rare case
            gb_text = _strict(data, GB_SUPERSET)
            if gb_text is not None and _cjk_share(gb_text) == 1.0:
                return gb_text, GB_SUPERSET, _mismatch(declared_raw, declared, GB_SUPERSET), False
        return text, "utf-8", _mismatch(declared_raw, declared, "utf-8"), True

    # UTF-8 with a few damaged bytes (a truncated download) stays UTF-8: read as GB18030 the
    # whole page would turn to mojibake.
    damaged = _mostly_utf8(data)
    if damaged is not None:
        return damaged, "utf-8", _mismatch(declared_raw, declared, "utf-8") + _replaced(damaged), False

    for encoding in (declared, *LIKELY_ENCODINGS):
        if encoding and encoding != "utf-8":
            text = _strict(data, encoding)
            if text is not None:
                return text, encoding, _mismatch(declared_raw, declared, encoding), False

    try:
        dammit = UnicodeDammit(data, user_encodings=list(LIKELY_ENCODINGS), is_html=is_html)
        text, used = dammit.unicode_markup, dammit.original_encoding
    except Exception:  # a detector bug on arbitrary bytes must not escape
        text, used = None, None
    if text is None or used is None:
        used = declared or GB_SUPERSET
        text = data.decode(used, "replace")
    used = _canonical(used) or str(used)
    warnings = _mismatch(declared_raw, declared, used) + _replaced(text)
    if declared_raw is None:
        warnings += (f"no charset declared; guessed {used}",)
    return text, used, warnings, False
