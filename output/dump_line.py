"""A document's line in the JSON Lines dump: the stored canonical JSON, written as it is.

`document_versions.document_json` holds each version in the dump's own form (compact, keys
sorted, UTF-8 without escapes: `output.documents.document_json`). Only three of its keys are
the archive's to fill, and change after the document was written, as later documents arrive:
`relations` (target ids), `validity` and `validity_basis` (`output.relations.document_overlay`).
`with_overlay(line, overlay)` writes the stored line as it is, with just those values replaced
in place: no parse and re-serialisation of the whole document (its body, articles and
attachment texts), and the same bytes as `canonical_dumps({**json.loads(line), **overlay})`.

A stored line not in that form (a key missing, say, from an older version of the program) is
parsed and serialised whole, as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_DECODER = json.JSONDecoder()


def canonical_dumps(obj: Any) -> str:
    """JSON in the dump's form: compact, keys sorted, UTF-8 without `\\u` escapes."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def with_overlay(line: str, overlay: Mapping[str, Any]) -> str:
    """`line` (a stored document JSON) with the values of `overlay`'s keys replaced.

    In a canonical line a top-level key other than the first is written `,"key":`, and that
    sequence occurs nowhere else: inside a string every `"` is escaped, and the document's
    nested objects (articles, attachments, relations, …) have no key of the overlay. Keys are
    sorted, so each one is looked for after the one before.
    """
    if not line.endswith("}"):
        return _whole(line, overlay)
    parts: list[str] = []
    pos = 0
    for key in sorted(overlay):
        marker = f',"{key}":'
        at = line.find(marker, pos)
        if at < 0:
            return _whole(line, overlay)
        start = at + len(marker)
        try:
            _, end = _DECODER.raw_decode(line, start)
        except ValueError:
            return _whole(line, overlay)
        parts += (line[pos:start], canonical_dumps(overlay[key]))
        pos = end
    parts.append(line[pos:])
    return "".join(parts)


def _whole(line: str, overlay: Mapping[str, Any]) -> str:
    obj = json.loads(line)
    obj.update(overlay)
    return canonical_dumps(obj)
