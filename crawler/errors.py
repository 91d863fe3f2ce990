"""Errors as people read them: one `Error: ...` line, never a traceback, never a class name.

- `OneLineErrorGroup`: the click group whose usage errors (an unknown option, a missing argument)
  are one line with a pointer to `--help`, exit 2, instead of click's three-line usage block.
- `internal_error_line(err)`: an unexpected exception as one line naming the log file that now
  holds its traceback (ERROR_LOG, under `data/logs/` of the working folder, or the temp folder
  when that cannot be written).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import traceback
from pathlib import Path

import click

from crawler import exitcodes

ERROR_LOG = Path("data") / "logs" / "ndrc-policy-errors.log"


def words(err: BaseException) -> str:
    """An exception as words: its message's first line, not its class name."""
    return (str(err).splitlines() or [""])[0].strip() or "an unexpected error (no message)"


def write_traceback(path: Path | None = None) -> Path | None:
    """Append the traceback being handled to `path` (default ERROR_LOG); the file written, or None."""
    text = f"{dt.datetime.now(dt.timezone.utc).isoformat()} {' '.join(sys.argv)}\n{traceback.format_exc()}\n"
    for candidate in ([path] if path else []) + [ERROR_LOG, Path(tempfile.gettempdir()) / ERROR_LOG.name]:
        try:
            candidate.parent.mkdir(parents=True, exist_ok=True)
            with open(candidate, "a", encoding="utf-8") as log:
                log.write(text)
            return candidate
        except OSError:
            continue
    return None


def internal_error_line(err: BaseException) -> str:
    where = write_traceback()
    return f"internal error: {words(err)}" + (f" (the traceback is in {where})" if where else "")


class OneLineErrorGroup(click.Group):
    """A click group whose usage errors are one `Error:` line (exit 2)."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.UsageError as err:
            command = err.ctx.command_path if err.ctx is not None else "ndrc-policy"
            click.echo(f"Error: {err.format_message()} (see `{command} --help`)", err=True)
            sys.exit(exitcodes.CONFIG_ERROR)
        except click.ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except click.exceptions.Abort:
            click.echo("Error: interrupted", err=True)
            sys.exit(exitcodes.INTERNAL_ERROR)
