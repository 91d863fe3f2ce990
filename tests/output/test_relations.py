"""The relation reader (parsers/relations.py) over the sentences NDRC documents state relations
with, and the ways they vary in the wild; then resolution of the targets in the store
(output/relations.py): orders keyed by (year, number), provincial look-alikes, titles."""

from __future__ import annotations

from dataclasses import replace

import pytest

from output.db import Store
from parsers.model import Article
from parsers.relations import partial_repeal, read_relations
from parsers.targets import bracket_number
from parsers.titles import normalize_title, title_keys
from test_search import make_doc


def rel(text, **kwargs):
    return [(r.relation, r.target_doc_number, r.target_title) for r in read_relations(text, **kwargs)]


def test_a_repeal_clause_after_the_effective_date():
    text = "本通知自印发之日起施行。《国家发展改革委关于完善价格机制的通知》（发改价格〔2015〕1234号）同时废止。"
    (r,) = read_relations(text)
    assert (r.relation, r.target_doc_number, r.target_title) == (
        "repeals", "发改价格〔2015〕1234号", "国家发展改革委关于完善价格机制的通知")
    assert r.text == "《国家发展改革委关于完善价格机制的通知》（发改价格〔2015〕1234号）同时废止。"
    assert r.target_id is None and r.article_seq is None


def test_nested_title_marks_in_either_spelling_normalise_alike():
    for cited in ("《关于印发〈煤电规划〉的通知》", "《关于印发《煤电规划》的通知》", "《关于印发 〈煤电规划〉 的通知》"):
        assert rel(f"{cited}（发改能源〔2020〕1号）同时废止。") == [
            ("repeals", "发改能源〔2020〕1号", "关于印发《煤电规划》的通知")]
    assert normalize_title("《关于印发〈X(试行)〉的通知》") == "关于印发《X（试行）》的通知"
    # the stored title of a cover notice and the title it issues are both keys of it
    assert title_keys("国家发展改革委 财政部关于印发《X方案》的通知") == (
        "国家发展改革委财政部关于印发《X方案》的通知", "关于印发《X方案》的通知", "X方案")


def test_several_numbers_in_one_clause_are_all_repealed():
    text = "《关于A的通知》（发改价格〔2015〕1号）、《关于B的通知》（发改价格〔2016〕2号）和原《C办法》（国家发展改革委令第10号）同时废止。"
    assert rel(text) == [
        ("repeals", "发改价格〔2015〕1号", "关于A的通知"),
        ("repeals", "发改价格〔2016〕2号", "关于B的通知"),
        ("repeals", "国家发展改革委令第10号", "C办法"),
    ]


def test_a_comma_ends_a_group_so_the_implemented_law_is_not_repealed():
    text = "根据《中华人民共和国价格法》，制定本办法。本办法自2027年1月1日起施行，《旧办法》（发改价格〔2010〕5号）同时废止。"
    assert rel(text) == [("implements", None, "中华人民共和国价格法"), ("repeals", "发改价格〔2010〕5号", "旧办法")]
    # 根据《X》 without a making verb only cites X
    assert rel("根据《价格法》有关规定，加强监管。") == [("cites", None, "价格法")]


def test_amendment_decisions_and_stop_words():
    assert rel("决定对《关于印发〈X方案〉的通知》（发改能源〔2026〕884号）作如下修改：") == [
        ("amends", "发改能源〔2026〕884号", "关于印发《X方案》的通知")]
    assert rel("将《价格监测规定》第三条修改为：“…”") == [("amends", None, "价格监测规定")]
    assert rel("《关于某事的通知》（发改办价格〔2019〕3号）自即日起停止执行。") == [
        ("repeals", "发改办价格〔2019〕3号", "关于某事的通知")]
    assert rel("本办法代替《旧规则》（发改价格〔2001〕9号）。") == [("replaces", "发改价格〔2001〕9号", "旧规则")]
    # a bracket after the title that is no number is skipped, not read as an amendment
    assert rel("《X办法》（2014年修订）继续有效。") == [("cites", None, "X办法")]


