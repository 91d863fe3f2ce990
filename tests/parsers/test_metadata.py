"""metadata.read_body on the real NDRC pages and rendering, and on the variants the site prints."""

from __future__ import annotations

import json

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.agencies import agencies_in_line, is_agency
from parsers.metadata import BodyMeta, read_body
from tests.conftest import FIXTURES, PAGES, RENDERINGS

# Block elements that start a new paragraph in the TRS_Editor content.
_BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "li", "tr", "table"}


def editor_paragraphs(path) -> tuple[list[str], frozenset[int]]:
    """A simple lxml walk of div.TRS_Editor: one paragraph per block, the centred ones marked."""
    root = lxml.html.parse(str(path)).getroot()
    editor = root.xpath('//div[contains(concat(" ", normalize-space(@class), " "), " TRS_Editor ")]')[0]
    paras: list[str] = []
    centered: set[int] = set()
    current: list[str] = []
    current_centered = [False]

    def flush():
        text = "".join(current).strip()
        if text:
            if current_centered[0]:
                centered.add(len(paras))
            paras.append(text)
        current.clear()
        current_centered[0] = False

    def walk(el, center):
        style = (el.get("style") or "").replace(" ", "")
        here = center or "text-align:center" in style
        if el.tag in _BLOCKS:
            flush()
        if el.text:
            current.append(el.text)
            current_centered[0] = current_centered[0] or here
        for child in el:
            if isinstance(child.tag, str):
                walk(child, here)
                if child.tag in _BLOCKS:
                    flush()
            if child.tail:
                current.append(child.tail)
                current_centered[0] = current_centered[0] or center
        if el.tag in _BLOCKS:
            flush()

    walk(editor, False)
    flush()
    return paras, frozenset(centered)


# What each real detail page's body says about itself (read by hand from the saved pages).
PAGE_EXPECTED = {
    "tz_t20260828_1407232.html": dict(
        title="国家发展改革委交通运输部关于印发《物流网建设实施方案》的通知",
        doc_number="发改经贸〔2026〕1241号",
        issuers=("国家发展改革委", "交通运输部"),
        addressees="各省、自治区、直辖市人民政府，国务院各部委、各直属机构",
        written_date="2026-08-18",
        effective_date=None,
        first_body="《物流网建设实施方案》已经国务院同意，现印发给你们，请认真贯彻执行。",
        first_closing="国家发展改革委",
    ),
    "tz_t20260625_1406079.html": dict(
        title="国家发展改革委国家能源局关于印发《新型能源体系建设“十五五”规划》的通知",
        doc_number="发改能源〔2026〕884号",
        issuers=("国家发展改革委", "国家能源局"),
        addressees="各省、自治区、直辖市人民政府，国务院有关部委、直属机构，有关中央企业",
        written_date="2026-06-13",
        effective_date=None,
        first_body="《新型能源体系建设“十五五”规划》已经国务院同意，现印发给你们，请认真贯彻实施。",
        first_closing="国家发展改革委",
    ),
    "fzggwl_t20260211_1403694.html": dict(
        title=None,
        doc_number="国家发展改革委令2026年第40号",
        issuers=("国家发展改革委",),
        addressees=None,
        written_date="2026-02-09",
        effective_date="2026-04-01",
        first_body="《粮食流通行政执法办法》已经2026年2月5日第27次委务会议审议通过，现予公布，自2026年4月1日起施行。",
        first_closing="主任：郑栅洁",
    ),
    "fzggwl_t20260409_1404577.html": dict(
        title=None,
        doc_number="国家发展改革委令2026年第41号",
        issuers=("国家发展改革委",),
        addressees=None,
        written_date="2026-03-18",
        effective_date="2026-07-01",
        first_body="《电力重大事故隐患判定标准及治理监督管理规定》已经2026年3月16日第29次委务会议审议通过，现予公布，自2026年7月1日起施行。",
        first_closing="主任：郑栅洁",
    ),
}


def test_every_real_detail_page_has_expectations():
    assert sorted(p.name for p in PAGES.glob("*_t*.html")) == sorted(PAGE_EXPECTED)


