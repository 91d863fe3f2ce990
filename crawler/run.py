"""Run one crawl in-process and record it: `run_crawl(...) -> exit status`, `status_report(db_path)`.

`run_crawl` checks its arguments, takes the database's run lock (a second run exits LOCKED at
once), opens a `crawl_runs` row, runs the policy spider with `CrawlerProcess` (project settings +
overrides), writes the JSON dumps, closes the row with the run's figures and returns the exit status
of `crawler.exitcodes`. Every error is one line on stderr, never a traceback.

    python -m crawler.run --base-url http://127.0.0.1:8000 --db /tmp/x.sqlite --json-dir /tmp/json \
        -s DOWNLOAD_DELAY=0
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from crawler import exitcodes

logger = logging.getLogger(__name__)

# Marks, in crawl_runs.message, a run that read only the first N list pages of each column: the
# next run must page its columns to the end again, or documents beyond page N would be lost.
MAX_PAGES_MARK = "max_pages="
# Close reasons of a run that read everything it meant to read.
FINISHED_REASONS = ("finished",)
# How far back `completed_columns` looks for the newest run of each column.
RUNS_LOOKED_AT = 100


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


def _open_store(db_path: str | os.PathLike):
    from output.db import Store, StoreError

    path = Path(db_path)
    if path.is_dir():
        raise ConfigError(f"database path {path} is a folder, not a file")
    _check_dir(path.parent if str(path.parent) else ".", "database")
    try:
        return Store(path)
    except (StoreError, OSError) as err:
        raise ConfigError(f"cannot open the database {path}: {err}") from None


def completed_columns(store) -> set[str]:
    """Columns whose newest run read them to the end and was healthy: they can be paged lazily.

    A run that was killed, blocked, limited by max_pages or failed somewhere may have left
    documents on list pages it never read; the next run must read all the pages of its columns.
    """
    decided: dict[str, bool] = {}
    for run in store.last_runs(RUNS_LOOKED_AT):
        complete = (
            run.get("finished_at") is not None
            and run.get("exit_status") == exitcodes.OK
            and MAX_PAGES_MARK not in (run.get("message") or "")
        )
        for column in run.get("columns") or []:
            decided.setdefault(column, complete)
    return {c for c, ok in decided.items() if ok}


def judge(stats: Mapping[str, object], reason: str | None) -> tuple[int, str]:
    """Exit status and one-line message of a crawl from its stats and the spider's close reason."""
    if stats.get("ndrc/blocked/stopped"):
        return exitcodes.BLOCKED, str(stats["ndrc/blocked/stopped"])
    failed = int(stats.get("ndrc/documents/failed", 0) or 0)
    list_failed = int(stats.get("ndrc/list_failed", 0) or 0)
    errors = sum(int(v or 0) for k, v in stats.items() if k.startswith("spider_exceptions/") and k.count("/") == 1)
    problems = []
    if reason not in FINISHED_REASONS:
        problems.append(f"stopped early ({reason or 'the crawl did not start'})")
    if failed:
        problems.append(f"{failed} documents failed")
    if list_failed:
        problems.append(f"{list_failed} list pages could not be fetched")
    if stats.get("ndrc/store/writes_lost"):
        problems.append("writes to the database were lost (see the log); the next run fetches those pages again")
    if errors:
        problems.append(f"{errors} errors in the spider (see the log)")
    if problems:
        return exitcodes.PARTIAL_FAILURE, "; ".join(problems)
    return exitcodes.OK, "healthy"


def _crawl(settings, store) -> tuple[dict, str | None]:
    """Run the spider to its end in this process; returns its stats and close reason.

    The spider and its components write through `store` (see crawler.extensions.store).
    """
    from scrapy.crawler import CrawlerProcess

    from crawler.extensions.store import STORE_ATTR
    from crawler.spiders.policy import PolicySpider

    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(PolicySpider)
    setattr(crawler, STORE_ATTR, store)
    outcome: dict[str, object] = {"reason": None}

    def closed(spider, reason):
        outcome["reason"] = reason

    from scrapy import signals

    crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
    process.crawl(crawler)
    process.start()
    # read once the engine has stopped: the worker commits its last writes (and counts them) when
    # the spider closes, after the handler above has run
    stats = dict(crawler.stats.get_stats() or {})
    return stats, outcome["reason"]


def run_crawl(
    *,
    base_url: str,
    db_path: str | os.PathLike,
    json_dir: str | os.PathLike,
    columns: Sequence[str] | str | None = None,
    full: bool = False,
    max_pages: int | None = None,
    settings_overrides: Mapping[str, object] | None = None,
) -> int:
    """Crawl `columns` of the site at `base_url` into `db_path`, dump JSON to `json_dir`; exit status."""
    from output.db import StoreLocked

    try:
        settings = project_settings(settings_overrides)
        base_url = _check_base_url(base_url or settings.get("NDRC_BASE_URL"))
        columns = _check_columns(columns, settings.getdict("NDRC_COLUMN_NAMES"))
        if max_pages is not None and int(max_pages) < 1:
            raise ConfigError(f"max_pages must be 1 or more, got {max_pages}")
        json_folder = _check_dir(json_dir, "JSON")
        store = _open_store(db_path)
    except ConfigError as err:
        print(f"Error: {err}", file=sys.stderr)
        return exitcodes.CONFIG_ERROR
    try:
        with store.lock():
            return _locked_run(store, settings, base_url, db_path, json_folder, columns, full, max_pages)
    except StoreLocked as err:
        print(f"Error: {err}", file=sys.stderr)
        return exitcodes.LOCKED
    finally:
        store.close()


