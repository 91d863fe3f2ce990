"""Every `ndrc-policy search` example of the help texts and the README finds something on the
demo database (`ndrc-policy demo`, the replica of the site at its default size)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from test_crawl_e2e import ROOT, SUBPROCESS_TIMEOUT

pytestmark = pytest.mark.slow
EXAMPLE = re.compile(r"ndrc-policy search [^\n#|`]+")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=SUBPROCESS_TIMEOUT)


def examples() -> list[str]:
    texts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    texts += [_cli(*cmd, "--help").stdout for cmd in ((), ("search",), ("demo",))]
    found = []
    for text in texts:
        for m in EXAMPLE.finditer(text):
            line = m.group().strip()
            if "QUERY" not in line and line not in found:
                found.append(line)
    return found


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    run = _cli("demo", "--db", str(tmp / "demo.sqlite"), "--json-dir", str(tmp / "json"))
    assert run.returncode == 0, run.stderr[-2000:]
    return tmp / "demo.sqlite"


def test_there_are_examples_to_check():
    assert len(examples()) >= 5


def test_every_search_example_finds_something_on_the_demo(demo_db):
    for line in examples():
        args = shlex.split(line)[2:]
        if "--db" in args:
            at = args.index("--db")
            del args[at : at + 2]
        run = _cli("search", *args, "--db", str(demo_db))
        assert run.returncode == 0, (line, run.stderr)
        assert run.stdout.strip() and "no matches" not in run.stdout, line
