"""The web UI (output/web/): /doc/{id} and /search through Datasette's own client, the table
views' defaults, and a headless Chromium (selenium + Debian's chromium-driver) that lays the two
pages out; its screenshots go to data/screenshots/ (kept by CI)."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import ROOT
from output.serve import make_datasette
from search_scan import scan
from test_datasette import db_path  # noqa: F401 - the fixture database

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = ROOT / "data" / "screenshots"
SQL_WORDS = re.compile(r"\b(SELECT|FROM|WHERE|JOIN|MATCH|bm25)\b")


@pytest.fixture(scope="module")
def ds(db_path):  # noqa: F811
    return make_datasette(db_path)


def get(ds, path):
    async def fetch():
        return await ds.client.get(path)

    return asyncio.run(fetch())


def html(ds, path, status=200):
    r = get(ds, path)
    assert r.status_code == status, (path, r.text[:500])
    return r.text


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


# ----------------------------------------------------------------------------- /doc/{id}


def test_every_document_has_a_page_with_its_articles_and_metadata(ds, db_path):  # noqa: F811
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    for doc_id, title, number in db.execute("SELECT id, title, doc_number FROM documents"):
        page = html(ds, f"/doc/{doc_id}")
        assert title in page.replace("&#34;", '"').replace("&#39;", "'") or title in page
        if number:
            assert number in page
        seqs = [s for (s,) in db.execute("SELECT seq FROM articles WHERE document_id = ?", [doc_id])]
        assert all(f'id="a{s}"' in page for s in seqs)
    db.close()


def test_document_page_shows_the_408_opinion_as_a_reader_needs_it(ds):
    page = html(ds, "/doc/ndrc-1320629")
    assert "关于推进共建“一带一路”绿色发展的意见" in page and "发改开放〔2022〕408号" in page
    assert "2022-03-28" in page and "外交部" in page and "生态环境部" in page
    # the tree: 一、 at level 1, （一） under it, anchors to link one article
    assert re.search(r'class="article level-1" id="a0">\s*<h4 class="article-heading"><a class="anchor" href="#a0">一、</a> 总体要求', page)
    assert 'class="article level-2" id="a1"' in page
    assert "https://www.ndrc.gov.cn/" in page
    assert not SQL_WORDS.search(visible_text(page))


def test_document_page_links_what_cites_it_and_what_it_cites(ds):
    citing = html(ds, "/doc/test-90")
    assert 'href="/doc/ndrc-1320629"' in citing  # cites 发改开放〔2022〕408号, stored
    cited = html(ds, "/doc/ndrc-1320629")
    assert "被引用 Cited by" in cited and 'href="/doc/test-90"' in cited


def test_attachments_fold_their_text_and_interpretations_link(ds, db_path):  # noqa: F811
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    row = db.execute("SELECT document_id, text FROM attachments WHERE text IS NOT NULL LIMIT 1").fetchone()
    if row:
        page = html(ds, f"/doc/{row[0]}")
        assert "<details><summary>读取的文本" in page
    for doc_id, title in db.execute("SELECT document_id, title FROM interpretations LIMIT 3"):
        assert "相关解读" in html(ds, f"/doc/{doc_id}")
    db.close()


def test_unknown_document_is_a_404_page(ds):
    assert "No document nope" in html(ds, "/doc/nope", status=404)


# ----------------------------------------------------------------------------- /search


def test_search_page_groups_hits_by_document_with_links_to_articles(ds, db_path):  # noqa: F811
    import sqlite_utils

    page = html(ds, f"/search?q={quote('绿色 发展')}")
    db = sqlite_utils.Database(db_path)
    want = scan(db, "绿色 发展")
    assert f"{len(want)} document" in page
    for doc_id in want:
        assert f'href="/doc/{doc_id}"' in page
    assert re.search(r'href="/doc/ndrc-1320629#a\d+"', page)
    assert "<mark>绿色</mark>" in page and "<mark>发展</mark>" in page
    # the terms are marked in titles and article headings too, the rest escaped
    title = re.search(r'class="hit-title"><a href="/doc/ndrc-1320629">(.*?)</a></h2>', page).group(1)
    assert title == "国家<mark>发展</mark>改革委等部门关于推进共建“一带一路”<mark>绿色</mark><mark>发展</mark>的意见"
    assert not SQL_WORDS.search(visible_text(page))
    db.close()


@pytest.mark.parametrize("query", ["煤电", "绿色 OR 碳", '"绿色发展"', "绿色 -煤电", "(煤电 OR 光伏) 绿色", "发改开放(2022)408号"])
def test_search_page_answers_every_operator_as_the_scan(ds, db_path, query):  # noqa: F811
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    want = scan(db, query)
    page = html(ds, f"/search?q={quote(query)}")
    shown = set(re.findall(r'<h2 class="hit-title"><a href="/doc/([^"#]+)"', page))
    assert shown == want, query
    db.close()


def test_search_page_shows_syntax_errors_as_one_line(ds):
    page = html(ds, f"/search?q={quote('绿色 -')}")
    assert 'class="message-error search-error">Error: a lone &#34;-&#34; at character 4' in page
    page = html(ds, f"/search?q={quote('(绿色')}")
    assert "never closed" in page


def test_search_page_facets_filter_and_pages(ds):
    page = html(ds, f"/search?q={quote('的')}")
    assert "栏目 Column" in page and "年份 Year" in page and "发文机关 Issuer" in page
    link = re.search(r'href="(/search\?q=%E7%9A%84&amp;category=[^"]+)"', page)
    assert link
    filtered = html(ds, link.group(1).replace("&amp;", "&"))
    assert "filter-chip" in filtered
    # paging: 20 a page; the fixture has fewer documents, so one page and no next link
    assert 'rel="next"' not in page
    empty = html(ds, "/search")
    assert 'name="q"' in empty and "Query syntax" in empty


def test_search_paging_links_walk_every_hit(tmp_path):
    from output.db import Store
    from test_search import make_doc

    store = Store(tmp_path / "p.sqlite")
    for n in range(45):
        store.upsert_document(make_doc(n, title=f"关于氢能第{n}号的通知"))
    store.close()
    ds = make_datasette(tmp_path / "p.sqlite")
    seen, path = [], "/search?q=" + quote("氢能")
    while path:
        page = html(ds, path)
        seen += re.findall(r'<h2 class="hit-title"><a href="/doc/([^"]+)"', page)
        nxt = re.search(r'<a href="([^"]+)" rel="next">', page)
        path = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert sorted(seen) == sorted(f"test-{n}" for n in range(45))


def test_in_force_keeps_the_documents_in_force(ds):
    # every database records validity since schema version 2 (output/validity.py)
    page = html(ds, f"/search?q={quote('绿色')}&in_force=1")
    assert "no validity column" not in page
    hits = re.findall(r'<h2 class="hit-title"><a href="/doc/([^"]+)"', page)
    assert hits and hits == re.findall(r'<h2 class="hit-title"><a href="/doc/([^"]+)"',
                                       html(ds, f"/search?q={quote('绿色')}"))


# ----------------------------------------------------------------------------- table views


def test_table_views_fold_descriptions_truncate_long_text_and_link_documents(ds, db_path):  # noqa: F811
    name = Path(db_path).stem
    page = html(ds, f"/{name}/documents")
    assert '<details class="ndrc-column-descriptions">' in page
    assert 'action="/search"' in page  # the table's search goes to the page that reads the syntax
    facets = re.findall(r'class="facet-info facet-[^"]*-documents-(\w+)"', page)
    assert sorted(facets) == ["category", "doc_number_year", "validity"]  # status had one value
    assert "Suggested facets" not in page
    assert 'href="/doc/ndrc-1320629"' in page
    body = re.findall(r'<td class="col-body_text[^"]*"[^>]*>(.*?)</td>', page, flags=re.S)
    assert body and max(len(visible_text(b)) for b in body) < 400
    assert "ndrc.css" in page
    assert html(ds, "/-/static-plugins/output.web/ndrc.css").startswith("/*")
    arts = html(ds, f"/{name}/articles")
    assert 'action="/search"' in arts and "ndrc-column-descriptions" in arts


def test_pages_use_no_network_resources(ds, db_path):  # noqa: F811
    name = Path(db_path).stem
    for path in ("/", f"/{name}", f"/{name}/documents", "/doc/ndrc-1320629", f"/search?q={quote('碳')}"):
        page = html(ds, path)
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
        # links out to the documents' own pages are fine; nothing the page loads comes from outside
        loaded = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', page)
        assert [u for u in loaded if not u.startswith("http://localhost/")] == [], (path, loaded)
        outside = [u for u in external if not u.startswith("http://localhost/")]
        assert all("ndrc.gov.cn" in u or "datasette" in u for u in outside), (path, outside)


# ----------------------------------------------------------------------------- browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(ds):
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(ds.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("Datasette did not start on 127.0.0.1")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1800", f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _shoot(driver, name: str) -> Path:
    """The first screen as `name`-top.png, the whole page as `name`.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / name.replace(".png", "-top.png")))
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(900, height + 120), 6000))
    path = SCREENSHOTS / name
    driver.save_screenshot(str(path))
    return path


