"""The query language (output/search/syntax.py) end to end: every operator and their combinations
find exactly what an instr scan of the same tree finds (tests/search_scan.py), over random terms
drawn from the corpus; bad syntax is a QueryError naming the problem."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from output import search
from output.search.syntax import WHITESPACE, And, Not, Or, Term, parse_query
from search_scan import render, scan, scan_articles
from test_search import corpus_texts, gen_db, real_db  # noqa: F401 - fixtures

# Every space and line break Python knows but the C0 information separators (control codes,
# one of which the search index writes between attachments), found here rather than taken
# from the module under test.
EVERY_SPACE = [chr(c) for c in range(0x110000) if chr(c).isspace() and not 0x1C <= c <= 0x1F]
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def pool(gen_db):  # noqa: F811
    """Terms of 1 to 6 characters at random places of the corpus, common and rare alike."""
    rng = random.Random(12)
    texts = corpus_texts(gen_db)
    out = set()
    while len(out) < 400:
        text = rng.choice(texts)
        n = rng.randint(1, 6)
        at = rng.randrange(0, max(1, len(text) - n + 1))
        term = text[at : at + n]
        if term.strip(WHITESPACE):
            out.add(term)
    return sorted(out)


def check(db, node, query: str | None = None) -> None:
    """The query written from `node` (or `query`, which must read as `node` does) finds what the
    scan of `node` finds: documents and articles."""
    query = render(node) if query is None else query
    assert parse_query(query) is not None
    hits = search.search(db, query, limit=None, articles=None)
    docs = {h.document_id for h in hits}
    assert docs == scan(db, node), query
    assert {(h.document_id, a.seq) for h in hits for a in h.articles} == scan_articles(db, node, docs), query
    for h in hits:  # every match holds a term it shows (an exclusion stands beside one)
        assert "<mark>" in h.snippet, (query, h.document_id)


def terms(pool, lo=1, hi=3):
    return st.lists(st.sampled_from(pool).map(Term), min_size=lo, max_size=hi, unique=True)


@SETTINGS
@given(data=st.data())
def test_and(gen_db, pool, data):  # noqa: F811
    ts = data.draw(terms(pool, 2, 3))
    check(gen_db, And(tuple(ts)))


@SETTINGS
@given(data=st.data())
def test_or(gen_db, pool, data):  # noqa: F811
    ts = data.draw(terms(pool, 2, 3))
    check(gen_db, Or(tuple(ts)))


@SETTINGS
@given(data=st.data())
def test_exact_phrase_keeps_spaces_and_operators(gen_db, pool, data):  # noqa: F811
    a, b = data.draw(terms(pool, 2, 2))
    sep = data.draw(st.sampled_from([" ", "\u3000", "、", " OR ", " -", "(", '"']))
    phrase = a.text + sep + b.text
    check(gen_db, Term(phrase))  # render quotes it: one term, found as written


@SETTINGS
@given(data=st.data())
def test_pasted_spaces_and_invisible_characters_read_as_typed_ones(gen_db, pool, data):  # noqa: F811
    """A query copied from a page or a PDF (em spaces, no-break spaces, U+200B inside a word)
    finds what the same query typed with plain spaces finds."""
    a, b = data.draw(terms(pool, 2, 2))
    sep = data.draw(st.text(st.sampled_from(EVERY_SPACE), min_size=1, max_size=3))
    invisible = data.draw(st.sampled_from(ZERO_WIDTH))
    first = render(a)
    if len(first) > 1:  # a zero-width character inside the first term
        first = first[:1] + invisible + first[1:]
    check(gen_db, And((a, b)), query=first + sep + render(b))


@SETTINGS
@given(data=st.data())
def test_exclude(gen_db, pool, data):  # noqa: F811
    keep, drop = data.draw(terms(pool, 2, 2))
    check(gen_db, And((keep, Not(drop))))


def trees(pool):
    leaf = st.sampled_from(pool).map(Term)

    def grow(children):
        ands = st.tuples(st.lists(children, min_size=1, max_size=3), st.lists(children, max_size=2)).map(
            lambda pn: And(tuple(pn[0]) + tuple(Not(c) for c in pn[1])) if len(pn[0]) + len(pn[1]) > 1 else pn[0][0]
        )
        ors = st.lists(children, min_size=2, max_size=3).map(lambda cs: Or(tuple(cs)))
        return st.one_of(ands, ors)

    return st.recursive(leaf, grow, max_leaves=7)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_combinations_with_groups(gen_db, pool, data):  # noqa: F811
    check(gen_db, data.draw(trees(pool)))


def test_typed_queries_read_as_documented():
    assert parse_query("绿色 发展") == parse_query("绿色\u3000发展") == parse_query("绿色、发展") == And(
        (Term("绿色"), Term("发展"))
    )
    assert parse_query("绿色 AND 发展") == And((Term("绿色"), Term("发展")))
    assert parse_query("绿色 OR 碳") == Or((Term("绿色"), Term("碳")))
    assert parse_query('"绿色 发展"') == Term("绿色 发展")
    assert parse_query('"say ""OR"""') == Term('say "OR"')
    assert parse_query("绿色 -煤电") == And((Term("绿色"), Not(Term("煤电"))))
    assert parse_query("(绿色 OR 低碳) 发展 -(煤电 OR 光伏)") == And(
        (Or((Term("绿色"), Term("低碳"))), Term("发展"), Not(Or((Term("煤电"), Term("光伏")))))
    )
    # OR binds looser than AND: 甲 乙 OR 丙 is (甲 乙) OR 丙
    assert parse_query("甲 乙 OR 丙") == Or((And((Term("甲"), Term("乙"))), Term("丙")))
    # brackets and dashes inside a word are text
    assert parse_query("Wi-Fi(6)") == Term("Wi-Fi(6)")
    assert parse_query("a") == Term("a") and parse_query("or") == Term("or")


