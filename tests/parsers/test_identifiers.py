"""文号 and order numbers: normalise, find, split, and cut off the real listed titles."""

from __future__ import annotations

import re

import lxml.html
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from parsers.identifiers import (
    doc_number_parts,
    find_doc_numbers,
    normalize_doc_number,
    strip_title_number,
)
from parsers.model import DocNumberParts

from conftest import PAGES

# --- normalize_doc_number -------------------------------------------------------------------


@pytest.mark.parametrize(
    "cited",
    [
        "发改开放〔2022〕408号", "发改开放[2022]408号", "发改开放【2022】408号", "发改开放（2022）408号",
        "发改开放(2022)408号", "发改开放［2022］408号", "发改开放﹝2022﹞408号", "发改开放 [2022] 408 号",
        "发改开放\u3000〔2022〕\u3000408号", "发改开放〔2022〕\n408号", "发改\n开放〔20\n22〕4 08号",
        "发改开放〔２０２２〕４０８号",
    ],
)  # fmt: skip
def test_brackets_spaces_and_breaks_normalised(cited):
    assert normalize_doc_number(cited) == "发改开放〔2022〕408号"
    assert normalize_doc_number(f"根据《关于推进共建“一带一路”绿色发展的意见》（{cited}）要求") == "发改开放〔2022〕408号"


@pytest.mark.parametrize(
    "number",
    ["发改能源〔2026〕884号", "发改经贸〔2026〕1241号", "发改价格规〔2018〕917号", "发改办体改〔2026〕275号",
     "发改办财金〔2026〕589号", "发改低空〔2026〕123号"],
)  # fmt: skip
def test_ndrc_prefixes(number):
    assert normalize_doc_number(f"（{number}）") == number


@pytest.mark.parametrize(
    "lookalike",
    ["京发改规〔2017〕4号", "甘发改价格规〔2019〕12号", "冀发改办〔2020〕3号", "沪发改价管〔2021〕5号",
     "京 发改规〔2017〕4号", "市发改〔2022〕9号"],
)  # fmt: skip
def test_provincial_lookalikes_do_not_match(lookalike):
    assert normalize_doc_number(lookalike) is None
    assert normalize_doc_number(f"按照{lookalike}执行") is None


@pytest.mark.parametrize("lead", ["根据", "按照", "详见", "以及", "通知"])
def test_citation_lead_words_do_not_disqualify(lead):
    assert normalize_doc_number(f"{lead}发改办价格〔2018〕1号") == "发改办价格〔2018〕1号"


@pytest.mark.parametrize(
    "text",
    ["国家发展改革委令2014年第7号", "国家发展和改革委员会令2014年第7号", "国家发展改革委令（2014年第7号）",
     "《中央定价目录》 2014年第7号令", "国家发展改革委2014年第7号令", "中华人民共和国国家发展和改革委员会令 2014年 第 7 号"],
)  # fmt: skip
def test_orders_with_year(text):
    assert normalize_doc_number(text) == "国家发展改革委令2014年第7号"
    assert normalize_doc_number(text, year=1999) == "国家发展改革委令2014年第7号"  # printed year wins


def test_order_heading_without_year_takes_the_callers_year():
    heading = "中华人民共和国国家发展和改革委员会令\n第41号"
    assert normalize_doc_number(heading, year=2026) == "国家发展改革委令2026年第41号"
    assert normalize_doc_number(heading) == "国家发展改革委令第41号"
    assert doc_number_parts(normalize_doc_number(heading)) is None  # no year: not unique, not split


def test_other_agencies_orders_and_bare_numbers_do_not_match():
    assert normalize_doc_number("商务部2019年第1号令") is None
    assert normalize_doc_number("第41号") is None
    assert normalize_doc_number("2025年目标") is None
    assert normalize_doc_number("") is None
    assert normalize_doc_number(None) is None


def test_announcement():
    assert normalize_doc_number("国家发展改革委公告 2023年第1号") == "国家发展改革委公告2023年第1号"
    assert doc_number_parts("国家发展改革委公告2023年第1号") == DocNumberParts("国家发展改革委公告", 2023, 1)


def test_first_number_in_text_wins():
    text = "京发改规〔2017〕4号转发发改价格〔2015〕2号和发改能源〔2016〕3号"
    assert normalize_doc_number(text) == "发改价格〔2015〕2号"


# --- find_doc_numbers -----------------------------------------------------------------------


