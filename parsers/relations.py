"""What a document says of other documents: the sentences that repeal, amend, replace,
implement, interpret or cite another, with the target's 文号 and/or title normalised.

`read_relations(...) -> tuple[Relation, ...]` reads the body, the articles and the attachment
texts; `target_id` is left None (the store resolves it). The same reader gives the `citations`
view its rows (`output.citations` keeps the distinct targets). Titles are normalised by
`parsers.titles`; `partial_repeal` is shared with validity.

How a sentence is read:
1. its targets (`parsers.targets`): every balanced 《…》 (《关于印发〈X〉的通知》 and the mis-nested 《关于印发《X》的通知》
   alike), with the 文号 in brackets right after it (any issuer's, an order as
   国家发展改革委令2014年第7号, 2014年第7号令, 第7号令 or 7号令), and every bare NDRC 文号;
2. targets joined only by 、 和 及 与 (a list) form a group: "《A》（…号）、《B》（…号）同时废止"
   repeals both;
3. a group's relation is said by the words right after it (同时废止, 作如下修改, 代替) or right
   before it (废止《X》, 根据《X》…制定), else it is cited;
4. a repeal or amendment list ("决定废止下列规章：", a table of titles and 文号) gives its relation
   to the items that follow it, until a paragraph that is no list item.
Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from parsers.identifiers import ORDER_PREFIX
from parsers.model import Article, Relation
from parsers.targets import Target
from parsers.targets import targets as find_targets
from parsers.targets import titles as find_titles
from parsers.titles import normalize_title, title_keys

# An NDRC order's normal form with its year, for the yearless form the order's own text uses.
ORDER_NUMBER = re.compile(re.escape(ORDER_PREFIX) + r"\d{4}年第(\d+)号")
# What may stand between two targets of one list: 、 和 及 与 以及 或, spaces, and the 原 of
# "原《X》". A comma ends the list (根据《A》，《B》同时废止 says two things).
CONNECTOR = re.compile(r"[\s\u3000、和及与以或其原]*")
# Relation words after a group, strongest first. Brackets after the group are skipped first
# ("《X》（2014年修订）" is no amendment).
AFTER_WORDS: tuple[tuple[str, re.Pattern], ...] = (
    # 本标准代替… / 《X》同时废止并被代替: replacement is a repeal by a successor
    ("replaces", re.compile(r"^[^，。；]{0,6}(?:代替|替代|取代)")),
    # the repeal clause of a new text, and 废止 decisions; 停止执行 / 不再执行 / 失效 say the same
    ("repeals", re.compile(r"^[^。；]{0,30}?(?:废止|停止执行|停止施行|不再执行|不再施行|同时失效|即行失效|自行失效)")),
    # 决定对《X》作如下修改; 将《X》第三条修改为…
    ("amends", re.compile(r"^[^。；]{0,30}?(?:作(?:出)?(?:如下|以下)(?:修改|修订)|进行修改|予以修改|部分条款(?:的)?修改|修改为)")),
)
# A tail can hold one of those words only if it holds one of these: looked for first, so that
# the three patterns run only on the few sentences that say more than they cite.
AFTER_WORD_HINT = re.compile(r"代替|替代|取代|废止|停止|不再|失效|修改|修订")
# Relation words right before a group (allowing 原 and spaces between).
BEFORE_WORDS: tuple[tuple[str, re.Pattern], ...] = (
    ("replaces", re.compile(r"(?:代替|替代|取代)[\s原]*$")),
    ("repeals", re.compile(r"(?:决定|同时|予以|宣布|一并)?废止[\s原]*$")),
    ("amends", re.compile(r"(?:决定)?(?:修改|修订)[\s原]*$")),
)
# What the text before a group ends with (原 and spaces aside) when one of BEFORE_WORDS or
# IMPLEMENT_LEAD can match: those patterns end in `$`, and a search for one tries every position
# of the head, so they run only when its last two characters allow it.
BEFORE_WORD_ENDINGS = frozenset({"代替", "替代", "取代", "废止", "修改", "修订", "根据", "依据", "依照", "按照", "贯彻", "落实"})
# 根据《X》，制定本办法: the text implements X. Only with one of IMPLEMENT_AIM later in the
# sentence: "根据《X》有关规定" alone only cites it.
IMPLEMENT_LEAD = re.compile(r"(?:根据|依据|依照|按照|(?:为|为了)?(?:深入)?贯彻(?:落实)?|为落实)[\s]*$")
IMPLEMENT_AIM = re.compile(r"制定|制订|印发|出台|现就|现将|特提出|提出(?:以下|如下)")
# A paragraph that opens a list of documents to repeal or amend: 现决定废止以下规章：,
# 决定对下列规范性文件予以废止, 废止的规章和规范性文件目录, 决定废止…（见附件）.
LIST_OPENER = re.compile(
    r"(?:废止|修改|失效)[^。]{0,30}?(?:如下|以下|下列|附件)|(?:下列|以下)[^。]{0,30}?(?:废止|修改|失效)"
    r"|(?:废止|修改|失效)的[^。]{0,20}?(?:目录|清单|名单)"
)
# A list item is short and no sentence: a paragraph without a target that is longer, or ends
# in 。, ends the list (a table's header row 序号 文件名称 文号 does not).
LIST_ITEM_MAX = 40
# A title row of a list table (no 《》: 序号 | 文件名称 | 文号) names the document before its 文号.
ROW_TITLE_WORDS = re.compile(r"关于|办法|规定|通知|意见|决定|细则|规则|方案|目录|公告")
_ROW_LEAD = re.compile(r"^[\s\u3000|｜\t0-9０-９.．、（）()一二三四五六七八九十]*")
_ROW_TAIL = re.compile(r"[\s\u3000|｜\t，,：:（(]*$")
# A 解读 page interprets the document it explains: its title says so.
INTERPRETATION_TITLE = re.compile(r"解读|答记者问|答问|问答|一图读懂|图解")
INTERPRETATION_CATEGORY = "解读"
# On a 解读 page, the sentence reporting an issue (近日，国家发展改革委印发了《X》) names what it interprets.
INTERPRETED_VERB = re.compile(r"印发|发布|出台|颁布|公布")
# Sentence ends; a line break ends a sentence too (paragraphs, table rows).
SENTENCE_SPLIT = re.compile(r"(?<=[。！？])")
# A partial repeal names the parts it repeals between the target and the verb:
# 《X》第三条、第五条同时废止, 《X》中关于…的规定停止执行, 《X》附件2废止.
PARTIAL_REPEAL = re.compile(
    r"[》）)][^《》。；]{0,8}?(?:第[一二三四五六七八九十百零〇0-9]+[条款项章节]|中[^。；]{0,30}?(?:条|款|规定|内容|部分)"
    r"|附件\s*[0-9一二三四五六七八九十]|部分条款)[^《》。；]{0,40}?(?:废止|停止执行|不再执行|失效)"
)
# The label a unit's first sentence opens with (第三条, 三、, （三）, 3.): not part of its `text`.
_LEADING_LABEL = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇]+[编章节条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十0-9]+[）)]|\d+[.．、])[\s\u3000]*"
)


def partial_repeal(sentence: str) -> bool:
    """Whether a repeal sentence repeals only parts (articles, a clause) of its target."""
    return PARTIAL_REPEAL.search(sentence) is not None


def is_interpretation(title: str | None, category: str | None) -> bool:
    # Every word of INTERPRETATION_TITLE holds 解, 答 or 图: a title with none is searched no further.
    return category == INTERPRETATION_CATEGORY or bool(
        title and ("解" in title or "答" in title or "图" in title) and INTERPRETATION_TITLE.search(title)
    )


def read_relations(
    body_text: str | None,
    articles: Sequence[Article] = (),
    attachment_texts: Sequence[str | None] = (),
    *,
    own_doc_number: str | None = None,
    own_title: str | None = None,
    category: str | None = None,
    year: int | None = None,
) -> tuple[Relation, ...]:
    """Every relation the texts state, in reading order; each (relation, target) once.

    The document's own 文号 and title do not count, nor a 《X》 its own title holds
    (关于印发《X》的通知 issues X), except on a 解读 page, whose title names what it interprets.
    An order cited by its number alone (原国家发展改革委令第10号) stays yearless, never dated with
    the citing document's year (there are two 第7号); an order's own text naming itself so
    (…委员会令 第41号) is no citation. `year` is accepted for callers of the earlier signature and
    not used: the own number says the year.
    """
    own_numbers = {own_doc_number} if own_doc_number else set()
    # ORDER_NUMBER opens with ORDER_PREFIX: a 文号 (the usual own number) is not matched against it.
    own_order = ORDER_NUMBER.fullmatch(own_doc_number) if own_doc_number and own_doc_number.startswith(ORDER_PREFIX) else None
    if own_order:
        own_numbers.add(f"{ORDER_PREFIX}第{int(own_order.group(1))}号")
    year = None
    interpretation = is_interpretation(own_title, category)
    if own_title:
        own_keys = set(title_keys(own_title))
        if interpretation:  # the targets are what the page interprets, 文号 and all
            own_targets = find_targets(own_title, year)
            own_inner = {t.title for t in own_targets if t.title}  # titles come out of find_targets normalised
        else:  # only the titles count
            own_targets = []
            own_inner = target_titles(own_title)
        own_marked = {f"《{t}》" for t in own_keys | own_inner}
    else:  # what title_keys and find_targets give for no title
        own_keys, own_targets, own_inner, own_marked = set(), [], set(), set()
    out: dict[tuple, Relation] = {}

    def own(doc_number: str | None, title: str | None) -> bool:
        """The document itself, or what its title issues: no relation of its own to it (an
        interpretation's `interprets` of its title's target aside)."""
        if doc_number:
            return doc_number in own_numbers
        return title in own_keys or title in own_inner

    def add(rel: Relation) -> None:
        if rel.target_doc_number and rel.target_doc_number in own_numbers:
            return
        if rel.target_title and not rel.target_doc_number and rel.target_title in own_keys:
            return
        if rel.target_title in own_inner and rel.relation != "interprets":
            return
        key = (rel.relation, rel.target_doc_number, rel.target_title)
        out.setdefault(key, rel)

    if interpretation:
        for t in own_targets:
            add(Relation("interprets", t.doc_number, t.title, None, None, own_title or ""))
    by_source: dict[str, list[Article]] = {}
    for a in articles:
        by_source.setdefault(a.source, []).append(a)
    texts = [("body", body_text)]
    if attachment_texts:
        # An attachment not read (its text None or empty) says nothing: not even named.
        texts += [(f"attachment:{i}", t) for i, t in enumerate(attachment_texts, 1) if t]
    list_mode = _list_relation(own_title)
    for source, text in texts:
        if not text:
            continue
        listing = list_mode if source != "body" else None
        # The words the paragraphs are tested for below, looked for in the whole text first: one
        # it lacks, no paragraph holds. A text with neither kind gives no relation at all.
        may_cite = "《" in text or "号" in text
        may_open = "废止" in text or "修改" in text or "失效" in text
        if not (may_cite or may_open):
            continue
        for para in text.split("\n"):
            # A paragraph without 《 and 号 names no target (_paragraph reads none from it).
            if may_cite and ("《" in para or "号" in para) and not _names_only_itself(para, own_marked, own_numbers):
                for rel in _paragraph(para, year, listing, own):
                    add(Relation(rel[0], rel[1], rel[2], None, _article_of(by_source.get(source, ()), rel[3]), rel[3]))
            opened = (
                LIST_OPENER.search(para) if may_open and ("废止" in para or "修改" in para or "失效" in para) else None
            )
            if opened:
                listing = "amends" if "修改" in opened.group(0) and "废止" not in opened.group(0) else "repeals"
            elif listing and (len(para) > LIST_ITEM_MAX or para.rstrip().endswith("。")) and not _has_target(para, year):
                listing = None
    relations = list(out.values())
    if interpretation:
        # what the page says was issued (近日，…印发《X》（…号）) is what it interprets; without
        # such a sentence or a title naming it, the first document it cites
        first = not any(r.relation == "interprets" for r in relations)
        for i, r in enumerate(relations):
            if r.relation == "cites" and (first or INTERPRETED_VERB.search(r.text)):
                relations[i] = Relation("interprets", r.target_doc_number, r.target_title, None,
                                        r.article_seq, r.text)
                first = False
        kept: dict[tuple, Relation] = {}
        for r in relations:
            kept.setdefault((r.relation, r.target_doc_number, r.target_title), r)
        relations = list(kept.values())
    return tuple(relations)


def target_titles(text: str) -> set[str]:
    """The titles of the targets `find_targets` gives for a text (each balanced 《…》, normalised),
    without the brackets after them read for a 文号 nor the bare 文号: what an own title issues."""
    return {title for _, _, inner in find_titles(text) if (title := normalize_title(inner))}


def _list_relation(own_title: str | None) -> str | None:
    """A 废止 / 修改 decision reads its attachments as lists of what it repeals or amends."""
    if not own_title or "决定" not in own_title:
        return None
    if "废止" in own_title:
        return "repeals"
    if "修改" in own_title:
        return "amends"
    return None


def _article_of(articles: Sequence[Article], sentence: str) -> int | None:
    """The seq of the innermost article holding the sentence (its own text or heading). The
    sentence's end is looked for: its start may carry the article's label, which `text` lacks."""
    probe = _LEADING_LABEL.sub("", sentence.strip())[-30:]
    found = None
    for a in articles:
        if probe and (probe in a.text or (a.heading and probe in a.heading)):
            found = a.seq
    return found


def _has_target(text: str, year: int | None) -> bool:
    return bool(find_targets(text, year))


def _names_only_itself(para: str, own_marked: set[str], own_numbers: set[str]) -> bool:
    """A paragraph whose one target is the document's own title or 文号 written in normal form
    (《X》已经…审议通过, the 文号 line): the reader would find that target alone, and drop it.
    Every bracketed 文号 and bare number holds 号, so a paragraph without one holds no number."""
    if "号" in para:
        return "《" not in para and para.strip() in own_numbers
    start = para.find("《")
    if start < 0 or para.find("《", start + 1) >= 0:
        return False
    close = para.find("》", start)
    return close > start + 1 and para[start : close + 1] in own_marked


def _paragraph(
    para: str, year: int | None, listing: str | None, own: Callable[[str | None, str | None], bool]
) -> list[tuple[str, str | None, str | None, str]]:
    """(relation, doc_number, title, sentence) of every target of one paragraph that is not
    `own` (the reader drops those whatever the sentence says of them, so it is not asked: most
    sentences that name a title name the document's own, 《X》已经…审议通过)."""
    if "《" not in para and "号" not in para:
        return []
    out = []
    for sentence in _sentences(para):
        targets = find_targets(sentence, year)
        if not targets:
            continue
        if listing and not any(t.title for t in targets):
            targets = [_row_target(sentence, t) for t in targets]
        if all(own(t.doc_number, t.title) for t in targets):
            continue  # the usual sentence: it names the document itself
        text = sentence.strip()
        for group in _groups(sentence, targets):
            others = [t for t in group if not own(t.doc_number, t.title)]
            if not others:
                continue
            relation = _group_relation(sentence, group, targets)
            if relation == "cites" and listing:
                relation = listing
            out.extend((relation, t.doc_number, t.title, text) for t in others)
    return out


def _sentences(para: str) -> list[str]:
    """`SENTENCE_SPLIT.split(para)`; a paragraph of one sentence (no sentence end before its
    last character, the usual case) without the regex's lookbehind at every character."""
    last = len(para) - 1
    if para.find("。", 0, last) < 0 and para.find("！", 0, last) < 0 and para.find("？", 0, last) < 0:
        return [para]
    return SENTENCE_SPLIT.split(para)


def _row_target(sentence: str, t: Target) -> Target:
    """A table row (序号 | 名称 | 文号) names its document without 《》: the text before the 文号."""
    head = _ROW_TAIL.sub("", _ROW_LEAD.sub("", sentence[: t.start]))
    if len(head) >= 4 and ROW_TITLE_WORDS.search(head):
        return Target(t.start, t.end, t.doc_number, normalize_title(head))
    return t


def _groups(sentence: str, targets: list[Target]) -> Iterator[list[Target]]:
    group = [targets[0]]
    for t in targets[1:]:
        if CONNECTOR.fullmatch(sentence, group[-1].end, t.start):
            group.append(t)
        else:
            yield group
            group = [t]
    yield group


def _group_relation(sentence: str, group: list[Target], targets: list[Target]) -> str:
    after_end = next((t.start for t in targets if t.start >= group[-1].end), len(sentence))
    tail = _skip_brackets(sentence[group[-1].end : after_end])
    if AFTER_WORD_HINT.search(tail):
        for relation, pattern in AFTER_WORDS:
            if pattern.search(tail):
                return relation
    head = sentence[: group[0].start]
    ending = head.rstrip()
    while ending.endswith("原"):
        ending = ending[:-1].rstrip()
    if ending[-2:] not in BEFORE_WORD_ENDINGS:
        return "cites"
    for relation, pattern in BEFORE_WORDS:
        if pattern.search(head):
            return relation
    if IMPLEMENT_LEAD.search(head) and IMPLEMENT_AIM.search(sentence, group[-1].end):
        return "implements"
    return "cites"


def _skip_brackets(text: str) -> str:
    """The text after a group without the brackets it opens with: （2014年修订）, （以下简称…）."""
    while True:
        m = re.match(r"[\s\u3000]*[（(][^（）()]{0,40}[）)]", text)
        if not m:
            return text
        text = text[m.end() :]
