"""The end of a crawl as people and monitoring see it: the figures, the verdict, or one JSON object.

Two closing lines on stderr:

    documents new 37, updated 0, unchanged 0, failed 0; 73 requests in 2.1 s; log data/logs/crawl-….log
    ndrc-policy crawl: healthy

the second saying why the exit status is not 0 where it is not (`partial failure (exit 4): …`).
A run that never reached the site gets the verdict only; a bug, one `Error:` line naming the log. In json mode (`--json`) the same is one
JSON object on stdout, with the keys of `summary_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crawler import exitcodes
from crawler.extensions.progress import OUTCOMES, counts_line


def verdict_line(status: int, message: str) -> str:
    if status == exitcodes.OK:
        return f"ndrc-policy crawl: {message}"
    return f"ndrc-policy crawl: {exitcodes.DESCRIPTIONS.get(status, 'failed')} (exit {status}): {message}"


def figures_line(stats: Mapping[str, object], seconds: float, log_path, problems_hidden: int) -> str:
    counts = {o: int(stats.get(f"ndrc/documents/{o}", 0) or 0) for o in OUTCOMES}
    requests = int(stats.get("downloader/request_count", 0) or 0)
    parts = [f"documents {counts_line(counts)}", f"{requests} requests in {_duration(seconds)}"]
    dead = int(stats.get("ndrc/dead_links/still", 0) or 0)
    if dead:
        parts.append(f"{dead} dead link{'s' if dead != 1 else ''} checked again, still dead")
    if problems_hidden:
        parts.append(f"{problems_hidden} more problems")
    parts.append(f"log {log_path}")
    return "; ".join(parts)


def summary_dict(*, run_id, status, message, stats, figures, seconds, base_url, columns, full, db_path,
                 json_dir, log_path) -> dict:
    """The `--json` summary: one object, stable keys (documented in the README)."""
    return {
        "run_id": run_id,
        "exit_status": status,
        "status": exitcodes.DESCRIPTIONS.get(status, "failed"),
        "message": message,
        "base_url": base_url,
        "columns": list(columns),
        "full": bool(full),
        "seconds": round(seconds, 3),
        "requests": figures["requests"],
        "documents": {o: int(stats.get(f"ndrc/documents/{o}", 0) or 0) for o in OUTCOMES},
        "list_pages": {c: int(stats.get(f"ndrc/{c}/list_pages", 0) or 0) for c in columns},
        "blocked_responses": figures["blocked"],
        "dead_links": {k: int(stats.get(f"ndrc/dead_links/{k}", 0) or 0) for k in ("new", "still", "revived")},
        "db": str(db_path),
        "json_dir": str(json_dir),
        "log_file": str(log_path),
    }


def report(console, *, run_id: int, status: int, message: str, stats: Mapping[str, object],
           figures: Mapping[str, int], seconds: float, base_url: str, columns: Sequence[str], full: bool,
           db_path, json_dir, log_path, problems_hidden: int = 0) -> None:
    data = summary_dict(run_id=run_id, status=status, message=message, stats=stats, figures=figures,
                        seconds=seconds, base_url=base_url, columns=columns, full=full, db_path=db_path,
                        json_dir=json_dir, log_path=log_path)
    if status == exitcodes.INTERNAL_ERROR:  # a bug: one Error: line naming the log with the traceback
        console.error(message)
        if console.mode == "json":
            console.summary("", data)
        return
    verdict = verdict_line(status, message)
    if status != exitcodes.UNREACHABLE and console.mode != "json":
        console.summary(figures_line(stats, seconds, log_path, problems_hidden), data)
    console.summary(verdict, data)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
