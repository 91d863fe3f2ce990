"""Parsers for NDRC policy pages: pure functions from bytes to frozen dataclasses.

    >>> from parsers import parse
    >>> doc = parse(html_bytes, url="https://www.ndrc.gov.cn/xxgk/zcfb/tz/202203/t20220328_1320629.html")
    >>> doc.to_dict()["doc_number"]
    '发改开放〔2022〕408号'

No I/O, no Scrapy, no network.
"""

import importlib

from parsers.errors import ParseError
from parsers.model import (
    PARSER_VERSION,
    Article,
    Attachment,
    DocNumberParts,
    Document,
    Link,
    ListItem,
    ListPage,
)

__all__ = [
    "PARSER_VERSION",
    "Article",
    "Attachment",
    "DocNumberParts",
    "Document",
    "Link",
    "ListItem",
    "ListPage",
    "ParseError",
    "parse",
    "parse_list_page",
]


# `parse` and `parse_list_page` are the functions of their modules, imported on first use
# (PEP 562): `import parsers` stays cheap (no lxml, no regex tables) for a caller that only
# wants the model, and a parse pays no wrapper call or per-call import once it is loaded.
_LAZY = {
    "parse": ("parsers.document", "parse"),  # any input (page, rendering, PDF, OFD) → Document
    "parse_list_page": ("parsers.list_page", "parse_list_page"),  # a column list page → ListPage
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'parsers' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *_LAZY])
