"""`-s NAME=VALUE` overrides checked before anything starts: one clear line for a bad one.

A typo in a setting name is silently ignored by Scrapy, and a bad value (`DOWNLOAD_DELAY=abc`)
fails deep inside a running crawl with a traceback. Here every override is checked against the
setting it overrides, by the type of that setting's default value (crawler.settings, then Scrapy's
defaults):

- the name must be a setting of the project (every `NDRC_*`) or of Scrapy; a close name is suggested;
- numbers must be numbers, and not negative (Scrapy's priority adjustments excepted);
- booleans must be one of True/False/1/0 (any case), as Scrapy's `getbool` reads them;
- dicts must be JSON objects.

`check_overrides(overrides) -> dict` returns the values as given (Scrapy converts them itself);
a bad one raises `SettingError`, whose `str()` is the line shown.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping

# Settings the run sets itself (crawler.run); an override of them is refused like an unknown name.
RUN_SETTINGS = ("NDRC_COLUMNS", "NDRC_DB_PATH", "NDRC_FULL", "NDRC_MAX_PAGES", "NDRC_COMPLETED_COLUMNS",
                "NDRC_BASE_URL", "LOG_FILE")
# Scrapy settings whose numbers may be negative: priorities, adjusted up or down.
MAY_BE_NEGATIVE = ("PRIORITY", "PRIORITY_ADJUST")
BOOL_WORDS = {"true", "false", "1", "0"}
# Dict settings whose keys are components to load (dotted paths).
COMPONENT_SUFFIXES = ("MIDDLEWARES", "PIPELINES", "EXTENSIONS", "HANDLERS", "ADDONS")
# Where a command-line flag exists for a setting the run sets, say so.
FLAG_FOR = {
    "NDRC_COLUMNS": "--columns", "NDRC_DB_PATH": "--db", "NDRC_FULL": "--full", "NDRC_MAX_PAGES": "--max-pages",
    "NDRC_BASE_URL": "--base-url", "LOG_FILE": "--log-file",
}


class SettingError(ValueError):
    """A bad override; `str()` is the one line shown to the operator."""


def known_settings() -> dict[str, object]:
    """Every setting name with its default value: the project's over Scrapy's."""
    from scrapy.settings import default_settings

    import crawler.settings as project

    known = {name: getattr(default_settings, name) for name in dir(default_settings) if name.isupper()}
    known.update({name: getattr(project, name) for name in dir(project) if name.isupper()})
    return known


def check_overrides(overrides: Mapping[str, object]) -> dict[str, object]:
    known = known_settings()
    for name, value in overrides.items():
        if name in FLAG_FOR:
            raise SettingError(f"-s {name} is set by the command line: use {FLAG_FOR[name]}")
        if name in RUN_SETTINGS:
            raise SettingError(f"-s {name} cannot be set: the run sets it")
        if name not in known:
            raise SettingError(_unknown(name, known))
        _check_value(name, value, known[name])
    return dict(overrides)


def _unknown(name: str, known: Mapping[str, object]) -> str:
    kind = "ndrc-policy" if name.startswith("NDRC_") else "Scrapy or ndrc-policy"
    close = difflib.get_close_matches(name.upper(), list(known), n=1, cutoff=0.75)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"-s {name}: no such {kind} setting{hint}"


def _check_value(name: str, value: object, default: object) -> None:
    if not isinstance(value, str):
        return  # set from Python: Scrapy's own type
    text = value.strip()
    if isinstance(default, bool):
        if text.lower() not in BOOL_WORDS:
            raise SettingError(f"-s {name}={value}: expected True or False")
    elif isinstance(default, (int, float)):
        whole = isinstance(default, int)
        try:
            number = int(text) if whole else float(text)
        except ValueError:
            raise SettingError(f"-s {name}={value}: expected {'a whole number' if whole else 'a number'}") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise SettingError(f"-s {name}={value}: expected a finite number")
        if number < 0 and not name.endswith(MAY_BE_NEGATIVE):
            raise SettingError(f"-s {name}={value}: must not be negative")
    elif isinstance(default, dict):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise SettingError(f'-s {name}={value}: expected a JSON object such as {{"name": 1}}')
        if name.endswith(COMPONENT_SUFFIXES):
            _check_components(name, parsed)


def _check_components(name: str, components: dict) -> None:
    """Every component a dict setting names must load (None disables one, and is fine)."""
    from scrapy.utils.misc import load_object

    for path, order in components.items():
        if order is None:
            continue
        try:
            load_object(path)
        except Exception:  # noqa: BLE001 - any failure to load is the same mistake
            raise SettingError(f"-s {name}: cannot load {path}") from None
