"""Parsers for NDRC policy pages: pure functions from bytes to frozen dataclasses.

    >>> from parsers import parse
    >>> doc = parse(html_bytes, url="https://www.ndrc.gov.cn/xxgk/zcfb/tz/202203/t20220328_1320629.html")
    >>> doc.to_dict()["doc_number"]
    '发改开放〔2022〕408号'

No I/O, no Scrapy, no network.
"""

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


def parse(content, url=None, *, attachments=None, listing=None):
    """Parse any input `ndrc-policy parse` takes; see parsers.document.parse."""
    from parsers.document import parse as _parse

    return _parse(content, url, attachments=attachments, listing=listing)


def parse_list_page(content, url=None):
    """Parse a column list page (ul.u-list) into a ListPage."""
    from parsers.list_page import parse_list_page as _parse_list_page

    return _parse_list_page(content, url)
