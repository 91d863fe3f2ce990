"""The dead-link table and its back-off rule (output.deadlinks), on a real SQLite file."""

from __future__ import annotations

import datetime as dt

import sqlite_utils
from hypothesis import given
from hypothesis import strategies as st

from output import deadlinks

DAY = dt.date(2026, 12, 1)
URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202612/t20261201_1408000.html"


def test_the_wait_doubles_from_one_day_up_to_a_month():
    waits = [(deadlinks.next_check(DAY, n) - DAY).days for n in range(1, 9)]
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]


@given(st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=400))
def test_never_the_same_day_and_never_beyond_the_maximum(checks, max_days):
    wait = (deadlinks.next_check(DAY, checks, max_days) - DAY).days
    assert 1 <= wait <= max(1, max_days)


def found(kind="detail"):
    return {URL: {"kind": kind, "listed_in": "tz", "status": 404}}


def test_a_link_met_again_keeps_its_first_day_and_backs_off(tmp_path):
    db = sqlite_utils.Database(tmp_path / "x.sqlite")
    deadlinks.record(db, found(), (), DAY)
    deadlinks.record(db, found(), (), DAY)  # twice the same day: one check
    (row,) = deadlinks.load(db).values()
    assert (row["first_seen"], row["last_seen"], row["checks"], row["next_check"]) == (
        "2026-12-01", "2026-12-01", 1, "2026-12-02")
    assert not deadlinks.is_due(row, DAY) and deadlinks.is_due(row, DAY + dt.timedelta(days=1))
    later = DAY + dt.timedelta(days=1)
    deadlinks.record(db, {URL: {"kind": "detail", "status": 410}}, (), later)
    (row,) = deadlinks.load(db).values()
    assert (row["first_seen"], row["last_seen"], row["checks"], row["next_check"], row["status"], row["listed_in"]) == (
        "2026-12-01", "2026-12-02", 2, "2026-12-04", 410, "tz")
    deadlinks.record(db, {}, [URL], later)  # it answers again
    assert deadlinks.load(db) == {} and deadlinks.report(db) == []


def test_a_database_without_the_table_has_no_dead_links(tmp_path):
    db = sqlite_utils.Database(tmp_path / "x.sqlite")
    assert deadlinks.load(db) == {} and deadlinks.report(db) == [] and deadlinks.linked_from(db, [URL]) == {}
