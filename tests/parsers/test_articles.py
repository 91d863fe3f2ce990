"""split_articles: the golden real page, order-style texts, deep 公文 nesting, and fuzzing."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.articles import ArticleSplit, split_articles

# --- golden: 发改开放〔2022〕408号 as a browser rendered it ------------------------------------

# 1-based line numbers in renderings/tz_2022_408_rendering.txt.
ADDRESSEES_LINE = 9  # 各省、自治区、… ：
SIGNATURE_LINE = 101  # 国家发展改革委 (first signature line)
BOX_LINES = range(37, 60)  # 排行榜 … 相关解读 … 一图读懂: the sidebar the rendering put mid-sentence
CUT_LINE, CONTINUATION_LINE = 35, 60  # "…可再生能源发" + "电、先进核电…"


def _golden_paragraphs(fixtures_dir) -> list[str]:
    lines = (fixtures_dir / "renderings" / "tz_2022_408_rendering.txt").read_text("utf-8").split("\n")
    line = {n: text for n, text in enumerate(lines, start=1)}
    assert line[ADDRESSEES_LINE].endswith("：") and line[SIGNATURE_LINE] == "国家发展改革委"
    assert line[BOX_LINES.start] == "排行榜" and line[CUT_LINE].endswith("可再生能源发")
    paragraphs = []
    for n in range(ADDRESSEES_LINE + 1, SIGNATURE_LINE):
        if n in BOX_LINES:
            continue
        if n == CUT_LINE:
            paragraphs.append(line[CUT_LINE] + line[CONTINUATION_LINE])
        elif n != CONTINUATION_LINE:
            paragraphs.append(line[n])  # blank and whitespace-only lines included: they must be skipped
    return paragraphs


def test_golden_408(fixtures_dir):
    expected = json.loads((fixtures_dir / "expected" / "tz_2022_408_rendering.json").read_text("utf-8"))
    result = split_articles(_golden_paragraphs(fixtures_dir))
    assert isinstance(result, ArticleSplit)
    assert result.warnings == ()
    assert result.preamble == expected["preamble"]
    assert len(result.articles) == len(expected["articles"]) == 26
    parent_of_level2 = None
    for seq, (got, want) in enumerate(zip(result.articles, expected["articles"])):
        for key in ("label", "number", "level", "heading", "text"):
            assert getattr(got, key) == want[key], (seq, key)
        assert got.seq == seq and got.source == "body"
        if want["level"] == 1:
            assert got.parent is None
            parent_of_level2 = seq
        else:
            assert got.parent == parent_of_level2
    # the (一)… count runs across the 一、… sections without a warning: (四) opens 二、
    assert [a.label for a in result.articles if a.parent == 4][:1] == ["（四）"]


def test_source_is_carried():
    result = split_articles(["一、总则", "正文。"], source="attachment:2")
    assert [a.source for a in result.articles] == ["attachment:2"]


# --- order-style texts ------------------------------------------------------------------------

ORDER_TEXT = [
    "第一章　总　则",
    "第一条　为了规范粮食流通行政执法行为，根据《粮食流通管理条例》，制定本办法。",
    "第二条　县级以上粮食和储备行政管理部门对下列活动实施监督检查：",
    "（一）粮食收购、储存活动；",
    "（二）政策性粮食购销活动。",
    "前款规定以外的活动，依照有关规定执行。",
    "第二条之一　本条为示例。",
    "第二章　监督检查",
    "第三条 粮食和储备行政管理部门依法履行职责。",
    "第四条本办法自2026年4月1日起施行。",
]


def test_order_style():
    result = split_articles(ORDER_TEXT)
    rows = [(a.label, a.number, a.level, a.heading, a.parent) for a in result.articles]
    assert rows == [
        ("第一章", 1, 1, "总则", None),
        ("第一条", 1, 2, None, 0),
        ("第二条", 2, 2, None, 0),
        ("（一）", 1, 3, None, 2),
        ("（二）", 2, 3, None, 2),
        ("第二条之一", 2, 2, None, 0),
        ("第二章", 2, 1, "监督检查", None),
        ("第三条", 3, 2, None, 6),
        ("第四条", 4, 2, None, 6),
    ]
    texts = [a.text for a in result.articles]
    assert texts[0] == "" and texts[1].startswith("为了规范") and texts[1].endswith("制定本办法。")
    assert texts[2] == "县级以上粮食和储备行政管理部门对下列活动实施监督检查："
    # (二) is an item; the unnumbered paragraph after it stays with the innermost open unit
    assert texts[4] == "政策性粮食购销活动。\n前款规定以外的活动，依照有关规定执行。"
    assert texts[8] == "本办法自2026年4月1日起施行。"
    assert result.warnings == () and result.preamble is None


def test_large_article_numbers():
    paras = [f"第{n}条 内容。" for n in ("一百零一", "一百零二", "一百零三")]
    assert [a.number for a in split_articles(paras).articles] == [101, 102, 103]
    assert split_articles(["（二十一）加强跟踪评估。正文"]).articles[0].number == 21


# --- 公文 nesting ---------------------------------------------------------------------------

DEEP = [
    "为做好有关工作，现通知如下。",
    "一、总体要求",
    "（一）指导思想。以新发展理念为指导，推动高质量发展。",
    "1. 工作目标",
    "（1）年度目标。到2025年，基本建立制度。",
    "①完成试点",
    "②全面推开，覆盖全部地区",
    "（2）中期目标",
    "2．保障措施",
    "(二)基本原则",
    "二、重点任务",
    "1、加强统筹",
]


def test_deep_nesting():
    result = split_articles(DEEP)
    rows = [(a.label, a.number, a.level, a.parent, a.heading, a.text) for a in result.articles]
    assert rows == [
        ("一、", 1, 1, None, "总体要求", ""),
        ("（一）", 1, 2, 0, "指导思想", "以新发展理念为指导，推动高质量发展。"),
        ("1.", 1, 3, 1, "工作目标", ""),
        ("（1）", 1, 4, 2, "年度目标", "到2025年，基本建立制度。"),
        ("①", 1, 5, 3, "完成试点", ""),
        ("②", 2, 5, 3, None, "全面推开，覆盖全部地区"),
        ("（2）", 2, 4, 2, "中期目标", ""),
        ("2．", 2, 3, 1, "保障措施", ""),
        ("(二)", 2, 2, 0, "基本原则", ""),
        ("二、", 2, 1, None, "重点任务", ""),
        # 1、 skips the (一) level here: it nests under 二、 at the next depth, not at depth 3
        ("1、", 1, 2, 9, "加强统筹", ""),
    ]
    assert result.preamble == "为做好有关工作，现通知如下。"
    assert result.warnings == ()


def test_outermost_numbering_is_level_one():
    result = split_articles(["（一）第一项", "1. 细目", "（二）第二项"])
    assert [(a.label, a.level, a.parent) for a in result.articles] == [
        ("（一）", 1, None), ("1.", 2, 0), ("（二）", 1, None),
    ]  # fmt: skip


def test_units_open_only_at_paragraph_start():
    paras = [
        "一、总体要求",
        "根据第三条规定，按照“（一）”所列执行。",
        "1.5亿元资金用于试点。",
        "2025年目标全部实现。",
        "1、2号机组同步改造。",
        "“（二）”所引内容不是编号。",
    ]
    result = split_articles(paras)
    assert [a.label for a in result.articles] == ["一、"]
    assert result.articles[0].text == "\n".join(paras[1:])


def test_heading_rules():
    cases = {
        "一、总体要求": ("总体要求", ""),
        "（一）指导思想。以…为指导": ("指导思想", "以…为指导"),
        "（二）完善资金、用地等政策。加大支持": ("完善资金、用地等政策", "加大支持"),
        "（三）各地区、各部门要高度重视，加强组织领导。": (None, "各地区、各部门要高度重视，加强组织领导。"),
        "（四）有关要求如下：": (None, "有关要求如下："),
        "（五）" + "长" * 31: (None, "长" * 31),
        "第一条 为了规范管理，制定本办法。": (None, "为了规范管理，制定本办法。"),
        "第五条 本办法自2026年7月1日起施行。": (None, "本办法自2026年7月1日起施行。"),
        # a "heading" ending in 。 with nothing under it is a one-sentence unit
        "（六）本通知自印发之日起施行。": (None, "本通知自印发之日起施行。"),
    }
    for para, (heading, text) in cases.items():
        (article,) = split_articles([para]).articles
        assert (article.heading, article.text) == (heading, text), para


def test_heading_of_a_unit_with_following_text_kept():
    result = split_articles(["（二）基本原则。", "绿色引领，互利共赢。", "政府引导，企业主体。"])
    (article,) = result.articles
    assert (article.heading, article.text) == ("基本原则", "绿色引领，互利共赢。\n政府引导，企业主体。")


@pytest.mark.parametrize(
    ("paras", "warning"),
    [
        (["一、甲", "三、丙"], "numbering jumps from 一、 to 三、"),
        (["一、甲", "二、乙", "二、乙"], "numbering repeats 二、"),
        (["一、甲", "二、乙", "一、甲"], "numbering goes back from 二、 to 一、"),
        (["三、丙"], "numbering starts at 三、"),
        (["第一条 甲", "第三条 丙"], "numbering jumps from 第一条 to 第三条"),
        (["一、甲", "（一）a", "（二）b", "二、乙", "（四）d"], "numbering jumps from （二） to （四）"),
    ],
)
def test_numbering_warnings(paras, warning):
    result = split_articles(paras)
    assert warning in result.warnings
    assert len(result.articles) == len(paras)  # still split, never dropped


def test_restart_and_continuation_under_new_parent_are_both_fine():
    restart = split_articles(["一、甲", "（一）a", "（二）b", "二、乙", "（一）c"])
    running = split_articles(["一、甲", "（一）a", "（二）b", "二、乙", "（三）c"])
    assert restart.warnings == () and running.warnings == ()


def test_empty_and_whitespace_paragraphs_skipped():
    result = split_articles(["", "  ", "\u3000\u3000", "\u3000\u3000前言。", "\u00a0", "一、甲", "\n", "　正文"])
    assert result.preamble == "前言。"
    assert [(a.label, a.heading, a.text) for a in result.articles] == [("一、", "甲", "正文")]
    assert split_articles([]) == ArticleSplit((), None, ())


def test_non_text_paragraph_is_a_warning():
    result = split_articles(["一、甲", None, "正文"])
    assert result.articles[0].text == "正文"
    assert any("not text" in w for w in result.warnings)


# --- fuzzing ----------------------------------------------------------------------------------

_LABELS = ["一、", "二、", "三、", "十一、", "（一）", "(二)", "（三）", "1.", "2．", "3、", "（1）", "(2)",
           "①", "②", "第一章", "第二章", "第一节", "第一条", "第二条", "第三条之一", "第一编", "〇、", "十十、"]  # fmt: skip
_TAILS = st.text(alphabet="总则要求为了，。：；、 \u30001.5年“”（）一二三", max_size=12)
_PARAGRAPH = st.one_of(
    st.builds(lambda label, tail: label + tail, st.sampled_from(_LABELS), _TAILS),
    _TAILS,
    st.text(max_size=20),
)


@settings(max_examples=300)
@given(st.lists(_PARAGRAPH, max_size=40))
def test_fuzz_structure(paragraphs):
    result = split_articles(paragraphs)
    articles = result.articles
    assert [a.seq for a in articles] == list(range(len(articles)))
    for a in articles:
        assert a.number >= 1
        if a.parent is None:
            assert a.level == 1
        else:
            assert 0 <= a.parent < a.seq
            assert a.level == articles[a.parent].level + 1
        assert a.heading is None or (0 < len(a.heading) <= 30 and "，" not in a.heading)
    assert all(isinstance(w, str) and "\n" not in w for w in result.warnings)
    # nothing is lost or invented: the same characters, spaces aside, except the 。 that ends a heading
    def chars(texts):
        return Counter(ch for t in texts for ch in t if not ch.isspace() and ch != "\ufeff")

    given_chars = chars(p for p in paragraphs if isinstance(p, str))
    kept = chars([result.preamble or ""] + [a.label + (a.heading or "") + a.text for a in articles])
    headings = sum(a.heading is not None for a in articles)
    assert set(given_chars - kept) <= {"。"} and (given_chars - kept)["。"] <= headings
    assert not kept - given_chars