def test_find_doc_numbers_in_order_deduplicated():
    text = (
        "依据《国家发展改革委关于…的通知》（发改价格〔2015〕2136号）和发改能源\n〔2016〕\n 1163号，"
        "京发改规〔2017〕4号不算；再次引用发改价格[2015]2136号，以及国家发展改革委令2014年第7号、"
        "《某办法》 2026年第41号令。"
    )
    assert find_doc_numbers(text) == [
        "发改价格〔2015〕2136号",
        "发改能源〔2016〕1163号",
        "国家发展改革委令2014年第7号",
        "国家发展改革委令2026年第41号",
    ]
    assert find_doc_numbers("没有文号的段落。") == []


# --- doc_number_parts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "parts"),
    [
        ("发改开放〔2022〕408号", ("发改开放", 2022, 408)),
        ("发改价格规〔2018〕917号", ("发改价格规", 2018, 917)),
        ("发改办体改〔2026〕275号", ("发改办体改", 2026, 275)),
        ("国家发展改革委令2026年第41号", ("国家发展改革委令", 2026, 41)),
        ("发改开放 [2022] 408 号", ("发改开放", 2022, 408)),
        ("2026年第41号令", ("国家发展改革委令", 2026, 41)),
        ("财建〔2021〕1号", ("财建", 2021, 1)),
    ],
)
def test_doc_number_parts(number, parts):
    assert doc_number_parts(number) == DocNumberParts(*parts)


@pytest.mark.parametrize("junk", ["", "发改开放", "〔2022〕408号", "第41号", "hello", None])
def test_doc_number_parts_none(junk):
    assert doc_number_parts(junk) is None


# --- strip_title_number ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("关于印发《物流网建设实施方案》的通知(发改经贸〔2026〕1241号)",
         ("关于印发《物流网建设实施方案》的通知", "发改经贸〔2026〕1241号")),
        ("关于印发《物流网建设实施方案》的通知（发改经贸〔2026〕1241号）",
         ("关于印发《物流网建设实施方案》的通知", "发改经贸〔2026〕1241号")),
        (" 关于修订省间电力现货交易规则的复函 ( 发改办体改[2026] 275号 )\u3000",
         ("关于修订省间电力现货交易规则的复函", "发改办体改〔2026〕275号")),
        ("《粮食流通行政执法办法》 2026年第40号令", ("《粮食流通行政执法办法》", "国家发展改革委令2026年第40号")),
        ("国家发展改革委关于废止部分规章的决定 2023年第5号令",
         ("国家发展改革委关于废止部分规章的决定", "国家发展改革委令2023年第5号")),
        ("关于联合印发…的通知(财建〔2021〕1号)", ("关于联合印发…的通知", "财建〔2021〕1号")),
        ("《电能质量管理办法(暂行)》", ("《电能质量管理办法(暂行)》", None)),
        ("《产业结构调整指导目录(2024年本)》", ("《产业结构调整指导目录(2024年本)》", None)),
        ("关于印发贯彻实施民营经济促进法典型案例(第一批)的通知", ("关于印发贯彻实施民营经济促进法典型案例(第一批)的通知", None)),
        ("  没有文号的标题 ", ("没有文号的标题", None)),
        ("2026年第40号令", ("2026年第40号令", None)),
    ],
)  # fmt: skip
def test_strip_title_number(title, expected):
    assert strip_title_number(title) == expected


# Independent of the module's regexes: a title ending in a bracket that holds 〔YYYY〕N号, or in N号令.
_ENDS_IN_NUMBER = re.compile(r"[(（]([^()（）]+〔\d{4}〕\d+号)[)）]$")
_ENDS_IN_ORDER = re.compile(r"\s(\d{4})年第(\d+)号令$")


def _listed_titles() -> list[str]:
    titles = []
    for page in sorted(PAGES.glob("*index*.html")):
        tree = lxml.html.parse(str(page))
        titles += tree.xpath("//ul[contains(concat(' ', @class, ' '), ' u-list ')]/li/a/@title")
    return titles


def test_every_listed_title_with_a_number_splits(fixtures_dir):
    titles = _listed_titles()
    assert len(titles) >= 100, "expected the 25-a-page list fixtures"
    split = 0
    for title in titles:
        head, number = strip_title_number(title)
        if m := _ENDS_IN_NUMBER.search(title):
            assert number == m[1], title
            assert head == title[: m.start()].strip(), title
            assert doc_number_parts(number).year == int(re.search(r"〔(\d{4})〕", number)[1])
            split += 1
        elif m := _ENDS_IN_ORDER.search(title):
            assert number == f"国家发展改革委令{m[1]}年第{m[2]}号", title
            assert head == title[: m.start()].strip() and head, title
            split += 1
        else:
            assert (head, number) == (title.strip(), None), title
        assert not head.endswith("号)") and not head.endswith("号令"), title
    assert split == len(titles)  # every title in these lists carries its number


