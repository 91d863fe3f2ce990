"""Property: the real sidebar box, put anywhere in a real page's body, changes nothing of its parse.

For every real detail page, hypothesis places the box (div.article_r_in with the 排行榜 and the
相关解读 lists, see tests/sidebar_box.py) at a paragraph boundary, between two editor blocks (the
editor block split in two), or inside a sentence. The parse must equal the page's own: body text,
articles, issuers, dates, 文号, title, addressees, warnings; and not one word of the box may be in
the body.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from parsers import parse
from replica_pages import pages_with_articles
from tests import sidebar_box as boxes
from tests.conftest import PAGES
from test_documents import page_url

DETAIL_PAGES = sorted(p.name for p in PAGES.glob("*_t*.html"))
COMPARED = ("title", "doc_number", "publish_date", "written_date", "effective_date", "issuers",
            "addressees", "body_text", "articles", "preamble", "warnings", "tables")
# Ranks (01, 02, …) alone are no words: "02" is in any date of 2026.
BOX_WORDS = [w for w in boxes.box_texts(boxes.sidebar_box()) if not (w.isdigit() and len(w) <= 2)]
PLACEMENTS = {
    "boundary": boxes.insert_at_boundary,
    "between editor blocks": boxes.split_editor,
    "inside a sentence": boxes.insert_in_sentence,
    "at the edge of an element or a text run": boxes.insert_at_edge,
}


def _parsed(html: bytes, name: str) -> dict:
    doc = parse(html, url=page_url(name)).to_dict()
    return {key: doc[key] for key in COMPARED}


@pytest.fixture(scope="module")
def own_parses() -> dict[str, dict]:
    return {name: _parsed((PAGES / name).read_bytes(), name) for name in DETAIL_PAGES}


def test_the_box_is_real_and_full():
    assert "排行榜" in BOX_WORDS and "相关政策与解读" in BOX_WORDS
    assert len(BOX_WORDS) > 10  # headings, five ranked entries with dates, four 解读 titles


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_serialising_the_page_again_changes_nothing(name, own_parses):
    # the baseline of the property: lxml's re-serialisation alone keeps the parse
    assert _parsed(boxes.roundtrip((PAGES / name).read_bytes()), name) == own_parses[name]


@pytest.mark.parametrize("name", DETAIL_PAGES)
@pytest.mark.parametrize("placement", list(PLACEMENTS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(min_value=0, max_value=10_000))
def test_box_anywhere_changes_nothing(name, placement, pick, own_parses):
    boxed = PLACEMENTS[placement]((PAGES / name).read_bytes(), pick)
    got = _parsed(boxed, name)
    for word in BOX_WORDS:
        assert word not in got["body_text"], word
    assert got == own_parses[name]


@pytest.mark.parametrize("name", DETAIL_PAGES)
@pytest.mark.parametrize("markup", ["as saved", "lines as <p>", "lines as bare <p>"])
@pytest.mark.parametrize("spots, place", [
    (boxes.edges, boxes.insert_at_edge), (boxes.sentence_spots, boxes.insert_in_sentence),
], ids=["every edge", "every sentence spot"])
def test_a_box_at_every_spot_changes_nothing(name, markup, spots, place, own_parses):
    # Each spot in turn (a few hundred a page), where the properties above draw some. A box first
    # in the <span> that opens a line once glued that line to the centred one above it, and one
    # that closed a <p> after a 》 split the sentence it stood in.
    html = (PAGES / name).read_bytes()
    if markup != "as saved":
        html = boxes.as_template(html, markup)
    count = len(spots(boxes.page_tree(html)))
    assert count > 50
    for pick in range(count):
        got = _parsed(place(html, pick), name)
        for word in BOX_WORDS:
            assert word not in got["body_text"], (pick, word)
        assert got == own_parses[name], spots(boxes.page_tree(html))[pick]


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_two_boxes_and_three_editor_blocks(name, own_parses):
    html = (PAGES / name).read_bytes()
    html = boxes.split_editor(html, 1)
    html = boxes.split_editor(html, 2)  # the first block split again: three blocks, two boxes
    got = _parsed(html, name)
    assert got == own_parses[name]


TEMPLATES = ("TRS_UEDITOR", "2019-2023", "pre-2019", "lines as <p>", "lines as bare <p>")


@pytest.mark.parametrize("name", DETAIL_PAGES)
@pytest.mark.parametrize("template", TEMPLATES)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(min_value=0, max_value=10_000), placement=st.sampled_from(list(PLACEMENTS)))
def test_box_anywhere_in_every_template(name, template, pick, placement, own_parses):
    page = boxes.as_template((PAGES / name).read_bytes(), template)
    assert _parsed(page, name) == own_parses[name]  # the template alone changes nothing
    got = _parsed(PLACEMENTS[placement](page, pick), name)
    for word in BOX_WORDS:
        assert word not in got["body_text"], word
    assert got == own_parses[name]


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_text_outside_the_editor_blocks_is_kept_and_named(name, own_parses):
    """A template the rules do not know: the second half of the body in a block of its own
    (no editor class) beside the content container. Nothing is dropped silently."""

    root = boxes.page_tree((PAGES / name).read_bytes())
    editor = boxes._editors(root)[-1]
    children = list(editor)
    unknown = etree.Element("div", {"class": "zw_content"})
    for child in children[len(children) // 2 :]:
        unknown.append(child)
    editor.getparent().addnext(unknown)  # beside div.article_con, inside the content area
    got = _parsed(etree.tostring(root, method="html", encoding="utf-8"), name)
    assert any("outside its editor blocks" in w for w in got["warnings"]), got["warnings"]
    assert got["body_text"] == own_parses[name]["body_text"]
    assert got["issuers"] == own_parses[name]["issuers"]
    assert got["written_date"] == own_parses[name]["written_date"]


_CLASS_ATTRIBUTE = re.compile(rb'class="([^"]*)"')


@pytest.mark.parametrize("name", DETAIL_PAGES)
@pytest.mark.parametrize("spelling", ["every token twice", "spaces around", "tokens reversed"])
def test_how_a_class_attribute_is_spelt_changes_nothing(name, spelling, own_parses):
    # class="TRS_Editor TRS_Editor", class=" article_con ", class="b a": the same classes, so the
    # same page (an element named twice by its classes was once read twice)
    rewrite = {
        "every token twice": lambda v: v + b" " + v,
        "spaces around": lambda v: b"  " + v + b"\t ",
        "tokens reversed": lambda v: b" ".join(reversed(v.split())),
    }[spelling]
    html = (PAGES / name).read_bytes()
    respelt = _CLASS_ATTRIBUTE.sub(lambda m: b'class="' + rewrite(m.group(1)) + b'"', html)
    assert respelt != html
    assert _parsed(respelt, name) == own_parses[name]


REPLICA_PAGES = pages_with_articles(3)


@pytest.mark.parametrize("url, html", REPLICA_PAGES, ids=[u.rsplit("/", 1)[-1] for u, _ in REPLICA_PAGES])
@pytest.mark.parametrize("markup", ["as saved", "lines as <p>"])
@settings(max_examples=40, deadline=None)
@given(pick=st.integers(min_value=0, max_value=10_000), placement=st.sampled_from(list(PLACEMENTS)))
def test_box_anywhere_in_a_page_with_articles_keeps_its_articles(url, html, markup, pick, placement):
    # A heading's 。 and the text after it in one <p> (<strong>（一）强化政策支持。</strong>有序推进…)
    # were split by a box that closed the <p>; a box first in a centred <p> that it left empty
    # glued that <p>'s line to the line above.
    own = parse(html, url=url).to_dict()
    assert len(own["articles"]) >= 10
    page = html if markup == "as saved" else boxes.as_template(html, markup)
    got = parse(PLACEMENTS[placement](page, pick), url=url).to_dict()
    for word in BOX_WORDS:
        assert word not in got["body_text"], word
    for key in COMPARED:
        assert got[key] == own[key], key


@pytest.mark.parametrize("line", ["文号", "addressees"])
def test_a_box_between_a_p_line_and_the_span_line_after_it_changes_nothing(line):
    # `<p>X</p><div box>…</div><span>Y</span>` and `<p>X<div box>…</div><span>Y</span></p>` are
    # one tree: the <span> was taken for the rest of the <p> and glued to it (the 文号 ran into
    # the addressees, or the addressees into the body).
    name = "tz_t20260625_1406079.html"
    html = (PAGES / name).read_text(encoding="utf-8")
    span = '<span style="font-family: SimSun; font-size: 16px;">'
    old, new = {
        "文号": (f'{span}<div style="text-align: center;">发改能源〔2026〕884号</div></span><br />',
                 '<p style="text-align: center;">发改能源〔2026〕884号</p>{box}'),
        "addressees": (f"{span}各省、自治区、直辖市人民政府，国务院有关部委、直属机构，有关中央企业：</span><br />",
                       "<p>各省、自治区、直辖市人民政府，国务院有关部委、直属机构，有关中央企业：</p>{box}"),
    }[line]
    assert old in html
    box = etree.tostring(boxes.sidebar_box(), method="html", encoding="unicode")
    plain = _parsed(html.replace(old, new.format(box="")).encode(), name)
    boxed = _parsed(html.replace(old, new.format(box=box)).encode(), name)
    assert plain["addressees"] == "各省、自治区、直辖市人民政府，国务院有关部委、直属机构，有关中央企业"
    assert boxed == plain
