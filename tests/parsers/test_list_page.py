"""Column list pages → ListPage, over all five real list pages (against hand-checked golden files:
25 entries each, first and last entries and page counts checked by eye against the pages)."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import parse_list_page as public_parse_list_page
from parsers.list_page import parse_list_page
from parsers.model import ListPage
from tests.conftest import FIXTURES, GOLDEN, PAGES

LIST_PAGES = sorted(p.name for p in PAGES.glob("*index*.html"))


def _url(name: str) -> str:
    with open(FIXTURES / "PROVENANCE.tsv", encoding="utf-8") as fh:
        return {row["file"]: row["original_url"] for row in csv.DictReader(fh, delimiter="\t")}[f"pages/{name}"]


def _json(page: ListPage) -> dict:
    return json.loads(json.dumps(asdict(page), ensure_ascii=False))


def test_every_real_list_page_has_a_golden_file():
    assert len(LIST_PAGES) == 5
    for name in LIST_PAGES:
        assert (GOLDEN / "list" / name.replace(".html", ".json")).is_file(), name


@pytest.mark.parametrize("name", LIST_PAGES)
def test_real_list_page_matches_golden(name):
    expected = json.loads((GOLDEN / "list" / name.replace(".html", ".json")).read_text(encoding="utf-8"))
    page = parse_list_page((PAGES / name).read_bytes(), _url(name))
    assert _json(page) == expected
    assert len(page.items) == 25
    assert page.warnings == ()


@pytest.mark.parametrize(
    "name, count, index, category, first, last",
    [
        ("tz_index_2026-08.html", 20, 0, "通知",
         ("关于印发《物流网建设实施方案》的通知(发改经贸〔2026〕1241号)", "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260828_1407232.html", "2026-08-27"),
         ("关于修订省间电力现货交易规则的复函(发改办体改〔2026〕275号)", "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202604/t20260424_1404861.html", "2026-04-24")),
        ("tz_index_2026-07.html", 20, 0, "通知",
         ("关于印发《新型能源体系建设“十五五”规划》的通知(发改能源〔2026〕884号)", "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202606/t20260625_1406079.html", "2026-06-25"),
         ("关于进一步完善殡葬服务收费政策的通知(发改价格〔2026〕108号)", "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202601/t20260127_1403485.html", "2026-01-27")),
        ("fzggwl_index_1.html", 9, 1, "发展改革委令",
         ("《电力市场运行基本规则》 2024年第20号令", "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202405/t20240510_1377245.html", "2024-05-14"),
         ("《粮食流通行政执法办法》 2022年第53号令", "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202211/t20221129_1342486.html", "2022-11-29")),
        ("fzggwl_index_2026-a.html", 9, 0, "发展改革委令",
         ("《电力重大事故隐患判定标准及治理监督管理规定》 2026年第41号令", "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202604/t20260409_1404577.html", "2026-04-09"),
         ("《基础设施和公用事业特许经营管理办法》 2024年第17号令", "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202404/t20240409_1365563.html", "2024-04-09")),
        ("fzggwl_index_2026-b.html", 9, 0, "发展改革委令",
         ("《国家发展改革委关于修改、废止一批规章和行政规范性文件的决定》 2026年第45号令", "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202607/t20260731_1406815.html", "2026-07-31"),
         ("《天然气利用管理办法》 2024年第21号令", "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202406/t20240619_1387036.html", "2024-06-19")),
    ],
)
def test_real_list_page_first_last_and_pagination(name, count, index, category, first, last):
    page = parse_list_page((PAGES / name).read_bytes(), _url(name))
    assert (page.page_count, page.page_index, page.category) == (count, index, category)
    assert (page.items[0].title, page.items[0].url, page.items[0].date) == first
    assert (page.items[-1].title, page.items[-1].url, page.items[-1].date) == last


def test_popbox_links_are_interpretations_not_items():
    page = parse_list_page((PAGES / "tz_index_2026-08.html").read_bytes(), _url("tz_index_2026-08.html"))
    assert all("/jd/" not in item.url for item in page.items)
    renewable = next(i for i in page.items if "可再生能源发展" in i.title)
    assert [(j.title, j.url) for j in renewable.interpretations] == [
        ("《可再生能源发展“十五五”规划》答记者问", "https://www.ndrc.gov.cn/xxgk/jd/jd/202607/t20260723_1406645.html"),
        ("一图读懂 | 《可再生能源发展“十五五”规划》", "https://www.ndrc.gov.cn/xxgk/jd/zctj/202607/t20260723_1406646.html"),
    ]
    assert page.items[1].interpretations == ()


def test_gbk_encoded_list_page_reads_the_same():
    name = "tz_index_2026-07.html"
    text = (PAGES / name).read_text(encoding="utf-8")
    gbk = text.replace('<meta charset="UTF-8">', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode("gb18030")
    assert parse_list_page(gbk, _url(name)).items == parse_list_page(text, _url(name)).items


def test_utf8_page_declaring_gb2312_is_not_mojibake():
    name = "fzggwl_index_1.html"
    data = (PAGES / name).read_bytes().replace(b'<meta charset="UTF-8">', b'<meta charset="gb2312">')
    page = parse_list_page(data, _url(name))
    assert page.items[0].title == "《电力市场运行基本规则》 2024年第20号令"
    assert any("gb2312" in w for w in page.warnings)


def test_without_page_url_entries_keep_relative_links_with_a_warning():
    page = parse_list_page((PAGES / "tz_index_2026-08.html").read_bytes())
    assert page.items[0].url == "./202608/t20260828_1407232.html"
    assert page.items[0].interpretations[0].url is None
    assert any("relative" in w for w in page.warnings)


def test_category_from_breadcrumb_without_meta():
    text = (PAGES / "tz_index_2026-08.html").read_text(encoding="utf-8").replace('<meta name="ColumnName"content="通知">', "")
    assert parse_list_page(text, _url("tz_index_2026-08.html")).category == "通知"


def test_public_entry_point_dispatches_here():
    name = "fzggwl_index_2026-a.html"
    assert public_parse_list_page((PAGES / name).read_bytes(), _url(name)) == parse_list_page((PAGES / name).read_bytes(), _url(name))


def test_detail_page_is_not_a_list_page():
    page = parse_list_page((PAGES / "tz_t20260828_1407232.html").read_bytes(), "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260828_1407232.html")
    assert page.items == ()
    assert any("not a list page" in w for w in page.warnings)


@pytest.mark.parametrize("href", ["http://[x", "javascript:void(0)", ""])
def test_entry_with_malformed_link_is_skipped_with_a_warning(href):
    html = (
        f'<ul class="u-list"><li><a href="{href}" title="坏链接">坏链接</a><span>2020/01/01</span></li>'
        '<li><a href="./202001/t20200102_1.html" title="好链接">好链接</a><span>2020/01/02</span></li></ul>'
    )
    page = parse_list_page(html, "https://www.ndrc.gov.cn/xxgk/zcfb/tz/index.html")
    assert [(i.title, i.url, i.date) for i in page.items] == [("好链接", "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202001/t20200102_1.html", "2020-01-02")]
    assert any("malformed" in w for w in page.warnings)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=2000), st.text(max_size=2000)), st.one_of(st.none(), st.just("https://www.ndrc.gov.cn/xxgk/zcfb/tz/index.html")))
def test_fuzz_never_raises(content, url):
    page = parse_list_page(content, url)
    assert isinstance(page, ListPage)
