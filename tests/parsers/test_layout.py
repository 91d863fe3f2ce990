"""parsers.layout: rows, reading order, page furniture and paragraph joins on positioned lines."""

from __future__ import annotations

import random

from parsers.layout import Line, lines_to_paragraphs

EM = 16.0
LEFT = 72.0
WIDTH = 28 * EM  # a 28-character text block
RIGHT = LEFT + WIDTH
PITCH = 29.0


def width(text: str) -> float:
    return sum(EM if not c.isascii() else EM / 2 for c in text)


def run(page: int, row: int, x0: float, text: str, *, em: float = EM, x1: float | None = None) -> Line:
    """A run on row `row` of a page (rows PITCH apart, below a 100-point top margin)."""
    top = 100 + row * PITCH
    return Line(page, x0, top, x0 + width(text) * em / EM if x1 is None else x1, top + em, text, em)


def body_line(page: int, row: int, text: str, *, indent: int = 0, full: bool = True) -> Line:
    """A body line starting `indent` characters in; `full` lines are justified to the right margin."""
    x0 = LEFT + indent * EM
    return run(page, row, x0, text, x1=RIGHT if full else None)


def paragraphs(lines):
    return lines_to_paragraphs(lines)[0]


def test_wrapped_lines_join_and_indents_start_paragraphs():
    lines = [
        body_line(1, 0, "第一条为了规范政策文件的管理工作，提高文件质量，", indent=2),
        body_line(1, 1, "根据有关法律法规，制定本办法。本办法适用于国家发展改革委"),
        body_line(1, 2, "制定的规章。", full=False),
        body_line(1, 3, "第二条本办法所称政策文件，是指规章和规范性文件。", indent=2, full=False),
        body_line(1, 4, "第三条政策文件的起草应当深入调查研究，充分听取意见，", indent=2),
        body_line(1, 5, "并进行合法性审核。", full=False),
    ]
    assert paragraphs(lines) == (
        "第一条为了规范政策文件的管理工作，提高文件质量，根据有关法律法规，制定本办法。"
        "本办法适用于国家发展改革委制定的规章。",
        "第二条本办法所称政策文件，是指规章和规范性文件。",
        "第三条政策文件的起草应当深入调查研究，充分听取意见，并进行合法性审核。",
    )


def test_a_short_line_ends_a_paragraph_even_without_indent():
    lines = [
        body_line(1, 0, "附件：1.政策文件目录", full=False),
        body_line(1, 1, "2.政策文件解读材料", full=False),
        body_line(1, 2, "这一行写满了整个版心宽度，因此与下一行连在一起组成"),
        body_line(1, 3, "同一个段落。", full=False),
    ]
    assert paragraphs(lines) == (
        "附件：1.政策文件目录",
        "2.政策文件解读材料",
        "这一行写满了整个版心宽度，因此与下一行连在一起组成同一个段落。",
    )


def test_reading_order_is_page_then_top_then_left_whatever_the_input_order():
    lines = [
        body_line(1, 0, "第一页第一段开头写满一整行的文字，一直写到版心的右边缘", indent=2),
        body_line(1, 1, "结束。", full=False),
        body_line(2, 0, "第二页第一段。", indent=2, full=False),
        body_line(1, 2, "第一页第二段。", indent=2, full=False),
    ]
    shuffled = lines[:]
    random.Random(7).shuffle(shuffled)
    expected = (
        "第一页第一段开头写满一整行的文字，一直写到版心的右边缘结束。",
        "第一页第二段。",
        "第二页第一段。",
    )
    assert paragraphs(shuffled) == expected
    assert paragraphs(list(reversed(lines))) == expected


def test_runs_on_one_baseline_merge_into_one_line():
    # one line in three runs given out of order, as OFD producers and PDF text objects split them
    left = run(1, 0, LEFT + 2 * EM, "第一条本办法")
    middle = run(1, 0, left.x1, "自发布之日起")
    right = run(1, 0, middle.x1, "施行。")
    # runs of one baseline whose boxes differ a little (mixed fonts) still merge
    shifted = Line(1, right.x0, right.y0 + 2, right.x1, right.y1 + 2, right.text, EM)
    assert paragraphs([shifted, left, middle]) == ("第一条本办法自发布之日起施行。",)


