"""What a crawl prints for people: a few lines on stderr, a live display on a terminal, a summary.

Scrapy's own log goes to the run's log file (crawler.runlog); the terminal, a cron mail or the
journal get only these lines:

- one line when the run starts (site, columns, incremental or full);
- a progress line per column now and then (`progress_every` seconds) and once when the run ends;
- the first few problems (errors logged by the project's own components), then a count;
- one closing summary line, with why the exit status is not 0 where it is not.

On a terminal a live display (rich) shows each column's list pages and documents as they land;
it is transient, so what stays on screen is the same as what a mail would hold.

Verbosity: ``normal``; ``quiet`` (the summary line only); ``json`` (the summary as one JSON object
on stdout, nothing else on stdout or stderr but errors); ``verbose`` (normal, and Scrapy's log on
stderr too: see crawler.runlog).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from typing import TextIO

MODES = ("normal", "quiet", "json", "verbose")
# Problems shown on the terminal before the rest are only counted: the log holds them all.
PROBLEMS_SHOWN = 5
# Loggers whose errors are problems an operator should see (Scrapy's own errors carry tracebacks
# and repeat what ours say in words).
PROBLEM_LOGGERS = ("crawler.",)
CONSOLE_ATTR = "ndrc_console"
# Log records carrying this attribute (`extra={VERDICT: True}`) say what the closing line says again.
VERDICT = "ndrc_verdict"


class Console:
    """The lines of one run, for people (`say`, `problem`) and for monitoring (`summary`)."""

    def __init__(self, mode: str = "normal", *, err: TextIO | None = None, out: TextIO | None = None,
                 live: bool | None = None):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        self.err = err or sys.stderr
        self.out = out or sys.stdout
        talkative = mode in ("normal", "verbose")
        # the live display needs a terminal, and would fight Scrapy's log lines in verbose mode
        self.live_wanted = (mode == "normal" and _is_terminal(self.err)) if live is None else bool(live)
        self.talkative = talkative
        self.problems = 0
        self.shown_at_most = PROBLEMS_SHOWN
        self._progress = None  # rich.progress.Progress while live
        self.start_line: str | None = None  # said once the site answered (see `site_answered`)
        self._tasks: dict[str, int] = {}

    # -- lines for people ---------------------------------------------------------------------------
    def say(self, line: str) -> None:
        """A line for people (not in quiet or json mode)."""
        if not self.talkative:
            return
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=self.err, flush=True)

    def site_answered(self) -> None:
        """The site answered for the first time: say the run's start line (once).

        A site that never answers gets the closing line only: one line saying it cannot be reached.
        """
        line, self.start_line = self.start_line, None
        if line:
            self.say(line)

    def problem(self, line: str) -> None:
        """A problem worth a line: the first PROBLEMS_SHOWN are shown, the rest counted."""
        self.problems += 1
        if self.problems <= self.shown_at_most:
            self.say(line)

    def mute_problems(self) -> None:
        """Count the problems from now on without showing them (they follow from one already said)."""
        self.shown_at_most = min(self.shown_at_most, self.problems)

    def problems_hidden(self) -> int:
        return max(0, self.problems - self.shown_at_most)

    def error(self, line: str) -> None:
        """One `Error:` line, whatever the mode."""
        self.stop_live()
        print(f"Error: {line}", file=self.err, flush=True)

    def summary(self, line: str, data: Mapping[str, object]) -> None:
        """The run's closing line, or in json mode the same as one JSON object on stdout."""
        self.stop_live()
        if self.mode == "json":
            print(json.dumps(dict(data), ensure_ascii=False, sort_keys=True), file=self.out, flush=True)
        else:
            print(line, file=self.err, flush=True)

    # -- the live display ---------------------------------------------------------------------------
    def start_live(self, columns) -> None:
        if not self.live_wanted or self._progress is not None:
            return
        from rich.console import Console as RichConsole
        from rich.markup import escape
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=RichConsole(file=self.err),
            transient=True,
        )
        self._progress.start()
        for column in columns:
            self._tasks[column] = self._progress.add_task(escape(f"[{column}] starting"), total=None)

    def update_live(self, column: str, text: str) -> None:
        if self._progress is not None and column in self._tasks:
            from rich.markup import escape

            self._progress.update(self._tasks[column], description=escape(f"[{column}] {text}"))

    def stop_live(self) -> None:
        progress, self._progress = self._progress, None
        if progress is not None:
            progress.stop()

    # -- problems from the log ----------------------------------------------------------------------
    def problem_handler(self) -> logging.Handler:
        """A logging handler passing the project's errors to `problem` (first line only)."""
        return _ProblemHandler(self)


class _ProblemHandler(logging.Handler):
    def __init__(self, console: Console):
        super().__init__(level=logging.ERROR)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(PROBLEM_LOGGERS) or getattr(record, VERDICT, False):
            return
        try:
            text = record.getMessage().splitlines()[0]
        except Exception:  # noqa: BLE001 - a bad log call must not break the run
            return
        self.console.problem(text)


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def console_for(crawler) -> Console:
    """The run's Console (set by crawler.run), or a quiet one for crawls started another way."""
    console = getattr(crawler, CONSOLE_ATTR, None)
    if console is None:
        console = Console("quiet", live=False)
        setattr(crawler, CONSOLE_ATTR, console)
    return console
