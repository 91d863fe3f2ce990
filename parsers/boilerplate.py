"""The line rules that tell a page's chrome from its body in a text or Markdown rendering.

A browser's text view of an NDRC detail page, or a page-to-Markdown tool's output, keeps every box
the page draws: the navigation bar, the breadcrumb, the print and share widgets, the 排行榜 ranking
box, the 相关解读 list and the footer. Each rule below is a named constant with the reason it exists
(in the manner of trafilatura's rule sets); `parsers.rendering` applies them line by line.

Lines reach these rules with their Markdown markup already removed (see `strip_markup`), so one
rule serves the plain and the Markdown rendering alike.
"""

from __future__ import annotations

import html
import re

# --- Markdown markup -------------------------------------------------------------------------

# `![alt](src)`: images (logos, QR codes of the share widget) carry no text of the document.
MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
# `[text](url "title")`: a link keeps its text; the url is read separately for 相关解读 entries.
MD_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
# `# `…`###### ` headings: a Markdown tool renders the page title (h2.article_title) this way.
MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
# `* `, `- `, `+ ` bullets (the ranking items, the 相关解读 list). Ordered-list numbers ("1. ") are
# NOT markup here: in a policy text they are the article labels and must stay.
MD_BULLET = re.compile(r"^\s*[-*+•]\s+")
# (The • is w3m's bullet; lynx writes `*`, html2text `  * `, crawl-to-Markdown tools `*   `.)
# `> ` block quotes.
MD_QUOTE = re.compile(r"^\s*(?:>\s?)+")
# `**bold**`, `__bold__`, `*em*`, `~~strike~~`: the body's centred titles come out bold.
# Single `*` only: next to CJK text it is markup (ASCII words around it would make it a literal).
MD_EMPHASIS = re.compile(
    r"(\*\*|__|~~)(.+?)\1"
    r"|(?<![A-Za-z0-9*\\])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![A-Za-z0-9*])"
    # `_01_`: crawl-to-Markdown tools set the 排行榜 ranks in italics this way (an underscore
    # inside a word, as in t20260828_1407232, is no markup)
    r"|(?<![A-Za-z0-9_\\])_(?!\s)([^_\n]+?)(?<!\s)_(?![A-Za-z0-9_])"
)
# Emphasis a box cut in two (`**中` / the box / `华人民共和国国家发展和改革委员会令**`) leaves each
# half with one mark, at the cut's side of the line: paired marks are gone by then, so a mark
# left at a line's start or end is one of these.
MD_UNPAIRED_EMPHASIS = re.compile(r"^(?:\*\*|__)(?=\S)|(?<=\S)(?:\*\*|__)$")
# A line of emphasis markers alone (`**` of an emptied <b><br></b>): markup with nothing in it.
MD_EMPTY_EMPHASIS = re.compile(r"^\s*(?:\*\*|__|\*|_)+\s*$")
# Backslash escapes a Markdown writer adds before punctuation it would otherwise read as markup.
MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
# A horizontal rule (---, ***, ___) separates the page's regions; it is not text.
MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
# Inline HTML tags some converters leave (<br>, <span>): markup, not text.
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# (<Base64-Image-Removed> is what crawl-to-Markdown services write for a data: image, the share
# widget's QR code: it has the form of a tag and goes with them.)

# A Markdown table's delimiter row (| --- | :---: |, or ---|--- as html2text writes it): the line
# above it is the header row, the pipe lines below are the rows; together a table of the body.
MD_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
MD_TABLE_ROW = re.compile(r"\|")

# --- Tool conventions: what a rendering tool adds around the page ----------------------------