@pytest.mark.parametrize("name", sorted(PAGE_EXPECTED))
@pytest.mark.parametrize("with_centering", [True, False], ids=["centred", "uncentred"])
def test_real_detail_pages(fixtures_dir, name, with_centering):
    paras, centered = editor_paragraphs(PAGES / name)
    meta = read_body(paras, centered if with_centering else frozenset())
    want = PAGE_EXPECTED[name]
    assert meta.title == want["title"]
    assert meta.doc_number == want["doc_number"]
    assert meta.issuers == want["issuers"]
    assert meta.addressees == want["addressees"]
    assert meta.written_date == want["written_date"]
    assert meta.effective_date == want["effective_date"]
    assert paras[meta.header_end] == want["first_body"]
    assert paras[meta.closing_start] == want["first_closing"]
    assert meta.warnings == ()


def test_name_split_across_two_spans_becomes_one_issuer(fixtures_dir):
    # tz_t20260625_1406079 prints 国 and 家发展改革委 in two spans; a reader that made two
    # paragraphs of them must still give one issuer.
    paras, _ = editor_paragraphs(PAGES / "tz_t20260625_1406079.html")
    i = paras.index("国家发展改革委")
    split = paras[:i] + ["国", "家发展改革委"] + paras[i + 1 :]
    meta = read_body(split)
    assert meta.issuers == ("国家发展改革委", "国家能源局")
    assert split[meta.closing_start] == "国"


def test_rendering_paragraphs_match_expected(fixtures_dir):
    from parsers.rendering import extract_rendering

    expected = json.loads((FIXTURES / "expected" / "tz_2022_408_rendering.json").read_text("utf-8"))
    extract = extract_rendering((RENDERINGS / "tz_2022_408_rendering.txt").read_text("utf-8"), None)
    meta = read_body(extract.paragraphs)
    assert meta.title == expected["title"]
    assert meta.doc_number == expected["doc_number"]
    assert list(meta.issuers) == expected["issuers"]
    assert meta.addressees == expected["addressees"]
    assert meta.written_date is expected["written_date"] is None
    assert extract.paragraphs[meta.header_end] == expected["preamble"]
    assert extract.paragraphs[meta.closing_start] == "国家发展改革委"
    assert extract.paragraphs[meta.closing_start - 1].startswith("（二十一）加强跟踪评估")


def _notice(signature: list[str], *, title=("国家发展改革委关于做好有关工作的通知",), tail=()) -> list[str]:
    return [
        *title,
        "发改办运行〔2023〕12号",
        "各省、自治区、直辖市发展改革委：",
        "为做好有关工作，现将有关事项通知如下：",
        "一、加强组织领导",
        "各地要高度重视。",
        *signature,
        *tail,
    ]


def test_eight_agencies_in_one_block_with_chinese_numeral_date():
    names = ["国家发展改革委", "教 育 部", "工业和信息化部", "财  政  部", "人力资源社会保障部",
             "中国人民银行", "国家税务总局", "全国总工会"]  # fmt: skip
    meta = read_body(_notice(names + ["二〇二二年三月十六日"], tail=["（此件公开发布）"]))
    assert meta.issuers == ("国家发展改革委", "教育部", "工业和信息化部", "财政部", "人力资源社会保障部",
                            "中国人民银行", "国家税务总局", "全国总工会")  # fmt: skip
    assert meta.written_date == "2022-03-16"
    assert meta.doc_number == "发改办运行〔2023〕12号"
    assert meta.addressees == "各省、自治区、直辖市发展改革委"


def test_signature_block_without_a_date_and_agencies_on_one_line():
    paras = _notice(["国家发展改革委  财政部", "商 务 部"])
    meta = read_body(paras)
    assert meta.issuers == ("国家发展改革委", "财政部", "商务部")
    assert meta.written_date is None
    assert paras[meta.closing_start] == "国家发展改革委  财政部"