def test_latin_words_keep_one_space_chinese_none():
    words = run(1, 0, LEFT + 2 * EM, "适用于")
    latin = run(1, 0, words.x1, "Open")
    gap = run(1, 0, latin.x1 + 0.3 * EM, "Fixed-layout")  # a word space as a gap between runs
    lines = [
        words,
        latin,
        gap,
        body_line(1, 1, "Document", full=False),
    ]
    # the first row ends short of the margin: make it reach so that the rows join
    lines[2] = Line(1, gap.x0, gap.y0, RIGHT, gap.y1, gap.text, EM)
    assert paragraphs(lines) == ("适用于Open Fixed-layout Document",)
    hyphen = [
        Line(1, LEFT, 100, RIGHT, 116, "multi-", EM),
        Line(1, LEFT, 129, LEFT + 40, 145, "page", EM),
    ]
    assert paragraphs(hyphen) == ("multi-page",)


def test_wide_gaps_become_one_space_and_tables_are_flagged():
    a = run(1, 0, LEFT, "项目名称")
    b = run(1, 0, a.x1 + 6 * EM, "投资规模")
    paras, warnings = lines_to_paragraphs([a, b])
    assert paras == ("项目名称 投资规模",)
    assert len(warnings) == 1 and "table" in warnings[0]


def test_centred_and_title_lines_stand_alone():
    title = "关于印发《管理办法》的通知"
    lines = [
        run(1, 0, LEFT + (WIDTH - width(title) * 1.375) / 2, title, em=22),
        run(1, 1, LEFT + (WIDTH - width("发改法规〔2026〕12号")) / 2, "发改法规〔2026〕12号"),
        body_line(1, 2, "各省、自治区、直辖市发展改革委，新疆生产建设兵团发展改"),
        body_line(1, 3, "革委：", full=False),
        run(1, 4, LEFT + (WIDTH - width("第一章 总则")) / 2, "第一章 总则"),
        body_line(1, 5, "第一条为了规范管理，制定本办法。", indent=2, full=False),
    ]
    assert paragraphs(lines) == (
        title,
        "发改法规〔2026〕12号",
        "各省、自治区、直辖市发展改革委，新疆生产建设兵团发展改革委：",
        "第一章 总则",
        "第一条为了规范管理，制定本办法。",
    )


def test_a_line_reaching_the_margin_after_a_centred_line_does_not_join_it():
    # a centred heading almost as wide as the block must not swallow the next line
    heading = "第二章规划编制和审批程序及其相关管理要求"
    x0 = LEFT + (WIDTH - width(heading)) / 2
    lines = [
        body_line(1, 0, "上一段的内容写满整行文字，一直写到版心的右边缘为止，", indent=2),
        body_line(1, 1, "结束。", full=False),
        run(1, 2, x0, heading),
        body_line(1, 3, "第四条规划编制应当符合国家发展规划。", indent=2, full=False),
    ]
    assert paragraphs(lines)[1:] == (heading, "第四条规划编制应当符合国家发展规划。")


def test_right_aligned_signature_lines_stay_apart():
    sign = ["国家发展改革委", "外 交 部", "2022年3月28日"]
    lines = [
        body_line(1, 0, "请认真贯彻执行。", indent=2, full=False),
        *[
            run(1, 2 + i, RIGHT - 4 * EM - width(t), t)
            for i, t in enumerate(sign)
        ],
        body_line(1, 6, "抄送：各省级人民政府。", full=False),
    ]
    assert paragraphs(lines) == ("请认真贯彻执行。", *sign, "抄送：各省级人民政府。")


