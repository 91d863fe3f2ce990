"""rendering.extract_rendering on the real page rendering and on the variants the site's pages take."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import boilerplate as rules
from parsers import parse
from parsers.model import Attachment, Link
from parsers.rendering import extract_rendering
from tests.conftest import FIXTURES, RENDERINGS

HTML2TEXT = Path(__file__).resolve().parents[1] / "renderings" / "html2text"

URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202203/t20220328_1320629.html"

# Where the real rendering's box starts and ends (the lines are part of the fixture).
BOX_START = "排行榜"
BOX_LAST = "一图读懂 | 关于推进共建“一带一路”的意见"
CUT_LEFT = "重点围绕高效低成本可再生能源发"


@pytest.fixture(scope="module")
def real_text(fixtures_dir) -> str:
    return (RENDERINGS / "tz_2022_408_rendering.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def expected(fixtures_dir) -> dict:
    return json.loads((FIXTURES / "expected" / "tz_2022_408_rendering.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def real(real_text):
    return extract_rendering(real_text, URL)


def split_box(text: str) -> tuple[list[str], list[str]]:
    """The real rendering's lines without its ranking+related box (the cut sentence rejoined), and the box."""
    lines = text.splitlines()
    start = lines.index(BOX_START)
    end = lines.index(BOX_LAST) + 1
    box = lines[start:end]
    rest = lines[:start] + lines[end:]
    # Rejoin the halves of the sentence the box cut: the line before the box and the first text after it.
    left = max(i for i in range(start) if rest[i].strip())
    right = next(i for i in range(start, len(rest)) if rest[i].strip())
    rest[left] = rest[left] + rest[right]
    del rest[left + 1 : right + 1]
    return rest, box


def cut_line(lines: list[str], line_start: str, after: str, box: list[str]) -> list[str]:
    """Insert the box into the line starting with `line_start`, cutting it after the text `after`."""
    i = next(k for k, line in enumerate(lines) if line.startswith(line_start))
    pos = lines[i].index(after) + len(after)
    return lines[:i] + [lines[i][:pos], ""] + box + ["", lines[i][pos:]] + lines[i + 1 :]


# --- the real rendering -------------------------------------------------------------------------


def test_real_rendering_chrome_metadata(real):
    assert real.publish_date == "2022-03-28"
    assert real.source == "开放司"
    assert real.category == "通知"
    assert real.title is None
    assert real.attachments == ()
    assert real.warnings == ()


def test_real_rendering_interpretations_deduplicated(real, expected):
    assert [{"title": i.title, "url": i.url} for i in real.interpretations] == expected["interpretations"]


def test_real_rendering_body_has_no_chrome(real, expected):
    body = "\n".join(real.paragraphs)
    for banned in expected["body_must_not_contain"]:
        assert banned not in body, banned
    assert "2023-05-15" not in body


def test_real_rendering_cut_sentence_is_whole(real, expected):
    article = next(a for a in expected["articles"] if a["label"] == "（五）")
    paragraph = next(p for p in real.paragraphs if p.startswith("（五）"))
    assert paragraph == f"（五）{article['heading']}。{article['text']}"
    assert not any(p.startswith("电、先进核电") for p in real.paragraphs)


def test_real_rendering_paragraphs_are_the_body_lines(real, real_text):
    rest, _ = split_box(real_text)
    start = rest.index("国家发展改革委等部门 关于推进共建“一带一路”绿色发展的意见")
    end = rest.index("商 务 部") + 1
    assert list(real.paragraphs) == [line.strip() for line in rest[start:end] if line.strip()]
    assert real.paragraphs[2].endswith("铁路局、民航局：")
    assert real.paragraphs[-4:] == ("国家发展改革委", "外 交 部", "生 态 环 境 部", "商 务 部")


# --- variants of the site ----------------------------------------------------------------------