@pytest.mark.browser
def test_browser_lays_out_a_document_readably(served, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{served}/doc/ndrc-1320629")
    title = browser.find_element(By.CSS_SELECTOR, "h1.doc-title")
    assert "一带一路" in title.text and title.size["width"] > 300
    headings = browser.find_elements(By.CSS_SELECTOR, ".article-heading")
    assert len(headings) > 20
    assert all(h.size["width"] > 100 for h in headings)
    # the tree is indented: a （一） sits to the right of its 一、
    level1 = browser.find_element(By.CSS_SELECTOR, ".article.level-1").location["x"]
    level2 = browser.find_element(By.CSS_SELECTOR, ".article.level-2").location["x"]
    assert level2 > level1
    text = browser.find_element(By.TAG_NAME, "body").text
    assert not SQL_WORDS.search(text)
    shot = _shoot(browser, "doc.png")
    assert shot.stat().st_size > 20_000


@pytest.mark.browser
def test_browser_search_hits_link_to_their_documents(served, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{served}/search?q={quote('碳')}")
    hits = browser.find_elements(By.CSS_SELECTOR, ".hit-title a")
    assert hits
    assert all(re.fullmatch(rf"{served}/doc/[\w-]+", h.get_attribute("href")) for h in hits)
    assert browser.find_elements(By.CSS_SELECTOR, ".hit mark")
    assert all(h.size["width"] > 100 for h in browser.find_elements(By.CSS_SELECTOR, ".hit-title"))
    text = browser.find_element(By.TAG_NAME, "body").text
    assert not SQL_WORDS.search(text) and "rank" not in text
    shot = _shoot(browser, "search.png")
    assert shot.stat().st_size > 20_000
    article = browser.find_element(By.CSS_SELECTOR, "a.article-link")
    target = article.get_attribute("href")
    article.click()
    assert browser.current_url == target
    anchor = target.split("#")[1]
    assert browser.find_element(By.ID, anchor).is_displayed()


# ----------------------------------------------------------------------------- versions, validity


def test_versions_link_to_what_changed(tmp_path):
    from output.db import Store
    from test_search import make_doc

    store = Store(tmp_path / "v.sqlite")
    store.upsert_document(make_doc(1, title="关于氢能的通知", articles=[(None, "推进氢能。"), (None, "光伏。")]))
    store.upsert_document(make_doc(1, title="关于氢能的通知", articles=[(None, "推进氢能产业。"), (None, "光伏。")]))
    store.close()
    ds = make_datasette(tmp_path / "v.sqlite")
    page = html(ds, "/doc/test-1")
    assert 'href="/doc/test-1/changes/2"' in page and 'href="/doc/test-1/changes/1"' in page
    changes = html(ds, "/doc/test-1/changes/2")
    assert "− 第1条 推进氢能。" in changes and "+ 第1条 推进氢能产业。" in changes
    assert "光伏" not in changes  # the unchanged article is not listed
    assert "推进氢能<ins>产业</ins>。" in changes  # the characters that changed, as `ndrc-policy diff` finds them
    assert "nothing to compare" in html(ds, "/doc/test-1/changes/1")
    html(ds, "/doc/test-1/changes/9", status=404)


def test_validity_and_relations_show_once_the_database_records_them(tmp_path):
    """The columns and table another part of the project adds (CONTRACT.md): shown when present."""
    import json

    import sqlite_utils

    from output.db import Store
    from test_search import make_doc

    path = tmp_path / "life.sqlite"
    store = Store(path)
    store.upsert_document(make_doc(1, title="关于旧办法的通知", doc_number="发改价格〔2019〕1号"))
    store.upsert_document(make_doc(2, title="关于新办法的通知", doc_number="发改价格〔2024〕2号"))
    store.close()
    db = sqlite_utils.Database(path)
    columns = {c.name for c in db["documents"].columns}
    for name in ("validity", "validity_basis", "expiry_date"):
        if name not in columns:
            db.execute(f"ALTER TABLE documents ADD COLUMN {name} TEXT")
    basis = [{"relation": "repeals", "by_id": "test-2", "by_doc_number": "发改价格〔2024〕2号", "date": "2024-05-06",
              "text": "《关于旧办法的通知》同时废止。"}]
    db.execute("UPDATE documents SET validity = 'repealed', validity_basis = ? WHERE id = 'test-1'", [json.dumps(basis, ensure_ascii=False)])
    db.execute("UPDATE documents SET validity = 'in_force' WHERE id = 'test-2'")
    if "relations" not in db.table_names():
        db["relations"].create({"document_id": str, "relation": str, "target_doc_number": str, "target_title": str,
                                "target_id": str, "article_seq": int, "text": str})
    db["relations"].insert({"document_id": "test-2", "position": 1, "relation": "repeals", "target_doc_number": "发改价格〔2019〕1号",
                            "target_title": "关于旧办法的通知", "target_id": "test-1", "article_seq": None,
                            "text": "《关于旧办法的通知》同时废止。"})
    db.conn.commit()
    db.close()
    ds = make_datasette(path)
    old = html(ds, "/doc/test-1")
    assert 'class="badge badge-repealed"' in old and "已废止" in old
    assert 'href="/doc/test-2"' in old and "同时废止" in old  # the basis links the repealing document
    new = html(ds, "/doc/test-2")
    assert "废止 repeals" in new and 'href="/doc/test-1"' in new
    page = html(ds, f"/search?q={quote('办法')}")
    assert "效力 Validity" in page and 'name="in_force"' in page
    only = html(ds, f"/search?q={quote('办法')}&in_force=1")
    assert re.findall(r'<h2 class="hit-title"><a href="/doc/([^"]+)"', only) == ["test-2"]
    table = html(ds, f"/{path.stem}/documents")
    assert "facet-life-documents-validity" in table


def test_document_page_lays_out_the_tables_of_its_body_as_rows(tmp_path):
    """A real page with a 名单 table (tests/output/test_tables.py): each row a <tr>, each cell a <td>."""
    from output.db import Store
    from parsers import parse
    from test_tables import ROWS, URL, _page

    store = Store(tmp_path / "t.sqlite")
    doc = parse(_page(), URL)
    store.upsert_document(doc)
    store.close()
    page = html(make_datasette(tmp_path / "t.sqlite"), f"/doc/{doc.id}")
    table = page[page.index('<table class="doc-table"'):]
    table = table[: table.index("</table>")]
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]
    assert cells == ROWS
