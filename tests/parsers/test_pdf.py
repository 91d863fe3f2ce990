"""parsers.pdf: PDF attachments written by replica.files read back paragraph for paragraph.

The notice is the real text of 发改开放〔2022〕408号 (from the saved rendering of its page); the
order is a 30-article 令 in six chapters. Also: broken files, scans without text, fuzzing.
"""

from __future__ import annotations

import functools
import io

import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from replica import files
from replica.files import make_pdf
from parsers.errors import ParseError
from parsers.layout import _join
from parsers.pdf import pdf_paragraphs
from conftest import RENDERINGS

HEADER = "国家发展和改革委员会规范性文件"

NOTICE_TITLE = "国家发展改革委等部门关于推进共建“一带一路”绿色发展的意见"
NOTICE_SIGNATURE = ("国家发展改革委", "外 交 部", "生 态 环 境 部", "商 务 部", "2022年3月16日")


def notice_paragraphs() -> list[str]:
    """The body of 发改开放〔2022〕408号 as its page renders it, boxes (排行榜, 相关解读) removed."""
    lines = [ln.strip() for ln in (RENDERINGS / "tz_2022_408_rendering.txt").read_text("utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    start = lines.index("发改开放〔2022〕408号")
    cut = next(i for i, ln in enumerate(lines) if ln.startswith("（五）加强绿色能源合作"))
    resume = next(i for i, ln in enumerate(lines) if ln.startswith("电、先进核电"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("（二十一）"))
    body = lines[start:cut] + [lines[cut] + lines[resume]] + lines[resume + 1 : end + 1]
    assert body[1].endswith("：") and body[-1].endswith("办公室。")
    assert not any("](" in ln or ln.startswith("- ") for ln in body)
    return body


CHAPTERS = {1: "第一章 总则", 6: "第二章 规划编制", 11: "第三章 审查和批准", 17: "第四章 实施管理",
            23: "第五章 监督检查", 28: "第六章 附则"}
CN = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十 二十一 二十二 二十三 二十四 二十五 二十六 二十七 二十八 二十九 三十".split()
CLAUSES = [
    "为了规范国家级专项规划的编制和管理工作，提高规划的科学性、有效性和权威性，根据《中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要》及有关法律法规，制定本办法。",
    "本办法适用于国务院有关部门组织编制的国家级专项规划。",
    "专项规划应当坚持目标导向和问题导向相结合，突出约束性指标，明确空间布局、重大工程和政策措施。",
    "国家发展改革委负责专项规划的统筹管理，建立目录清单，会同有关部门做好规划衔接。",
    "编制专项规划应当开展前期研究，对规划对象的现状、趋势、需求和制约因素进行分析论证，形成基本思路。",
    "专项规划的数据应当采用国家统计局发布的数据或者按照 GB/T 7714 等国家标准标注的权威来源。",
    "编制部门应当广泛听取意见，采取座谈、论证、公开征求意见等方式，充分吸收社会各方面的合理建议。",
    "规划草案应当报送审核。",
    "审查机关应当自收到规划草案之日起三十个工作日内完成审查，并出具审查意见；情况复杂的，经批准可以延长十五个工作日。",
    "专项规划审查的重点包括：",
    "经批准的专项规划，除依法需要保密的外，应当在批准之日起二十日内向社会公布。",
    "专项规划确定的约束性指标和重大工程项目，应当纳入年度计划，明确责任主体和完成时限。",
    "规划实施单位应当每年向编制部门报告实施情况。",
    "专项规划实施中期，编制部门应当组织开展中期评估，评估报告报国家发展改革委备案。",
    "因国家发展战略调整或者经济社会发展情况发生重大变化，确需调整专项规划的，应当按照原审批程序报批。",
    "国家发展改革委应当会同有关部门加强对专项规划实施情况的监督检查，检查结果作为安排资金和项目的重要依据。",
    "任何单位和个人不得擅自变更经批准的专项规划。",
    "违反本办法规定，未经衔接擅自印发专项规划的，由国家发展改革委责令限期改正；逾期不改正的，予以通报批评。",
    "在专项规划编制和管理工作中滥用职权、玩忽职守、徇私舞弊的，依法依规追究责任。",
    "省级发展改革部门可以参照本办法，制定本地区专项规划管理办法。",
    "本办法由国家发展改革委负责解释。",
    "本办法自2026年5月1日起施行。",
]
ITEMS = ["（一）是否符合国家发展规划；", "（二）目标指标是否科学合理；", "（三）重大工程项目是否具备实施条件；",
         "（四）政策措施是否可行。"]


def order_paragraphs() -> list[str]:
    """A 令 of six chapters and thirty articles (第一章 … 第三十条), one with items （一）…（四）."""
    out: list[str] = []
    for n in range(1, 31):
        if n in CHAPTERS:
            out.append(CHAPTERS[n])
        clause = CLAUSES[(n - 1) % len(CLAUSES)] if n < 30 else CLAUSES[-1]
        if n in (4, 19):  # long articles of several lines, wrapped across a page break somewhere
            clause = clause + CLAUSES[n % len(CLAUSES)] + CLAUSES[(n + 5) % len(CLAUSES)]
        out.append(f"第{CN[n - 1]}条 {clause}")
        if clause.endswith("包括："):
            out.extend(ITEMS)
    return out


ORDER_TITLE = "国家级专项规划管理办法"

ITEMS_TITLE = "关于做好专项规划管理工作的通知"
# A notice numbered on four levels: 一、 （一） 1. （1）
ITEMS_NOTICE = [
    "发改规划〔2026〕215号",
    "各省、自治区、直辖市及计划单列市、新疆生产建设兵团发展改革委，国务院有关部门：",
    "为做好专项规划管理工作，现就有关事项通知如下。",
    "一、总体要求",
    "（一）坚持统筹衔接。专项规划应当与国家发展规划相衔接，与国土空间规划相协调。",
    "（二）坚持精简高效。严格控制专项规划数量，原则上不再编制内容相近的专项规划。",
    "二、重点任务",
    "（一）建立目录清单。",
    "1.国家发展改革委会同有关部门编制专项规划目录清单，报国务院批准后实施。",
    "2.未列入目录清单的专项规划，原则上不得编制。确需编制的，应当按程序报批。",
    "（1）编制部门提出申请；",
    "（2）国家发展改革委审核。",
    "（二）加强实施评估。规划实施期满，编制部门应当开展总结评估，评估结果向社会公开。",
    "三、其他事项",
    "本通知自印发之日起施行。",
]


def read_pdf_text(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        texts = []
        for page in doc:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        doc.close()


def test_notice_reads_back_paragraph_for_paragraph():
    body = notice_paragraphs()
    data = make_pdf(body, title=NOTICE_TITLE, header=HEADER, signature=NOTICE_SIGNATURE)
    pages = read_pdf_text(data)
    # the file really has what must go: several pages, each with a header and a page number
    assert len(pages) >= 4
    for n, text in enumerate(pages, start=1):
        assert HEADER in text and f"— {n} —" in text
    paragraphs, warnings = pdf_paragraphs(data)
    assert warnings == ()
    # the title, longer than a line, comes back as its two centred lines
    assert len(paragraphs[0]) < len(NOTICE_TITLE) and paragraphs[0] + paragraphs[1] == NOTICE_TITLE
    assert paragraphs[2:] == (*body, *NOTICE_SIGNATURE)
    assert not any(HEADER in p or "—" in p for p in paragraphs)


def test_order_reads_back_with_every_article_and_chapter():
    body = order_paragraphs()
    data = make_pdf(body, title=ORDER_TITLE, header=HEADER)
    assert len(read_pdf_text(data)) >= 4
    paragraphs, warnings = pdf_paragraphs(data)
    assert warnings == ()
    assert paragraphs == (ORDER_TITLE, *body)
    assert [p.split(" ")[0] for p in paragraphs if p.startswith("第") and "条 " in p[:6]] == [
        f"第{c}条" for c in CN
    ]
    assert [p for p in paragraphs if p.startswith("第") and "章 " in p[:5]] == list(CHAPTERS.values())


def test_notice_numbered_on_four_levels_reads_back():
    data = make_pdf(ITEMS_NOTICE, title=ITEMS_TITLE, signature=("国家发展改革委", "2026年3月2日"))
    assert pdf_paragraphs(data) == ((ITEMS_TITLE, *ITEMS_NOTICE, "国家发展改革委", "2026年3月2日"), ())


def test_latin_words_numbers_and_edge_lengths():
    body = [
        # Latin inside Chinese as 公文 write it, without spaces at the boundaries: a space between
        # a Latin word and a Chinese character that falls at a line break cannot be told apart
        "本标准参照Open Fixed-layout Document（GB/T 33190-2016）和Portable Document Format 1.7的"
        "有关规定，适用于OFD、PDF两种版式文件的electronic archiving工作，版本号为v2.0.1。",
        "这" * 26,  # fills the indented first line exactly
        "满" * 26 + "行" * 28,  # two full lines
        "末" * 26 + "行" * 28 + "字",  # a last line of one character
        "Paragraphs written wholly in English wrap at spaces between words and are joined with one "
        "space, never with none and never with two.",
    ]
    paragraphs, warnings = pdf_paragraphs(make_pdf(body))
    assert paragraphs == tuple(body) and warnings == ()


def test_indents_typed_as_full_width_spaces():
    """Word documents printed to PDF often indent with 　　 instead of moving the line."""
    lines = [
        "　　第一条　为了规范政策文件的管理工作，提高文件质量，根据",
        "有关法律法规，制定本办法。",
        "　　第二条　本办法自发布之日起施行。",
    ]
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    font = files._register_font()
    for n, line in enumerate(lines):
        obj = pdf.beginText(files.LEFT, 700 - n * files.LINE_PITCH)
        obj.setFont(font, files.BODY_SIZE)
        obj.textOut(line)
        pdf.drawText(obj)
    pdf.showPage()
    pdf.save()
    assert pdf_paragraphs(buf.getvalue()) == ((
        "第一条 为了规范政策文件的管理工作，提高文件质量，根据有关法律法规，制定本办法。",
        "第二条 本办法自发布之日起施行。",
    ), ())


def test_body_text_repeating_at_page_tops_is_kept():
    body = ["一段文字。" * 300]
    paragraphs, _ = pdf_paragraphs(make_pdf(body, header=HEADER))
    assert paragraphs == tuple(body)


def test_same_input_same_bytes():
    body = order_paragraphs()
    assert make_pdf(body, title=ORDER_TITLE, header=HEADER) == make_pdf(body, title=ORDER_TITLE, header=HEADER)
    assert make_pdf(body) != make_pdf(body[:-1])


def test_writer_lines_follow_the_typesetting_rules():
    moved = 0
    for para in notice_paragraphs() + order_paragraphs():
        lines = files._break(para, files.BODY_SIZE, files.TEXT_WIDTH - 2 * files.BODY_SIZE, files.TEXT_WIDTH)
        assert functools.reduce(_join, lines).replace(" ", "") == para.replace(" ", "")
        for n, line in enumerate(lines):
            limit = files.TEXT_WIDTH - (2 * files.BODY_SIZE if n == 0 else 0)
            assert files._width(line, files.BODY_SIZE) <= limit + 1e-6
            assert n == 0 or line[0] not in files.NO_LINE_START, line
            if n < len(lines) - 1 and files._width(line, files.BODY_SIZE) < limit - 1:
                moved += 1
    assert moved > 0  # 避头尾 moved characters down somewhere: the reader's margin slack is exercised


def test_scan_without_text_layer_gives_a_warning():
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    for _ in range(2):
        pdf.rect(72, 72, 400, 600, fill=1)
        pdf.line(72, 700, 500, 700)
        pdf.showPage()
    pdf.save()
    paragraphs, warnings = pdf_paragraphs(buf.getvalue())
    assert paragraphs == ()
    assert len(warnings) == 1 and "no text layer" in warnings[0] and "2 page" in warnings[0]


def _encrypted() -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0), invariant=1)
    pdf.drawString(100, 700, "confidential")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _assert_unreadable(data: bytes) -> ParseError:
    with pytest.raises(ParseError) as info:
        pdf_paragraphs(data)
    err = info.value
    assert err.reason == "unreadable_pdf"
    assert str(err) and "\n" not in str(err) and len(str(err)) < 200
    return err


def test_broken_files_raise_one_line_parse_errors():
    good = make_pdf(order_paragraphs()[:12], title=ORDER_TITLE)
    for cut in (10, len(good) // 3, len(good) // 2, len(good) - 40):
        _assert_unreadable(good[:cut])
    _assert_unreadable(b"")
    _assert_unreadable(b"\x00\xff" * 500)
    _assert_unreadable(b"%PDF-1.7\n" + b"garbage " * 200 + b"\n%%EOF\n")
    _assert_unreadable("<html><body>附件不存在</body></html>".encode())
    assert "password" in str(_assert_unreadable(_encrypted())).lower()


def test_pdf_protected_only_against_copying_is_read():
    buf = io.BytesIO()
    enc = pdfencrypt.StandardEncryption("", ownerPassword="owner", canCopy=0, canModify=0)
    pdf = canvas.Canvas(buf, encrypt=enc, invariant=1)
    pdf.drawString(100, 700, "Notice text that may not be copied.")
    pdf.showPage()
    pdf.save()
    assert pdf_paragraphs(buf.getvalue()) == (("Notice text that may not be copied.",), ())


SMALL_PDF = make_pdf(["第一条 为了规范管理，制定本办法。", "第二条 本办法自发布之日起施行。"], title="管理办法")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzzed_bytes_only_ever_raise_parse_error(data):
    raw = bytearray(SMALL_PDF)
    for _ in range(data.draw(st.integers(1, 12))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if action == "flip":
            raw[pos] = data.draw(st.integers(0, 255))
        elif action == "delete":
            del raw[pos : pos + data.draw(st.integers(1, 64))]
        elif action == "insert":
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=32))
        else:
            del raw[pos:]
        if len(raw) < 2:
            raw = bytearray(b"%P")
    try:
        paragraphs, warnings = pdf_paragraphs(bytes(raw))
    except ParseError as err:
        assert err.reason == "unreadable_pdf" and "\n" not in str(err)
    else:
        assert isinstance(paragraphs, tuple) and all(isinstance(p, str) and p for p in paragraphs)
        assert isinstance(warnings, tuple)


def test_short_text_without_wrapped_lines_keeps_units_apart():
    """No row wraps, so the block's right edge is unknown: a unit label after a sentence end
    must still open a paragraph (it was once joined to the sentence before it)."""
    from replica.files import make_pdf as write
    from parsers.pdf import pdf_paragraphs as read

    paragraphs = ["一、总体要求", "（一）指导思想。坚持稳中求进。", "二、保障措施", "本通知自2026年1月1日起施行。"]
    assert read(write(paragraphs))[0] == tuple(paragraphs)


# Read in a child process that keeps pdfium's system fonts (the CJK fonts CI installs), as this
# module read PDFs before it turned them off.
WITH_SYSTEM_FONTS = r"""
import json, sys
import pypdfium2.raw
pypdfium2.raw.FPDF_SetSystemFontInfo = lambda info: None  # parsers.pdf leaves pdfium's default
from parsers.pdf import pdf_paragraphs
print(json.dumps([pdf_paragraphs(open(path, "rb").read()) for path in sys.argv[1:]]))
"""


def test_text_does_not_depend_on_the_machines_fonts(tmp_path):
    """pdfium reads without system fonts (parsers.pdf.SYSTEM_FONTS): the same paragraphs, boxes
    and warnings as with them, for 公文 in a non-embedded CJK font and for Latin text."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from parsers import pdf

    assert pdf.SYSTEM_FONTS is False
    files_ = {
        "notice.pdf": make_pdf(notice_paragraphs(), title=NOTICE_TITLE, header=HEADER),
        "order.pdf": make_pdf(order_paragraphs(), title=ORDER_TITLE, header=HEADER),
        "items.pdf": make_pdf(ITEMS_NOTICE, title=ITEMS_TITLE),
        "latin.pdf": make_pdf(["Portable Document Format 1.7，GB/T 33190-2016，版本号为v2.0.1。" * 3]),
    }
    for name, data in files_.items():
        (tmp_path / name).write_bytes(data)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", WITH_SYSTEM_FONTS, *(str(tmp_path / n) for n in files_)],
                          capture_output=True, text=True, check=True, cwd=root)
    with_fonts = [(tuple(p), tuple(w)) for p, w in json.loads(done.stdout)]
    assert with_fonts == [pdf_paragraphs(data) for data in files_.values()]
    assert all(paragraphs for paragraphs, _ in with_fonts)