def test_page_numbers_of_every_style_are_dropped():
    styles = ["— 2 —", "－ 2 －", "- 2 -", "2", "第2页", "第 2 页 共 9 页", "2/9", "~2~"]
    for style in styles:
        lines = [
            body_line(1, 0, "一段正文写满整行的文字，一直写到版心的右边缘，然后换", indent=2),
            body_line(1, 1, "行继续。", full=False),
            run(1, 24, (LEFT + RIGHT) / 2 - width(style) / 2, style, em=14),
        ]
        assert paragraphs(lines) == ("一段正文写满整行的文字，一直写到版心的右边缘，然后换行继续。",), style


def test_a_number_inside_the_page_is_kept():
    lines = [body_line(1, i, f"第{i}段。", indent=2, full=False) for i in range(6)]
    lines.insert(3, run(1, 10, LEFT + 2 * EM, "2025"))
    lines.append(body_line(1, 20, "末段。", indent=2, full=False))
    lines.append(run(1, 22, LEFT + 2 * EM, "最后一行。"))
    assert "2025" in paragraphs(lines)


def test_a_paragraph_continues_across_a_page_break():
    lines = [
        body_line(1, 0, "第一段写满整行的文字，一直写到版心的右边缘，在页末换", indent=2),
        run(1, 24, (LEFT + RIGHT) / 2 - 20, "— 1 —", em=14),
        run(2, 24, (LEFT + RIGHT) / 2 - 20, "— 2 —", em=14),
        body_line(2, 0, "到下一页继续。", full=False),
        body_line(2, 1, "第二段。", indent=2, full=False),
    ]
    assert paragraphs(lines) == (
        "第一段写满整行的文字，一直写到版心的右边缘，在页末换到下一页继续。",
        "第二段。",
    )


def test_running_headers_and_footers_dropped_on_multi_page_documents():
    def page(n: int) -> list[Line]:
        return [
            run(n, -2, LEFT, "国家发展和改革委员会规章", em=10.5),
            body_line(n, 0, f"第{n}页的正文段落，写满整行的文字，一直写到版心的右", indent=2),
            body_line(n, 1, "边缘。", full=False),
            body_line(n, 2, "另一段正文。", indent=2, full=False),
            run(n, 23, LEFT, f"政策文件汇编 {n}", em=10.5),
        ]

    lines = [ln for n in (1, 2, 3) for ln in page(n)]
    assert paragraphs(lines) == tuple(
        p for n in (1, 2, 3) for p in (f"第{n}页的正文段落，写满整行的文字，一直写到版心的右边缘。", "另一段正文。")
    )
    # one page: a header cannot be told from a heading, so it stays
    assert paragraphs(page(1))[0] == "国家发展和改革委员会规章"


def test_body_text_repeated_at_page_tops_is_not_a_running_header():
    lines = []
    for n in (1, 2, 3):
        lines.append(body_line(n, 0, "同样的文字在每页顶端出现，写满整行一直到版心的右边缘"))
        lines.append(body_line(n, 1, "为止。", full=False))
    assert len(paragraphs(lines)) == 3


def test_spaced_layout_without_indents_splits_on_wide_gaps():
    lines = [
        body_line(1, 0, "没有首行缩进的排版用段间距分隔段落，这一行写满版心的宽"),
        body_line(1, 1, "度，然后换行。", full=False),
        Line(1, LEFT, 100 + 2.6 * PITCH, RIGHT, 100 + 2.6 * PITCH + EM, "第二段也写满了整行文字，一直写到版心的右边缘，然后换行", EM),
        Line(1, LEFT, 100 + 3.6 * PITCH, LEFT + 40, 100 + 3.6 * PITCH + EM, "结束。", EM),
    ]
    assert paragraphs(lines) == (
        "没有首行缩进的排版用段间距分隔段落，这一行写满版心的宽度，然后换行。",
        "第二段也写满了整行文字，一直写到版心的右边缘，然后换行结束。",
    )


def test_no_lines_and_blank_lines():
    assert lines_to_paragraphs([]) == ((), ())
    assert lines_to_paragraphs([Line(1, 0, 0, 10, 10, "   ", 10)]) == ((), ())
