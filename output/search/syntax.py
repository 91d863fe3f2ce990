"""The search query language: text typed by a researcher → a tree of terms (`parse_query`).

    绿色 发展          every term (AND); a space, a full-width space or 、 separates terms
    绿色 AND 发展      the same, spelled out
    绿色 OR 碳         either
    "绿色发展"         the exact string, spaces and operators inside included ("" is one ")
    绿色 -煤电         without the second term; -(煤电 OR 光伏) without either
    (绿色 OR 低碳) 发展  parentheses group
    发改能源(2026)884号  a 文号 in any of its bracket forms finds all of them

Terms are exact substrings of any length, 1 character and more, Chinese or not; case matters,
as in the texts; zero-width characters (U+200B and the like) are not read. Bad syntax raises
`QueryError` naming the problem; the CLI and the web page show its message as it is.

The tree: `Term`, `And`, `Or`, `Not`. A `Not` only ever stands inside an `And` that holds a term
to find (`绿色 -煤电`): a query made of exclusions alone would ask for the whole archive, and is
refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Union

from parsers.html_tree import ZERO_WIDTH_CHARS

# Characters that separate terms outside quotes: every space and line break `str.isspace()`
# knows (the ideographic space, no-break, en and em spaces, line and paragraph separators: a
# query pasted from a page or a PDF brings them; all lie below U+3001), but the four C0
# information separators U+001C–U+001F, control codes no one types (the index writes U+001F
# between attachments, `index.ATTACHMENT_SEPARATOR`, and a text holding one is still found);
# and 、 (Chinese enumeration comma: 绿色、低碳 lists two terms).
WHITESPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace() and not "\x1c" <= ch <= "\x1f")
SEPARATORS = frozenset(WHITESPACE + "、")
# Zero-width characters: invisible in what a researcher copies, and never in a stored text (the
# parsers drop these very ones): taken out of the query before it is read. Error positions
# count the characters that remain, the ones a person sees.
INVISIBLE = dict.fromkeys(map(ord, ZERO_WIDTH_CHARS))
QUOTE = '"'
EXCLUDE = "-"
OPERATORS = ("AND", "OR")
# The bracket pairs a 文号's year is written between: the standard 〔〕 and the stand-ins people
# type (as parsers.identifiers reads them). An unquoted 文号 finds every form.
DOC_NUMBER_BRACKETS = ("〔〕", "[]", "【】", "（）", "()", "［］", "﹝﹞", "〖〗")
_OPEN = re.escape("".join(p[0] for p in DOC_NUMBER_BRACKETS))
_CLOSE = re.escape("".join(p[1] for p in DOC_NUMBER_BRACKETS))
# A 文号 as typed: Han prefix, year in brackets, serial, 号.
DOC_NUMBER_RE = re.compile(
    rf"(?P<prefix>[\u4e00-\u9fff]{{1,16}})[{_OPEN}](?P<year>[0-9]{{4}})[{_CLOSE}](?P<serial>[0-9]+)号"
)


class QueryError(ValueError):
    """The query cannot be read; the message names the problem and how to fix it."""


@dataclass(frozen=True)
class Term:
    text: str


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    child: "Node"


Node = Union[Term, And, Or, Not]


def _terms(node: Node, excluded: bool) -> list[str]:
    out: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, Term):
            if n.text not in out:
                out.append(n.text)
        elif isinstance(n, Not):
            if excluded:
                walk(n.child)
        else:
            for c in n.children:
                walk(c)

    walk(node)
    return out


def positive_terms(node: Node) -> list[str]:
    """The terms a match shows (not under a `Not`), in query order, each once."""
    return _terms(node, excluded=False)


def all_terms(node: Node) -> list[str]:
    """Every term of the tree, excluded ones too, each once."""
    return _terms(node, excluded=True)


def doc_number_variants(text: str) -> tuple[str, ...] | None:
    """Every bracket form of a 文号 that is the whole of `text`, the standard 〔〕 first; else None."""
    m = DOC_NUMBER_RE.fullmatch(text)
    if m is None:
        return None
    return tuple(f"{m['prefix']}{o}{m['year']}{c}{m['serial']}号" for o, c in DOC_NUMBER_BRACKETS)


# ---------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "(", ")", "-", "AND", "OR"
    text: str
    at: int


def _tokens(query: str) -> Iterator[_Token]:
    i, n, depth = 0, len(query), 0
    while i < n:
        ch = query[i]
        if ch in SEPARATORS:
            i += 1
        elif ch == QUOTE:
            start, i, buf = i, i + 1, []
            while True:
                if i >= n:
                    raise QueryError(f'unclosed quote at character {start + 1}: add the closing "')
                if query[i] == QUOTE:
                    if query[i + 1 : i + 2] == QUOTE:  # "" inside quotes is one "
                        buf.append(QUOTE)
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(query[i])
                i += 1
            if not "".join(buf).strip(WHITESPACE):
                raise QueryError(f'empty quotes at character {start + 1}: put the exact text between them')
            yield _Token("phrase", "".join(buf), start)
        elif ch == "(":
            depth += 1
            yield _Token("(", ch, i)
            i += 1
        elif ch == ")":
            if depth == 0:
                raise QueryError(f'a ")" at character {i + 1} closes no "(": to find it, quote it: ")"')
            depth -= 1
            yield _Token(")", ch, i)
            i += 1
        elif ch == EXCLUDE:
            if i + 1 >= n or query[i + 1] in SEPARATORS or query[i + 1] == ")":
                raise QueryError(f'a lone "-" at character {i + 1} excludes nothing: write it before a term, as in 绿色 -煤电')
            yield _Token("-", ch, i)
            i += 1
        else:
            start, literal = i, 0  # brackets inside a word are text: Wi-Fi(6), 发改能源(2026)884号
            while i < n:
                c = query[i]
                if c in SEPARATORS or c == QUOTE:
                    break
                if c == "(":
                    literal += 1
                elif c == ")":
                    if literal == 0:
                        break  # closes a group: (绿色 OR 碳)
                    literal -= 1
                i += 1
            word = query[start:i]
            yield _Token(word if word in OPERATORS else "word", word, start)


# ---------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, query: str):
        self.tokens = list(_tokens(query))
        self.pos = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("the query is empty: type a term, as in 绿色 发展")
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:  # only a ")" can stop or_expr early; _tokens refuses unbalanced ones
            raise QueryError(f'unexpected "{tok.text}" at character {tok.at + 1}')
        return node

    def or_expr(self) -> Node:
        branches = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "OR", "AND"):
                raise QueryError(f"OR at character {tok.at + 1} needs a term after it, as in 绿色 OR 碳")
            branches.append(self.and_expr())
        return branches[0] if len(branches) == 1 else Or(tuple(branches))

    def and_expr(self) -> Node:
        parts: list[Node] = []
        start = self.peek()
        while (tok := self.peek()) is not None and tok.kind not in (")", "OR"):
            if tok.kind == "AND":
                self.take()
                nxt = self.peek()
                if not parts or nxt is None or nxt.kind in (")", "OR", "AND"):
                    raise QueryError(f"AND at character {tok.at + 1} needs a term on each side, as in 绿色 AND 发展")
                continue
            parts.append(self.unary())
        if not parts:
            where = f"at character {start.at + 1}" if start is not None else "at the end"
            what = f'"{start.text}"' if start is not None else "the query"
            raise QueryError(f"{what} {where} needs a term before it, as in 绿色 OR 碳")
        if all(isinstance(p, Not) for p in parts):
            raise QueryError("exclusions alone find nothing: add a term to find, as in 绿色 -煤电")
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "-":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind not in ("word", "phrase", "("):
                raise QueryError(f'a lone "-" at character {tok.at + 1} excludes nothing: write it before a term, as in 绿色 -煤电')
            return Not(self.primary())
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "phrase":
            return Term(tok.text)
        if tok.kind == "word":
            variants = doc_number_variants(tok.text)
            if variants:
                return Or(tuple(Term(v) for v in variants))
            return Term(tok.text)
        if tok.kind == "(":
            nxt = self.peek()
            if nxt is None:
                raise QueryError(f'the "(" at character {tok.at + 1} is never closed: add a ")"')
            if nxt.kind == ")":
                raise QueryError(f'empty parentheses at character {tok.at + 1}: put terms between them')
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != ")":
                raise QueryError(f'the "(" at character {tok.at + 1} is never closed: add a ")"')
            self.take()
            return node
        raise QueryError(f'unexpected "{tok.text}" at character {tok.at + 1}')


def parse_query(query: str) -> Node:
    """The tree of a query; `QueryError` with a message naming the problem when it cannot be read."""
    return _Parser((query or "").translate(INVISIBLE)).parse()
