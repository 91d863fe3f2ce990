"""The dump's line (output/dump_line.py): the stored canonical JSON with the archive's keys put in
place gives the same bytes as parsing the whole line and serialising it again."""

from __future__ import annotations

import dataclasses
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from output.documents import document_json
from output.dump_line import canonical_dumps, with_overlay
from parsers.model import Relation
from test_db import generated_document, real_document

# What the archive fills in: a resolved relation, a validity and its basis.
OVERLAY = {
    "relations": [{"relation": "repeals", "target_doc_number": "发改价格〔2015〕1号", "target_title": None,
                   "target_id": "ndrc-1000001", "article_seq": 3, "text": "同时废止《旧办法》。"}],
    "validity": "in_force",
    "validity_basis": [{"relation": "expires", "by_id": None, "by_doc_number": None, "date": "2030-12-31",
                        "text": "有效期至2030年12月31日。"}],
}


def _reference(line, overlay):
    return canonical_dumps({**json.loads(line), **overlay})


def test_real_document_line_keeps_its_bytes_and_takes_the_overlay():
    line = document_json(real_document())
    out = with_overlay(line, OVERLAY)
    assert out == _reference(line, OVERLAY)
    # everything but the three keys is the stored text, byte for byte
    assert out.startswith(line[: line.index(',"relations":')])
    assert json.loads(out)["body_text"] == real_document().body_text


def test_an_overlay_equal_to_the_stored_values_gives_the_stored_line():
    line = document_json(generated_document(4))
    stored = json.loads(line)
    assert with_overlay(line, {k: stored[k] for k in OVERLAY}) == line


# Text that looks like the keys the overlay replaces, in every string a document holds.
TRICKY = st.sampled_from([',"relations":[1]', '","validity":"repealed"', '\\', '\\"', '"}', ',"validity_basis":'])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(TRICKY, st.text(max_size=8)), max_size=6).map("".join), st.integers(1, 12))
def test_key_lookalikes_inside_strings_are_left_alone(text, i):
    doc = generated_document(i)
    doc = dataclasses.replace(
        doc, title=text, body_text=text + doc.body_text, preamble=text,
        relations=(Relation("cites", None, text, None, None, text),),
    )
    line = document_json(doc)
    out = with_overlay(line, OVERLAY)
    assert out == _reference(line, OVERLAY)
    assert json.loads(out)["title"] == text


def test_a_line_not_in_canonical_form_is_read_whole():
    doc = json.loads(document_json(generated_document(2)))
    for line in (json.dumps(doc, indent=1, sort_keys=True), json.dumps({k: v for k, v in doc.items() if k != "validity"})):
        assert with_overlay(line, OVERLAY) == _reference(line, OVERLAY)
