"""The loopback replica of www.ndrc.gov.cn: its templates rebuild the real pages, its lists cover
the archive, its files are real PDF/OFD, and its HTTP layer does conditional requests, faults and
mutations as documented. Everything is fetched over HTTP on 127.0.0.1 with urllib."""

from __future__ import annotations

import http.client
import io
import math
import re
import subprocess
import sys
import time
import tracemalloc
import urllib.error
import urllib.request
import urllib.robotparser
import zipfile
from urllib.parse import urljoin

import pytest
from lxml import html as lxml_html

from replica import MODES, ReplicaServer, Site, pages, phrases
from replica.site import COLUMN_NAMES, ITEMS_PER_PAGE

COLUMNS = tuple(COLUMN_NAMES)


def fetch(url: str, headers: dict | None = None, timeout: float = 10) -> tuple[int, dict, bytes]:
    """(status, headers, body) for any status, errors included."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(size=260, seed=3)


@pytest.fixture(scope="module")
def server(site):
    with ReplicaServer(site) as srv:
        yield srv


@pytest.fixture()
def fresh():
    """A small site of its own, for tests that change it or the server's mode."""
    with ReplicaServer(Site(size=60, seed=11)) as srv:
        yield srv


def list_items(body: bytes) -> list[lxml_html.HtmlElement]:
    return lxml_html.fromstring(body).xpath('//ul[@class="u-list"]/li[not(@class="empty")]')


def page_total(body: bytes) -> tuple[int, int]:
    m = re.search(rb'createPageHTML\((\d+), (\d+), "index", "html"\)', body)
    return int(m[1]), int(m[2])


def first_doc(site: Site, **want) -> dict:
    for doc in site.documents():
        if all(doc[k] == v for k, v in want.items()):
            return doc
    pytest.fail(f"the replica holds no document with {want}")


# ---- templates ----------------------------------------------------------------------------
def _fields_of_real_detail(raw: str) -> pages.DetailFields:
    doc = lxml_html.fromstring(raw)

    def meta(name: str) -> str:
        return re.search(rf'<meta name="{name}" ?content="([^"]*)">', raw)[1]

    body = re.search(r"<div class=TRS_Editor>(.*)</div>\n {20}\n {16}</div>", raw, re.S)[1]
    return pages.DetailFields(
        title=meta("ArticleTitle"), column_name=meta("ColumnName"), pub_datetime=meta("PubDate"),
        source=meta("ContentSource"), page_stem=re.search(r'mobilurl="\./(\w+)_ext', raw)[1], body_html=body,
        attachments=tuple((a.get("href"), a.text_content()) for a in doc.cssselect("div.attachment_r a")),
        related=tuple((a.get("href"), a.text_content()) for a in doc.cssselect("div.xgwz li a")))


def _rebuild_real_list(raw: str) -> str:
    name = re.search(r'<meta name="ColumnName"content="([^"]*)">', raw)[1]
    column = {v: k for k, v in COLUMN_NAMES.items()}[name]
    entries = [
        pages.ListEntry(li.xpath("./a")[0].get("href"), li.xpath("./a")[0].get("title"), li.xpath("./span")[0].text,
                        tuple((a.get("href"), a.get("title")) for a in li.xpath('.//div[@class="popbox"]//li/a')))
        for li in list_items(raw.encode())
    ]
    total, index = page_total(raw.encode())
    return pages.render_list(column, entries, index, total)


def test_templates_rebuild_every_real_page_byte_for_byte(fixtures_dir):
    """The templates are the real chrome: filled with a real page's own content they give that page back."""
    real = sorted((fixtures_dir / "pages").glob("*.html"))
    assert len(real) >= 9
    for path in real:
        raw = path.read_text(encoding="utf-8")
        rebuilt = _rebuild_real_list(raw) if "index" in path.name else pages.render_detail(_fields_of_real_detail(raw))
        assert rebuilt == raw, path.name


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, (tuple, list)):
        return [s for v in value for s in _strings(v)]
    return []


