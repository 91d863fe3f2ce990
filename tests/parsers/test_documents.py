"""The whole parse, input to Document JSON, on every real saved page and rendering.

Each real input has its expected document in tests/golden/documents/<name>.json, checked field by
field against the page by eye. The rendering is also checked against the project's shared
expected parse (../shared/fixtures/ndrc/expected/).
"""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, GOLDEN, PAGES, RENDERINGS
from replica.files import make_ofd, make_pdf
from parsers import ParseError, parse

DETAIL_PAGES = sorted(PAGES.glob("*_t*.html"))


def page_url(name: str) -> str:
    """The page's address on the site, as PROVENANCE.tsv records it."""
    for line in (FIXTURES / "PROVENANCE.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        file, url = line.split("\t")[:2]
        if file == f"pages/{name}":
            return url
    raise KeyError(name)


@pytest.mark.parametrize("path", DETAIL_PAGES, ids=lambda p: p.stem)
def test_detail_page_matches_golden(path):
    doc = parse(path.read_bytes(), url=page_url(path.name)).to_dict()
    expected = json.loads((GOLDEN / "documents" / f"{path.stem}.json").read_text(encoding="utf-8"))
    for key in expected:
        assert doc[key] == expected[key], key
    assert set(doc) == set(expected)


def test_rendering_matches_shared_expected():
    expected = json.loads((FIXTURES / "expected" / "tz_2022_408_rendering.json").read_text(encoding="utf-8"))
    doc = parse((RENDERINGS / "tz_2022_408_rendering.txt").read_bytes()).to_dict()
    for key in ("title", "doc_number", "doc_number_parts", "publish_date", "written_date", "source",
                "category", "issuers", "addressees", "preamble", "interpretations"):
        assert doc[key] == expected[key], key
    got = [{k: a[k] for k in ("label", "number", "level", "heading", "text")} for a in doc["articles"]]
    assert got == expected["articles"]
    for needle in expected["body_must_not_contain"]:
        assert needle not in doc["body_text"], needle
    # the sentence the ranking box cut in two comes out whole
    assert "可再生能源发电、先进核电" in doc["body_text"]
    assert doc["warnings"] == []


def test_every_contract_key_is_present_on_every_input():
    keys = {"id", "url", "category", "title", "doc_number", "doc_number_parts", "publish_date",
            "written_date", "effective_date", "source", "issuers", "addressees", "body_text",
            "articles", "attachments", "interpretations", "warnings", "content_sha256", "parser_version"}
    for path in DETAIL_PAGES + [RENDERINGS / "tz_2022_408_rendering.txt"]:
        assert keys <= set(parse(path.read_bytes()).to_dict()), path.name


ORDER_TEXT = [
    "粮食流通行政执法办法",
    "第一章　总则",
    "第一条　为了规范粮食流通行政执法行为，根据有关法律法规，制定本办法。",
    "第二条　执法应当遵循下列原则：",
    "（一）依法执法；",
    "（二）公正公开。",
    "第二章　附则",
    "第三条　本办法自2026年4月1日起施行。",
]


@pytest.mark.parametrize("writer", [make_pdf, make_ofd], ids=["pdf", "ofd"])
def test_order_page_reads_its_articles_from_the_attachment(writer):
    """Orders carry their 第X条 only in the attachment: the units come from it, marked by source."""
    path = PAGES / "fzggwl_t20260211_1403694.html"
    url = page_url(path.name)
    base = url.rsplit("/", 1)[0] + "/"
    ext = writer.__name__[-3:]
    name = {"pdf": "P020260211543515263965.pdf", "ofd": "P020260211543515713378.ofd"}[ext]
    doc = parse(path.read_bytes(), url=url, attachments={base + name: writer(ORDER_TEXT, title=ORDER_TEXT[0])})
    position = [a.url for a in doc.attachments].index(base + name) + 1
    labels = [(a.label, a.level, a.parent, a.source) for a in doc.articles]
    src = f"attachment:{position}"
    assert labels == [
        ("第一章", 1, None, src), ("第一条", 2, 0, src), ("第二条", 2, 0, src),
        ("（一）", 3, 2, src), ("（二）", 3, 2, src), ("第二章", 1, None, src), ("第三条", 2, 5, src),
    ]
    assert doc.articles[0].heading == "总则"
    assert "依法执法" in doc.attachments[position - 1].text
    assert doc.effective_date == "2026-04-01"


def test_parallel_pdf_and_ofd_copies_are_split_once():
    path = PAGES / "fzggwl_t20260211_1403694.html"
    url = page_url(path.name)
    base = url.rsplit("/", 1)[0] + "/"
    doc = parse(path.read_bytes(), url=url, attachments={
        base + "P020260211543515263965.pdf": make_pdf(ORDER_TEXT),
        base + "P020260211543515713378.ofd": make_ofd(ORDER_TEXT),
    })
    assert len(doc.articles) == 7
    assert {a.source for a in doc.articles} == {"attachment:1"}
    pdf, ofd = doc.attachments
    assert "依法执法" in pdf.text
    assert ofd.text is None  # the parallel copy is not read when the PDF was


def test_the_parallel_copy_is_read_when_the_pdf_is_unreadable():
    path = PAGES / "fzggwl_t20260211_1403694.html"
    url = page_url(path.name)
    base = url.rsplit("/", 1)[0] + "/"
    doc = parse(path.read_bytes(), url=url, attachments={
        base + "P020260211543515263965.pdf": make_pdf(ORDER_TEXT)[:300],  # truncated download
        base + "P020260211543515713378.ofd": make_ofd(ORDER_TEXT),
    })
    assert len(doc.articles) == 7
    assert {a.source for a in doc.articles} == {"attachment:2"}
    assert doc.attachments[0].text is None and "依法执法" in doc.attachments[1].text
    assert any("attachment 1" in w and "could not be read" in w for w in doc.warnings)


def test_a_standalone_pdf_is_a_document():
    doc = parse(make_pdf(ORDER_TEXT, title=ORDER_TEXT[0]))
    assert [a.label for a in doc.articles][:3] == ["第一章", "第一条", "第二条"]
    assert doc.effective_date == "2026-04-01"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"   \n\t ", "empty"),
    (bytes(range(256)) * 4, "binary"),
    (b'<html><script>var _0x1=["__jsl_clearance"];document.cookie=_0x1[0]+"=1";location.reload()</script></html>', "blocked"),
])
def test_no_document_is_a_one_line_parse_error(data, reason):
    with pytest.raises(ParseError) as err:
        parse(data)
    assert err.value.reason == reason
    assert "\n" not in str(err.value)


