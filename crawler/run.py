"""Run one crawl in-process and record it: `run_crawl(...) -> exit status`.

`run_crawl` checks its arguments and every `-s` override (crawler.settings_check) before anything
starts, takes the database's run lock (a second run exits LOCKED at once), opens a `crawl_runs`
row, runs the policy spider with `CrawlerProcess` (project settings + overrides; Scrapy's log to
the run's log file, crawler.runlog), writes the JSON dumps, closes the row with the run's figures
and returns the exit status of `crawler.exitcodes`. What people see is crawler.console's: a start
line, per-column lines, the figures and the verdict; every error is one line, never a traceback
(an unexpected one names the log file holding it).

    python -m crawler.run --base-url http://127.0.0.1:8000 --db /tmp/x.sqlite --json-dir /tmp/json \
        -s DOWNLOAD_DELAY=0
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from crawler import exitcodes
from crawler.console import CONSOLE_ATTR, Console
from crawler.errors import words
from crawler.history import DEAD_LINKS_ONLY, MAX_PAGES_MARK, completed_columns

logger = logging.getLogger(__name__)

# Close reasons of a run that read everything it meant to read.
FINISHED_REASONS = ("finished",)


class ConfigError(ValueError):
    """A bad argument, setting or path; `str()` is the one line shown to the operator."""


def project_settings(overrides: Mapping[str, object] | None = None):
    """The project's Scrapy settings (crawler.settings) with `overrides` at command-line priority."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def _check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"base URL must be an http(s) URL such as https://www.ndrc.gov.cn, got {base_url!r}")
    return base_url.rstrip("/")


def _check_columns(columns: Sequence[str] | str | None, known: Mapping[str, str]) -> list[str]:
    if isinstance(columns, str):
        columns = [c.strip() for c in columns.split(",")]
    chosen = [c for c in (columns or known) if c]
    unknown = [c for c in chosen if c not in known]
    if unknown or not chosen:
        raise ConfigError(
            f"unknown column {', '.join(unknown) or '(none)'}; choose from "
            + ", ".join(f"{slug} ({name})" for slug, name in known.items())
        )
    return list(dict.fromkeys(chosen))


def _check_dir(path: str | os.PathLike, what: str) -> Path:
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(f"cannot create the {what} folder {folder}: {err.strerror or err}") from None
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"the {what} folder {folder} is not writable")
    return folder


def _check_db_path(db_path: str | os.PathLike) -> Path:
    path = Path(db_path)
    if path.is_dir():
        raise ConfigError(f"database path {path} is a folder, not a file")
    _check_dir(path.parent if str(path.parent) else ".", "database")
    if path.exists() and not os.access(path, os.W_OK):
        raise ConfigError(f"the database {path} is not writable")
    return path


def _open_store(db_path: str | os.PathLike):
    from output.db import Store, StoreError

    path = _check_db_path(db_path)
    try:
        return Store(path)
    except (StoreError, OSError) as err:
        raise ConfigError(f"cannot open the database {path}: {err}") from None


def judge(stats: Mapping[str, object], reason: str | None, interrupted_by: str | None = None,
          dead_links_fail: bool = True) -> tuple[int, str]:
    """Exit status and one-line message of a crawl from its stats and the spider's close reason.

    New dead links make a partial failure unless `dead_links_fail` is false (NDRC_NEW_DEAD_LINKS_FAIL).
    """
    if stats.get("ndrc/unreachable"):
        return exitcodes.UNREACHABLE, str(stats["ndrc/unreachable"])
    if stats.get("ndrc/blocked/stopped"):
        return exitcodes.BLOCKED, str(stats["ndrc/blocked/stopped"])
    failed = int(stats.get("ndrc/documents/failed", 0) or 0)
    list_failed = int(stats.get("ndrc/list_failed", 0) or 0)
    errors = sum(int(v or 0) for k, v in stats.items() if k.startswith("spider_exceptions/") and k.count("/") == 1)
    problems = []
    if stats.get("ndrc/stalled"):
        problems.append(str(stats["ndrc/stalled"]))
    elif interrupted_by:
        problems.append(f"stopped by {interrupted_by}: the documents fetched whole are stored, the next run goes on")
    elif reason not in FINISHED_REASONS:
        problems.append(f"stopped early ({reason or 'the crawl did not start'})")
    if failed:
        problems.append(f"{failed} documents failed")
    if list_failed:
        problems.append(f"{list_failed} list pages could not be fetched")
    if stats.get("ndrc/store/writes_lost"):
        problems.append("writes to the database were lost (see the log); the next run fetches those pages again")
    if errors:
        problems.append(f"{errors} errors in the spider (see the log)")
    dead = int(stats.get("ndrc/dead_links/new", 0) or 0)
    if dead:
        example = stats.get("ndrc/dead_links/first") or ""
        more = "checked again from tomorrow; `ndrc-policy status` lists them"
        if not problems and not dead_links_fail:
            return exitcodes.OK, f"healthy; {dead} new dead link{'s' if dead != 1 else ''} recorded, {more}"
        if not problems:
            return exitcodes.PARTIAL_FAILURE, f"{DEAD_LINKS_ONLY} {dead} (first {example}), {more}"
        problems.append(f"{dead} new dead link{'s' if dead != 1 else ''} (first {example}), {more}")
    if problems:
        return exitcodes.PARTIAL_FAILURE, "; ".join(problems)
    return exitcodes.OK, "healthy"


