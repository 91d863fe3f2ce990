"""Options shared by commands that run a crawl (`crawl`, `demo`): how much they print, where the log goes."""

from __future__ import annotations

import functools

import click


def output_options(func):
    """--quiet / --json / -v and --log-file, handed to the command as `output` and `log_file`."""

    @click.option("-q", "--quiet", "output", flag_value="quiet", help="Print the closing lines only.")
    @click.option("--json", "output", flag_value="json",
                  help="Print the run's summary as one JSON object on stdout (for monitoring), nothing else.")
    @click.option("-v", "--verbose", "output", flag_value="verbose", help="Scrapy's log on stderr too.")
    @click.option("--log-file", type=click.Path(dir_okay=False), default=None,
                  help="Append Scrapy's log to this file [default: a new file per run under logs/ beside the database].")
    @functools.wraps(func)
    def wrapper(*args, output=None, **kwargs):
        return func(*args, output=output or "normal", **kwargs)

    return wrapper