def test_closing_takes_in_attachment_list_cc_and_notes():
    paras = _notice(
        ["国家发展改革委", "2024年1月5日"],
        tail=["（此件公开发布）", "抄送：国务院办公厅", "国家发展改革委办公厅 2024年1月8日印发"],
    )
    i = paras.index("国家发展改革委", 3)
    paras[i:i] = ["附件：1．重点项目清单", "2．资金安排表"]
    meta = read_body(paras)
    assert paras[meta.closing_start] == "附件：1．重点项目清单"
    assert paras[meta.closing_start - 1] == "各地要高度重视。"
    assert meta.written_date == "2024-01-05"
    assert meta.issuers == ("国家发展改革委",)


def test_issuers_from_title_when_signature_missing_says_so():
    meta = read_body(["国家发展改革委 交通运输部关于印发", "《物流网建设实施方案》的通知", "发改经贸〔2026〕1241号",
                      "各省、自治区、直辖市人民政府：", "现印发给你们，请认真贯彻执行。"])  # fmt: skip
    assert meta.issuers == ("国家发展改革委", "交通运输部")
    assert any("title" in w for w in meta.warnings)


def test_title_naming_agencies_with_deng_gives_no_issuers_but_a_warning():
    meta = read_body(["国家发展改革委等部门关于推进绿色发展的意见", "发改开放〔2022〕408号", "各有关单位：", "现提出如下意见。"])
    assert meta.issuers == ()
    assert any("等部门" in w for w in meta.warnings)


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("本办法自2026年4月1日起施行。", "2026-04-01"),
        ("本规定自2025年10月1日起实施。", "2025-10-01"),
        ("本通知自2024年1月1日起执行，有效期5年。", "2024-01-01"),
        ("本决定自二〇二三年七月一日起生效。", "2023-07-01"),
        ("本通知自印发之日起施行。", None),
        ("本办法自发布之日起施行，2010年1月1日起施行的原办法同时废止。", None),
        ("各地要抓好落实。", None),
    ],
)
def test_effective_date(sentence, expected):
    meta = read_body(_notice(["国家发展改革委", "2026年3月1日"])[:5] + [sentence, "国家发展改革委", "2026年3月1日"])
    assert meta.effective_date == expected


def test_two_effective_dates_keep_the_first_and_warn():
    meta = read_body(["第一条 本办法自2026年4月1日起施行。", "第二条 附表自2026年7月1日起实施。"])
    assert meta.effective_date == "2026-04-01"
    assert any("2026-07-01" in w for w in meta.warnings)


def test_attachment_text_title_ends_at_first_article():
    paras = ["附件1", "粮食流通行政执法办法", "第一章  总则", "第一条 为了规范粮食流通行政执法行为，制定本办法。"]
    meta = read_body(paras)
    assert meta.title == "粮食流通行政执法办法"
    assert meta.header_end == 2
    assert meta.closing_start == len(paras)
    assert meta.doc_number is None


def test_order_number_year_from_promulgation_text_when_unsigned():
    meta = read_body(["中华人民共和国国家发展和改革委员会令", "第7号", "《某办法》已经2014年3月1日委务会议审议通过，现予公布，自2014年5月1日起施行。"])
    assert meta.doc_number == "国家发展改革委令2014年第7号"
    assert meta.effective_date == "2014-05-01"


def test_agency_recognition_is_by_list_not_by_position():
    assert is_agency("国家发展改革委") and is_agency("全国总工会") and is_agency("共青团中央")
    assert is_agency("国家金融监督管理总局") and is_agency("海关总署")
    assert not is_agency("加强组织领导") and not is_agency("总体要求") and not is_agency("座谈会")
    assert agencies_in_line("生 态 环 境 部") == ["生态环境部"]
    assert agencies_in_line("水  利  部") == ["水利部"]
    assert agencies_in_line("一、总体要求") == []


def test_body_without_any_header_or_closing():
    paras = ["为做好工作，提出以下意见。", "各地要抓好落实。"]
    meta = read_body(paras)
    assert (meta.title, meta.doc_number, meta.addressees, meta.issuers) == (None, None, None, ())
    assert (meta.header_end, meta.closing_start) == (0, 2)