# lynx -dump numbers every link in the text ([12]微博) and lists the targets after a
# "References" line at the end: the marks go, and the list is no part of the page.
LYNX_LINK_MARK = re.compile(r"\[\d+\]")
LYNX_REFERENCES = "References"
LYNX_REFERENCE_LINE = re.compile(r"^\s*\d+\.\s+\S+:\S*")
# The header lines a crawl-to-Markdown service writes before the page (Title: the <title>
# element, URL Source:, Markdown Content:): its Title is the page title when nothing else is.
CRAWL_HEADER = re.compile(r"^(Title|URL Source|Published Time|Markdown Content|Warning):\s*(.*)$")
# The <title> element's text, which markdownify and html2text write out as the first line:
# "【…】-国家发展和改革委员会" wraps the page title.
HTML_TITLE_LINE = re.compile(r"^\s*【(?P<t>.+)】\s*[-－—_|]\s*(?:中华人民共和国)?国家发展和改革委员会\s*$")
# The YAML front matter trafilatura writes with its metadata (between two --- lines at the top).
FRONT_MATTER_FENCE = "---"
FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_]+):\s*\"?(.*?)\"?\s*$")
FRONT_MATTER_MAX_LINES = 30
# Its date: 2026-02-11.
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")

# --- Chrome: navigation, breadcrumb, widgets -------------------------------------------------

# The site's top navigation bar; a line made only of these words (any separators) is the bar.
NAV_WORDS = frozenset(
    {
        "首页", "机构设置", "新闻动态", "政务公开", "政务服务", "发改数据", "互动交流",
        "English", "无障碍", "繁體", "繁体", "简体", "登录", "注册", "搜索", "返回顶部",
    }
)
# Breadcrumb: 首页 > 政务公开 > 政策 > 通知 (the bar and the crumb may share one line). Its last
# item is the column, i.e. the document's category.
BREADCRUMB = re.compile(r"(?:(?:您现在的|您的|当前)位置[:：]?\s*)?首页\s*[>＞›»]\s*(.+)$")
BREADCRUMB_SEPARATOR = re.compile(r"\s*[>＞›»]\s*")
# A breadcrumb laid out one item a line, the separators on lines of their own (trafilatura's
# fallback extraction): the run is read as one breadcrumb line.
BREADCRUMB_SEPARATOR_LINE = re.compile(r"^\s*[>＞›»]\s*$")
# Breadcrumb items that are not a column name ("正文" ends some crumbs).
BREADCRUMB_NOT_CATEGORY = frozenset({"正文", "详情", "当前位置"})
# Print / share / font-size widgets: a line made only of these words is a widget, not text.
WIDGET_WORDS = frozenset(
    {
        "打印", "打印本页", "关闭", "关闭窗口", "收藏", "分享", "分享到", "微博", "微信", "QQ",
        "QQ空间", "人人网", "朋友圈", "扫一扫", "字号", "大", "中", "小", "默认", "纠错", "我要纠错",
        "【", "】", "[", "]", "|", "：", ":", "、",
        # w3m prints an image without alt text as [its file name]: the print button's dayin.png.
        "dayin",
        # The share widget's WeChat pop-up: its heading and its close button (x).
        "分享到微信朋友圈", "x", "×",
    }
)
# The rest of the share widget, written by its script in a browser: the alt text of the QR code
# (text browsers print it) and the hint under it.
SHARE_LINE = re.compile(r"^(?:分享到微信朋友圈\s*[x×]?|Scan me!?|打开微信，点击底部的“发现”，使用“扫一扫”.*)$")
# The service links above the footer (政务咨询 网上信访 信息公开): a row of them is chrome like
# the navigation bar.
SERVICE_WORDS = frozenset({"政务咨询", "网上信访", "信息公开", "在线访谈", "征集调查", "咨询投诉"})
# Splits a chrome line into the words the two sets above are checked against.
CHROME_TOKEN = re.compile(r"[\s|｜/·•【】\[\]()（）:：>＞›»]+")

# --- Page metadata lines -----------------------------------------------------------------------

