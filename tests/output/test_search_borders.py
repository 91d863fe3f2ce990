"""A phrase never matches across the border of two stored texts: two attachments (joined in one
column of the trigram and one-character indexes), the title and the body, an article's heading and
its text, two articles. Whatever the phrase holds at its ends (a newline, a space, U+3000, the
separator's own characters), the search finds what `search_scan.scan` finds: each text on its own.
"""

from __future__ import annotations

import dataclasses

import pytest

from output import search
from output.db import Store
from output.search.index import ATTACHMENT_SEPARATOR, may_span_attachments
from search_scan import scan
from test_search import assert_exact, exact, found, gen_db, make_doc  # noqa: F401 - gen_db: fixture

# The ends a phrase may carry: the whitespace the query language knows (quoted, it is kept).
ENDS = ["\n", " ", "\u3000", "\t", "\r", "\xa0"]


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "borders.sqlite")
    yield store
    store.close()


def _attachments_db(store, first: str, second: str):
    # test-1: the border lies between 甲 (end of the first) and 一带 (start of the second);
    # test-2 holds the phrase inside one attachment, so a search that drops too much fails too.
    store.upsert_document(make_doc(1, title="关于甲的通知", attachments=[first, second]))
    return store.db


@pytest.mark.parametrize("end", ENDS, ids=repr)
def test_phrase_starting_with_whitespace_does_not_span_two_attachments(store, end):
    db = _attachments_db(store, "附件一的内容甲", "一带一路建设")
    store.upsert_document(make_doc(2, title="关于乙的通知", attachments=[f"其他内容{end}一带一路"]))
    query = exact(end + "一带")
    assert found(db, query) == {"test-2"} == scan(db, query)
    assert_exact(db, query)
    (hit,) = search.search(db, query)
    assert hit.field == "attachments"
    assert f"<mark>{end}一带</mark>".replace("\n", " ") in hit.snippet


@pytest.mark.parametrize("end", ENDS, ids=repr)
def test_phrase_ending_with_whitespace_does_not_span_two_attachments(store, end):
    db = _attachments_db(store, "推进一带", "路线图")
    store.upsert_document(make_doc(2, title="关于乙的通知", attachments=[f"推进一带{end}"]))
    for query in (exact("一带" + end), exact("带" + end)):  # trigram, and the short-term indexes
        assert found(db, query) == {"test-2"} == scan(db, query), repr(query)


def test_phrase_of_the_separators_own_characters_matches_no_border(store):
    db = _attachments_db(store, "推进一带", "一路建设")
    for term in (ATTACHMENT_SEPARATOR, "\x1f", "\n\x1f", "\x1f\n", "带\n\x1f", "\x1f\n一", "带\n\x1f\n一"):
        query = exact(term)
        assert found(db, query) == set() == scan(db, query), repr(term)


def test_a_text_that_holds_the_separator_is_still_found(store):
    db = _attachments_db(store, "甲" + ATTACHMENT_SEPARATOR + "乙", "丙")
    for term in (ATTACHMENT_SEPARATOR, "\x1f", "甲\n\x1f", "\x1f\n乙"):
        assert found(db, exact(term)) == {"test-1"} == scan(db, exact(term)), repr(term)
    (hit,) = search.search(db, exact("\x1f\n乙"))
    assert hit.field == "attachments" and "<mark>\x1f 乙</mark>" in hit.snippet  # from that attachment


def test_a_database_without_the_gram_index_keeps_attachments_apart(store):
    db = _attachments_db(store, "推进一带", "一路建设")
    db.execute(f"DROP TABLE {search.DOCS_GRAMS}")  # as an earlier version left it
    for term in ("\n一", "带\n", "\x1f", "\n\x1f\n一"):
        assert found(db, exact(term)) == set() == scan(db, exact(term)), repr(term)
    assert found(db, exact("带")) == {"test-1"}


def test_no_phrase_spans_title_and_body_heading_and_text_or_two_articles(store):
    doc = make_doc(1, title="关于一带", articles=[("第一", "一路建设推进"), (None, "绿色发展")])
    # the parser's body is one stored text: here it holds neither the title nor an article's start
    store.upsert_document(dataclasses.replace(doc, body_text="正文开始"))
    db = store.db
    for term in ("一带正文", "带正", "第一一路", "一一", "推进绿色", "进绿"):
        query = exact(term)
        assert found(db, query) == set() == scan(db, query), term
        assert_exact(db, query)


def test_every_border_between_two_attachments_of_the_generated_corpus(gen_db):
    """Phrases across each border of the generated documents (whose texts hold spaces, U+3000,
    tabs): the end of one attachment or the start of the next, with a newline or the separator."""
    by_document: dict[str, list[str]] = {}
    for document_id, text in gen_db.execute("SELECT document_id, text FROM attachments ORDER BY document_id, position"):
        if text:
            by_document.setdefault(document_id, []).append(text)
    borders = [(a, b) for texts in by_document.values() for a, b in zip(texts, texts[1:])]
    assert len(borders) >= 20
    for first, second in borders:
        for n in (1, 2, 3):
            for term in ("\n" + second[:n], first[-n:] + "\n", first[-n:] + ATTACHMENT_SEPARATOR + second[:n]):
                if term.strip(" \t\r\n\f\v\u3000\xa0"):
                    assert_exact(gen_db, exact(term))


def test_may_span_attachments_is_any_overlap_with_the_separator():
    for term in ("\n一带", "一带\n", "\x1f", "\n", "\n\x1f\n", "a\n\x1f\nb", "\x1f\n", "\n\x1f"):
        assert may_span_attachments(term), repr(term)
    for term in ("一带", " 一带", "一\n带", "\u3000一带\u3000", "\x1e"):
        assert not may_span_attachments(term), repr(term)
