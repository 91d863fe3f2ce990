"""lynx and w3m at their default widths, on pages with lines longer than a terminal: the lines
they wrap are joined again (parsers.rewrap), so the rendering parses as the page does.

The committed renderings of the real pages (tests/renderings/lynx-80, w3m-80) have few long
lines; here a real page gets the 408 notice's real addressee line (80 characters, from its saved
rendering), and replica pages with numbered articles are rendered whole. The tools are run here:
where one is not installed, the test says so and skips.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from parsers import parse
from replica_pages import pages_with_articles
from tests.conftest import PAGES, RENDERINGS
from test_documents import page_url

TOOLS = {
    "lynx": "lynx -dump -width=80 -assume_charset=utf-8 -display_charset=utf-8 {input}",
    "w3m": "w3m -dump -cols 80 -T text/html -I UTF-8 -O UTF-8 {input}",
}
DETAIL_PAGES = sorted(p.name for p in PAGES.glob("*_t*.html"))
COMPARED = ("title", "doc_number", "written_date", "issuers", "addressees", "articles")
LONG_ADDRESSEES = next(
    line for line in (RENDERINGS / "tz_2022_408_rendering.txt").read_text(encoding="utf-8").splitlines()
    if line.startswith("各省、自治区、直辖市及计划单列市")
)


def _render(tool: str, html: bytes, tmp_path) -> bytes:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (Debian package {tool})")
    path = tmp_path / "page.html"
    path.write_bytes(html)
    return subprocess.run(TOOLS[tool].format(input=path).split(), capture_output=True, check=True).stdout


def _same(got: dict, own: dict) -> None:
    for key in COMPARED:
        assert got[key] == own[key], key
    assert got["body_text"].replace(" ", "") == own["body_text"].replace(" ", "")


@pytest.mark.parametrize("tool", list(TOOLS))
@pytest.mark.parametrize("name", [n for n in DETAIL_PAGES if n.startswith("tz_")])
def test_a_long_addressee_line_wrapped_by_the_tool_is_one_line_again(tool, name, tmp_path):
    html = (PAGES / name).read_text(encoding="utf-8")
    own_addressees = parse(html.encode(), url=page_url(name)).addressees
    assert own_addressees and own_addressees in html
    page = html.replace(own_addressees, LONG_ADDRESSEES.rstrip("：")).encode()
    own = parse(page, url=page_url(name)).to_dict()
    assert own["addressees"] == LONG_ADDRESSEES.rstrip("：")
    _same(parse(_render(tool, page, tmp_path), url=page_url(name)).to_dict(), own)


@pytest.mark.parametrize("tool", list(TOOLS))
@pytest.mark.parametrize("url, html", pages_with_articles(6), ids=lambda v: v.rsplit("/", 1)[-1] if isinstance(v, str) else "")
def test_a_page_of_numbered_articles_wrapped_by_the_tool_keeps_its_articles(tool, url, html, tmp_path):
    own = parse(html, url=url).to_dict()
    _same(parse(_render(tool, html, tmp_path), url=url).to_dict(), own)