# 发布时间：2022/03/28 (also 发布日期, with - or . or 年月日); may share a line with 来源.
PUBLISH_DATE = re.compile(
    r"(?:发布时间|发布日期|发文日期|时间|日期)\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
# 来源：开放司 — the office that published the page.
SOURCE = re.compile(r"(?:来源|信息来源|文章来源)\s*[:：]\s*(\S+)")
# A line that is only page metadata (date, source, print/share words): dropped from the body.
# A metadata label whose value the tool put on the next line (来源： / 能源局): that short line is
# the value, not body text.
META_LABEL_ALONE = re.compile(r"^\s*(来源|信息来源|文章来源)\s*[:：]\s*$")
META_VALUE_MAX = 30
META_LINE = re.compile(r"^\s*(?:发布时间|发布日期|发文日期|来源|信息来源|文章来源|浏览次数|点击数)\s*[:：]")

# --- The 排行榜 ranking box ----------------------------------------------------------------------

# Header of the sidebar's most-read list; a browser lays the sidebar out inside the body's flow.
RANKING_HEADER = re.compile(r"^(?:排行榜|点击排行|阅读排行|热点排行|热门排行)$")
# A ranked item: "01 title", with an optional trailing date ("- " bullet already stripped).
RANKING_ITEM = re.compile(r"^(\d{1,2})(?:[.、．]\s*|\s+)(\S.*)$")
# A ranked item whose rank runs into its title once the markup is gone (w3m, html2text, lynx:
# "01关于…", "052023年4月28日…"): ranks are two digits on the site, and count up (see rendering).
RANKING_ITEM_JOINED = re.compile(r"^(\d{2})(\S.*)$")
# A ranked item's rank alone on its line; the title follows on the next line.
RANKING_NUMBER = re.compile(r"^(\d{1,2})$")
# A ranked item's date line (2023-05-15).
DATE_LINE = re.compile(r"^\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}$")

# --- The 相关解读 box --------------------------------------------------------------------------

# Header of the related-reading box (div.xgwz 相关政策与解读); its entries become interpretations.
RELATED_HEADER = re.compile(r"^(?:相关解读|相关政策与解读|相关政策解读|政策解读|相关链接|相关文章|相关阅读|相关新闻)$")
# An entry of that box is a title: it does not end a sentence. A line that does is body text again.
SENTENCE_END = "。！？；!?;…"
# …but a title may ask a question or exclaim (新版目录有哪些变化？): only these end body text there.
RELATED_NOT_TITLE_END = "。；;…："
# Titles in that box are short; a longer line is body text that follows the box.
RELATED_TITLE_MAX = 90
# Article labels: a line opening with one is body text (一、 （一） 第三条 1. ①), never a link title.
ARTICLE_LABEL = re.compile(
    r"^(?:第[一二三四五六七八九十百千零〇两0-9]+[编章节条款]|[一二三四五六七八九十百]+、"
    r"|[（(][一二三四五六七八九十百0-9]+[）)]|\d+[.．、]|[①-⑳])"
)

# --- Footer ------------------------------------------------------------------------------------

# The site footer injected by jslm/footer. These markers name nothing a policy text says: a short
# line holding one is footer wherever it stands.
FOOTER_MARKERS = ("网站地图", "网站标识码", "ICP备", "公网安备", "版权所有", "如需转载", "网站声明", "隐私声明", "政府网站找错")
# Footer lines whose opening words a body can print too ("主办单位：…" in an event notice, "（三）加强
# 技术支持"): footer only when they open the line and a line with a marker above stands close by.
FOOTER_WEAK = re.compile(r"^(?:主办单位|承办单位|协办单位|技术支持|联系我们|联系电话|地址)(?:[:：|｜\s]|$)")
# How many lines from a FOOTER_MARKERS line a FOOTER_WEAK line may stand.
FOOTER_WEAK_REACH = 6
FOOTER_LINE_MAX = 120


def strip_markup(line: str) -> tuple[str, list[tuple[str, str]], int]:
    """One rendered line without its Markdown markup: (text, [(link text, url)], heading level).

    Heading level is 0 for a line that is not a `#` heading.
    """
    links: list[tuple[str, str]] = []
    line = HTML_TAG.sub("", line)
    if MD_RULE.match(line) or MD_EMPTY_EMPHASIS.match(line):
        return "", links, 0
    level = 0
    heading = MD_HEADING.match(line)
    if heading:
        level = len(heading.group(1))
        line = heading.group(2)
    line = MD_QUOTE.sub("", line)
    line = MD_BULLET.sub("", line)
    line = MD_IMAGE.sub("", line)

    def _link(match: re.Match) -> str:
        links.append((match.group(1), match.group(2)))
        return match.group(1)

    line = MD_LINK.sub(_link, line)
    previous = None
    while previous != line:  # nested emphasis (***x***) needs a second pass
        previous = line
        line = MD_EMPHASIS.sub(lambda m: next(g for g in m.groups()[1:] if g is not None), line)
    line = MD_UNPAIRED_EMPHASIS.sub("", line.strip())
    line = MD_ESCAPE.sub(r"\1", line)
    line = html.unescape(line)
    return line.strip(), [(MD_ESCAPE.sub(r"\1", t).strip(), u) for t, u in links], level


def chrome_words(line: str) -> list[str]:
    return [t for t in CHROME_TOKEN.split(line) if t]


def is_nav_line(line: str) -> bool:
    """Only navigation words, e.g. 首页 机构设置 新闻动态 (also run together: 首页机构设置…)."""
    return _only_words(line, NAV_WORDS | SERVICE_WORDS)


def _only_words(line: str, vocabulary: frozenset[str]) -> bool:
    words = chrome_words(line)
    if not words:
        return False
    if all(w in vocabulary for w in words):
        return True
    # Link rows lose their separators once the markup is gone: 首页机构设置新闻动态….
    rest = "".join(words)
    for word in sorted(vocabulary, key=len, reverse=True):
        rest = rest.replace(word, "")
    return not rest


def is_widget_line(line: str) -> bool:
    """Only print / share / font-size words: [打印], 微博, 微信, 分享到：微博微信, or the rest of the
    share widget (SHARE_LINE)."""
    if SHARE_LINE.match(line):
        return True
    words = chrome_words(line)
    if not words or all(w in WIDGET_WORDS for w in words):
        return bool(words)
    # run together once the links are gone (分享到：微博微信): but only of the longer words, so
    # that no body line made of 大 中 小 and brackets is taken for a widget
    rest = "".join(words)
    for word in sorted((w for w in WIDGET_WORDS if len(w) > 1), key=len, reverse=True):
        rest = rest.replace(word, "")
    return not rest and len("".join(words)) > 1


def is_footer_line(line: str) -> bool:
    """A line holding one of FOOTER_MARKERS (short: a long line quoting one is body text)."""
    return len(line) <= FOOTER_LINE_MAX and any(m in line for m in FOOTER_MARKERS)


def is_weak_footer_line(line: str) -> bool:
    """主办单位：… / 技术支持：… — footer only near a FOOTER_MARKERS line (the caller checks)."""
    return len(line) <= FOOTER_LINE_MAX and bool(FOOTER_WEAK.match(line)) and line[-1] not in SENTENCE_END


def breadcrumb_category(line: str) -> str | None:
    """The last item of a breadcrumb line (通知 of 首页 > 政务公开 > 政策 > 通知), else None."""
    match = BREADCRUMB.search(line)
    if not match:
        return None
    items = [i.strip() for i in BREADCRUMB_SEPARATOR.split(match.group(1)) if i.strip()]
    items = [i for i in items if i not in BREADCRUMB_NOT_CATEGORY]
    return items[-1] if items else None


def is_breadcrumb_line(line: str) -> bool:
    """A breadcrumb, alone or after the navigation bar on the same line."""
    match = BREADCRUMB.search(line)
    if not match:
        return False
    head = line[: match.start()]
    return not head.strip() or is_nav_line(head)


def ends_sentence(text: str) -> bool:
    """Whether a paragraph ends a sentence (or a quoted/bracketed one): no box can have cut it."""
    text = text.rstrip("”’」』）)】\"' ")
    return bool(text) and (text[-1] in SENTENCE_END or text.endswith("：") or text.endswith(":"))


# One CJK character alone on a line: a fragment the tool split off a word (trafilatura writes the
# text of each <span> on its own line, and the site splits 国 + 家发展改革委 across spans). No
# paragraph of a policy text is one character long.
ORPHAN_CHARACTER = re.compile(r"^[\u4e00-\u9fff]$")
