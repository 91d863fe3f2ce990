"""Detail pages → PageExtract: the real saved pages (against hand-checked golden files), the
2019–2023 and pre-2019 templates (test pages written from NDRC-SITE.md, UTF-8 and GBK), boxes that
cut the body, messy inline markup, pages that are not detail pages, and arbitrary input."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from parsers.encoding import decode_bytes
from parsers.html_page import extract_detail
from parsers.model import PageExtract

from tests.conftest import FIXTURES, GOLDEN, PAGES


def _provenance() -> dict[str, str]:
    with open(FIXTURES / "PROVENANCE.tsv", encoding="utf-8") as fh:
        return {row["file"]: row["original_url"] for row in csv.DictReader(fh, delimiter="\t")}


DETAIL_PAGES = sorted(p.name for p in PAGES.glob("*_t*.html"))


def _as_json(extract: PageExtract) -> dict:
    out = asdict(extract)
    out["centered"] = sorted(out["centered"])
    return json.loads(json.dumps(out, ensure_ascii=False))  # tuples as lists, as in the golden file


def _real(name: str) -> tuple[str, str]:
    return (PAGES / name).read_text(encoding="utf-8"), _provenance()[f"pages/{name}"]


# --- the real pages --------------------------------------------------------------------------


def test_every_real_detail_page_has_a_golden_file():
    assert len(DETAIL_PAGES) == 4
    for name in DETAIL_PAGES:
        assert (GOLDEN / "html" / name.replace(".html", ".json")).is_file(), name


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_real_detail_page_matches_golden(name):
    html, url = _real(name)
    expected = json.loads((GOLDEN / "html" / name.replace(".html", ".json")).read_text(encoding="utf-8"))
    assert expected.pop("url") == url
    assert _as_json(extract_detail(html, url)) == expected


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_real_detail_page_body_has_no_chrome(name):
    html, url = _real(name)
    text = "\n".join(extract_detail(html, url).paragraphs)
    for chrome in ("排行榜", "相关政策与解读", "打印", "发布时间", "来源：", "附件：", "首页", "jdFlag", "$("):
        assert chrome not in text


def test_current_template_notice():
    html, url = _real("tz_t20260625_1406079.html")
    page = extract_detail(html, url)
    assert page.title == "关于印发《新型能源体系建设“十五五”规划》的通知(发改能源〔2026〕884号)"
    assert page.publish_date == "2026-06-25"
    assert page.source == "能源局"
    assert page.category == "通知"
    # 国 and 家发展改革委 sit in two spans: one word. The letter-spaced line stays as printed.
    assert "国家发展改革委" in page.paragraphs
    assert "国 家 能 源 局" in page.paragraphs
    # <div> inside <span>: the centred title lines are separate centred paragraphs.
    assert page.paragraphs[:3] == ("国家发展改革委 国家能源局关于印发", "《新型能源体系建设“十五五”规划》的通知", "发改能源〔2026〕884号")
    assert {0, 1, 2} <= page.centered
    addressees = page.paragraphs.index("各省、自治区、直辖市人民政府，国务院有关部委、直属机构，有关中央企业：")
    assert addressees not in page.centered
    assert [a.file_type for a in page.attachments] == ["pdf", "ofd"]
    assert page.attachments[0].url == "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202606/P020260625612978907651.pdf"
    assert page.interpretations == ()  # the xgwz box is empty on this page


def test_order_page_indent_and_nbsp_are_stripped():
    html, url = _real("fzggwl_t20260409_1404577.html")
    page = extract_detail(html, url)
    promulgation = [p for p in page.paragraphs if "委务会议" in p]
    assert promulgation == ["《电力重大事故隐患判定标准及治理监督管理规定》已经2026年3月16日第29次委务会议审议通过，现予公布，自2026年7月1日起施行。"]
    assert all(p.strip() == p and p for p in page.paragraphs)
    assert page.interpretations[0].url == "https://www.ndrc.gov.cn/xxgk/jd/jd/202604/t20260424_1404868.html"


def test_meta_without_space_between_attributes_still_reads():
    html, url = _real("tz_t20260828_1407232.html")
    html = html.replace('<meta name="ContentSource" content="经贸司">', '<meta name="ContentSource"content="综合司">')
    html = html.replace('<meta name="PubDate" content="2026-08-27 14:28:41">', '<meta name="PubDate"content="2026-08-26 10:00:00">')
    page = extract_detail(html, url)
    assert page.source == "综合司"
    assert page.publish_date == "2026-08-26"


def test_chrome_fallbacks_when_meta_tags_are_missing():
    html, url = _real("tz_t20260828_1407232.html")
    for name in ("ArticleTitle", "PubDate", "ContentSource", "ColumnName"):
        start = html.index(f'<meta name="{name}"')
        html = html[:start] + html[html.index(">", start) + 1:]
    page = extract_detail(html, url)
    assert page.title == "关于印发《物流网建设实施方案》的通知(发改经贸〔2026〕1241号)"  # h2.article_title
    assert page.publish_date == "2026-08-27"  # 发布时间：2026/08/27
    assert page.source == "经贸司"  # 来源：<span>经贸司</span>
    assert page.category == "通知"  # breadcrumb's last item


def test_relative_links_without_page_url_are_none_with_a_warning():
    html, _url = _real("tz_t20260828_1407232.html")
    page = extract_detail(html, None)
    assert [a.url for a in page.attachments] == [None, None]
    assert page.interpretations[0].url is None
    assert any("no page URL" in w for w in page.warnings)


# --- the 2019–2023 template ------------------------------------------------------------------

URL_2022 = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202203/t20220328_1320629.html"

PAGE_2022 = """<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>国家发展改革委等部门关于推进共建“一带一路”绿色发展的意见_国家发展和改革委员会</title>
<meta name="ColumnName" content="通知">
<meta name="ArticleTitle" content="国家发展改革委等部门关于推进共建“一带一路”绿色发展的意见(发改开放〔2022〕408号)">
<meta name="PubDate" content="2022-03-28 10:10:00">
<meta name="ContentSource" content="开放司">
</head>
<body>
<div class="header"><script src="../../../../jslm/headtop/headtop.js"></script></div>
<div class="container">
<div class="path"><a href="../../../../">首页</a>&nbsp;&gt;&nbsp;<a href="../../../">政务公开</a>&nbsp;&gt;&nbsp;<a href="../../">政策</a>&nbsp;&gt;&nbsp;<a href="../">通知</a></div>
<div class="article">
<div class="article_l">
<div class="article_con article_con_title">
<div class="TRS_Editor"><div class="Custom_UnionStyle">
<p style="text-align: center" align="center"><strong>国家发展改革委 外交部 生态环境部 商务部<br>关于推进共建“一带一路”绿色发展的意见</strong></p>
<p align="center">发改开放〔2022〕408号</p>
<p>各省、自治区、直辖市及计划单列市、新疆生产建设兵团推进“一带一路”建设工作领导小组，推进“一带一路”建设工作领导小组成员单位：</p>
<p>　　推进共建“一带一路”绿色发展，是践行绿色发展理念、推进生态文明建设的内在要求。现提出如下意见。</p>
<p>　　<strong>一、总体要求</strong></p>
<p>　　（五）加强绿色能源合作。深化能源技术装备领域合作，重点围绕高效低成本可再生能源发<div class="xgwz"><div class="mt"><span>相关政策与解读</span></div><ul>
<li><a href="../../../jd/jd/202203/t20220328_1320630.html">推进共建“一带一路”绿色发展系统谋划</a></li>
<li><a href="../../../jd/jd/202203/t20220328_1320630.html">推进共建“一带一路”绿色发展系统谋划</a></li>
<li><a href="../../../jd/jd/202203/t20220329_1320700.html">推进共建“一带一路”绿色发展系统谋划</a></li>
<li><a href="../../../jd/zctj/202203/t20220330_1320800.html">一图读懂 | 关于推进共建“一带一路”的意见</a></li>
</ul></div>电、先进核电、智能电网、氢能、储能等开展联合研究及交流培训。</p>
<p>　　（六）加强绿色交通合作。推广新能源和清洁能源车船等节能低碳型交通<span>工具<div class="box"><h3>排行榜</h3><ul>
<li><span>01</span><a href="../../tz/202305/t20230515_1355980.html">关于第三监管周期省级电价及有关事项的通知(发改价格〔2023〕526号)</a><span>2023-05-15</span></li>
<li><span>02</span><a href="../../tz/202304/t20230407_1353366.html">关于印发投资项目可行性编写大纲及说明的通知</a><span>2023-04-07</span></li>
</ul></div>，推广</span>智能交通中国方案。</p>
<p>　　附件：<a href="./P020220328397464907937.pdf">重点任务分工.PDF</a></p>
<p>&nbsp;</p>
<p style="text-align: right">国家发展改革委</p>
<p style="text-align: right">外　交　部</p>
<p style="text-align: right">生 态 环 境 部</p>
<p style="text-align: right">商  务  部</p>
<p style="text-align: right">2022年3月16日</p>
</div></div>
</div>
<div class="attachment"><div class="attachment_r"><a href="./P020220328397464907937.pdf">重点任务分工.pdf</a><br><a href="http://www.ndrc.gov.cn/files/plan.docx">规划全文.docx</a></div></div>
</div>
<div class="article_r"><div class="phb"><div class="article_r_title">排行榜</div><ul id="paihangbang"></ul></div></div>
</div>
</div>
<script src="../../../../jslm/footer/footer.js"></script>
</body>
</html>
"""


def _page_2022(charset: str) -> str:
    return PAGE_2022.replace("{charset}", charset)


@pytest.mark.parametrize("charset, codec", [("utf-8", "utf-8"), ("gb2312", "gbk"), ("gbk", "gb18030")])
def test_2019_2023_template(charset, codec):
    data = _page_2022(charset).encode(codec)
    text, _used, _warnings = decode_bytes(data, is_html=True)
    page = extract_detail(text, URL_2022)
    assert page.title == "国家发展改革委等部门关于推进共建“一带一路”绿色发展的意见(发改开放〔2022〕408号)"
    assert page.publish_date == "2022-03-28"
    assert page.source == "开放司"
    assert page.category == "通知"
    paragraphs = page.paragraphs
    assert paragraphs[:3] == ("国家发展改革委 外交部 生态环境部 商务部", "关于推进共建“一带一路”绿色发展的意见", "发改开放〔2022〕408号")
    assert {0, 1, 2} <= page.centered
    assert paragraphs[4] == "推进共建“一带一路”绿色发展，是践行绿色发展理念、推进生态文明建设的内在要求。现提出如下意见。"
    assert paragraphs[5] == "一、总体要求"
    # The 相关政策与解读 box stood inside the sentence: the sentence comes out whole.
    assert paragraphs[6] == "（五）加强绿色能源合作。深化能源技术装备领域合作，重点围绕高效低成本可再生能源发电、先进核电、智能电网、氢能、储能等开展联合研究及交流培训。"
    # A classless 排行榜 box inside a span: no word of it remains, the sentence is whole.
    assert paragraphs[7] == "（六）加强绿色交通合作。推广新能源和清洁能源车船等节能低碳型交通工具，推广智能交通中国方案。"
    body = "\n".join(paragraphs)
    for box_word in ("相关政策与解读", "排行榜", "系统谋划", "一图读懂", "第三监管周期", "2023-05-15", "可行性编写大纲"):
        assert box_word not in body
    # Signature lines: right-aligned, letter-spacing kept (runs of spaces collapsed).
    assert paragraphs[-5:] == ("国家发展改革委", "外 交 部", "生 态 环 境 部", "商 务 部", "2022年3月16日")
    assert set(range(len(paragraphs) - 5, len(paragraphs))) <= page.centered
    assert "" not in paragraphs
    # 相关政策与解读: absolute, de-duplicated by URL, then by title.
    assert [(i.title, i.url) for i in page.interpretations] == [
        ("推进共建“一带一路”绿色发展系统谋划", "https://www.ndrc.gov.cn/xxgk/jd/jd/202203/t20220328_1320630.html"),
        ("一图读懂 | 关于推进共建“一带一路”的意见", "https://www.ndrc.gov.cn/xxgk/jd/zctj/202203/t20220330_1320800.html"),
    ]
    # div.attachment plus the body's file link (same URL: once), absolute, lower-case type.
    assert [(a.title, a.url, a.file_type) for a in page.attachments] == [
        ("重点任务分工.pdf", "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202203/P020220328397464907937.pdf", "pdf"),
        ("规划全文.docx", "http://www.ndrc.gov.cn/files/plan.docx", "docx"),
    ]


def test_body_file_links_are_attachments_with_lower_case_type():
    html = _page_2022("utf-8").replace('<div class="attachment">', '<div class="removed">')
    page = extract_detail(html, URL_2022)
    assert [(a.title, a.file_type) for a in page.attachments] == [("重点任务分工.PDF", "pdf")]
    assert "附件：重点任务分工.PDF" in page.paragraphs  # the body keeps its own text


def test_article_con_notitle_variant():
    html = _page_2022("utf-8").replace("article_con article_con_title", "article_con_notitle")
    page = extract_detail(html, URL_2022)
    assert page.paragraphs[2] == "发改开放〔2022〕408号"
    assert len(page.paragraphs) == 14


# --- pre-2019 pages (/zcfb/zcfbtz/…) ----------------------------------------------------------

URL_2017 = "https://www.ndrc.gov.cn/zcfb/zcfbtz/201712/t20171229_871726.html"

PAGE_2017 = """<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>国家发展改革委关于全面深化价格机制改革的意见 - 中华人民共和国国家发展和改革委员会</title>
<link href="../../../images/style.css" rel="stylesheet" type="text/css" />
</head>
<body>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td class="txt_title1 tleft">国家发展改革委关于全面深化价格机制改革的意见</td></tr>
<tr><td class="txt_subtitle1 tleft">2017/12/29&nbsp;&nbsp;&nbsp;&nbsp;<span id="dSourceText">来源：<a href="http://jgs.ndrc.gov.cn/">价格司</a></span></td></tr>
<tr><td>
<div id="zoom"><div class="TRS_Editor"><style type="text/css">.TRS_Editor P{line-height:2;font-family:宋体;}</style>
<p align="center">发改价格〔2017〕1941号</p>
<p>各省、自治区、直辖市发展改革委、物价局：</p>
<p>&nbsp;&nbsp;&nbsp; 为贯彻落实党的十九大精神，现就全面深化价格机制改革提出以下意见。</p>
<p>&nbsp;&nbsp;&nbsp; <b>一、总体要求</b></p>
<p>&nbsp;&nbsp;&nbsp; （一）指导思想。全面贯彻党的十九大精神，
深入推进价格改革。</p>
<p align="right">国家发展改革委<br>2017年11月8日</p>
</div></div>
</td></tr>
<tr><td><div class="share">分享到：<a href="#">微博</a><a href="#">微信</a></div><a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【关闭窗口】</a></td></tr>
</table>
</body>
</html>
"""


@pytest.mark.parametrize("codec", ["gbk", "utf-8"])
def test_pre_2019_template(codec):
    text, _used, _warnings = decode_bytes(PAGE_2017.encode(codec), is_html=True)
    page = extract_detail(text, URL_2017)
    assert page.title == "国家发展改革委关于全面深化价格机制改革的意见"
    assert page.publish_date == "2017-12-29"
    assert page.source == "价格司"
    assert page.paragraphs == (
        "发改价格〔2017〕1941号",
        "各省、自治区、直辖市发展改革委、物价局：",
        "为贯彻落实党的十九大精神，现就全面深化价格机制改革提出以下意见。",
        "一、总体要求",
        "（一）指导思想。全面贯彻党的十九大精神，深入推进价格改革。",  # the source line break is no space
        "国家发展改革委",
        "2017年11月8日",
    )
    assert page.centered == frozenset({0, 5, 6})
    assert page.warnings == ()


# --- pages that are not detail pages ----------------------------------------------------------


def test_list_page_comes_back_with_a_warning():
    page = extract_detail((PAGES / "tz_index_2026-08.html").read_text(encoding="utf-8"), "https://www.ndrc.gov.cn/xxgk/zcfb/tz/index.html")
    assert page.paragraphs == ()
    assert page.category == "通知"
    assert any("not a policy detail page" in w for w in page.warnings)
    assert any("list page" in w for w in page.warnings)


def test_challenge_page_comes_back_with_a_warning():
    waf = "<html><body><script>document.cookie=('__jsl_clear'+'ance_s=1718590950.375|0|BNVMH65p');location.href=location.pathname+location.search</script></body></html>"
    page = extract_detail(waf, "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260828_1407232.html")
    assert page.paragraphs == ()
    assert any("jsl_challenge" in w for w in page.warnings)


@pytest.mark.parametrize("junk", ["", "   ", "<!-- only a comment -->", "<?xml version='1.0' encoding='gbk'?><p>文</p>", "\x00\x01\ud800", "<" * 500, "<div>" * 3000])
def test_junk_never_raises(junk):
    page = extract_detail(junk, None)
    assert isinstance(page, PageExtract)


_TAGS = st.sampled_from(["p", "div", "span", "br", "a", "li", "tr", "td", "strong", "font", "script", "h2", "center", "ul"])
_ATTRS = st.sampled_from(
    ["", ' class="TRS_Editor"', ' style="text-align:center"', ' class="xgwz"', ' href="./a.pdf"', ' class="article_con"', " align=right",
     ' href="http://[x/a.pdf"', ' href="//[::1"', ' href="javascript:void(0)"', ' href="a.PDF?x=1#y"', ' href=""', ' class="attachment"']
)
_WORDS = st.sampled_from(["国家发展改革委", "　　", "&nbsp;", "相关解读", "排行榜", "。", "发改〔2022〕1号", "\n", " ", "<", "&", "附件"])


@st.composite
def _html_soup(draw):
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 2))
        if kind == 0:
            parts.append(f"<{draw(_TAGS)}{draw(_ATTRS)}>")
        elif kind == 1:
            parts.append(f"</{draw(_TAGS)}>")
        else:
            parts.append(draw(_WORDS))
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), _html_soup()), st.one_of(st.none(), st.just(URL_2022), st.text(max_size=20)))
def test_fuzz_never_raises(html, url):
    page = extract_detail(html, url)
    assert isinstance(page, PageExtract)
    assert all(p and p == p.strip() for p in page.paragraphs)
    assert all(0 <= i < len(page.paragraphs) for i in page.centered)


# Characters that exercise every branch of URL joining: separators, dot segments, schemes,
# queries, fragments, parameters, percent escapes, CJK, spaces.
_URL_CHARS = "ab./-_%~:?#中 '()+;=@!$&*,\\\x01\x1f\x7f\u3000"
_BASES = [
    "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260828_1407232.html",
    "http://127.0.0.1:8080/xxgk/zcfb/tz/",
    "https://x.cn",
    "https://x.cn/a/b",
    "http://a.b/c/d.html?x=1/2",
    "http://a.b//c/d.html",
    "http://a.b/c/../d.html",
    "http://a.b/c/./d.html",
    "http://a.b/c/d.html#f/g",
    "http://a.b/c;x/d",
    "http://a.b/c/d/",
    "http://a.b/c/..",
    "http://h:x/y",
    "http://h/c:d/e",
    "ftp://h/x",
    "http://h/中/文.html",
]


# Whole path steps, so that runs of ../ deeper than the base's folders come up often.
_URL_STEPS = ["../", "./", "a", "b.pdf", "中", "..", ".", "/", "x/", "?q", "#f", ";p", ":", " ", "\\", "\t", "...", "..a", "\x01", "\u3000"]


@settings(max_examples=4000, deadline=None)
@given(
    href=st.one_of(
        st.text(alphabet=_URL_CHARS, min_size=1, max_size=10),
        st.lists(st.sampled_from(_URL_STEPS), min_size=1, max_size=7).map("".join),
    ),
    base=st.sampled_from(_BASES),
)
def test_absolute_url_agrees_with_urljoin(href, base):
    """The fast path for plain relative links gives exactly what urljoin gives."""
    from urllib.parse import urljoin, urlsplit

    from parsers.urls import absolute_url

    stripped = href.strip()
    if not stripped or stripped.startswith("#") or stripped.lower().startswith(("javascript:", "mailto:", "about:")):
        assert absolute_url(href, base) is None
        return
    if stripped.startswith("//"):
        stripped = "https:" + stripped
    try:
        expected = stripped if urlsplit(stripped).scheme in ("http", "https") else urljoin(base, stripped)
    except ValueError:
        expected = None
    assert absolute_url(href, base) == expected


_DATE_CHARS = st.sampled_from(list("0123456789-/ 年月日:") + ["２", "٣"])


@settings(max_examples=400, deadline=None)
@given(
    head=st.tuples(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
    ),
    rest=st.text(_DATE_CHARS, max_size=25),
    cut=st.integers(0, 12),
)
# The days a calendar look-up could get wrong: leap days in and out of leap years (2000 is one,
# 1900 is not), year 0, month and day 0 and past their end.
@example(head="2024-02-29", rest=" 2024-03-01", cut=0)
@example(head="2026-02-29", rest=" 2026-03-01", cut=0)
@example(head="2000-02-29", rest="", cut=0)
@example(head="1900-02-29", rest=" 1900年3月1日", cut=0)
@example(head="0000-01-01", rest=" 2020-01-02", cut=0)
@example(head="2026-00-10", rest="", cut=0)
@example(head="2026-04-31", rest=" 2026-05-01", cut=0)
@example(head="2026-12-31", rest="", cut=0)
def test_iso_date_shortcut_reads_as_the_regex_does(head, rest, cut):
    from parsers.html_tree import first_valid_date, iso_date

    for text in (head + rest, (head + rest)[cut:], rest + head, head[:cut] + rest):
        assert iso_date(text) == first_valid_date(text), text


_STYLE_PARTS = st.sampled_from(
    ["text-align:center", "TEXT-ALIGN : Right", "text-align: -webkit-center", "font-size: 16px",
     "font-family: SimSun", "align:left", "text-align:", ";", " ", "text-indent: 2em"]
)


@settings(max_examples=300, deadline=None)
@given(styles=st.lists(st.lists(_STYLE_PARTS, max_size=4).map(";".join), min_size=1, max_size=40))
def test_remembered_style_alignments_read_as_the_pattern_does(styles):
    from parsers import paragraphs

    paragraphs.ALIGNS_KEPT, kept = 8, paragraphs.ALIGNS_KEPT  # small, so that the table starts again
    paragraphs._ALIGNS.clear()  # (what earlier parses left may be more than the small bound)
    try:
        for style in styles + styles:  # each asked twice: the second answer is the remembered one
            match = paragraphs.ALIGN_STYLE.search(style)
            assert paragraphs._style_align(style) == (match.group(1).lower() if match else None), style
            assert len(paragraphs._ALIGNS) <= paragraphs.ALIGNS_KEPT
    finally:
        paragraphs.ALIGNS_KEPT = kept
        paragraphs._ALIGNS.clear()


_TRICKY_CLASSES = (
    '<html><body><div class="article_l "><div class="TRS_Editor TRS_Editor">a</div>'
    '<div class=" clr\tTRS_Editor">b</div><ul class="u-list">c</ul><p class="mt">d</p>'
    '<p class="mt mt x-y">e</p><span class="">f</span></div></body></html>'
)


@pytest.mark.parametrize("name", [*DETAIL_PAGES, "tricky"])
def test_page_index_answers_every_token_as_a_full_index_does(name):
    """The index files only the tokens the readers look for; any other token, asked for, comes
    back as a full index would give it: the same elements, each once, in document order."""
    from parsers.html_tree import PageIndex, _CLASS_ATTRIBUTES, parse_html
    from parsers.templates import LOOKED_UP_CLASSES

    html = _TRICKY_CLASSES if name == "tricky" else (PAGES / name).read_text(encoding="utf-8")
    root = parse_html(html)
    on_page = {token for value in _CLASS_ATTRIBUTES(root) for token in value.split()}
    assert on_page - LOOKED_UP_CLASSES, "the page should carry tokens nobody looks for"
    full = PageIndex(root, frozenset(on_page | LOOKED_UP_CLASSES))
    filed = PageIndex(root, LOOKED_UP_CLASSES)
    for token in sorted(on_page | LOOKED_UP_CLASSES | {"absent"}):
        assert [id(e) for e in filed.classes(token)] == [id(e) for e in full.classes(token)], token
        assert [id(e) for e in filed.classes(token, "mt", tag="div")] == [id(e) for e in full.classes(token, "mt", tag="div")]
    if name == "tricky":
        assert [e.text for e in filed.classes("TRS_Editor")] == ["a", "b"]
        assert [e.text for e in filed.classes("mt")] == ["d", "e"]
