"""The parsers stay split by concern: no module of parsers/ is over 400 lines (issue 10 split the
822-line html_page.py into tree helpers, URL joining, the paragraph builder, box removal and the
template rules; a module growing past this is one to split again)."""

from __future__ import annotations

from pathlib import Path

import pytest

import parsers

MAX_LINES = 400
MODULES = sorted(Path(parsers.__file__).parent.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_parser_module_is_over_400_lines(path):
    assert len(MODULES) > 20
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines"
