"""The `ndrc-policy` command line: a thin click layer over the libraries.

Every command prints errors as one `Error: ...` line on stderr and exits non-zero (see
`crawler.exitcodes`); no traceback reaches the user unless NDRC_POLICY_DEBUG=1 is set.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from crawler import exitcodes
from crawler import settings as project
from crawler.cli_options import output_options
from crawler.errors import OneLineErrorGroup

DEFAULT_DB = project.NDRC_DB_PATH
DEFAULT_JSON_DIR = "data/json"
DEFAULT_BASE_URL = project.NDRC_BASE_URL
COLUMNS = tuple(project.NDRC_COLUMNS)


class Failure(click.ClickException):
    """A one-line error with the exit status that says what kind of failure it was."""

    def __init__(self, message: str, exit_code: int = exitcodes.CONFIG_ERROR):
        super().__init__(message)
        self.exit_code = exit_code


def one_line_errors(func):
    """Turn any unexpected exception into one `Error:` line (INTERNAL_ERROR) instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise Failure("interrupted", exitcodes.INTERNAL_ERROR) from None
        except Exception as err:  # noqa: BLE001 - the CLI's last line of defence
            if os.environ.get("NDRC_POLICY_DEBUG"):
                raise
            from crawler.errors import internal_error_line

            raise Failure(internal_error_line(err), exitcodes.INTERNAL_ERROR) from None

    return wrapper


def _existing_db(path: str) -> str:
    if not Path(path).is_file():
        raise Failure(f"no database at {path}: run `ndrc-policy crawl --db {path}` first")
    return path


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


@click.group(cls=OneLineErrorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ndrc-policy")
def main():
    """Crawl, parse, store and search the policy documents of the National Development
    and Reform Commission (www.ndrc.gov.cn).

    \b
    Quick start:
      ndrc-policy crawl                      # incremental crawl into data/ndrc.sqlite
      ndrc-policy search 碳达峰               # full-text search, any length of term
      ndrc-policy serve                      # browse in Datasette
    """


@main.command()
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, help="Site to crawl.")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database.")
@click.option("--json-dir", default=DEFAULT_JSON_DIR, show_default=True, help="Where the JSON dumps go.")
@click.option(
    "--columns",
    default=",".join(COLUMNS),
    show_default=True,
    help="Comma-separated columns: fzggwl (发展改革委令), ghxwj (规范性文件), ghwb (规划文本), gg (公告), tz (通知).",
)
@click.option("--full", is_flag=True, help="Fetch every page again instead of only what is new.")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Stop after N list pages per column.")
@click.option(
    "-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting (repeatable)."
)
@output_options
@one_line_errors
def crawl(base_url, db_path, json_dir, columns, full, max_pages, settings, output, log_file):
    """Crawl the site into SQLite and write the JSON dumps.

    Incremental by default: only new list entries and recent documents are fetched. The exit
    status is 0 only when the run was healthy (see the README for the other codes).

    \b
    Examples:
      ndrc-policy crawl
      ndrc-policy crawl --columns tz,fzggwl --max-pages 1
      ndrc-policy crawl --base-url http://127.0.0.1:8000 --db /tmp/demo.sqlite -s DOWNLOAD_DELAY=0
      ndrc-policy crawl --json | jq .exit_status      # for monitoring
    """
    chosen = [c.strip() for c in columns.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in COLUMNS]
    if unknown or not chosen:
        raise Failure(f"unknown column {', '.join(unknown) or '(none)'}; choose from {', '.join(COLUMNS)}")
    overrides = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise Failure(f"-s takes NAME=VALUE, got {item!r}")
        overrides[name.strip()] = value
    from crawler.run import run_crawl

    status = run_crawl(
        base_url=base_url.rstrip("/"),
        db_path=db_path,
        json_dir=json_dir,
        columns=chosen,
        full=full,
        max_pages=max_pages,
        settings_overrides=overrides,
        output=output,
        log_file=log_file,
    )
    sys.exit(status)


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True)
@click.option("-n", "--last", default=10, show_default=True, help="How many runs to show.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: health, runs, dead links, failing pages.")
@one_line_errors
def status(db_path, last, as_json):
    """Show the last crawl runs, whether the crawl is healthy, the dead links and the pages still failing.

    Exits 0 when the last run was healthy, else with that run's exit status.

    \b
    Examples:
      ndrc-policy status
      ndrc-policy status --json | jq '.dead_links[].url'
    """
    from crawler.status import StatusError, status_data, status_report

    try:
        if as_json:
            data = status_data(db_path, last=last)
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            code = data["exit_status"]
        else:
            text, code = status_report(db_path, last=last)
            click.echo(text)
    except StatusError as err:
        raise Failure(str(err)) from None
    sys.exit(code)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--url", default=None, help="The page's URL: gives the document id and absolute links.")