class CrawlCrashed(RuntimeError):
    """The crawl failed inside the reactor; `traceback` is the text of its traceback."""

    def __init__(self, message: str, traceback_text: str):
        super().__init__(message)
        self.traceback = traceback_text


class CrawlOutcome:
    """What `_crawl` hands back: the stats, the close reason, and the signals that stopped it."""

    def __init__(self, stats: dict, reason: str | None, shutdown=None):
        self.stats = stats
        self.reason = reason
        self.signal = getattr(shutdown, "signal_name", None)
        self.at_once = bool(getattr(shutdown, "at_once", False))
        self.second_signal = getattr(shutdown, "second_name", None)


def _crawl(settings, store, console: Console) -> CrawlOutcome:
    """Run the spider to its end in this process.

    The spider and its components write through `store` (see crawler.extensions.store) and talk
    to people through `console`; SIGTERM and SIGINT are crawler.shutdown's.
    """
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.extensions.store import STORE_ATTR
    from crawler.runlog import echo_to_stderr
    from crawler.shutdown import Shutdown
    from crawler.spiders.policy import PolicySpider

    process = CrawlerProcess(settings)  # logging per LOG_FILE / LOG_INSTALL_ROOT_HANDLER
    root = logging.getLogger()
    handlers = [console.problem_handler()]
    root.addHandler(handlers[0])
    if console.mode == "verbose":  # the whole log on stderr says the problems already
        console.mute_problems()
        handlers.append(echo_to_stderr(settings.get("LOG_LEVEL")))
    crawler = process.create_crawler(PolicySpider)
    setattr(crawler, STORE_ATTR, store)
    setattr(crawler, CONSOLE_ATTR, console)
    outcome: dict[str, object] = {"reason": None}

    def closed(spider, reason):
        outcome["reason"] = reason

    crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
    shutdown = Shutdown(process, crawler, console)

    def failed(failure):  # Scrapy failed while building or running the crawl: a bug, exit 1
        outcome["error"] = failure.getTraceback()
        outcome["words"] = words(failure.value)

    try:
        # installs the reactor the settings ask for: only then import it
        process.crawl(crawler).addErrback(failed)
        shutdown.install()
        process.start(install_signal_handlers=False)
    finally:
        console.stop_live()
        for handler in handlers:
            root.removeHandler(handler)
    # read once the engine has stopped: the worker commits its last writes (and counts them) when
    # the spider closes, after the handler above has run
    if outcome.get("error"):
        raise CrawlCrashed(outcome["words"], outcome["error"])
    return CrawlOutcome(dict(crawler.stats.get_stats() or {}), outcome["reason"], shutdown)


