"""The store's time format: ISO 8601, UTC, whole seconds, `Z` (`utc_now`, `timestamp`).

Every time the store writes goes through here, so times from different sources compare
correctly as strings.
"""

from __future__ import annotations

import datetime as dt
import re

# A time already in the store's form is returned as it is (a crawl passes every page's fetch
# time through here): strftime asks the C library for the time zone on each call.
_STORE_FORM = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def utc_now() -> str:
    """The current time as the store writes it: ISO 8601, UTC, whole seconds, `Z`."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def timestamp(value: str | dt.datetime | dt.date | float | None) -> str:
    """Normalise a time to the store's form (UTC ISO 8601 with `Z`); None means now.

    Timestamps from different sources then compare correctly as strings, which `export --since`
    and "newest content" rely on. A naive time is taken as UTC; a number is Unix seconds.
    """
    if value is None:
        return utc_now()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = dt.datetime.fromtimestamp(value, dt.timezone.utc)
    elif isinstance(value, str):
        if _STORE_FORM.fullmatch(value):
            try:
                dt.datetime.fromisoformat(value[:-1])  # a valid time, not just the right shape
            except ValueError:
                raise ValueError(f"not an ISO 8601 date or time: {value!r}") from None
            return value
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not an ISO 8601 date or time: {value!r}") from None
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    elif not isinstance(value, dt.datetime):
        raise ValueError(f"not an ISO 8601 date or time: {value!r}")
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"