@click.option("--attachment", "attachment_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A saved attachment of the page (PDF/OFD), read into its text and articles (repeatable).")
@one_line_errors
def parse(file, url, attachment_files):
    """Parse one saved file and print its document JSON.

    FILE is a detail page (HTML in any encoding), a text or Markdown rendering of a page,
    or a PDF or OFD attachment; `-` reads standard input. A column list page prints its items.

    \b
    Examples:
      ndrc-policy parse t20260828_1407232.html --url https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260828_1407232.html
      ndrc-policy parse notice.pdf | jq .articles
    """
    from parsers import ParseError, parse as parse_document, parse_list_page
    from parsers.document import attachment_urls

    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as err:
        raise Failure(f"cannot read {file}: {err.strerror or err}") from None
    fetched = {}
    if attachment_files:
        # Match saved attachments to the page's links by file name.
        by_name = {Path(p).name: Path(p).read_bytes() for p in attachment_files}
        for link in attachment_urls(data, url):
            name = link.rsplit("/", 1)[-1]
            if name in by_name:
                fetched[link] = by_name[name]
    try:
        doc = parse_document(data, url=url, attachments=fetched)
    except ParseError as err:
        if err.reason == "list_page":
            listing = parse_list_page(data, url)
            click.echo(_dump(_list_page_dict(listing)))
            return
        raise Failure(f"{file}: {err}", exitcodes.PARTIAL_FAILURE) from None
    click.echo(_dump(doc.to_dict()))


def _list_page_dict(page) -> dict:
    from dataclasses import asdict

    return asdict(page)


def _as_of(value: str | None) -> str | None:
    if value is None:
        return None
    from output.validity import as_of_date

    try:
        return as_of_date(value)
    except ValueError as err:
        raise Failure(str(err)) from None


AS_OF = click.option("--as-of", "as_of", default=None, metavar="DATE",
                     help="Compute validity as of DATE (YYYY-MM-DD) instead of today.")


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True)
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes that parse (the writes stay in one).")
@AS_OF
@one_line_errors
def reparse(db_path, jobs, as_of):
    """Rebuild every document from the raw pages already stored, without fetching.

    Run it after upgrading ndrc-policy: documents whose content is unchanged keep their
    version; those the new parsers read differently are updated. Every document's validity
    is recomputed (as of today, or --as-of).

    
    Examples:
      ndrc-policy reparse
      ndrc-policy reparse --jobs 2       # parse on two cores
    """
    from output.reparse import reparse_all

    summary = reparse_all(
        _existing_db(db_path), canonical_base=project.NDRC_CANONICAL_BASE, jobs=jobs, as_of=_as_of(as_of)
    )
    click.echo(summary.line())
    sys.exit(exitcodes.OK if not summary.failed else exitcodes.PARTIAL_FAILURE)


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--since", default=None, help="Only documents added, updated or withdrawn since DATE (YYYY-MM-DD).")
@AS_OF
@one_line_errors
def export(db_path, out_dir, since, as_of):
    """Write the JSON Lines dumps, their JSON Schema and a manifest.

    \b
    Examples:
      ndrc-policy export --out data/json
      ndrc-policy export --out /tmp/delta --since 2026-11-01
    """
    import datetime as dt

    if since:
        try:
            dt.date.fromisoformat(since)
        except ValueError:
            raise Failure(f"--since takes a date as YYYY-MM-DD, got {since!r}") from None
    from output.export import export as write_export

    manifest = write_export(_existing_db(db_path), out_dir, since=since, as_of=_as_of(as_of))
    click.echo(f"wrote {out_dir}: {_manifest_line(manifest)}")


def _manifest_line(manifest) -> str:
    counts = getattr(manifest, "counts", None) or (manifest.get("counts") if isinstance(manifest, dict) else None)
    if isinstance(counts, dict):
        return ", ".join(f"{k} {v}" for k, v in counts.items())
    return str(counts if counts is not None else manifest)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True)
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="Documents to show.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(min=0), help="Documents to skip.")
@click.option("--category", default=None, help="Only this column, e.g. 通知.")
@click.option("--year", type=int, default=None, help="Only documents published this year.")
@click.option("--issuer", default=None, help="Only documents signed by this agency, e.g. 国家能源局.")
@click.option("--since", default=None, help="Published on or after: 2024, 2024-05 or 2024-05-06.")
@click.option("--until", default=None, help="Published on or before, same forms.")
@click.option("--in-force", is_flag=True, help="Leave out documents repealed or expired.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines for programs: one document a line.")
@one_line_errors
def search(query, db_path, limit, offset, category, year, issuer, since, until, in_force, as_json):
    """Full-text search over documents and their articles; terms of any length.

    \b
    Query syntax (quote the whole query in the shell):
      绿色 发展          documents with every term (any space, full-width too, or 、)
      绿色 OR 碳         either term
      "绿色发展"         the exact string
      绿色 -煤电         without a term
      (绿色 OR 低碳) 发展  groups
      发改财金规〔2022〕1368号   a 文号, in any brackets: [2022] (2022) too

    \b
    Examples:
      ndrc-policy search "绿色 低碳" --db data/demo.sqlite
      ndrc-policy search "碳达峰 OR 碳中和" --since 2023
      ndrc-policy search 煤电 --category 通知 --json | jq .title
    """
    from output.search import FilterError, Filters, QueryError, run

    unknown = [q for q in query if q.startswith("--")]
    if unknown:
        raise Failure(f"no such option: {unknown[0]} (options go before a --; see ndrc-policy search --help)")
    import sqlite_utils

    from crawler.search_table import format_table

    db = sqlite_utils.Database(_existing_db(db_path))
    filters = Filters(category=category, year=year, issuer=issuer, since=since, until=until, in_force=in_force)
    try:
        results = run(db, " ".join(query), limit=limit, offset=offset, filters=filters)
    except (QueryError, FilterError) as err:
        raise Failure(str(err)) from None
    if as_json:
        for hit in results.hits:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
    else:
        click.echo(format_table(results))