@pytest.mark.parametrize("page", sorted(p.name for p in PAGES.glob("*_t2026*.html")))
def test_body_number_matches_title_number(page, fixtures_dir):
    """On the real detail pages the number printed in the body (an order's heading gives no
    year: it comes from the title) is the one the title carries."""
    tree = lxml.html.parse(str(PAGES / page)).getroot()
    title = tree.xpath("//meta[@name='ArticleTitle']/@content")[0]
    body = tree.xpath("//div[contains(@class, 'TRS_Editor')]")[0].text_content()
    _, number = strip_title_number(title)
    assert number is not None
    parts = doc_number_parts(number)
    assert normalize_doc_number(body, year=parts.year) == number
    assert find_doc_numbers(body, year=parts.year)[0] == number


@given(st.text(max_size=60))
def test_never_raises(text):
    number = normalize_doc_number(text)
    assert number is None or number in find_doc_numbers(text)
    head, stripped = strip_title_number(text)
    assert isinstance(head, str) and (stripped is None or isinstance(stripped, str))
    doc_number_parts(text)


@settings(max_examples=500, deadline=None)
@given(
    office=st.text(alphabet="经贸办价格规能源开放国家令公告年第号", max_size=7),
    year=st.integers(min_value=0, max_value=12000),
    serial=st.integers(min_value=0, max_value=99999),
    zeros=st.sampled_from(["", "0", "00"]),
)
def test_normalize_agrees_with_the_full_search_on_plain_numbers(office, year, serial, zeros):
    """normalize_doc_number's shortcut for a line that is already a normal 文号 gives what the
    full pattern finds, including around the shortcut's edges (leading zeros, 3/5-digit years)."""
    from parsers.identifiers import find_doc_numbers, normalize_doc_number

    text = f"发改{office}〔{year}〕{zeros}{serial}号"
    found = find_doc_numbers(text)
    assert normalize_doc_number(text) == (found[0] if found else None)


def test_printable_text_holds_no_space_but_the_ascii_one():
    """`_clean` skips its space pattern for printable text without " ": that holds only if every
    character str.isspace() knows (what the pattern's \\s matches) but " " is unprintable."""
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert [c for c in spaces if c != " " and c.isprintable()] == []


_SPACE = st.sampled_from(["", "", " ", "\u3000", "\n"])
# 文号 as they are written: normal, spaced, with stand-in brackets, zeros or full-width digits.
_WRITTEN_NUMBERS = st.builds(
    "{}{}{}{}{}{}{}号".format,
    st.sampled_from(["发改", "发改经贸", "发改办价格规", "财建", "京发改规", "国家发展改革委令", ""]),
    _SPACE,
    st.sampled_from("〔[【（(［"),
    st.sampled_from(["2026", "0202", "２０２６", "20 26", "202", "12026"]),
    st.sampled_from("〕]】）)］"),
    _SPACE,
    st.sampled_from(["1", "01", "1241", "１２", "0", "12 41"]),
)


@settings(max_examples=800, deadline=None)
@given(_WRITTEN_NUMBERS)
def test_split_shortcut_agrees_with_the_patterns(text):
    """doc_number_parts' shortcut for a normal NDRC 文号 gives what its patterns give."""
    from parsers.identifiers import _parts_by_pattern, doc_number_parts

    assert doc_number_parts(text) == _parts_by_pattern(text)


@settings(max_examples=800, deadline=None)
@given(_WRITTEN_NUMBERS, _SPACE, st.sampled_from(["()", "（）", "(）", "[]", "", "《》"]))
def test_title_number_shortcuts_agree_with_the_full_rewrite(number, space, brackets):
    """A title's 文号 that `_NORMAL_WENHAO_RE` calls normal is left as the rewrite would leave it,
    and searching from the first bracket finds the match a search from the start finds."""
    from parsers.identifiers import _NORMAL_WENHAO_RE, _TITLE_NUMBER_RE, _first_bracket_run, _normal_title_number

    if _NORMAL_WENHAO_RE.fullmatch(number):
        assert _normal_title_number(number) == number
    wrapped = f"{space}{brackets[:1]}{number}{brackets[1:]}"
    for title in (f"关于印发《办法》的通知{wrapped}", f"关于《办法（试行）》的通知{wrapped}", wrapped):
        full = _TITLE_NUMBER_RE.search(title)
        short = _TITLE_NUMBER_RE.search(title, _first_bracket_run(title))
        assert (full and full.span()) == (short and short.span())