def test_every_phrase_encodes_in_gbk():
    """GBK pages must not need character references for the composed text."""
    strings = [s for name in dir(phrases) if name.isupper() for s in _strings(getattr(phrases, name))]
    assert len(strings) > 200
    for s in strings:
        s.encode("gbk")


# ---- lists --------------------------------------------------------------------------------
@pytest.mark.parametrize("column", COLUMNS)
def test_list_pages_cover_every_document_exactly_once(server, site, column):
    base = server.base_url
    status, headers, body = fetch(f"{base}/xxgk/zcfb/{column}/index.html")
    assert status == 200
    total, index = page_total(body)
    expected = [d for d in site.documents() if d["column"] == column]
    assert total == max(1, math.ceil(len(expected) / ITEMS_PER_PAGE)) and index == 0
    seen, dates = [], []
    for n in range(total):
        url = f"{base}/xxgk/zcfb/{column}/" + ("index.html" if n == 0 else f"index_{n}.html")
        status, _, body = fetch(url)
        assert status == 200 and page_total(body) == (total, n)
        items = list_items(body)
        assert len(items) == (ITEMS_PER_PAGE if n < total - 1 else len(expected) - ITEMS_PER_PAGE * (total - 1))
        for li in items:
            a = li.xpath("./a")[0]
            assert a.get("title") == a.text
            seen.append((urljoin(url, a.get("href")), a.get("title")))
            dates.append(li.xpath("./span")[0].text)
        # an li.empty spacer closes every group of five, as on the real pages
        assert len(lxml_html.fromstring(body).xpath('//ul[@class="u-list"]/li[@class="empty"]')) == math.ceil(len(items) / 5)
    assert seen == [(base + d["url"], d["list_title"]) for d in expected]
    assert len(set(seen)) == len(seen)
    assert dates == sorted(dates, reverse=True)
    assert [d.replace("/", "-") for d in dates] == [d["publish_date"] for d in expected]
    assert fetch(f"{base}/xxgk/zcfb/{column}/index_{total}.html")[0] == 404
    assert fetch(f"{base}/xxgk/zcfb/{column}/index_0.html")[0] == 404


def test_list_items_carry_interpretation_popboxes(server, site):
    doc = next(d for d in site.documents() if d["column"] == "tz" and d["interpretations"])
    col = site.column_ids("tz")
    page = col.index(doc["page_id"]) // ITEMS_PER_PAGE
    url = f"{server.base_url}/xxgk/zcfb/tz/" + ("index.html" if page == 0 else f"index_{page}.html")
    body = fetch(url)[2]
    li = next(li for li in list_items(body) if li.xpath("./a")[0].get("title") == doc["list_title"])
    links = [urljoin(url, a.get("href")) for a in li.xpath('.//div[@class="popbox"]//li/a')]
    assert links == [server.base_url + j["url"] for j in doc["interpretations"]]
    assert lxml_html.tostring(li).decode().count("jdFlag=1;") == len(links)


def test_zcfb_redirects_by_script_to_the_first_column(server):
    status, _, body = fetch(server.base_url + "/xxgk/zcfb/")
    assert status == 200 and b'window.location.href="./fzggwl/"' in body and len(body) < 600


def test_robots_txt_allows_the_columns_and_disallows_private(server):
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(fetch(server.base_url + "/robots.txt")[2].decode().splitlines())
    assert rp.can_fetch("ndrc-policy", server.base_url + "/xxgk/zcfb/tz/index.html")
    assert not rp.can_fetch("ndrc-policy", server.base_url + "/private/secret.html")


# ---- detail pages, files, 解读 ------------------------------------------------------------
def test_detail_page_shows_the_documents_truth(server, site):
    for kind in ("cover", "fulltext", "order", "announcement", "plan"):
        doc = first_doc(site, kind=kind, template="current")
        status, headers, body = fetch(server.base_url + doc["url"])
        text = body.decode("utf-8")
        tree = lxml_html.fromstring(body)
        assert status == 200 and headers["Content-Type"] == "text/html"
        assert tree.cssselect("h2.article_title")[0].text == doc["list_title"]
        assert f'<meta name="PubDate" content="{doc["publish_date"]} ' in text
        assert '<meta name="Author"content="">' in text
        assert tree.cssselect("div.ly.laiyuantext span")[0].text == doc["source"]
        assert tree.cssselect("div.path a")[-1].text == doc["category"]
        assert tree.cssselect("#paihangbang")[0].text_content().strip() == ""
        editor = re.sub(" {2,}", " ", tree.xpath('//div[@class="TRS_Editor"]')[0].text_content().replace("\u2003", ""))
        for para in doc["body_paragraphs"]:
            assert para in editor, (kind, para)
        if doc["doc_number"] and kind in ("cover", "fulltext"):
            assert doc["list_title"] == f'{doc["title"]}({doc["doc_number"]})'