def test_empty_body():
    assert read_body([]) == BodyMeta(None, None, (), None, None, None, 0, 0, ())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                ["国家发展改革委", "外 交 部", "2026年8月18日", "二〇二二年十三月四十日", "第40号", "各有关单位：",
                 "中华人民共和国国家发展和改革委员会令", "发改开放〔2022〕408号", "附件：", "1．清单", "主任：郑栅洁",
                 "自2026年2月30日起施行", "国", "（此件公开发布）", "关于", ""]  # fmt: skip
            ),
        ),
        max_size=15,
    ),
    st.frozensets(st.integers(min_value=-2, max_value=20), max_size=5),
)
def test_fuzz_never_raises(paras, centered):
    meta = read_body(paras, centered)
    assert 0 <= meta.header_end <= meta.closing_start <= len(paras)
    assert all(isinstance(w, str) and w for w in meta.warnings)


def test_signature_of_a_cover_letter_followed_by_the_attached_text():
    # Older notices print the whole attached document after the cover letter's signature.
    paras = [
        "国家发展改革委关于印发《某管理办法》的通知",
        "发改投资规〔2019〕1000号",
        "各省、自治区、直辖市发展改革委：",
        "现将《某管理办法》印发给你们，请遵照执行。",
        "国家发展改革委",
        "2019年6月1日",
        "某管理办法",
        "第一条 为规范管理，制定本办法。",
        "第二条 本办法自2019年7月1日起施行。",
    ]
    meta = read_body(paras)
    assert meta.issuers == ("国家发展改革委",)
    assert meta.written_date == "2019-06-01"
    assert meta.effective_date == "2019-07-01"
    assert meta.closing_start == len(paras)  # the attached text's articles stay inside the body
    assert meta.doc_number == "发改投资规〔2019〕1000号"


def test_announcement_heading_and_number_line_give_its_number():
    """公告 pages print 中华人民共和国国家发展和改革委员会公告 / 2026年第3号 on two lines."""
    meta = read_body(["中华人民共和国国家发展和改革委员会公告", "2026年第3号", "为做好价格监测工作，现公告如下。",
                      "一、监测范围", "国家发展改革委", "2026年3月2日"])
    assert meta.doc_number == "国家发展改革委公告2026年第3号"
    assert meta.issuers == ("国家发展改革委",)
    assert meta.header_end == 2
    # without a year on the number line the signature date gives it
    meta = read_body(["中华人民共和国国家发展和改革委员会公告", "第3号", "为做好工作。", "国家发展改革委", "2026年3月2日"])
    assert meta.doc_number == "国家发展改革委公告2026年第3号"
    # a title ending in 公告 is no heading
    assert read_body(["关于做好春运工作的公告", "各有关单位：", "为做好工作。"]).doc_number is None


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["国家发展改革委", "APEC", "2026", "a", "。", " ", "  ", "\u3000", "\u00a0", "\t", "\n", "\u2003", "\u200b", "x1", "（", "）"]), max_size=12).map("".join))
def test_space_cleaning_shortcut_agrees_with_the_pattern(text):
    """`clean_spaces` joins split words directly; the regex substitution is the reference."""
    from parsers.body_text import clean_spaces, clean_spaces_by_pattern

    assert clean_spaces(text) == clean_spaces_by_pattern(text)


_SPACED_PIECES = st.sampled_from(["国家发展改革委", "APEC", "2026", "a", "。", " ", "  ", "\u3000", "\u00a0", "\t", "\n",
                                  "\u2003", "\u200b", "x1", "（", "）"])


@settings(max_examples=600, deadline=None)
@given(st.lists(st.lists(_SPACED_PIECES, max_size=6).map("".join), max_size=4))
def test_clean_lines_joined_are_clean(lines):
    """read_header joins a title's cleaned lines without cleaning the whole again: it would change nothing."""
    from parsers.body_text import clean_spaces

    joined = "".join(map(clean_spaces, lines))
    assert clean_spaces(joined) == joined


