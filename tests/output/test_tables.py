"""Tables of the body: kept as rows in body_text and in `tables`, stored in `document_tables`,
brought up to date by `reparse`.

The page is a real detail page with a table put in its body, as notices with a 名单 or a price
table have them (thead, tbody, a cell of two paragraphs, an empty cell).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

import jsonschema

from output.db import Store
from output.reparse import reparse_all
from output.schema import MIGRATIONS
from output.schema_check import load_schema
from parsers import PARSER_VERSION, parse
from tests.conftest import PAGES

URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260828_1407232.html"
TABLE = (
    '<table border="1"><caption>第一批名单</caption>'
    "<thead><tr><th>序号</th><th>单位名称</th><th>所在地区</th></tr></thead>"
    "<tbody><tr><td>1</td><td><p>国家物流枢纽</p><p>（天津）</p></td><td>天津市</td></tr>"
    "<tr><td>2</td><td>国<span>家骨干冷链物流基地</span></td><td></td></tr></tbody></table>"
)
ROWS = [["序号", "单位名称", "所在地区"], ["1", "国家物流枢纽 （天津）", "天津市"], ["2", "国家骨干冷链物流基地", ""]]


def _page(table: str = TABLE) -> bytes:
    html = (PAGES / "tz_t20260828_1407232.html").read_text(encoding="utf-8")
    marker = "（本文有删减）</span><br />"
    assert marker in html
    return html.replace(marker, marker + table).encode("utf-8")


def test_a_body_table_is_kept_as_rows():
    doc = parse(_page(), URL)
    assert [t.seq for t in doc.tables] == [0]
    assert doc.tables[0].source == "body"
    assert [list(r) for r in doc.tables[0].rows] == ROWS
    lines = doc.body_text.split("\n")
    at = lines.index("序号 | 单位名称 | 所在地区")
    assert lines[at - 1] == "第一批名单"  # the caption above its rows
    assert lines[at + 1 : at + 3] == ["1 | 国家物流枢纽 （天津） | 天津市", "2 | 国家骨干冷链物流基地 |"]
    # the rest of the document is as without the table
    plain = parse((PAGES / "tz_t20260828_1407232.html").read_bytes(), URL)
    assert doc.issuers == plain.issuers and doc.written_date == plain.written_date
    assert doc.warnings == ()
    data = doc.to_dict()
    assert data["tables"] == [{"seq": 0, "source": "body", "rows": ROWS}]
    jsonschema.validate(data, load_schema())


def test_a_layout_table_of_one_column_is_text():
    layout = "<table><tr><td><p>第一段。</p><p>第二段。</p></td></tr></table>"
    doc = parse(_page(layout), URL)
    assert doc.tables == ()
    assert "第一段。\n第二段。" in doc.body_text


def test_tables_are_stored_and_replaced(tmp_path):
    with Store(tmp_path / "db.sqlite") as store:
        doc = parse(_page(), URL)
        store.upsert_document(doc)
        rows = store.db.execute("SELECT document_id, seq, source, rows FROM document_tables").fetchall()
        assert rows == [(doc.id, 0, "body", json.dumps(ROWS, ensure_ascii=False))]
        assert store.document_dict(doc.id)["tables"][0]["rows"] == ROWS
        store.upsert_document(parse((PAGES / "tz_t20260828_1407232.html").read_bytes(), URL))
        assert store.db.execute("SELECT count(*) FROM document_tables").fetchone()[0] == 0


def test_a_database_of_an_older_schema_gains_the_table(tmp_path):
    path = tmp_path / "old.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE document_tables")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) - 1}")  # the schema before document_tables
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.db["document_tables"].exists()


def test_reparse_brings_a_document_of_the_previous_parser_up_to_date(tmp_path):
    """Stored as parser 1.1.0 did (cells run into one line, no tables): reparse rewrites it."""
    page = _page()
    with Store(tmp_path / "db.sqlite") as store:
        store.save_page(URL, status=200, body=page, kind="detail", fetched_at="2026-08-28T00:00:00Z")
        now = parse(page, URL)
        flattened = now.body_text.replace(" | ", " ")
        before = replace(now, parser_version="1.1.0", tables=(), body_text=flattened, content_sha256="0" * 64)
        store.upsert_document(before, fetched_at="2026-08-28T00:00:00Z")
        assert store.db.execute("SELECT count(*) FROM document_tables").fetchone()[0] == 0
    summary = reparse_all(str(tmp_path / "db.sqlite"), canonical_base="https://www.ndrc.gov.cn")
    assert (summary.pages, summary.updated, summary.failed) == (1, 1, 0)
    with Store(tmp_path / "db.sqlite") as store:
        version, body = store.db.execute("SELECT parser_version, body_text FROM documents").fetchone()
        assert version == PARSER_VERSION
        assert "1 | 国家物流枢纽 （天津） | 天津市" in body
        stored = store.db.execute("SELECT rows FROM document_tables WHERE seq = 0").fetchone()[0]
        assert json.loads(stored) == ROWS
        assert store.document_dict(now.id)["tables"][0]["rows"] == ROWS


def _markdown(tool: str, html: str) -> str:
    import pytest

    try:
        if tool == "markdownify":
            import markdownify

            return markdownify.markdownify(html, heading_style="ATX")
        import html2text
    except ImportError:
        pytest.skip(f"{tool} is not installed (pip install {tool})")
    converter = html2text.HTML2Text()
    converter.body_width = 0
    return converter.handle(html)


def test_a_markdown_table_is_kept_as_rows_too():
    """markdownify writes the table as a pipe table: its rendering gives the page's table."""
    doc = parse(_markdown("markdownify", _page().decode("utf-8")).encode("utf-8"), URL)
    assert [[list(r) for r in t.rows] for t in doc.tables] == [ROWS]
    assert "1 | 国家物流枢纽 （天津） | 天津市" in doc.body_text.split("\n")
    assert "---" not in doc.body_text