def test_attachments_answer_with_real_pdf_and_ofd_bytes(server, site):
    import pypdfium2

    for kind in ("cover", "order", "plan"):
        doc = first_doc(site, kind=kind)
        page_url = server.base_url + doc["url"]
        raw = fetch(page_url)[2]
        tree = lxml_html.fromstring(raw)
        hrefs = [a.get("href") for a in tree.cssselect("div.attachment_r a")]
        assert all(h.startswith("./P0") for h in hrefs)
        assert [urljoin(page_url, h) for h in hrefs] == [server.base_url + a["url"] for a in doc["attachments"]]
        assert raw.count(b"</a><BR><a href=\"./P0") == len(hrefs) - 1  # the real separator, upper case
        for att in doc["attachments"]:
            status, headers, data = fetch(server.base_url + att["url"])
            if not att["exists"]:
                assert status == 404
            elif att["file_type"] == "pdf":
                assert status == 200 and headers["Content-Type"] == "application/pdf" and data[:5] == b"%PDF-"
                pdf = pypdfium2.PdfDocument(data)
                text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
                compact = re.sub(r"\s", "", text)
                assert doc["attachment_labels"][0] in compact and doc["attachment_labels"][-1] in compact
            else:
                assert status == 200 and att["file_type"] == "ofd"
                names = zipfile.ZipFile(io.BytesIO(data)).namelist()
                assert "OFD.xml" in names


def test_doc_and_xls_attachments_are_opaque_ole2_files(server, site):
    doc = next(d for d in site.documents() if any(a["file_type"] in ("doc", "xls") for a in d["attachments"]))
    att = next(a for a in doc["attachments"] if a["file_type"] in ("doc", "xls"))
    status, headers, data = fetch(server.base_url + att["url"])
    assert status == 200 and data.startswith(pages.OLE2_MAGIC) and len(data) > 4096
    assert fetch(server.base_url + att["url"])[2] == data  # deterministic


def test_gbk_pages_declare_gb2312_and_decode_with_gb18030(server, site):
    doc = first_doc(site, encoding="gbk")
    status, headers, body = fetch(server.base_url + doc["url"])
    assert status == 200 and "charset" not in headers["Content-Type"]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gb18030")
    assert 'charset=gb2312' in text and '<meta charset="UTF-8">' not in text
    assert doc["list_title"] in text and doc["body_paragraphs"][-1] in text


def test_legacy_template_pages(server, site):
    doc = first_doc(site, template="legacy", encoding="utf-8", kind="fulltext")
    body = fetch(server.base_url + doc["url"])[2].decode()
    assert '<div class="article_con article_con_title">' in body
    assert '<div class="Custom_UnionStyle">' in body and "<p>　　" in body
    assert doc["publish_date"] < "2024-01-01"


def test_related_box_cuts_a_sentence_and_the_truth_joins_it(fresh):
    site = fresh.site
    doc_id = site.add_document("tz", kind="fulltext", template="legacy", box_cut=True, interpretations=1)
    doc = site.truth(doc_id)
    tree = lxml_html.fromstring(fetch(fresh.base_url + doc["url"])[2])
    box = tree.xpath('//div[@class="Custom_UnionStyle"]/div[@class="article_r"]')
    assert len(box) == 1 and "排行榜" in box[0].text_content() and "相关解读" in box[0].text_content()
    before = box[0].getprevious().text_content().lstrip("　")
    after = box[0].getnext().text_content()
    assert before + after in doc["body_paragraphs"]
    assert not any(before == p or after == p for p in doc["body_paragraphs"])