def _locked_run(store, settings, base_url, db_path, json_folder, columns, full, max_pages) -> int:
    completed = sorted(completed_columns(store))
    settings.setdict(
        {
            "NDRC_BASE_URL": base_url,
            "NDRC_COLUMNS": columns,
            "NDRC_DB_PATH": str(db_path),
            "NDRC_FULL": bool(full),
            "NDRC_MAX_PAGES": int(max_pages or 0),
            "NDRC_COMPLETED_COLUMNS": completed,
        },
        priority="cmdline",
    )
    run_id = store.start_run(base_url, columns, full)
    try:
        stats, reason = _crawl(settings, store)
    except Exception as err:  # noqa: BLE001 - recorded in crawl_runs, shown as one line
        logger.exception("the crawl crashed")
        stats, reason = {}, f"crashed: {type(err).__name__}: {err}"
    status, message = judge(stats, reason)
    if max_pages:
        message += f" ({MAX_PAGES_MARK}{int(max_pages)}: only the first pages of each column were read)"
    try:
        from output.export import export
        from output.validity import refresh_all

        with store.transaction() as db:  # a day may have passed: validity as of today
            refresh_all(db)
        export(str(db_path), str(json_folder))
    except Exception as err:  # noqa: BLE001
        if status == exitcodes.OK:
            status = exitcodes.PARTIAL_FAILURE
        message += f"; JSON dumps not written: {type(err).__name__}: {err}"
    store.finish_run(
        run_id,
        requests=int(stats.get("downloader/request_count", 0) or 0),
        documents_new=int(stats.get("ndrc/documents/new", 0) or 0),
        documents_updated=int(stats.get("ndrc/documents/updated", 0) or 0),
        documents_withdrawn=int(stats.get("ndrc/documents/withdrawn", 0) or 0),
        documents_failed=int(stats.get("ndrc/documents/failed", 0) or 0),
        blocked=int(stats.get("ndrc/blocked/count", 0) or 0),
        exit_status=status,
        message=message,
    )
    line = f"{exitcodes.DESCRIPTIONS[status]}: {message}" if status != exitcodes.OK else message
    print(f"ndrc-policy crawl: {line}", file=sys.stderr)
    return status


def status_report(db_path: str | os.PathLike, last: int = 10) -> tuple[str, int]:
    """The last runs as a table and the crawl's health; returns (text, exit status of the newest run)."""
    from output.db import StoreLocked

    store = _open_store(db_path)
    try:
        runs = store.last_runs(last)
        try:
            with store.lock():
                running = False
        except StoreLocked:
            running = True
    finally:
        store.close()
    if not runs:
        return f"{db_path}: no crawl has run yet", exitcodes.OK
    header = f"{'run':>4}  {'started (UTC)':20}  {'took':>7}  {'req':>6}  {'new':>5}  {'upd':>5}  {'wdr':>4}  {'fail':>4}  {'blk':>4}  status"
    lines = [header]
    for run in runs:
        took = _duration(run.get("started_at"), run.get("finished_at"))
        if run.get("finished_at") is None:
            state = "running" if running and run is runs[0] else "interrupted (no end recorded)"
        else:
            state = exitcodes.DESCRIPTIONS.get(run.get("exit_status"), f"exit {run.get('exit_status')}")
            if run.get("message") and run.get("exit_status") != exitcodes.OK:
                state += f": {run['message']}"
        lines.append(
            f"{run['id']:>4}  {run.get('started_at') or '':20}  {took:>7}  {run.get('requests') or 0:>6}  "
            f"{run.get('documents_new') or 0:>5}  {run.get('documents_updated') or 0:>5}  "
            f"{run.get('documents_withdrawn') or 0:>4}  {run.get('documents_failed') or 0:>4}  "
            f"{run.get('blocked') or 0:>4}  {state}"
        )
    newest = runs[0]
    if newest.get("finished_at") is None:
        code = exitcodes.OK if running else exitcodes.PARTIAL_FAILURE
        health = "a run is in progress" if running else "unhealthy: the last run ended without recording its end (killed?)"
    else:
        code = int(newest.get("exit_status") if newest.get("exit_status") is not None else exitcodes.INTERNAL_ERROR)
        health = "healthy" if code == exitcodes.OK else f"unhealthy: the last run ended with {exitcodes.DESCRIPTIONS.get(code, code)}"
    lines.append(f"health: {health}")
    return "\n".join(lines), code


def _duration(start: str | None, end: str | None) -> str:
    if not start or not end:
        return "-"
    try:
        seconds = (dt.datetime.fromisoformat(end.rstrip("Z")) - dt.datetime.fromisoformat(start.rstrip("Z"))).total_seconds()
    except ValueError:
        return "?"
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m crawler.run`: the crawl command without click, for development and tests."""
    parser = argparse.ArgumentParser(prog="python -m crawler.run", description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="https://www.ndrc.gov.cn")
    parser.add_argument("--db", default="data/ndrc.sqlite")
    parser.add_argument("--json-dir", default="data/json")
    parser.add_argument("--columns", default=None, help="comma-separated column slugs")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--max-pages", type=int, default=None)
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--status", action="store_true", help="print the status report instead of crawling")
    args = parser.parse_args(argv)
    if args.status:
        try:
            text, code = status_report(args.db)
        except ConfigError as err:
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
    )


if __name__ == "__main__":
    sys.exit(main())