@pytest.mark.parametrize("space", EVERY_SPACE, ids=lambda ch: f"U+{ord(ch):04X}")
def test_every_kind_of_space_separates_terms(space):
    assert parse_query(f"绿色{space}发展") == And((Term("绿色"), Term("发展")))
    assert parse_query(f"{space}绿色{space}{space}-煤电{space}") == And((Term("绿色"), Not(Term("煤电"))))


def test_quoted_spaces_are_text():
    # inside quotes every space is kept as typed: the exact string
    assert parse_query('"绿色\u3000\u3000发展"') == Term("绿色\u3000\u3000发展")
    assert parse_query('"甲\n乙"') == Term("甲\n乙")
    assert parse_query('" 绿色"') == Term(" 绿色")


@pytest.mark.parametrize("invisible", ZERO_WIDTH, ids=lambda ch: f"U+{ord(ch):04X}")
def test_zero_width_characters_are_not_read(invisible):
    assert parse_query(f"绿{invisible}色 发展{invisible}") == And((Term("绿色"), Term("发展")))
    assert parse_query(f'"绿{invisible}色"') == Term("绿色")
    with pytest.raises(search.QueryError, match="the query is empty"):
        parse_query(invisible)
    # error positions count the characters a person sees
    with pytest.raises(search.QueryError, match='at character 3 closes no "\\("'):
        parse_query(f"绿{invisible}色)")


def test_doc_numbers_in_any_bracket_form_find_every_form(real_db):  # noqa: F811
    tree = parse_query("发改开放[2022]408号")
    assert isinstance(tree, Or) and Term("发改开放〔2022〕408号") in tree.children
    assert parse_query("发改开放(2022)408号") == parse_query("发改开放〔2022〕408号") == tree
    for typed in ("发改开放〔2022〕408号", "发改开放[2022]408号", "发改开放(2022)408号", "发改开放（2022）408号"):
        hits = search.search(real_db, typed)
        assert [h.document_id for h in hits] == ["ndrc-1320629"], typed
        assert "<mark>发改开放〔2022〕408号</mark>" in hits[0].snippet
    # quoted, a 文号 is exact: the [] form is not in the text
    assert search.search(real_db, '"发改开放[2022]408号"') == []
    assert {h.document_id for h in search.search(real_db, "发改开放(2022)408号 一带一路")} == scan(real_db, tree) & scan(
        real_db, "一带一路"
    )


@pytest.mark.parametrize(
    "query, message",
    [
        ('"绿色', "unclosed quote at character 1"),
        ('绿色 "', "unclosed quote at character 4"),
        ("-", 'a lone "-" at character 1 excludes nothing'),
        ("绿色 - 煤电", 'a lone "-" at character 4 excludes nothing'),
        ("-煤电", "exclusions alone find nothing"),
        ("绿色 OR -煤电", "exclusions alone find nothing"),
        ("OR 碳", '"OR" at character 1 needs a term before it'),
        ("绿色 OR", "OR at character 4 needs a term after it"),
        ("绿色 OR OR 碳", "OR at character 4 needs a term after it"),
        ("AND 碳", "AND at character 1 needs a term on each side"),
        ("()", "empty parentheses at character 1"),
        ("(绿色 OR 碳", 'the "(" at character 1 is never closed'),
        ("绿色)", 'a ")" at character 3 closes no "("'),
        ('""', "empty quotes at character 1"),
        ("", "the query is empty"),
        (" \u3000", "the query is empty"),
    ],
)
def test_bad_syntax_is_an_error_naming_the_problem(query, message):
    with pytest.raises(search.QueryError) as err:
        parse_query(query)
    assert message in str(err.value)
    assert "\n" not in str(err.value)