def test_an_interpretation_citing_its_policy_has_no_number_of_its_own():
    """A 解读 page is short and ends on the number of the policy it explains: a citation, which
    must not become the 解读's own 文号 (nor make its whole body a header)."""
    body = [
        "近日，国家发展改革委印发《价格监测管理暂行办法》 2019年第1号令。为便于社会各界更好理解和执行，现就有关问题解读如下。",
        "问：出台《价格监测管理暂行办法》的背景是什么？",
        "答：稳步扩大标准规范体系，切实防范化解重大风险。",
        "原文链接：《价格监测管理暂行办法》 2019年第1号令",
    ]
    meta = read_body(body)
    assert meta.doc_number is None
    assert meta.header_end == 0



_NOISE = st.lists(st.sampled_from(["年", "日", "日起", "月", "之日", "印发", "审议通过", "，", "。", "第27次", "2026"]), max_size=4)
# A dated clause as the texts print it, complete or cut (no 起, no verb), in either numerals.
_DATED = st.builds(
    "{}{}年{}月{}日{}".format,
    st.sampled_from(["", "自", "于", "从"]),
    st.sampled_from(["2026", "二〇二六"]),
    st.sampled_from(["4", "12", "十二"]),
    st.sampled_from(["1", "31", "三十一"]),
    st.sampled_from(["起施行", "开始实施", "起生效", "起", "施行"]),
)


@settings(max_examples=800, deadline=None)
@given(_NOISE, _DATED, _NOISE, _DATED, _NOISE)
def test_the_effective_date_scan_from_its_bounds_finds_every_match(noise1, first, noise2, second, noise3):
    """read_effective_date scans a compact line for EFFECTIVE from the bounds its first 年 and its
    first 日起 / 日开始 set: from there it finds the matches a scan of the whole line finds."""
    from parsers.body_dates import (
        EFFECTIVE,
        EFFECTIVE_DAY_REACH,
        EFFECTIVE_LEAD,
        _first_day_then_start,
    )

    line = "".join(noise1) + first + "".join(noise2) + second + "".join(noise3)
    full = [m.span() for m in EFFECTIVE.finditer(line)]
    year_at, day_at = line.find("年"), _first_day_then_start(line)
    if day_at < 0:
        assert full == []
    else:
        start = max(year_at - EFFECTIVE_LEAD, day_at - EFFECTIVE_DAY_REACH, 0)
        assert [m.span() for m in EFFECTIVE.finditer(line, start)] == full


def test_read_body_takes_any_iterable_of_paragraphs():
    paragraphs = ["关于某事的通知", "各省：", "请遵照执行。", "国家发展改革委", "2026年8月18日"]
    expected = read_body(paragraphs)
    assert expected.written_date == "2026-08-18" and expected.issuers == ("国家发展改革委",)
    assert read_body(iter(paragraphs)) == expected
    assert read_body(tuple(paragraphs)) == expected
    assert read_body(p for p in paragraphs) == expected


_DATE_DIGITS = st.sampled_from(list("0123456789") + ["０", "٣", "〇", "二", "十"])


@settings(max_examples=1500, deadline=None)
@given(
    year=st.one_of(st.integers(0, 9999).map("{:04d}".format), st.text(_DATE_DIGITS, min_size=4, max_size=4)),
    month=st.one_of(st.integers(0, 99).map(str), st.integers(0, 99).map("{:02d}".format), st.text(_DATE_DIGITS, min_size=1, max_size=3)),
    day=st.one_of(st.integers(0, 99).map(str), st.integers(0, 99).map("{:02d}".format), st.text(_DATE_DIGITS, min_size=1, max_size=3)),
)
def test_iso_date_look_up_reads_as_the_date_values_do(year, month, day):
    """iso_date's table of ASCII month/day spellings gives what date() makes of the numbers."""
    from parsers.body_dates import DATE_LINE, iso_date, iso_date_by_value

    match = DATE_LINE.match(f"{year}年{month}月{day}日")
    if match is None:
        return
    warned, expected_warnings = [], []
    assert iso_date(match, warned) == iso_date_by_value(match, expected_warnings)
    assert warned == expected_warnings
    for leap in ("2024年2月29日", "2000年02月29日", "1900年2月29日", "2026年2月29日", "0000年1月1日"):
        assert iso_date(DATE_LINE.match(leap), []) == iso_date_by_value(DATE_LINE.match(leap), [])
