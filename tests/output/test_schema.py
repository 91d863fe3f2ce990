"""The published JSON Schema (output/schema/document.schema.json) against parsers.model."""

from __future__ import annotations

import copy
import dataclasses

import jsonschema
import pytest

from output import schema_check
from parsers.model import Article, Attachment, DocNumberParts, Document, Link
from test_db import generated_document, real_document


@pytest.fixture(scope="module")
def validator():
    schema = schema_check.load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_published_file_is_what_the_dataclasses_generate():
    assert schema_check.SCHEMA_PATH.read_text(encoding="utf-8") == schema_check.schema_text(), (
        "run python -m output.schema_check --write"
    )
    assert schema_check.main([]) == 0


def test_properties_and_required_keys_equal_the_dataclass_fields():
    schema = schema_check.load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["version"] == schema_check.SCHEMA_VERSION
    names = [f.name for f in dataclasses.fields(Document)]
    assert list(schema["properties"]) == names == schema["required"]
    assert schema["additionalProperties"] is False
    for cls, name in [(Article, "article"), (Attachment, "attachment"), (Link, "link"),
                      (DocNumberParts, "doc_number_parts")]:
        sub = schema["$defs"][name]
        assert list(sub["properties"]) == sub["required"] == [f.name for f in dataclasses.fields(cls)]
    props = schema["properties"]
    assert props["body_text"]["type"] == "string"  # never null
    assert props["title"]["type"] == ["string", "null"]
    assert props["issuers"] == {**props["issuers"], "type": "array", "items": {"type": "string"}}
    assert props["articles"]["items"] == {"$ref": "#/$defs/article"}
    assert schema["$defs"]["article"]["properties"]["parent"]["type"] == ["integer", "null"]


def test_documents_built_from_the_dataclasses_validate(validator):
    for doc in (real_document(), generated_document(3), generated_document(10)):
        errors = list(validator.iter_errors(doc.to_dict()))
        assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize(
    "breakage, where",
    [
        (lambda d: d.pop("doc_number"), "required"),
        (lambda d: d.update(extra=1), "additionalProperties"),
        (lambda d: d.update(body_text=None), "type"),
        (lambda d: d.update(publish_date="2022年3月28日"), "pattern"),
        (lambda d: d.update(content_sha256="not-a-hash"), "pattern"),
        (lambda d: d.update(issuers="国家发展改革委"), "type"),
        (lambda d: d["articles"][0].update(number="一"), "type"),
        (lambda d: d["articles"][0].pop("source"), "required"),
        (lambda d: d["articles"][1].update(source="appendix"), "pattern"),
        (lambda d: d.update(doc_number_parts={"prefix": "发改开放", "year": "2022", "serial": 408}), "type"),
        (lambda d: d["interpretations"][0].update(url=3), "type"),
    ],
)
def test_a_broken_document_does_not_validate(validator, breakage, where):
    data = copy.deepcopy(real_document().to_dict())
    breakage(data)
    errors = list(validator.iter_errors(data))
    assert errors and where in _failed_keywords(errors)


def _failed_keywords(errors) -> set[str]:
    """The keywords that failed, including those inside anyOf branches."""
    out = set()
    for e in errors:
        out.add(e.validator)
        out |= _failed_keywords(e.context or [])
    return out


def test_the_generator_refuses_types_it_cannot_map():
    with pytest.raises(TypeError, match="only `X | None` unions"):
        schema_check._type_schema(int | str | None)
    with pytest.raises(TypeError, match="no JSON Schema mapping"):
        schema_check._type_schema(dict)
