"""Renderings of every real page by every common tool parse as the page's HTML does.

The renderings are committed fixtures (tests/renderings/<tool>/…, made by
tests/renderings/make_renderings.py; MANIFEST.tsv names the tool, its version and the exact call
for each). Each must give the page's own title, 文号, dates, issuers, addressees and articles, and
no word of page chrome in its body. Where a tool is not installed, its freshness check is skipped
with the reason; the committed rendering is still parsed.
"""

from __future__ import annotations

import csv
import re
import shutil

import pytest

from parsers import parse
from tests.conftest import PAGES
from test_documents import page_url

HERE = __import__("pathlib").Path(__file__).resolve().parents[1] / "renderings"
MANIFEST = list(csv.DictReader((HERE / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
TOOLS = ("lynx", "w3m", "chromium", "html2text", "markdownify", "trafilatura", "crawl-md",
         "lynx-80", "w3m-80", "html2text-78")  # the last three at the tools' default widths
COMPARED = ("title", "doc_number", "doc_number_parts", "written_date", "effective_date", "issuers",
            "addressees", "preamble", "articles")
# Words of the page chrome (navigation, breadcrumb, print and share widgets, 排行榜 and 相关解读
# boxes, the attachment box, the service links, the footer): none may be in a body.
CHROME = ("首页", "政务公开", "机构设置", "发布时间", "来源：", "打印", "dayin", "分享", "微信", "微博", "扫一扫",
          "Scan me", "Base64", "排行榜", "相关政策与解读", "相关解读", "答记者问", "第三监管周期", "2023-05-15",
          "政务咨询", "网上信访", "信息公开", "网站地图", "主办单位", "技术支持", "ICP备", "版权所有", ".pdf", ".ofd", "附件：")


def _page_of(rendering: str) -> str:
    return rendering.split("/", 1)[1].split(".", 1)[0] + ".html"


@pytest.fixture(scope="module")
def own() -> dict[str, dict]:
    return {p.name: parse(p.read_bytes(), url=page_url(p.name)).to_dict() for p in PAGES.glob("*_t*.html")}


def test_every_page_is_rendered_by_every_tool():
    pages = sorted(p.stem for p in PAGES.glob("*_t*.html"))
    for tool in TOOLS:
        for page in pages:
            for variant in ("saved", "live"):
                assert any(row["file"].startswith(f"{tool}/{page}.{variant}.") for row in MANIFEST), (tool, page, variant)
    for row in MANIFEST:
        assert (HERE / row["file"]).is_file(), row["file"]
        assert row["command"], row["file"]


# Tools whose own extraction leaves out text of the page (not our parser: the words are not in
# the rendering at all). trafilatura drops short centred lines (第40号, the two title lines of a
# notice's body) and the text that follows a box it removed.
LOSSY_TOOLS = {"trafilatura"}


def _compact(text: str) -> str:
    return re.sub(r"[\s\\*_#]", "", text)


def _shown(paragraph: str, rendering: str) -> bool:
    """Whether the rendering shows the paragraph: whole, or in two pieces (a box between them)."""
    if paragraph in rendering:
        return True
    return any(paragraph[:k] in rendering and paragraph[k:] in rendering for k in range(1, len(paragraph)))


@pytest.mark.parametrize("row", MANIFEST, ids=lambda r: r["file"])
def test_rendering_parses_as_its_page(row, own):
    text = (HERE / row["file"]).read_text(encoding="utf-8")
    expected = own[_page_of(row["file"])]
    doc = parse(text.encode("utf-8"), url=page_url(_page_of(row["file"]))).to_dict()
    for word in CHROME:
        assert word not in doc["body_text"], word
    assert doc["publish_date"] == expected["publish_date"]
    # (trafilatura's front matter repeats the title: it shows no line of the body)
    in_rendering = _compact(re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S))
    lost = [p for p in expected["body_text"].split("\n") if not _shown(_compact(p), in_rendering)]
    if not lost:
        for key in COMPARED:
            assert doc[key] == expected[key], key
        # the same paragraphs (a tool may collapse the letter-spacing of 交 通 运 输 部)
        assert doc["body_text"].replace(" ", "") == expected["body_text"].replace(" ", "")
        return
    # The tool itself left text out: what it kept must be the page's, and what the lost lines
    # do not carry must still come out the same.
    assert row["tool"] in LOSSY_TOOLS, f"{row['tool']} lost {lost}"
    page_text = _compact(expected["body_text"])
    for paragraph in doc["body_text"].split("\n"):
        for piece in re.split(r"[，。；：、]", paragraph):
            assert _compact(piece) in page_text, paragraph
    for key in ("title", "doc_number", "doc_number_parts", "written_date", "effective_date", "issuers", "articles"):
        assert doc[key] == expected[key], key


def _tool_available(tool: str) -> str | None:
    """None when the tool can run here, else why not."""
    from tests.renderings import make_renderings as make

    if make.available(tool):
        return None
    tool = make.WRAPPED.get(tool, tool)
    if tool in ("lynx", "w3m"):
        return f"{tool} is not installed (Debian package {tool})"
    if tool == "chromium":
        return "chromium, chromium-driver or selenium is not installed"
    return f"{tool} is not installed (pip install {tool})"


@pytest.mark.parametrize("tool", [t for t in TOOLS if t != "chromium"])
def test_committed_renderings_are_what_the_tool_makes_today(tool, tmp_path):
    """The fixtures are the tools' real output: rendering an input again gives the same text."""
    reason = _tool_available(tool)
    if reason:
        pytest.skip(reason)
    from tests.renderings import make_renderings as make

    made = {name: (data, url) for name, data, url in make.inputs()}
    rows = [r for r in MANIFEST if r["tool"] == tool]
    assert rows
    for row in rows[:2]:
        data, url = made[row["input"]]
        assert make.render(tool, row["input"], data, url) == (HERE / row["file"]).read_text(encoding="utf-8"), row["file"]


@pytest.mark.browser
def test_committed_browser_rendering_is_what_chromium_shows_today():
    reason = _tool_available("chromium")
    if reason:
        pytest.skip(reason)
    from tests.renderings import make_renderings as make

    row = next(r for r in MANIFEST if r["tool"] == "chromium" and ".live." in r["file"])
    try:
        driver = make.chrome_driver()
    except Exception as err:  # a browser that cannot start here (no display, no sandbox)
        pytest.skip(f"headless chromium could not start: {str(err).splitlines()[0]}")
    made = {name: (data, url) for name, data, url in make.inputs()}
    try:
        got = make.render("chromium", row["input"], *made[row["input"]], driver)
    finally:
        driver.quit()
    assert got == (HERE / row["file"]).read_text(encoding="utf-8")


def test_lynx_is_where_ci_installs_it():
    # .ci/run installs the Debian tools; on a developer's machine without them the check above
    # skips, and says so.
    if shutil.which("lynx") is None:
        pytest.skip("lynx is not installed")
    assert shutil.which("w3m") is not None