def test_interpretation_pages_link_back_and_broken_links_404(server, site):
    doc = next(d for d in site.documents() if any(j["exists"] for j in d["interpretations"]))
    page_url = server.base_url + doc["url"]
    tree = lxml_html.fromstring(fetch(page_url)[2])
    xgwz = [urljoin(page_url, a.get("href")) for a in tree.cssselect("div.xgwz li a")]
    assert xgwz == [server.base_url + j["url"] for j in doc["interpretations"]]
    jd = next(j for j in doc["interpretations"] if j["exists"])
    status, _, body = fetch(server.base_url + jd["url"])
    jd_tree = lxml_html.fromstring(body)
    assert status == 200 and '<meta name="ColumnName" content="解读">' in body.decode()
    assert jd_tree.cssselect("h2.article_title")[0].text == jd["title"]
    back = {urljoin(server.base_url + jd["url"], a.get("href")) for a in jd_tree.xpath("//a[@href]")}
    assert page_url in back
    broken = next(j for d in site.documents() for j in d["interpretations"] if not j["exists"])
    assert "/jd/zctj/" in broken["url"] and fetch(server.base_url + broken["url"])[0] == 404


# ---- HTTP behaviour -----------------------------------------------------------------------
def test_conditional_requests_answer_304(fresh):
    site = fresh.site
    doc = next(site.documents())
    url = fresh.base_url + doc["url"]
    status, headers, body = fetch(url)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag and modified
    assert fetch(url, {"If-None-Match": etag})[0] == 304
    assert fetch(url, {"If-Modified-Since": modified})[0] == 304
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
    assert fetch(url, {"If-None-Match": '"other"'})[0] == 200
    for path in ("/robots.txt", "/xxgk/zcfb/tz/index.html", doc["attachments"][0]["url"] if doc["attachments"] else "/robots.txt"):
        h = fetch(fresh.base_url + path)[1]
        assert "ETag" in h and "Last-Modified" in h
    site.edit_document(doc["page_id"])
    status, headers2, body2 = fetch(url, {"If-None-Match": etag, "If-Modified-Since": modified})
    assert status == 200 and headers2["ETag"] != etag and body2 != body
    assert fetch(url, {"If-Modified-Since": modified})[0] == 200  # Last-Modified moved on too


@pytest.mark.parametrize("mode", [m for m in MODES if m != "normal"])
def test_fault_modes_answer_as_documented_then_recover(fresh, mode):
    path = "/robots.txt" if mode == "robots_blocked" else "/xxgk/zcfb/tz/index.html"
    normal = fetch(fresh.base_url + path)
    fresh.set_mode(mode, count=2)
    for _ in range(2):
        if mode == "drop":
            with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
                fetch(fresh.base_url + path)
            continue
        if mode == "hold":  # accepted, never answered
            with pytest.raises((TimeoutError, urllib.error.URLError)):
                fetch(fresh.base_url + path, timeout=0.3)
            continue
        status, headers, body = fetch(fresh.base_url + path)
        text = body.decode()
        if mode == "block412":
            assert status == 412 and "wzwschallenge" in text
        elif mode == "block521":
            assert status == 521 and "__jsl_clearance" in text
        elif mode in ("waf200", "robots_blocked"):
            assert status == 200 and "知道创宇云防御" in text and "User-agent" not in text
        elif mode == "error500":
            assert status == 500
        elif mode == "empty200":
            assert status == 200 and body == b"" and headers["Content-Length"] == "0"
        elif mode == "notfound":
            assert status == 404
    expected = {"block412": 412, "block521": 521, "waf200": 200, "robots_blocked": 200, "error500": 500,
                "empty200": 200, "drop": None, "hold": None, "notfound": 404}[mode]
    assert [r[2] for r in fresh.requests[-2:]] == [expected, expected]
    assert fresh.mode == "normal"
    assert fetch(fresh.base_url + path)[2] == normal[2]