def run_crawl(
    *,
    base_url: str,
    db_path: str | os.PathLike,
    json_dir: str | os.PathLike,
    columns: Sequence[str] | str | None = None,
    full: bool = False,
    max_pages: int | None = None,
    settings_overrides: Mapping[str, object] | None = None,
    output: str = "normal",
    log_file: str | os.PathLike | None = None,
) -> int:
    """Crawl `columns` of the site at `base_url` into `db_path`, dump JSON to `json_dir`; exit status.

    `output` is crawler.console's mode (normal, quiet, json, verbose); `log_file` the file Scrapy's
    log goes to (default: one per run under the database's `logs/` folder).
    """
    from output.db import StoreLocked

    from crawler.runlog import LogPathError, check_log_path, default_log_path
    from crawler.settings_check import SettingError, check_overrides

    console = Console(output)
    log_path = None
    try:
        settings = project_settings(check_overrides(settings_overrides or {}))
        base_url = _check_base_url(base_url or settings.get("NDRC_BASE_URL"))
        columns = _check_columns(columns, settings.getdict("NDRC_COLUMN_NAMES"))
        if max_pages is not None and int(max_pages) < 1:
            raise ConfigError(f"max_pages must be 1 or more, got {max_pages}")
        _check_today(settings.get("NDRC_TODAY"))
        json_folder = _check_dir(json_dir, "JSON")
        _check_db_path(db_path)
        log_path = check_log_path(log_file or default_log_path(db_path))
        store = _open_store(db_path)
    except (ConfigError, SettingError, LogPathError) as err:
        return _fail(console, exitcodes.CONFIG_ERROR, str(err))
    try:
        with store.lock():
            return _locked_run(store, settings, base_url, db_path, json_folder, columns, full, max_pages,
                               console, log_path, log_file is None)
    except StoreLocked as err:
        return _fail(console, exitcodes.LOCKED, str(err))
    except Exception as err:  # noqa: BLE001 - a bug: one line here, the traceback in the log
        _append_traceback(log_path)
        return _fail(console, exitcodes.INTERNAL_ERROR, f"internal error: {words(err)} (the traceback is in {log_path})")
    finally:
        store.close()


def _check_today(value) -> None:
    if value:
        try:
            dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ConfigError(f"-s NDRC_TODAY={value}: expected a date as YYYY-MM-DD") from None


def _append_traceback(log_path, text: str | None = None) -> None:
    if log_path is None:
        return
    try:
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(f"{dt.datetime.now(dt.timezone.utc).isoformat()} internal error\n{text or traceback.format_exc()}\n")
    except OSError:
        pass


def _fail(console: Console, status: int, message: str) -> int:
    console.error(message)
    if console.mode == "json":
        console.summary("", {"exit_status": status, "status": exitcodes.DESCRIPTIONS[status], "message": message})
    return status


