"""Exit statuses of `ndrc-policy`, documented in the README for operators and schedulers.

A scheduler (cron, systemd) treats anything but 0 as a failed run; the distinct codes tell the
operator what kind of failure without reading the log.
"""

OK = 0  # healthy run: every page fetched and parsed, or nothing new
INTERNAL_ERROR = 1  # a bug: reported as one line, details in the log
CONFIG_ERROR = 2  # bad arguments, settings or paths (also click's usage errors)
BLOCKED = 3  # the site answered with block pages / challenges; the run stopped early
PARTIAL_FAILURE = 4  # the run finished but some pages failed to fetch, parse or store
LOCKED = 5  # another run holds the database lock; nothing was done
UNREACHABLE = 6  # the site could not be reached at all (DNS, refused, timeouts); the run stopped at once

DESCRIPTIONS = {
    OK: "healthy",
    INTERNAL_ERROR: "internal error",
    CONFIG_ERROR: "configuration error",
    BLOCKED: "blocked by the site",
    PARTIAL_FAILURE: "partial failure",
    LOCKED: "another run is in progress",
    UNREACHABLE: "site unreachable",
}
