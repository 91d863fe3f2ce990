"""One read per page, and canonical identity, on the real saved NDRC pages.

`read_page` + `assemble` is `parse`; the HTTP Content-Type's charset reaches the decoder; a page
fetched through another address (the replica, a mirror) gives the same document as the page
fetched from www.ndrc.gov.cn: same id, same canonical URL and links, same content hash.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from conftest import PAGES
from parsers.canonical import canonical_document, origin, rebase, site_path
from parsers.document import assemble, parse, read_page

CANONICAL = "https://www.ndrc.gov.cn"
MIRROR = "http://127.0.0.1:8123"
DETAIL = PAGES / "tz_t20260828_1407232.html"
PATH = "/xxgk/zcfb/tz/202608/t20260828_1407232.html"
DETAILS = sorted(PAGES.glob("*_t2026*.html"))


def test_read_then_assemble_is_parse_on_every_real_detail_page():
    for page in DETAILS:
        url = CANONICAL + "/xxgk/zcfb/tz/202608/" + page.name.split("_", 1)[1]
        data = page.read_bytes()
        assert assemble(read_page(data, url), url, attachments={}) == parse(data, url), page.name


def test_the_http_charset_reaches_the_decoder():
    """The real page re-encoded in GB18030, its <meta charset="UTF-8"> left as it was (a lie)."""
    gbk = DETAIL.read_text(encoding="utf-8").encode("gb18030")
    url = CANONICAL + PATH
    told = parse(gbk, url, content_type="text/html; charset=GBK")
    assert told == parse(DETAIL.read_bytes(), url)  # the header is believed: nothing to warn of
    alone = parse(gbk, url)
    assert alone.body_text == told.body_text
    assert any("declared charset UTF-8 disagrees" in w for w in alone.warnings)


def test_a_page_fetched_elsewhere_is_the_same_document_on_the_canonical_address():
    data = DETAIL.read_bytes()
    home = parse(data, CANONICAL + PATH)
    mirrored = parse(data, MIRROR + PATH)
    assert mirrored.url == MIRROR + PATH and any(a.url.startswith(MIRROR) for a in mirrored.attachments)
    moved = canonical_document(mirrored, CANONICAL)
    assert moved == home
    assert moved.id == "ndrc-1407232" and moved.url == CANONICAL + PATH
    assert canonical_document(home, CANONICAL) is home  # fetched from the site itself: untouched


def test_a_page_without_a_page_id_gets_its_id_from_the_canonical_address():
    data = DETAIL.read_bytes()
    odd = "/xxgk/zcfb/tz/202608/some-page.html"
    assert canonical_document(parse(data, MIRROR + odd), CANONICAL).id == parse(data, CANONICAL + odd).id


paths = st.lists(st.sampled_from(["xxgk", "zcfb", "tz", "202608", "t20260828_1407232.html", "P0.pdf", "%E4"]),
                 min_size=1, max_size=5).map(lambda parts: "/" + "/".join(parts))


@given(paths, st.sampled_from(["", "?a=1"]))
def test_rebase_moves_only_the_given_origin_and_keeps_the_path(path, query):
    url = MIRROR + path + query
    moved = rebase(url, MIRROR, CANONICAL)
    assert moved == CANONICAL + path + query and site_path(moved) == site_path(url)
    assert rebase(moved, CANONICAL, MIRROR) == url
    assert rebase("https://other.example" + path, MIRROR, CANONICAL) == "https://other.example" + path
    assert origin(moved) == CANONICAL
