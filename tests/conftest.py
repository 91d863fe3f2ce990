"""Shared test fixtures: where the real saved NDRC pages are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NDRC_SHARED", ROOT.parent / "shared"))
FIXTURES = SHARED / "fixtures" / "ndrc"
PAGES = FIXTURES / "pages"
RENDERINGS = FIXTURES / "renderings"
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"real NDRC fixtures not found at {FIXTURES}: set NDRC_SHARED")
    return FIXTURES