def test_an_order_cited_in_every_form():
    text = "《A规定》（国家发展改革委令2014年第7号）、《B规定》（第7号令）、《C规定》（7号令）和《D规定》（2016年第7号令）同时废止。"
    assert rel(text) == [
        ("repeals", "国家发展改革委令2014年第7号", "A规定"),
        ("repeals", "国家发展改革委令第7号", "B规定"),
        ("repeals", "国家发展改革委令第7号", "C规定"),
        ("repeals", "国家发展改革委令2016年第7号", "D规定"),
    ]
    # a bare order number keeps no year it does not print, whatever the citing document's year
    assert rel("原国家发展改革委令第10号同时废止。", own_doc_number="发改价格〔2026〕3号") == [
        ("repeals", "国家发展改革委令第10号", None)]
    # an order's own text naming itself by number is no citation
    assert rel("中华人民共和国国家发展和改革委员会令 第41号", own_doc_number="国家发展改革委令2026年第41号") == []
    # another agency's order stays its own (no NDRC order of that number is meant)
    assert bracket_number("原国家计委令第10号") == "国家计委令第10号"
    assert bracket_number("国家计委令2001年第10号") == "国家计委令2001年第10号"
    assert bracket_number("以下简称《办法》") is None


def test_a_provincial_look_alike_keeps_its_own_number():
    assert rel("《北京市价格管理办法》（京发改规〔2017〕4号）停止执行。") == [
        ("repeals", "京发改规〔2017〕4号", "北京市价格管理办法")]
    # bare, it is no NDRC number at all
    assert rel("按照京发改规〔2017〕4号执行。") == []


def test_a_repeal_list_and_a_table_of_titles_and_numbers():
    body = "\n".join([
        "现决定废止以下规范性文件：",
        "1.《关于甲的通知》（发改价格〔2010〕1号）",
        "序号 文件名称 文号",
        "2 关于乙事项的通知 发改价格〔2011〕2号",
        "3 | 关于丙事项的意见 | 发改价格〔2012〕3号",
        "本决定自公布之日起施行，各地要认真做好有关文件的清理工作，确保政策衔接平稳有序，不得出现空档。",
        "《关于丁的通知》（发改价格〔2013〕4号）",
    ])
    assert rel(body) == [
        ("repeals", "发改价格〔2010〕1号", "关于甲的通知"),
        ("repeals", "发改价格〔2011〕2号", "关于乙事项的通知"),
        ("repeals", "发改价格〔2012〕3号", "关于丙事项的意见"),
        ("cites", "发改价格〔2013〕4号", "关于丁的通知"),
    ]
    # a 废止 decision's attachment is the list itself
    attachment = "废止的规范性文件目录\n1.《关于戊的通知》（发改价格〔2014〕5号）"
    assert rel("", attachment_texts=[attachment], own_title="国家发展改革委关于废止部分规范性文件的决定") == [
        ("repeals", "发改价格〔2014〕5号", "关于戊的通知")]


def test_the_article_a_sentence_stands_in_and_its_own_number_and_title_left_out():
    articles = [Article(0, 1, "第一条", 1, None, "为了规范管理，根据《价格法》，制定本办法。", None),
                Article(1, 1, "第二条", 2, None, "《旧办法》（发改价格〔2000〕1号）同时废止。", None)]
    body = "\n".join(["关于印发《新办法》的通知", "发改价格〔2026〕1号", *(a.label + a.text for a in articles),
                      "《新办法》已经委务会审议通过。", "发改价格〔2026〕1号文件如有疑问请联系。"])
    got = read_relations(body, articles, own_doc_number="发改价格〔2026〕1号", own_title="关于印发《新办法》的通知")
    assert [(r.relation, r.target_title, r.article_seq) for r in got] == [
        ("implements", "价格法", 0), ("repeals", "旧办法", 1)]


def test_an_interpretation_interprets_the_document_its_title_names():
    got = read_relations("近日，国家发展改革委印发了《关于X的通知》。根据《价格法》，……",
                         own_title="国家发展改革委有关负责同志就《关于X的通知》答记者问", category="解读")
    assert [(r.relation, r.target_title) for r in got] == [("interprets", "关于X的通知"), ("cites", "价格法")]
    # without a title naming it, the first document the text cites
    got = read_relations("《关于Y的意见》出台的背景是……", own_title="专家解读 | 工作迈出重要一步", category="解读")
    assert [(r.relation, r.target_title) for r in got] == [("interprets", "关于Y的意见")]


def test_partial_repeals_name_the_parts():
    assert partial_repeal("《X办法》第三条、第五条同时废止。")
    assert partial_repeal("《X办法》（发改价格〔2010〕1号）中关于收费的规定停止执行。")
    assert not partial_repeal("《X办法》（发改价格〔2010〕1号）同时废止。")


# ---------------------------------------------------------------------------- resolution


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "r.sqlite") as s:
        yield s