@main.command()
@click.argument("document_id", metavar="ID")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True)
@click.option("--from", "from_version", type=click.IntRange(min=1), default=None, help="The older version (default: the one before --to).")
@click.option("--to", "to_version", type=click.IntRange(min=1), default=None, help="The newer version (default: the current one).")
@click.option("--json", "as_json", is_flag=True, help="The comparison as JSON.")
@one_line_errors
def diff(document_id, db_path, from_version, to_version, as_json):
    """Show what changed between two stored versions of a document, article by article.

    Units added (+), removed (-), moved (>) and changed (~); inside a changed unit the
    deleted text in [-…-] and the inserted text in {+…+}.

    \b
    Examples:
      ndrc-policy diff ndrc-1407232
      ndrc-policy diff ndrc-1407232 --from 1 --to 3 --json | jq '.units[] | select(.change == "changed")'
    """
    import sqlite_utils

    from output.diff import DiffError, format_text, stored_diff

    db = sqlite_utils.Database(_existing_db(db_path))
    try:
        result = stored_diff(db, document_id, from_version, to_version)
    except DiffError as err:
        raise Failure(str(err)) from None
    click.echo(_dump(result.to_dict()) if as_json else format_text(result))


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@one_line_errors
def serve(db_path, port, host):
    """Browse and search the database in Datasette (facets, canned queries, Chinese search).

    Prints the address it serves on first, then serves until Ctrl-C.

    \b
    Examples:
      ndrc-policy serve
      ndrc-policy serve --db data/demo.sqlite --port 0     # any free port
    """
    from output.serve import serve as run_server

    try:
        run_server(_existing_db(db_path), port=port, host=host, announce=lambda line: click.echo(line, nl=True))
    except OSError as err:
        raise Failure(f"cannot listen on {host}:{port}: {err.strerror or err}; try another --port (0 picks a free one)") from None


@main.command()
@click.option("--db", "db_path", default="data/demo.sqlite", show_default=True)
@click.option("--json-dir", default="data/demo-json", show_default=True)
@click.option("--size", default=120, show_default=True, type=click.IntRange(min=1), help="Documents in the replica.")
@one_line_errors
def demo(db_path, json_dir, size):
    """Crawl a local replica of the site into a fresh demo database: no network needed.

    Replaces the demo database of an earlier run. Starts the replica on 127.0.0.1, crawls every
    column with politeness off, and prints what landed and the commands to try next.
    """
    import shutil

    from replica import ReplicaServer, Site
    from crawler.run import run_crawl

    # The replica listens on a new port each time, so its URLs change: a demo always starts from a
    # fresh database (an incremental run over the last demo's URLs would re-check a dead server).
    for path in (Path(db_path), Path(f"{db_path}-wal"), Path(f"{db_path}-shm"), Path(f"{db_path}.lock")):
        path.unlink(missing_ok=True)
    shutil.rmtree(json_dir, ignore_errors=True)
    with ReplicaServer(Site(size=size)) as server:
        base_url = server.base_url
        click.echo(f"replica of the site serving {size} documents at {base_url}", err=True)
        status = run_crawl(
            base_url=base_url,
            db_path=db_path,
            json_dir=json_dir,
            columns=list(COLUMNS),
            full=False,
            max_pages=None,
            settings_overrides=dict(DEMO_SETTINGS),
        )
    from crawler.demo import landed_lines
    from crawler.settings import NDRC_COLUMN_NAMES

    if status in (exitcodes.OK, exitcodes.PARTIAL_FAILURE):
        for line in landed_lines(db_path, NDRC_COLUMN_NAMES):
            click.echo(line, err=True)
    sys.exit(status)


# Politeness is for the real site; the local replica can take requests as fast as they come.
DEMO_SETTINGS = {
    "ROBOTSTXT_OBEY": "True",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    # the replica, like the site, links 解读 pages and attachments that answer 404, and every demo
    # meets them for the first time (a fresh database): recorded and said, no failure of the demo
    "NDRC_NEW_DEAD_LINKS_FAIL": "False",
}


if __name__ == "__main__":
    main()
