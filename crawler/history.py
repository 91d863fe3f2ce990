"""What earlier crawl runs tell the next one: which columns were read to the end by a healthy run.

Shared by `crawler.run` (which records the runs) and the spider (which pages lazily only the
columns listed here), so neither imports the other.
"""

from __future__ import annotations

from crawler import exitcodes

# Marks, in crawl_runs.message, a run that read only the first N list pages of each column: the
# next run must page its columns to the end again, or documents beyond page N would be lost.
MAX_PAGES_MARK = "max_pages="
# Opens the message of a run whose only problem was dead links met for the first time: its columns
# were read as a healthy run reads them, so the next run may page them lazily.
DEAD_LINKS_ONLY = "new dead links only:"
# How far back `completed_columns` looks for the newest run of each column.
RUNS_LOOKED_AT = 100


def completed_columns(store) -> set[str]:
    """Columns whose newest run read them to the end and was healthy: they can be paged lazily.

    A run that was killed, blocked, limited by max_pages or failed somewhere may have left
    documents on list pages it never read; the next run must read all the pages of its columns.
    """
    decided: dict[str, bool] = {}
    for run in store.last_runs(RUNS_LOOKED_AT):
        message = run.get("message") or ""
        healthy = run.get("exit_status") == exitcodes.OK or (
            run.get("exit_status") == exitcodes.PARTIAL_FAILURE and message.startswith(DEAD_LINKS_ONLY)
        )
        complete = run.get("finished_at") is not None and healthy and MAX_PAGES_MARK not in message
        for column in run.get("columns") or []:
            decided.setdefault(column, complete)
    return {c for c, ok in decided.items() if ok}