def order(n, year, serial, title, publish):
    from parsers.identifiers import doc_number_parts

    number = f"国家发展改革委令{year}年第{serial}号"
    return replace(make_doc(n, title=title, doc_number=number, publish_date=publish, category="发展改革委令"),
                   doc_number_parts=doc_number_parts(number))


def targets(store, doc_id):
    return [(r, t, w) for r, t, w in store.db.execute(
        "SELECT target_doc_number, target_id, warning FROM relations WHERE document_id = ? ORDER BY position",
        [doc_id])]


def test_two_orders_numbered_7_resolve_by_year_and_a_yearless_citation_only_by_title(store):
    store.upsert_document(order(1, 2014, 7, "《电力监管办法》", "2014-05-01"))
    store.upsert_document(order(2, 2016, 7, "《价格监测规定》", "2016-05-01"))
    body = ("《电力监管办法》（国家发展改革委令2014年第7号）、《价格监测规定》（第7号令）和《某规则》（7号令）同时废止。")
    store.upsert_document((make_doc(3, title="关于清理规章的决定", body_extra=body,
                                                  publish_date="2026-01-05")))
    got = targets(store, "test-3")
    assert got[0][:2] == ("国家发展改革委令2014年第7号", "test-1")
    assert got[1][:2] == ("国家发展改革委令第7号", "test-2")  # the title settles which 第7号
    assert got[2][1] is None and "2 stored orders are numbered" in got[2][2]  # never guessed
    validity = dict(store.db.execute("SELECT id, validity FROM documents").fetchall())
    assert validity == {"test-1": "repealed", "test-2": "repealed", "test-3": "in_force"}


def test_a_provincial_number_does_not_resolve_to_the_ndrc_document_of_that_number(store):
    store.upsert_document((make_doc(1, title="关于价格管理的通知", doc_number="发改规〔2017〕4号",
                                                  publish_date="2017-03-01")))
    store.upsert_document((make_doc(
        2, title="关于转发的通知", body_extra="《关于价格管理的通知》（京发改规〔2017〕4号）同时废止。")))
    assert targets(store, "test-2") == [("京发改规〔2017〕4号", None, None)]
    assert store.db.execute("SELECT validity FROM documents WHERE id = 'test-1'").fetchone() == ("in_force",)


def test_titles_resolve_exactly_loosely_with_a_warning_or_not_at_all(store):
    store.upsert_document((make_doc(1, title="国家发展改革委关于推进“互联网+”监管的意见",
                                                  publish_date="2019-01-01")))
    store.upsert_document((make_doc(2, title="关于做好年度工作的通知", publish_date="2019-01-02")))
    store.upsert_document((make_doc(3, title="关于做好年度工作的通知", publish_date="2020-01-02")))
    store.upsert_document((make_doc(4, title="关于印发《测试管理办法（试行）》的通知",
                                                  publish_date="2019-01-03")))
    body = ("《关于推进“互联网+”监管的意见》同时废止。《关于做好年度工作的通知》停止执行。"
            "《测试管理办法》不再执行。《从未收录的文件》同时废止。")
    store.upsert_document((make_doc(5, title="关于清理的通知", body_extra=body)))
    rows = store.db.execute("SELECT target_title, target_id, resolved_by, warning FROM relations"
                            " WHERE document_id = 'test-5' ORDER BY position").fetchall()
    assert rows[0][1:3] == ("test-1", "title")  # the issuer the stored title carries is no obstacle
    assert rows[1][1] is None and "2 stored documents are titled" in rows[1][3]
    assert rows[2][1:3] == ("test-4", "fuzzy_title") and "loosely" in rows[2][3]
    assert rows[3][1] is None


# ---------------------------------------------------------------------------- property over real texts

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from test_search import real_documents  # noqa: E402

REAL = [d for d in real_documents() if d.body_text]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(0, len(REAL) - 1),
    where=st.floats(0, 1),
    brackets=st.sampled_from(["〔〕", "[]", "（）", "【】", "［］"]),
    outer=st.sampled_from(["（）", "()"]),
    spaced=st.booleans(),
    inner=st.sampled_from(["〈〉", "《》"]),
    verb=st.sampled_from(["同时废止", "予以废止", "停止执行", "不再执行"]),
    year=st.integers(2000, 2025),
    serial=st.integers(1, 3000),
)
def test_a_repeal_clause_in_any_spelling_inside_a_real_text_is_read(which, where, brackets, outer, spaced,
                                                                      inner, verb, year, serial):
    doc = REAL[which]
    sp = " " if spaced else ""
    number = f"发改价格{brackets[0]}{sp}{year}{sp}{brackets[1]}{sp}{serial}{sp}号"
    clause = f"《关于印发{inner[0]}测试专项办法{inner[1]}的通知》{outer[0]}{number}{outer[1]}{verb}。"
    paragraphs = doc.body_text.split("\n")
    at = int(where * len(paragraphs))
    body = "\n".join(paragraphs[:at] + [clause] + paragraphs[at:])
    before = read_relations(doc.body_text, own_doc_number=doc.doc_number, own_title=doc.title)
    got = read_relations(body, own_doc_number=doc.doc_number, own_title=doc.title)
    added = [r for r in got if r not in before]
    assert [(r.relation, r.target_doc_number, r.target_title) for r in added] == [
        ("repeals", f"发改价格〔{year}〕{serial}号", "关于印发《测试专项办法》的通知")]
    assert added[0].text == clause
    assert all(r.text for r in got)


