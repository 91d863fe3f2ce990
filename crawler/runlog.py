"""Where a run's log goes: one file per run under the database's `logs/` folder, kept a while.

Scrapy's log (versions, components, settings, stats, every request that failed and why, tracebacks)
is for the person debugging a run, not for the operator's mail: it goes to a file, by default
``<folder of the database>/logs/crawl-<UTC time>.log`` (so ``data/logs/`` for the default
database), and to stderr too with ``-v``. The newest LOG_FILES_KEPT files of that folder are kept.
``--log-file PATH`` writes (appends) to PATH instead, and nothing is pruned.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from pathlib import Path

LOG_DIR_NAME = "logs"
LOG_PREFIX = "crawl-"
# Runs every 4 hours keep about a week of logs.
LOG_FILES_KEPT = 50


class LogPathError(ValueError):
    """The log file cannot be written; `str()` is the one line shown."""


def default_log_path(db_path: str | os.PathLike, now: dt.datetime | None = None) -> Path:
    """`<db folder>/logs/crawl-YYYYmmddTHHMMSSZ.log` (a suffix keeps two runs of one second apart)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    folder = Path(db_path).parent / LOG_DIR_NAME
    stem = f"{LOG_PREFIX}{now.strftime('%Y%m%dT%H%M%SZ')}"
    path = folder / f"{stem}.log"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.log"
    return path


def check_log_path(path: str | os.PathLike) -> Path:
    """Create the log's folder and make sure the file can be written; LogPathError if not."""
    path = Path(path)
    if path.is_dir():
        raise LogPathError(f"the log path {path} is a folder, not a file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as err:
        raise LogPathError(f"cannot write the log file {path}: {err.strerror or err}") from None
    return path


def prune_logs(folder: str | os.PathLike, keep: int = LOG_FILES_KEPT) -> None:
    """Delete all but the newest `keep` crawl logs of `folder` (best effort)."""
    logs = sorted(Path(folder).glob(f"{LOG_PREFIX}*.log"))
    for old in logs[: max(0, len(logs) - keep)]:
        try:
            old.unlink()
        except OSError:
            pass


def log_settings(path: Path) -> dict:
    """The Scrapy settings that send its log to `path` and nowhere else."""
    return {
        "LOG_FILE": str(path),
        "LOG_FILE_APPEND": True,
        "LOG_INSTALL_ROOT_HANDLER": True,
        "LOG_STDOUT": False,
    }


def echo_to_stderr(level: str = "INFO") -> logging.Handler:
    """`-v`: the same log on stderr as well, in Scrapy's format (call after Scrapy set up logging)."""
    from scrapy.utils.log import get_scrapy_root_handler

    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    root = get_scrapy_root_handler()
    if root is not None and root.formatter is not None:
        handler.setFormatter(root.formatter)
    logging.getLogger().addHandler(handler)
    return handler