def test_plain_text_rendering_without_links(real, real_text):
    # A browser's plain text view: no Markdown links, navigation words separated by spaces or lines.
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1 ", real_text)
    plain = plain.replace("发布时间：2022/03/28\n\n来源：开放司", "发布时间：2022/03/28    来源：开放司")
    assert "](" not in plain
    extract = extract_rendering(plain, None)
    assert extract.paragraphs == real.paragraphs
    assert extract.interpretations == real.interpretations
    assert (extract.publish_date, extract.source, extract.category) == ("2022-03-28", "开放司", "通知")


def test_plain_text_navigation_one_word_a_line(real, real_text):
    nav = "首页\n机构设置\n新闻动态\n政务公开\n政务服务\n发改数据\n互动交流\n当前位置：首页 > 政务公开 > 政策 > 通知 > 正文\n"
    lines = real_text.splitlines()
    lines[2] = nav
    extract = extract_rendering("\n".join(lines), None)
    assert extract.paragraphs == real.paragraphs
    assert extract.category == "通知"


@pytest.mark.parametrize(
    "line_start, after",
    [
        ("（十九）加强组织领导。", "加强党对共建“一带一路”绿色发展工作的集中统"),  # mid-word
        ("（四）加强绿色基础设施互联互通。", "在设计阶段合理选址选线，"),  # after a comma
        ("（二十）加强宣传引导。", "加强和改进“一带一路”国际传播工作，及时澄清、批驳"),  # mid-phrase, another paragraph
    ],
    ids=["mid-word", "comma", "mid-phrase"],
)
def test_box_cutting_a_sentence_elsewhere(real, real_text, line_start, after):
    rest, box = split_box(real_text)
    moved = cut_line(rest, line_start, after, box)
    extract = extract_rendering("\n".join(moved), None)
    assert extract.paragraphs == real.paragraphs
    assert extract.interpretations == real.interpretations
    body = "\n".join(extract.paragraphs)
    assert "排行榜" not in body and "抽水蓄能电站容量电价" not in body and "一图读懂" not in body


def test_box_right_after_a_full_stop_leaves_two_paragraphs(real, real_text):
    # A cut after 。 looks exactly like a paragraph break: the text stays whole, in two paragraphs.
    rest, box = split_box(real_text)
    moved = cut_line(rest, "（七）加强绿色产业合作。", "推动“走出去”企业绿色低碳发展。", box)
    extract = extract_rendering("\n".join(moved), None)
    whole = next(p for p in real.paragraphs if p.startswith("（七）"))
    i = next(k for k, p in enumerate(extract.paragraphs) if p.startswith("（七）"))
    assert extract.paragraphs[i] + extract.paragraphs[i + 1] == whole
    assert len(extract.paragraphs) == len(real.paragraphs) + 1


def test_box_after_a_heading_joins_nothing(real, real_text):
    rest, box = split_box(real_text)
    i = rest.index("一、总体要求")
    moved = rest[: i + 1] + [""] + box + [""] + rest[i + 1 :]
    extract = extract_rendering("\n".join(moved), None)
    assert extract.paragraphs == real.paragraphs


def test_related_reading_after_the_body(real, real_text):
    rest, box = split_box(real_text)
    ranking, related = box[: box.index("相关解读")], box[box.index("相关解读") :]
    i = rest.index("商 务 部")
    moved = rest[:10] + ranking + rest[10 : i + 1] + ["", *related, ""] + rest[i + 1 :]
    extract = extract_rendering("\n".join(moved), None)
    assert extract.paragraphs == real.paragraphs
    assert extract.interpretations == real.interpretations