def test_fault_mode_limited_to_paths_and_robots_only(fresh):
    fresh.set_mode("error500", paths=["/xxgk/zcfb/gg/"])
    assert fetch(fresh.base_url + "/xxgk/zcfb/gg/index.html")[0] == 500
    assert fetch(fresh.base_url + "/xxgk/zcfb/tz/index.html")[0] == 200
    fresh.set_mode("block521", paths=["/xxgk/zcfb/*/2026*/*.html"])
    doc = next(fresh.site.documents())
    assert fetch(fresh.base_url + doc["url"])[0] == 521
    assert fetch(fresh.base_url + "/xxgk/zcfb/tz/index.html")[0] == 200
    fresh.set_mode("robots_blocked")
    assert "知道创宇" in fetch(fresh.base_url + "/robots.txt")[2].decode()
    assert fetch(fresh.base_url + "/xxgk/zcfb/tz/index.html")[0] == 200
    fresh.set_mode("normal")
    assert fetch(fresh.base_url + "/robots.txt")[2].startswith(b"#")
    with pytest.raises(ValueError, match="unknown mode"):
        fresh.set_mode("teapot")


def test_request_log_and_reset(fresh):
    fresh.reset_log()
    fetch(fresh.base_url + "/xxgk/zcfb/tz/index.html")
    fetch(fresh.base_url + "/no/such/page.html?x=1")
    fresh.set_mode("drop", count=1)
    with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
        fetch(fresh.base_url + "/robots.txt")
    assert fresh.requests == [("GET", "/xxgk/zcfb/tz/index.html", 200), ("GET", "/no/such/page.html?x=1", 404),
                              ("GET", "/robots.txt", None)]
    fresh.reset_log()
    assert fresh.requests == []


def test_delay_holds_each_answer_back(fresh):
    fresh.delay = 1.0
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        fetch(fresh.base_url + "/robots.txt", timeout=0.2)  # answer held back longer than the timeout
    fresh.delay = 0
    assert fetch(fresh.base_url + "/robots.txt")[0] == 200


# ---- mutations ----------------------------------------------------------------------------
def test_mutations_show_on_the_site(fresh):
    site, base = fresh.site, fresh.base_url
    before = list_items(fetch(base + "/xxgk/zcfb/fzggwl/index.html")[2])
    new_id = site.add_document("fzggwl", topic="数据要素市场化配置")
    new = site.truth(new_id)
    items = list_items(fetch(base + "/xxgk/zcfb/fzggwl/index.html")[2])
    first = items[0].xpath("./a")[0]
    assert len(items) == min(len(before) + 1, ITEMS_PER_PAGE)
    assert first.get("title") == new["list_title"] and "数据要素市场化配置" in new["title"]
    assert re.fullmatch(r"《.+》 \d{4}年第\d+号令", new["list_title"])
    assert urljoin(base + "/xxgk/zcfb/fzggwl/", first.get("href")) == base + new["url"]
    assert fetch(base + new["url"])[0] == 200

    old_body = fetch(base + new["url"])[2]
    assert site.edit_document(new_id) == 1
    edited = site.truth(new_id)
    assert edited["revision"] == 1 and edited["body_paragraphs"] != new["body_paragraphs"]
    assert fetch(base + new["url"])[2] != old_body
    assert edited["attachment_labels"] == new["attachment_labels"]

    victim = next(d for d in site.documents() if d["column"] == "tz" and d["attachments"])
    site.remove_document(victim["page_id"], status=410)
    assert fetch(base + victim["url"])[0] == 410
    assert fetch(base + victim["attachments"][0]["url"])[0] == 410
    assert site.truth(victim["page_id"])["status"] == "withdrawn"
    listed = [a.get("title") for n in range(site.page_count("tz"))
              for a in (li.xpath("./a")[0] for li in list_items(
                  fetch(base + "/xxgk/zcfb/tz/" + ("index.html" if n == 0 else f"index_{n}.html"))[2]))]
    assert victim["list_title"] not in listed
    other = next(d for d in site.documents() if d["column"] == "gg")
    site.remove_document(other["page_id"])
    assert fetch(base + other["url"])[0] == 404