def test_list_page_is_not_taken_for_a_document():
    with pytest.raises(ParseError) as err:
        parse((PAGES / "tz_index_2026-08.html").read_bytes())
    assert err.value.reason == "list_page"


def test_ids_are_stable_and_come_from_the_page_id():
    path = PAGES / "tz_t20260828_1407232.html"
    url = page_url(path.name)
    a = parse(path.read_bytes(), url=url)
    b = parse(path.read_bytes(), url=url.replace(".html", "_ext.html"))
    assert a.id == b.id == "ndrc-1407232"
    assert a.content_sha256 == parse(path.read_bytes(), url=url).content_sha256


def test_to_dict_is_the_deep_conversion_of_every_nested_part():
    """`Document.to_dict` flattens its parts field by field: it must give what dataclasses'
    own deep conversion gives, on a document with articles, attachments, interpretations,
    relations, a validity basis and tables all filled."""
    from dataclasses import asdict, replace

    from parsers.model import Relation, Table, ValidityBasis

    path = PAGES / "fzggwl_t20260211_1403694.html"
    url = page_url(path.name)
    base = url.rsplit("/", 1)[0] + "/"
    doc = parse(path.read_bytes(), url=url,
                attachments={base + "P020260211543515263965.pdf": make_pdf(ORDER_TEXT, title=ORDER_TEXT[0])})
    doc = replace(
        doc,
        relations=(Relation("repeals", "发改价格〔2015〕1号", None, "ndrc-1", 2, "同时废止。"),),
        validity="amended",
        validity_basis=(ValidityBasis("amends", "ndrc-2", "发改价格〔2026〕9号", "2026-05-01", "作如下修改"),),
        tables=(Table(0, "body", (("名称", "文号"), ("甲", "乙"))),),
    )
    assert doc.articles and doc.attachments and doc.interpretations is not None and doc.doc_number_parts
    deep = asdict(doc)
    for key in ("issuers", "warnings"):
        deep[key] = list(deep[key])
    for key in ("articles", "attachments", "interpretations", "relations", "validity_basis"):
        deep[key] = list(deep[key])
    deep["tables"] = [{"seq": t["seq"], "source": t["source"], "rows": [list(r) for r in t["rows"]]} for t in deep["tables"]]
    assert doc.to_dict() == deep
    assert json.dumps(doc.to_dict(), sort_keys=True, ensure_ascii=False) == json.dumps(deep, sort_keys=True, ensure_ascii=False)