MARKDOWN_PAGE = """\
* [首页](https://www.ndrc.gov.cn/)
* [政务公开](https://www.ndrc.gov.cn/xxgk/)

[首页](https://www.ndrc.gov.cn/) > [政务公开](../../../) > [政策](../../) > [发展改革委令](../)

# 《粮食流通行政执法办法》 2026年第40号令

发布时间：2026/02/11 来源：法规司 [打印] 分享到：[微博](#) [微信](#)

**中华人民共和国国家发展和改革委员会令**

**第40号**

《粮食流通行政执法办法》已经2026年2月5日第27次委务会议审议通过，现予公布，自2026年4月1日起施

## 排行榜

* 01 [关于第三监管周期省级电价及有关事项的通知](../../tz/202305/t20230515_1.html)
  2023-05-15
* 02 [2023年4月28日24时起全国电价按机制下调](../../tz/202304/t20230428_2.html)
  2023-04-28

## 相关政策与解读

* [《粮食流通行政执法办法》解读](../../../jd/jd/202602/t20260211_1403700.html)
* [一图读懂 | 粮食流通行政执法办法](../../../jd/zctj/202602/t20260211_1403701.html)
* [《粮食流通行政执法办法》解读](../../../jd/jd/202602/t20260211_1403700.html)

行。

主任：郑栅洁

2026年2月9日

附件：

[《粮食流通行政执法办法》.pdf](./P020260211543515263965.pdf)
[《粮食流通行政执法办法》.ofd](./P020260211543515713378.ofd)

---

[网站地图](#) | [联系我们](#)

主办单位：

中华人民共和国国家发展和改革委员会

网站标识码：bm04000007 京ICP备05052393号
"""
ORDER_URL = "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202602/t20260211_1403694.html"


def test_markdown_rendering_with_headings_bold_links_and_bullets():
    extract = extract_rendering(MARKDOWN_PAGE, ORDER_URL)
    assert extract.title == "《粮食流通行政执法办法》 2026年第40号令"
    assert extract.paragraphs == (
        "中华人民共和国国家发展和改革委员会令",
        "第40号",
        "《粮食流通行政执法办法》已经2026年2月5日第27次委务会议审议通过，现予公布，自2026年4月1日起施行。",
        "主任：郑栅洁",
        "2026年2月9日",
    )
    assert extract.category == "发展改革委令"
    assert (extract.publish_date, extract.source) == ("2026-02-11", "法规司")
    assert extract.interpretations == (
        Link("《粮食流通行政执法办法》解读", "https://www.ndrc.gov.cn/xxgk/jd/jd/202602/t20260211_1403700.html"),
        Link("一图读懂 | 粮食流通行政执法办法", "https://www.ndrc.gov.cn/xxgk/jd/zctj/202602/t20260211_1403701.html"),
    )
    assert extract.attachments == (
        Attachment("《粮食流通行政执法办法》.pdf", "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202602/P020260211543515263965.pdf", "pdf"),
        Attachment("《粮食流通行政执法办法》.ofd", "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202602/P020260211543515713378.ofd", "ofd"),
    )


def test_markdown_rendering_feeds_the_body_reader():
    from parsers.metadata import read_body

    meta = read_body(extract_rendering(MARKDOWN_PAGE, ORDER_URL).paragraphs)
    assert meta.doc_number == "国家发展改革委令2026年第40号"
    assert meta.effective_date == "2026-04-01"
    assert meta.issuers == ("国家发展改革委",)
    assert meta.written_date == "2026-02-09"


def test_interpretation_links_without_page_url_keep_absolute_only():
    text = "正文第一段。\n\n相关解读\n\n- [解读一](https://www.ndrc.gov.cn/jd/jd/1.html)\n- [解读二](../jd/2.html)\n- [解读一](#)\n"
    extract = extract_rendering(text, None)
    assert extract.paragraphs == ("正文第一段。",)
    assert extract.interpretations == (Link("解读一", "https://www.ndrc.gov.cn/jd/jd/1.html"), Link("解读二", None))


def test_markup_stripping():
    assert rules.strip_markup("**国家发展改革委** 关于[印发](x.html)的*通知*") == (
        "国家发展改革委 关于印发的通知", [("印发", "x.html")], 0)  # fmt: skip
    assert rules.strip_markup("## 一、总体要求")[0::2] == ("一、总体要求", 2)
    assert rules.strip_markup("1. 加强领导。")[0] == "1. 加强领导。"  # an article label, not list markup
    assert rules.strip_markup("![二维码](qr.png)")[0] == ""