@pytest.mark.parametrize(
    "line, expected",
    [
        ("发改经贸〔2026〕1241号", "发改经贸〔2026〕1241号"),
        ("（发改经贸[2026]1241号）", "发改经贸〔2026〕1241号"),
        ("发改能源〔2026〕884号签发人：张三", "发改能源〔2026〕884号"),
        ("文号：发改能源〔2026〕884号", "发改能源〔2026〕884号"),
        ("国家发展改革委令2026年第40号", "国家发展改革委令2026年第40号"),
        # a sentence citing a number is not a 文号 line (the close of a 解读 page)
        ("原文链接：关于印发《产业转移实施细则》的通知(发改办能源〔2026〕980号)", None),
        ("原文链接：《价格监测管理暂行办法》2019年第1号令", None),
        ("根据发改能源〔2026〕884号文件", None),
        ("京发改规〔2017〕4号", None),
    ],
)
def test_a_number_line_holds_the_number_and_little_else(line, expected):
    from parsers.identifiers import doc_number_line

    assert doc_number_line(line) == expected


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from([
    "国家发展改革委", "国家发展和改革委员会", "中华人民共和国", "国 家 发 展 改 革 委", "公告", "令", "第", "号",
    "2026", "年", "41", "发改", "发 改", "经贸", "〔", "〕", "（", "）", " ", "\n", "京", "根据", "商务部",
]), max_size=14))
def test_a_text_without_fa_or_ling_holds_no_number(pieces):
    """`_number_matches` skips the number pattern for a text with neither 发 nor 令: every
    form it matches holds one of them (发改, 国家发展…, …号令)."""
    from parsers.identifiers import _ANY_RE, find_doc_numbers

    text = "".join(pieces)
    if "发" not in text and "令" not in text:
        assert _ANY_RE.search(text) is None and find_doc_numbers(text) == []


@settings(max_examples=800, deadline=None)
@given(
    st.lists(st.sampled_from(["《办法》", "关于", "年", "第", "号", "令", "2026", "２０２６", "20 26", "40", " ", "\u3000",
                              "国家发展改革委", "国家发展和改革委员会", "国 家 发 展 改 革 委", "商务部", "(", "）"]), max_size=10),
    st.sampled_from(["2026年第40号令", " 2026年第40号令", "2026 年 第 40 号令 ", "年第40号令", "令"]),
)
def test_order_search_from_the_year_run_finds_the_full_search(pieces, tail):
    """strip_title_number searches a title's trailing order number from `_order_run_start`: the
    match found there is the one a search from the title's start finds."""
    from parsers.identifiers import _TITLE_ORDER_RE, _order_run_start

    title = "".join(pieces) + tail
    full = _TITLE_ORDER_RE.search(title)
    short = _TITLE_ORDER_RE.search(title, _order_run_start(title))
    assert (full and full.span()) == (short and short.span())


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.sampled_from(["关于", "《办法》", "的通知", "(试行)", "（", "）", "(", ")", "〔", "2026", "号", " ",
                              "\u3000", "\u2003", "发改", "经贸"]), max_size=8),
    _SPACE,
    st.sampled_from(["()", "（）", "(）", "（)"]),
    _WRITTEN_NUMBERS,
)
def test_a_plain_bracketed_number_is_cut_as_the_patterns_cut_it(pieces, space, brackets, number):
    """strip_title_number's shortcut for a title ending in a bracketed NDRC 文号 in normal form
    gives what its patterns give, whatever stands before that bracket."""
    from parsers.identifiers import _plain_bracket_number, _strip_by_pattern

    title = "".join(pieces) + space + brackets[0] + number + brackets[1]
    for text in (title, "".join(pieces) + ")", "".join(pieces)):
        text = text.strip(" \t\r\n\u00a0\u3000")
        plain = _plain_bracket_number(text) if "号" in text and text.endswith((")", "）")) else None
        if plain:
            assert plain == _strip_by_pattern(text)


def test_space_chars_are_what_isspace_knows():
    """`SPACE_CHARS` (stripped in C where a pattern's \\s may stand) is every str.isspace() character."""
    from parsers.identifiers import SPACE_CHARS

    assert sorted(SPACE_CHARS) == [chr(c) for c in range(0x110000) if chr(c).isspace()]


_NUMBER_PIECES = st.sampled_from(
    ["国家发展改革委令", "国家发展改革委公告", "国家发展和改革委员会令", "发改开放", "2026", "２０２６", "41", "０4",
     "年第", "第", "号", "〔", "〕", "(", "[", " ", "\u3000", "\n", "0", "٣", "令"]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_NUMBER_PIECES, max_size=8).map("".join))
@example("国家发展改革委令2026年第41号")
@example("国家发展改革委公告２０２６年第０4号")
@example("国家发展改革委令2026年第41号 ")
@example("发改开放〔2026〕41号")
def test_doc_number_parts_shortcuts_split_as_the_patterns_do(number):
    """doc_number_parts splits a normal form as it is: what the cleaning and patterns give too."""
    from parsers.identifiers import _parts_by_pattern

    assert doc_number_parts(number) == _parts_by_pattern(number)
