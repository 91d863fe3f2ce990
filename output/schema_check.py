"""The JSON Schema of one document, generated from the dataclasses of `parsers.model`.

`build_schema()` derives every property, type and null-ability from the type hints of
`Document`, `Article`, `Attachment`, `Link` and `DocNumberParts`, and adds the few rules the
hints cannot say (ISO dates, hex digests, article sources). The published file
`output/schema/document.schema.json` is its output; `tests/test_schema.py` fails when the two
differ, and `python -m output.schema_check --write` regenerates the file after a model change.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

from parsers import model

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "document.schema.json"

# The schema's own version (semantic): major when a key is removed, renamed or narrowed, minor
# when one is added. Written into the schema, the export manifest and the schema's $id.
SCHEMA_VERSION = "1.2.0"

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# dataclass -> name under $defs
_DEFS = {
    model.Article: "article",
    model.Attachment: "attachment",
    model.Link: "link",
    model.DocNumberParts: "doc_number_parts",
    model.Table: "table",
    model.Relation: "relation",
    model.ValidityBasis: "validity_basis",
}

_ISO_DATE = {"pattern": r"^\d{4}-\d{2}-\d{2}$"}

# Rules beyond the type hints, by (dataclass, field). Each keeps a consumer from guessing:
_CONSTRAINTS: dict[tuple[type, str], dict[str, Any]] = {
    # dates are ISO so they sort and compare as strings
    (model.Document, "publish_date"): _ISO_DATE,
    (model.Document, "written_date"): _ISO_DATE,
    (model.Document, "effective_date"): _ISO_DATE,
    # the hash users compare across dumps to see what changed
    (model.Document, "content_sha256"): {"pattern": "^[0-9a-f]{64}$"},
    # 1-based attachment positions, so "attachment:N" joins attachments.position
    (model.Article, "source"): {"pattern": "^(body|attachment:[1-9][0-9]*)$"},
    (model.Article, "seq"): {"minimum": 0},
    (model.Article, "level"): {"minimum": 1},
    (model.Article, "parent"): {"minimum": 0},
    (model.Document, "expiry_date"): _ISO_DATE,
    (model.ValidityBasis, "date"): _ISO_DATE,
    # closed vocabularies a consumer switches on
    (model.Document, "validity"): {"enum": [*model.VALIDITIES, None]},
    (model.Relation, "relation"): {"enum": list(model.RELATIONS)},
    (model.ValidityBasis, "relation"): {"enum": ["repeals", "replaces", "amends", "expires"]},
    (model.Relation, "article_seq"): {"minimum": 0},
    # lower-case extension without the dot
    (model.Attachment, "file_type"): {"pattern": "^[a-z0-9]+$"},
    # as Article.source: where the table was read
    (model.Table, "source"): {"pattern": "^(body|attachment:[1-9][0-9]*)$"},
    (model.Table, "seq"): {"minimum": 0},
}

_DESCRIPTIONS: dict[str, str] = {
    "id": "stable across re-crawls and re-parses; from the page's numeric id where the URL has one",
    "url": "absolute URL of the detail page",
    "category": "the site's column name (通知, 发展改革委令, 规范性文件, 公告, 规划文本)",
    "title": "title as the site lists it, without the trailing 文号 in brackets",
    "doc_number": "发文字号, brackets normalised to 〔〕, no spaces",
    "doc_number_parts": "the 发文字号 split into prefix, year and serial",
    "publish_date": "发布时间, ISO date",
    "written_date": "成文日期, the date in the signature block",
    "effective_date": "the date the text says it takes effect (自…起施行); 自印发之日起施行 gives the"
    " written date, 自发布之日起施行 the publish date",
    "source": "来源 office",
    "issuers": "issuing agencies in signature order, inner spaces removed",
    "addressees": "主送机关, without the trailing colon",
    "body_text": "the clean text, paragraphs separated by newlines",
    "preamble": "text before the first numbered unit",
    "articles": "every numbered unit, flat, in reading order",
    "attachments": "attached files; text filled when the file was fetched and read",
    "interpretations": "the 相关解读 links, de-duplicated",
    "warnings": "what the parser was unsure of, in words",
    "tables": "tables of the body kept as rows of cell texts (a cell spanning rows or columns repeated in each); their text also stays in body_text, one row a line, cells separated by \" | \"",
    "expiry_date": "the end of a stated 有效期 (有效期至 a date, or 有效期N年 counted from effective_date)",
    "relations": "what this document says of others (repeals, replaces, amends, implements, interprets, cites);"
    " target_id filled once the target is stored",
    "validity": "what the archive knows of the document's force; null from the parser alone",
    "validity_basis": "why: the later document's clause or the document's own 有效期, with the sentence",
    "content_sha256": "hash of the document's content, to tell what changed",
    "parser_version": "version of the parsers that produced this document",
}

_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _type_schema(hint: Any) -> dict[str, Any]:
    """JSON Schema of one type hint: scalars, `X | None`, `tuple[X, ...]`, nested dataclasses."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1 or len(args) != 2:
            raise TypeError(f"only `X | None` unions are supported, not {hint}")
        schema = _type_schema(inner[0])
        if "type" in schema:
            return {**schema, "type": [schema["type"], "null"]}
        return {"anyOf": [schema, {"type": "null"}]}
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"only tuple[X, ...] is supported, not {hint}")
        return {"type": "array", "items": _type_schema(args[0])}
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    if hint in _DEFS:
        return {"$ref": f"#/$defs/{_DEFS[hint]}"}
    raise TypeError(f"no JSON Schema mapping for {hint!r}")


def _object_schema(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, vars(model))
    props: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        prop = _type_schema(hints[f.name])
        prop.update(_CONSTRAINTS.get((cls, f.name), {}))
        if cls is model.Document and f.name in _DESCRIPTIONS:
            prop = {"description": _DESCRIPTIONS[f.name], **prop}
        props[f.name] = prop
    return {
        "type": "object",
        "properties": props,
        # every key is always present: null or [] when unknown (CONTRACT.md)
        "required": [f.name for f in dataclasses.fields(cls)],
        "additionalProperties": False,
    }


def build_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one document JSON line."""
    doc = _object_schema(model.Document)
    return {
        "$schema": DIALECT,
        "$id": f"urn:ndrc-policy:document:{SCHEMA_VERSION}",
        "title": "NDRC policy document",
        "description": "One document of an ndrc-policy JSON Lines dump (documents.jsonl): "
        "a policy document of China's National Development and Reform Commission.",
        "version": SCHEMA_VERSION,
        **doc,
        "$defs": {name: _object_schema(cls) for cls, name in _DEFS.items()},
    }


def schema_text() -> str:
    """The schema file's exact text: indented, keys in build order, UTF-8 without escapes."""
    return json.dumps(build_schema(), ensure_ascii=False, indent=2) + "\n"


def load_schema() -> dict[str, Any]:
    """The published schema file."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    """`--write` regenerates the schema file; without it, exit 1 if the file is out of date."""
    if "--write" in argv:
        SCHEMA_PATH.parent.mkdir(parents=True, exist_ok=True)
        SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
        return 0
    if not SCHEMA_PATH.exists() or SCHEMA_PATH.read_text(encoding="utf-8") != schema_text():
        print(f"{SCHEMA_PATH} is out of date: run python -m output.schema_check --write", file=sys.stderr)
        return 1
    print(f"{SCHEMA_PATH} matches parsers.model")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