def test_only_chrome_gives_no_paragraphs_and_a_warning():
    extract = extract_rendering("[首页](#)[机构设置](#)\n\n[打印]\n\n[网站地图](#) | [联系我们](#)\n", None)
    assert extract.paragraphs == ()
    assert extract.warnings


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                ["排行榜", "相关解读", "- 01 标题", "2023-05-15", "[a](b)", "# 标题", "**", "首页 > 通知", "发布时间：2022/13/40",
                 "来源：", "网站地图", "附件：", "[x.pdf](x.pdf)", "[y.pdf](http://[bad)", "可再生能源发", "电、先进核电。", ""]  # fmt: skip
            ),
        ),
        max_size=20,
    ),
    st.sampled_from([None, URL, "not a url", ""]),
)
def test_fuzz_never_raises(lines, url):
    extract = extract_rendering("\n".join(lines), url)
    assert all(p and p == p.strip() for p in extract.paragraphs)


def test_related_box_before_the_signature_closes_at_it(real, real_text):
    # Plain text: the box's titles carry no link; the signature lines after it are body again.
    rest, box = split_box(real_text)
    related = box[box.index("相关解读") :] + ["新版目录有哪些变化？"]
    i = rest.index("国家发展改革委")
    moved = rest[:i] + related + [""] + rest[i:]
    extract = extract_rendering("\n".join(moved), None)
    assert extract.paragraphs == real.paragraphs
    assert [i.title for i in extract.interpretations] == [i.title for i in real.interpretations] + ["新版目录有哪些变化？"]


def test_footer_words_inside_the_body_stay():
    text = "\n".join([
        "关于举办培训班的通知",
        "一、主办单位：国家发展改革委培训中心",
        "主办单位：国家发展改革委培训中心",
        "（三）加强技术支持",
        "技术支持：各地信息中心",
        "联系我们：010-12345678",
        "请各单位按时报名。",
        "",
        "[网站地图](#) | [联系我们](#)",
        "主办单位：中华人民共和国国家发展和改革委员会",
        "中华人民共和国国家发展和改革委员会",
        "技术支持：国家信息中心 中国经济信息网",
        "网站标识码：bm04000007 京ICP备05052393号",
    ])
    extract = extract_rendering(text, None)
    assert extract.paragraphs == (
        "关于举办培训班的通知",
        "一、主办单位：国家发展改革委培训中心",
        "主办单位：国家发展改革委培训中心",
        "（三）加强技术支持",
        "技术支持：各地信息中心",
        "联系我们：010-12345678",
        "请各单位按时报名。",
    )


@pytest.mark.parametrize("cut", [2, 4, 10])  # (a lone 中 is the font-size widget: 大 中 小)
def test_bold_heading_a_box_cut_in_two_is_read_whole(cut):
    # html2text of a 令 page with the 排行榜 box inside its bold heading: **中 / box /
    # 华人民共和国国家发展和改革委员会令** — each half kept its one ** as text, and the heading,
    # no longer an order's heading, gave no issuer.

    lines = (HTML2TEXT / "fzggwl_t20260211_1403694.live.md").read_text(encoding="utf-8").split("\n")
    heading = lines.index("**中华人民共和国国家发展和改革委员会令**")
    start = lines.index("排行榜")
    box = lines[start : lines.index("", start + 8)]  # the heading and its five ranked entries
    assert len(box) > 5
    text = "**中华人民共和国国家发展和改革委员会令**"
    cut_lines = [text[: 2 + cut], "", *box, "", text[2 + cut :]]
    url = "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202602/t20260211_1403694.html"
    own = parse("\n".join(lines).encode(), url=url).to_dict()
    got = parse("\n".join(lines[:heading] + cut_lines + lines[heading + 1 :]).encode(), url=url).to_dict()
    for key in ("title", "doc_number", "issuers", "written_date", "body_text"):
        assert got[key] == own[key], key