def test_an_interpretation_resolves_through_the_document_that_links_to_it(store):
    from parsers.model import Link

    jd_url = "https://www.ndrc.gov.cn/xxgk/jd/jd/202405/t20240507_99.html"
    jd = replace(make_doc(99, title="《关于做好年度工作的通知》解读", category="解读",
                          body_extra="近日，国家发展改革委印发了《关于做好年度工作的通知》。"), url=jd_url)
    twin = make_doc(1, title="关于做好年度工作的通知", publish_date="2023-01-02")
    listed = replace(make_doc(2, title="关于做好年度工作的通知", publish_date="2024-05-06"),
                     interpretations=(Link("《关于做好年度工作的通知》解读", jd_url),))
    # the 解读 first, then two documents of that title: the one listing it is the one it interprets
    store.upsert_document(jd)
    assert targets(store, "test-99")[0][1] is None
    store.upsert_document(twin)
    assert targets(store, "test-99")[0][1] == "test-1"  # the only one of that title, for now
    store.upsert_document(listed)
    row = store.db.execute("SELECT relation, target_id, resolved_by FROM relations WHERE document_id = 'test-99'"
                           ).fetchone()
    assert row == ("interprets", "test-2", "interpretation_link")


# The reader skips a paragraph naming only the document itself (its title or 文号 in normal
# form) without reading its sentences: whatever else such a paragraph says, reading it in full
# must find nothing in it either.
_OWN_TITLE, _OWN_NUMBER = "关于印发《价格监测规定》的通知", "发改价格〔2015〕1234号"
_OWN_PIECES = ("《价格监测规定》", "《关于印发《价格监测规定》的通知》", _OWN_NUMBER)
_OTHER_PIECES = ("已经审议通过", "同时废止", "根据", "制定本办法", "，", "、", "。", "（2014年修订）", "（试行）",
                 " ", "号", "《价格法》", "发改价格〔2016〕2号", "废止的规章目录如下：", "作如下修改")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_OTHER_PIECES), max_size=4), st.sampled_from(_OWN_PIECES),
       st.lists(st.sampled_from(_OTHER_PIECES), max_size=4))
def test_a_paragraph_skipped_as_naming_only_itself_holds_no_relation(before, own_piece, after):
    from parsers import relations as reader

    para = "".join(before) + own_piece + "".join(after)
    own_keys = set(title_keys(_OWN_TITLE))
    own_inner = {t.title for t in reader.find_targets(_OWN_TITLE, None) if t.title}
    own_marked = {f"《{t}》" for t in own_keys | own_inner}
    if reader._names_only_itself(para, own_marked, {_OWN_NUMBER}):
        def own(number, title):
            return number == _OWN_NUMBER if number else (title in own_keys or title in own_inner)

        for listing in (None, "repeals"):
            assert reader._paragraph(para, None, listing, own) == []
    else:  # what the fast path turns away is read in full, and finds what a sentence names
        assert ("《价格法》" in para or "〔2016〕" in para or own_piece == _OWN_NUMBER
                or "《关于印发《" in para or para.count("《") != 1 or "号" in para)


_TITLE_PIECES = ("关于印发", "《", "》", "〈", "〉", "价格监测规定", "的通知", "（发改价格〔2015〕1234号）", "(试行)",
                 " ", "\n", "国家发展改革委令2014年第7号", "、", "《》")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_TITLE_PIECES), max_size=8).map("".join))
def test_an_own_title_issues_the_titles_of_its_targets(title):
    """read_relations takes what a (non-interpretation) title issues from target_titles: the
    titles of the targets find_targets reads in it."""
    from parsers import relations as reader

    assert reader.target_titles(title) == {t.title for t in reader.find_targets(title, None) if t.title}
