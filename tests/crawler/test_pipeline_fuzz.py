"""What the crawler hands the parsers, mangled: truncated, mis-encoded, oversized and random bodies.

Every body goes through the real parse and store pipelines. Whatever it is, the outcome is a stored
document or a recorded parse failure (DropItem) — never another exception — and what was stored
before stays stored.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.exceptions import DropItem

from conftest import PAGES
from test_pipelines import count, crawler, reactor, through  # noqa: F401 - fixtures

REAL = (PAGES / "tz_t20260828_1407232.html").read_bytes()
URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260828_1407232.html"
OTHER_URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260820_1407094.html"


def feed(crawler, body: bytes, url: str = OTHER_URL):
    from crawler.pipelines.items import PageItem

    item = PageItem(url=url, body=body, column="tz", page_sha256="fuzz", listing=None)
    try:
        through(crawler, item)
        return "stored"
    except DropItem:
        return "dropped"


def mangled_bodies():
    text = REAL.decode("utf-8")
    cuts = st.integers(min_value=0, max_value=len(REAL))
    return st.one_of(
        cuts.map(lambda n: REAL[:n]),  # truncated download
        st.just(text.encode("gb18030")),  # the page re-encoded, still declaring UTF-8
        st.just(text.replace('charset="UTF-8"', 'charset="gb2312"').encode("utf-8")),  # lying charset
        cuts.map(lambda n: REAL[:n] + bytes(range(128, 256))),  # garbage tail
        st.binary(max_size=4096),  # anything
        st.integers(min_value=1, max_value=40).map(lambda k: REAL.replace(b"</div>", b"</div>" * k)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=mangled_bodies())
def test_mangled_bodies_are_stored_or_recorded_never_raised(crawler, body):
    store = crawler.ndrc_store
    feed(crawler, REAL, URL)  # a good document, stored first
    outcome = feed(crawler, body)
    assert outcome in ("stored", "dropped")
    assert count(store, "documents", "id = 'ndrc-1407232'") == 1  # nothing lost
    if outcome == "dropped":
        assert count(store, "parse_failures", "url = ?", (OTHER_URL,)) >= 1


def test_an_oversized_body_is_parsed_or_refused_in_one_piece(crawler):
    """A 30 MB page (a body repeated many times) does not take the run down."""
    huge = REAL.replace(b"<br />", b"<br />" + "很长的正文。".encode() * 2000, 1) * 1
    huge = huge[: len(huge) // 2] + b"<p>" + "重复段落。".encode() * 2_000_000 + b"</p>" + huge[len(huge) // 2 :]
    assert len(huge) > 25_000_000
    assert feed(crawler, huge) in ("stored", "dropped")
    assert count(crawler.ndrc_store, "documents", "url = ?", (OTHER_URL,)) + count(
        crawler.ndrc_store, "parse_failures", "url = ?", (OTHER_URL,)
    ) >= 1


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-16"])
def test_real_page_in_other_encodings_parses_the_same(crawler, encoding):
    from parsers import parse

    text = REAL.decode("utf-8")
    expected = parse(REAL, URL)
    got = parse(text.encode(encoding), URL)
    assert (got.title, got.doc_number, got.issuers, got.body_text) == (
        expected.title, expected.doc_number, expected.issuers, expected.body_text,
    )