def test_bad_arguments_are_one_line_errors():
    with pytest.raises(ValueError, match="size"):
        Site(size=-1)
    s = Site(size=5)
    with pytest.raises(ValueError, match="unknown column"):
        s.add_document("xyz")
    with pytest.raises(ValueError, match="unknown override"):
        s.add_document("tz", colour="red")
    with pytest.raises(ValueError, match="does not belong"):
        s.add_document("tz", kind="order")
    with pytest.raises(ValueError, match="404 or 410"):
        s.remove_document(s.ids()[0], status=500)
    with pytest.raises(KeyError, match="no document"):
        s.edit_document(42)
    assert s.resolve("/etc/passwd").status == 404


# ---- the model ----------------------------------------------------------------------------
def test_truth_is_consistent_and_deterministic():
    a, b, c = Site(size=120, seed=5), Site(size=120, seed=5), Site(size=120, seed=6)
    docs = list(a.documents())
    assert docs == list(b.documents()) and docs != list(c.documents())
    assert len(docs) == 120 and len({d["url"] for d in docs}) == 120
    numbers = [d["doc_number"] for d in docs if d["doc_number"]]
    assert len(numbers) == len(set(numbers)) > 80
    assert {d["kind"] for d in docs} == {"cover", "fulltext", "order", "announcement", "plan"}
    for d in docs:
        assert d["articles_body"] == len(d["body_labels"]) and d["articles_attachment"] == len(d["attachment_labels"])
        assert d["list_title"].startswith(d["title"])
        assert d["written_date"] is None or d["written_date"] <= d["publish_date"]
        if d["kind"] == "order":
            assert d["doc_number"].startswith("国家发展改革委令") and d["attachment_labels"][0] == "第一章"
            assert d["effective_date"] > d["written_date"]
        if d["kind"] == "cover":
            assert d["articles_body"] == 0 and d["articles_attachment"] > 0
            assert d["body_paragraphs"][-1 if d["body_paragraphs"][-1] != "（本文有删减）" else -2] \
                == "{0}年{1}月{2}日".format(*map(int, d["written_date"].split("-")))
        if d["kind"] in ("fulltext", "plan", "announcement"):  # every label opens a body paragraph, in order
            openers = [p for p in d["body_paragraphs"] if re.match(r"[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.|（\d+）", p)]
            assert d["articles_body"] > 0 and [p[:len(lab)] for p, lab in zip(openers, d["body_labels"])] == d["body_labels"]
            assert len(openers) == d["articles_body"]
    spaced = [p for d in docs for p in d["body_paragraphs"] if re.fullmatch(r"(\S {1,2}){2,}\S", p)]
    assert spaced, "some signature blocks are letter-spaced"
    url = docs[3]["url"]
    assert a.resolve(url).body == b.resolve(url).body


def test_ten_thousand_documents_build_lazily():
    tracemalloc.start()
    t0 = time.perf_counter()
    site = Site(size=10_000, seed=0)
    built = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tz_pages = site.page_count("tz")
    last = site.resolve(f"/xxgk/zcfb/tz/index_{tz_pages - 1}.html")
    doc = site.truth(site.column_ids("tz")[-1])
    page = site.resolve(doc["url"])
    _, peak2 = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\nSite(10_000): built in {built * 1000:.0f} ms, peak {peak / 2**20:.1f} MiB while building, "
          f"{peak2 / 2**20:.1f} MiB after rendering two pages; tz has {tz_pages} list pages")
    assert len(site.ids()) == 10_000
    assert sum(len(site.column_ids(c)) for c in COLUMNS) == 10_000
    assert last.status == 200 and page.status == 200 and doc["publish_date"] >= "2019-01-01"
    assert peak2 < 64 * 2**20  # small records, not rendered pages


def test_command_line_serves_a_replica():
    proc = subprocess.Popen([sys.executable, "-m", "replica", "--size", "30", "--port", "0", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        base = re.search(r"(http://127\.0\.0\.1:\d+)", line)[1]
        status, _, body = fetch(base + "/xxgk/zcfb/tz/index.html")
        assert status == 200 and b"createPageHTML(" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bad = subprocess.run([sys.executable, "-m", "replica", "--size", "-3"], capture_output=True, text=True)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "--size" in bad.stderr