def test_html2text_tables_keep_their_rows():
    # html2text runs the caption into the header row and the cell's paragraphs together: the
    # rows are what it wrote
    doc = parse(_markdown("html2text", _page().decode("utf-8")).encode("utf-8"), URL)
    assert [list(r) for r in doc.tables[0].rows][1:] == [["1", "国家物流枢纽（天津）", "天津市"], ["2", "国家骨干冷链物流基地", ""]]
    assert "---" not in doc.body_text


PRICE_TABLE = (
    "<table><tr><th>地区</th><th>类别</th><th>价格（元/千瓦时）</th></tr>"
    '<tr><td rowspan="2">天津</td><td>一般工商业</td><td>0.36</td></tr>'
    "<tr><td>大工业</td><td>0.31</td></tr>"
    '<tr><td colspan="2">合计</td><td>0.67</td></tr>'
    '<tr><td rowspan="9">河北</td><td>居民</td><td rowspan="0">0.52</td></tr>'
    '<tr><td colspan="x">山西</td><td colspan="1000">居民</td></tr></table>'
)


def test_a_cell_spanning_rows_or_columns_is_in_each_of_them():
    # A price table names its region once for several rows (rowspan) and writes its total across
    # two columns (colspan): each row keeps a cell for every column, as a reader of it sees it. A
    # span past the table's end, of 0, not a number or of a thousand reads as far as it can.
    doc = parse(_page(PRICE_TABLE), URL)
    rows = [list(r) for r in doc.tables[0].rows]
    assert rows[:5] == [
        ["地区", "类别", "价格（元/千瓦时）"],
        ["天津", "一般工商业", "0.36"],
        ["天津", "大工业", "0.31"],
        ["合计", "合计", "0.67"],
        ["河北", "居民", "0.52"],
    ]
    assert rows[5][:2] == ["河北", "山西"] and set(rows[5][2:]) == {"居民"} and len(rows[5]) <= 60
    assert "天津 | 大工业 | 0.31" in doc.body_text.split("\n")
    jsonschema.validate(doc.to_dict(), load_schema())
