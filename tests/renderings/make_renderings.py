"""Regenerate the renderings in this folder: every real detail page, rendered by every tool.

    python tests/renderings/make_renderings.py            # all tools found on this machine
    python tests/renderings/make_renderings.py --tools lynx w3m

Inputs (made from ../shared/fixtures/ndrc/pages by `inputs()`, written to INPUT_DIR for the
tools to read: a fixed folder, so that lynx's link list names the same file:// addresses on
every machine):
- `<page>.saved.html`: the real page as saved (its scripts do not run offline: no navigation,
  footer or 排行榜 entries; 相关政策与解读 hidden by CSS);
- `<page>.live.html`: the same page with what the site's scripts write in a browser, rebuilt from
  the real rendering in fixtures/ndrc/renderings (navigation bar, filled 排行榜, share widget with
  its QR code as a data: URI, the service links, the footer), and the 2019–2023 sidebar box
  (div.article_r_in) standing inside a sentence of the body, as on the 408 page.

Tools, and the exact call each makes (also written to MANIFEST.tsv beside the renderings):
- lynx, w3m: `-dump` of the input file (wide columns, so that the tool does not wrap lines);
- chromium: headless Chromium through selenium and chromium-driver, `document.body.innerText`;
- html2text, markdownify, trafilatura: their Python API with the options named in MANIFEST.tsv;
- crawl-md: a crawl-to-Markdown writer in this file (`crawl_markdown`), written after the
  conventions of crawl-to-Markdown services (no such tool is packaged for Debian or PyPI in a form
  that runs offline): every element of <body> in the flow, links as `[text](url)`, list items of
  link lists as `## [title](url)` headings, ranks as `- _01_`, images as `![alt](src)`, a data: image
  as `<Base64-Image-Removed>`, Markdown punctuation escaped (`\\[ 打印 \\]`).
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from tests import sidebar_box  # noqa: E402
from tests.conftest import PAGES  # noqa: E402

TOOLS = ("lynx", "w3m", "chromium", "html2text", "markdownify", "trafilatura", "crawl-md",
         "lynx-80", "w3m-80", "html2text-78")
# The tools run at their default widths, which wrap long lines (the others are run unwrapped): the
# tool each is.
WRAPPED = {"lynx-80": "lynx", "w3m-80": "w3m", "html2text-78": "html2text"}
EXTENSION = {"lynx": "txt", "w3m": "txt", "chromium": "txt", "html2text": "md", "markdownify": "md",
             "trafilatura": "md", "crawl-md": "md", "lynx-80": "txt", "w3m-80": "txt", "html2text-78": "md"}
COMMANDS = {
    "lynx": "lynx -dump -width=2000 -assume_charset=utf-8 -display_charset=utf-8 {input}",
    "w3m": "w3m -dump -cols 2000 -T text/html -I UTF-8 -O UTF-8 {input}",
    "chromium": "selenium Chrome(--headless=new --no-sandbox) get(file://{input}); "
                "execute_script('return document.body.innerText')",
    "html2text": "html2text.HTML2Text(baseurl=URL); body_width=0; handle(html)",
    "markdownify": "markdownify.markdownify(html, heading_style='ATX')",
    "trafilatura": "trafilatura.extract(html, url=URL, output_format='markdown', include_links=True, "
                   "include_formatting=True, with_metadata=True, favor_recall=True)",
    "crawl-md": "python tests/renderings/make_renderings.py (crawl_markdown)",
    # the defaults, written out (w3m's would follow the terminal's width)
    "lynx-80": "lynx -dump -width=80 -assume_charset=utf-8 -display_charset=utf-8 {input}",
    "w3m-80": "w3m -dump -cols 80 -T text/html -I UTF-8 -O UTF-8 {input}",
    "html2text-78": "html2text.HTML2Text(baseurl=URL); handle(html) (body_width 78, its default)",
}
QR_PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
          "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def page_url(name: str) -> str:
    column, rest = name.split("_", 1)
    month = rest[1:7]
    return f"https://www.ndrc.gov.cn/xxgk/zcfb/{column}/{month}/{rest}"


# --- the live page: what the site's scripts add in a browser -----------------------------------

def _fragment(markup: str) -> etree._Element:
    return etree.fromstring(f"<div>{markup}</div>", etree.HTMLParser(encoding="utf-8")).find(".//body/div")


NAV = ('<div class="head_nav"><ul>' + "".join(
    f'<li><a href="#">{w}</a></li>' for w in ("首页", "机构设置", "新闻动态", "政务公开", "政务服务", "发改数据", "互动交流"))
    + "</ul></div>")
SHARE = (
    '<div class="share-box"><div class="bdsharebuttonbox"><span>分享到：</span>'
    '<a href="#" class="bds_tsina">微博</a><a href="#" class="bds_weixin">微信</a></div>'
    '<div class="weixin-pop"><div class="pop-head">分享到微信朋友圈<a href="#" class="close">x</a></div>'
    f'<img src="{QR_PNG}" alt="Scan me!"/>'
    '<p>打开微信，点击底部的“发现”，使用“扫一扫”即可将网页分享至朋友圈。</p></div></div>'
)
FOOTER = (
    '<div class="footer"><div class="fw"><a href="#">政务咨询</a><a href="#">网上信访</a><a href="#">信息公开</a></div>'
    '<p><a href="#">网站地图</a> | <a href="#">联系我们</a></p>'
    "<p>主办单位：中华人民共和国国家发展和改革委员会</p><p>技术支持：国家信息中心 中国经济信息网</p>"
    "<p>网站标识码：bm04000007 京ICP备05052393号 京公网安备11010202000002号</p>"
    "<p>国家发展和改革委员会 版权所有，如需转载，请注明来源</p></div>"
)


def live_page(saved: bytes) -> bytes:
    """The saved page as a browser shows it once the site's scripts ran (see the module doc)."""
    spots = sidebar_box.sentence_spots(sidebar_box.page_tree(saved))
    boxed = sidebar_box.insert_in_sentence(saved, len(spots) // 2)
    root = sidebar_box.page_tree(boxed)
    body = root.find("body")
    header = next(el for el in body.iter("div") if el.get("class") == "header")
    header.append(_fragment(NAV))
    shezhi = next(el for el in body.iter("div") if el.get("class") == "shezhi")
    shezhi.append(_fragment(SHARE))
    box = sidebar_box.sidebar_box()
    # the sidebar's own list (the last one: the box in the body has one too, filled already)
    ranking = [ul for ul in body.iter("ul") if ul.get("id") == "paihangbang"][-1]
    for li in next(ul for ul in box.iter("ul") if ul.get("id") == "paihangbang"):
        ranking.append(copy.deepcopy(li))
    for el in body.iter("div"):
        if el.get("class") == "xgwz":
            el.attrib.pop("style", None)  # jdFlag shows it when it has links
    body.append(_fragment(FOOTER))
    for script in list(body.iter("script")):
        script.getparent().remove(script) if script.getparent() is not None else None
    return etree.tostring(root, method="html", encoding="utf-8")


# --- crawl-to-Markdown -----------------------------------------------------------------------

SKIP = {"script", "style", "head", "noscript", "template"}
BLOCKS = {"div", "p", "ul", "ol", "li", "table", "tr", "center", "h1", "h2", "h3", "h4", "h5", "h6", "section"}
MD_SPECIAL = re.compile(r"([\\`*_\[\]#])")


def _escape(text: str) -> str:
    return MD_SPECIAL.sub(r"\\\1", text)


def _md_text(text: str | None) -> str:
    """HTML text as a browser lays it out (runs of whitespace are one space), Markdown-escaped."""
    return _escape(re.sub(r"[ \t\r\n]+", " ", text or ""))


def _inline(el) -> str:
    parts = [_md_text(el.text)]
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else None
        if tag is None or tag in SKIP:
            pass
        elif tag in BLOCKS:
            lines: list[str] = []
            _block(child, lines)
            parts.append("\n" + "\n".join(lines) + "\n")
        elif tag == "img":
            src, alt = child.get("src") or "", child.get("alt") or ""
            parts.append("<Base64-Image-Removed>" if src.startswith("data:") else f"![{alt}]({src})")
        elif tag == "a":
            parts.append(f"[{_inline(child).strip()}]({child.get('href') or ''})")
        elif tag in ("strong", "b"):
            inner = _inline(child).strip()
            parts.append(f"**{inner}**" if inner else "")
        elif tag == "br":
            parts.append("\n")
        else:
            parts.append(_inline(child))
        parts.append(_md_text(child.tail))
    return "".join(parts)


def _flush(buffer: list[str], out: list[str]) -> None:
    for line in "".join(buffer).split("\n"):
        if line.strip():
            out.append(line.strip())
    buffer.clear()


def _block(el, out: list[str]) -> None:
    tag = el.tag
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        out.append("#" * int(tag[1]) + " " + _inline(el).strip())
        return
    if tag in ("ul", "ol"):
        for li in el.findall("li"):
            spans = [s for s in li if s.tag == "span"]
            link = li.find("a")
            if spans and (spans[0].text or "").strip().isdigit() and link is not None:
                # a ranked list: the rank in italics, the entry a heading, its date below
                out.append(f"- _{spans[0].text.strip()}_")
                out.append(f"    ## [{_inline(link).strip()}]({link.get('href')})")
                out.extend(f"    {_md_text(s.text).strip()}" for s in spans[1:])
            else:
                out.append(f"*   {_inline(li).strip()}")
        return
    buffer = [_md_text(el.text)]
    for child in el:
        ctag = child.tag if isinstance(child.tag, str) else None
        if ctag in BLOCKS:
            _flush(buffer, out)
            _block(child, out)
        elif ctag is not None and ctag not in SKIP:
            wrapper = etree.Element("span")
            wrapper.append(copy.deepcopy(child))
            wrapper[0].tail = None
            buffer.append(_inline(wrapper))
        buffer.append(_md_text(child.tail))
    _flush(buffer, out)


def crawl_markdown(page: bytes, url: str) -> str:
    root = etree.fromstring(page, etree.HTMLParser(encoding="utf-8"))
    title = (root.findtext(".//title") or "").strip()
    out: list[str] = []
    _block(root.find("body"), out)
    return "\n\n".join([f"Title: {title}", f"URL Source: {url}", "Markdown Content:", *out]) + "\n"


# --- the tools -------------------------------------------------------------------------------

# /tmp, not $TMPDIR: the folder is part of what lynx prints
INPUT_DIR = Path("/tmp/ndrc-renderings")


def inputs() -> list[tuple[str, bytes, str]]:
    """(file name, bytes, page URL) of every input: each real detail page, saved and live."""
    out = []
    for path in sorted(PAGES.glob("*_t*.html")):
        saved = path.read_bytes()
        for variant, data in (("saved", saved), ("live", live_page(saved))):
            out.append((f"{path.stem}.{variant}.html", data, page_url(path.name)))
    return out


def render(tool: str, name: str, data: bytes, url: str, driver=None) -> str:
    """What `tool` makes of the input: written to INPUT_DIR/name first, the tools read files."""
    INPUT_DIR.mkdir(exist_ok=True)
    path = INPUT_DIR / name
    # atomically: test workers in parallel write the same inputs (same bytes) and read them
    partial = INPUT_DIR / f".{name}.{os.getpid()}"
    partial.write_bytes(data)
    os.replace(partial, path)
    if tool in ("lynx", "w3m", "lynx-80", "w3m-80"):
        return subprocess.run(COMMANDS[tool].format(input=path).split(), capture_output=True, check=True).stdout.decode("utf-8")
    if tool == "chromium":
        driver.get(path.as_uri())
        return driver.execute_script("return document.body.innerText") + "\n"
    html = data.decode("utf-8")
    if tool == "html2text":
        import html2text

        converter = html2text.HTML2Text(baseurl=url)
        converter.body_width = 0
        return converter.handle(html)
    if tool == "html2text-78":
        import html2text

        return html2text.HTML2Text(baseurl=url).handle(html)
    if tool == "markdownify":
        import markdownify

        return markdownify.markdownify(html, heading_style="ATX")
    if tool == "trafilatura":
        import trafilatura

        return (trafilatura.extract(html, url=url, output_format="markdown", include_links=True,
                                    include_formatting=True, with_metadata=True, favor_recall=True) or "") + "\n"
    if tool == "crawl-md":
        return crawl_markdown(data, url)
    raise ValueError(tool)


def version(tool: str) -> str:
    tool = WRAPPED.get(tool, tool)
    try:
        if tool == "lynx":
            return subprocess.run(["lynx", "-version"], capture_output=True, text=True).stdout.splitlines()[0]
        if tool == "w3m":
            return subprocess.run(["w3m", "-version"], capture_output=True, text=True).stdout.split(",")[0]
        if tool == "chromium":
            return subprocess.run(["chromedriver", "--version"], capture_output=True, text=True).stdout.strip()
        if tool in ("html2text", "markdownify", "trafilatura"):
            from importlib.metadata import version as v

            return f"{tool} {v(tool)}"
    except (OSError, IndexError):
        return "?"
    return "this script"


def available(tool: str) -> bool:
    tool = WRAPPED.get(tool, tool)
    if tool in ("lynx", "w3m"):
        return shutil.which(tool) is not None
    if tool == "chromium":
        try:
            import selenium  # noqa: F401
        except ImportError:
            return False
        return shutil.which("chromedriver") is not None and shutil.which("chromium") is not None
    if tool in ("html2text", "markdownify", "trafilatura"):
        try:
            __import__(tool)
        except ImportError:
            return False
    return True


def chrome_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium")
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", nargs="*", default=list(TOOLS))
    args = parser.parse_args(argv)
    pages = inputs()
    manifest = ["file\ttool\tversion\tinput\tcommand"]
    old = {}
    if (HERE / "MANIFEST.tsv").exists():
        for line in (HERE / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            old[line.split("\t", 1)[0]] = line
    driver = None
    try:
        for tool in TOOLS:
            if tool not in args.tools or not available(tool):
                manifest += [v for k, v in old.items() if k.split("/")[0] == tool]
                continue
            if tool == "chromium" and driver is None:
                driver = chrome_driver()
            (HERE / tool).mkdir(exist_ok=True)
            for input_name, data, url in pages:
                name = f"{tool}/{input_name.removesuffix('.html')}.{EXTENSION[tool]}"
                (HERE / name).write_text(render(tool, input_name, data, url, driver), encoding="utf-8")
                command = COMMANDS[tool].format(input=INPUT_DIR / input_name).replace("URL", url)
                manifest.append(f"{name}\t{tool}\t{version(tool)}\t{input_name}\t{command}")
    finally:
        if driver is not None:
            driver.quit()
    (HERE / "MANIFEST.tsv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    print(f"{len(manifest) - 1} renderings listed in {HERE / 'MANIFEST.tsv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