def _stored_since(store, run_id: int) -> dict[str, int]:
    """Documents added and updated since the run `run_id` started, as committed in the database."""
    (started,) = store.db.execute("SELECT started_at FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
    new, updated = store.db.execute(
        "SELECT sum(first_seen >= :t), sum(first_seen < :t AND updated_at >= :t) FROM documents", {"t": started}
    ).fetchone()
    return {"documents_new": int(new or 0), "documents_updated": int(updated or 0)}


def _start_line(base_url, columns, full, completed, max_pages) -> str:
    if full:
        how = "full: every page fetched again"
    else:
        deep = [c for c in columns if c not in completed]
        how = "incremental" + (f" ({', '.join(deep)} read to the end: no healthy run read them yet)" if deep else "")
    limit = f"; at most {max_pages} list pages per column" if max_pages else ""
    return f"ndrc-policy crawl: {base_url}, columns {', '.join(columns)}; {how}{limit}"


def _locked_run(store, settings, base_url, db_path, json_folder, columns, full, max_pages,
                console, log_path, prune) -> int:
    from crawler.runlog import log_settings, prune_logs

    began = time.monotonic()
    completed = sorted(completed_columns(store))
    settings.setdict(
        {
            "NDRC_BASE_URL": base_url,
            "NDRC_COLUMNS": columns,
            "NDRC_DB_PATH": str(db_path),
            "NDRC_FULL": bool(full),
            "NDRC_MAX_PAGES": int(max_pages or 0),
            "NDRC_COMPLETED_COLUMNS": completed,
            **log_settings(log_path),
        },
        priority="cmdline",
    )
    if prune:
        prune_logs(log_path.parent)
    run_id = store.start_run(base_url, columns, full)
    console.start_line = _start_line(base_url, columns, full, completed, max_pages)
    crashed = None
    try:
        outcome = _crawl(settings, store, console)
    except Exception as err:  # noqa: BLE001 - recorded in crawl_runs, shown as one line
        _append_traceback(log_path, getattr(err, "traceback", None))
        crashed = f"internal error: {words(err)} (the traceback is in {log_path})"
        outcome = CrawlOutcome({}, None)
    stats = outcome.stats
    if crashed:
        status, message = exitcodes.INTERNAL_ERROR, crashed
    else:
        status, message = judge(stats, outcome.reason, outcome.signal,
                                settings.getbool("NDRC_NEW_DEAD_LINKS_FAIL"))
    if outcome.at_once:
        status = exitcodes.PARTIAL_FAILURE
        message = (f"stopped at once by a second signal ({outcome.second_signal}): what was committed is stored, "
                   "the rest is fetched again by the next run")
    if max_pages:
        message += f" ({MAX_PAGES_MARK}{int(max_pages)}: only the first pages of each column were read)"
    if not outcome.at_once:
        try:
            from output.export import export
            from output.validity import refresh_all

            with store.transaction() as db:  # a day may have passed: validity as of today
                refresh_all(db)
            export(str(db_path), str(json_folder))
        except Exception as err:  # noqa: BLE001
            _append_traceback(log_path)
            if status == exitcodes.OK:
                status = exitcodes.PARTIAL_FAILURE
            message += f"; JSON dumps not written: {words(err)}"
    figures = {
        "requests": int(stats.get("downloader/request_count", 0) or 0),
        "documents_new": int(stats.get("ndrc/documents/new", 0) or 0),
        "documents_updated": int(stats.get("ndrc/documents/updated", 0) or 0),
        "documents_withdrawn": int(stats.get("ndrc/documents/withdrawn", 0) or 0),
        "documents_failed": int(stats.get("ndrc/documents/failed", 0) or 0),
        "blocked": int(stats.get("ndrc/blocked/count", 0) or 0),
    }
    if outcome.at_once:
        # the pipelines' counts include writes the killed worker never committed: count what is stored
        figures.update(_stored_since(store, run_id))
        stats = {**stats, **{f"ndrc/documents/{k[len('documents_'):]}": v for k, v in figures.items()
                             if k.startswith("documents_")}}
    store.finish_run(run_id, exit_status=status, message=message, **figures)
    from crawler.summary import report

    report(console, run_id=run_id, status=status, message=message, stats=stats, figures=figures,
           seconds=time.monotonic() - began, base_url=base_url, columns=columns, full=full,
           db_path=db_path, json_dir=json_folder, log_path=log_path, problems_hidden=console.problems_hidden())
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m crawler.run`: the crawl command without click, for development and tests."""
    parser = argparse.ArgumentParser(prog="python -m crawler.run", description=__doc__.splitlines()[0])
    from crawler import settings as project

    parser.add_argument("--base-url", default=project.NDRC_BASE_URL)
    parser.add_argument("--db", default=project.NDRC_DB_PATH)
    parser.add_argument("--json-dir", default="data/json")
    parser.add_argument("--columns", default=None, help="comma-separated column slugs")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--max-pages", type=int, default=None)
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--status", action="store_true", help="print the status report instead of crawling")
    parser.add_argument("--log-file", default=None)
    shown = parser.add_mutually_exclusive_group()
    for flag in ("quiet", "json", "verbose"):
        shown.add_argument(f"--{flag}", dest="output", action="store_const", const=flag)
    args = parser.parse_args(argv)
    if args.status:
        from crawler.status import StatusError, status_report

        try:
            text, code = status_report(args.db)
        except StatusError as err:
            print(f"Error: {err}", file=sys.stderr)
            return exitcodes.CONFIG_ERROR
        print(text)
        return code
    overrides = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            print(f"Error: -s takes NAME=VALUE, got {item!r}", file=sys.stderr)
            return exitcodes.CONFIG_ERROR
        overrides[name.strip()] = value
    return run_crawl(
        base_url=args.base_url,
        db_path=args.db,
        json_dir=args.json_dir,
        columns=args.columns,
        full=args.full,
        max_pages=args.max_pages,
        settings_overrides=overrides,
        output=args.output or "normal",
        log_file=args.log_file,
    )


if __name__ == "__main__":
    sys.exit(main())
