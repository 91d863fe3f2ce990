"""Datasette for researchers: `make_datasette(db_path)` builds the instance, `serve(db_path, port)`
runs it on 127.0.0.1.

Metadata, facets and canned queries come from ``output/datasette/metadata.json``; its
``databases`` entry is written for the database name ``ndrc`` and renamed here to the name
Datasette gives the file (its stem). The pages ``/doc/{id}`` and ``/search`` and the table
views' defaults come from the plugin `output.web`, registered here; a ``validity`` facet is
added when the database has that column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlite_utils
from datasette.app import Datasette

from output import citations, search, web

METADATA_PATH = Path(__file__).resolve().parent / "datasette" / "metadata.json"
# The database name metadata.json is written for.
METADATA_DB_NAME = "ndrc"
# Datasette settings: room for a search of a common character over a large corpus; table cells
# cut at 120 characters (a body_text shown whole made one row taller than the screen: the
# document's page shows it whole).
SETTINGS = {
    "sql_time_limit_ms": 5000,
    "truncate_cells_html": 120,
    "default_page_size": 50,
    "suggest_facets": False,  # it suggested first_seen, addressees, …: the metadata names the useful ones
}
# The plugin's name in Datasette's plugin manager.
PLUGIN_NAME = "ndrc-policy-web"


def load_metadata(db_name: str = METADATA_DB_NAME, columns: set[str] | None = None) -> dict[str, Any]:
    """metadata.json with its database entry under `db_name`; `columns` of documents add facets."""
    meta = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    databases = meta.get("databases", {})
    if METADATA_DB_NAME in databases and db_name != METADATA_DB_NAME:
        databases[db_name] = databases.pop(METADATA_DB_NAME)
        meta["description_html"] = meta.get("description_html", "").replace(
            f"/{METADATA_DB_NAME}/", f"/{db_name}/"
        )
    if columns and "validity" in columns:
        databases[db_name]["tables"]["documents"]["facets"].append("validity")
    return meta


def register_plugin() -> None:
    """Make the web UI's plugin (`output.web`) part of every Datasette this process builds."""
    from datasette.plugins import pm

    if not pm.is_registered(web):
        pm.register(web, name=PLUGIN_NAME)


def _ensure_tables(db_path: Path) -> None:
    """Create the search and citation tables a database lacks (a store opened without them)."""
    db = sqlite_utils.Database(db_path)
    try:
        have = set(db.table_names()) | set(db.view_names())
        if search.DOCS_TRIGRAM not in have:
            search.rebuild(db)
        elif not search.installed(db):  # indexed by an earlier version: add what is missing
            with db.atomic():
                search.install(db)
        if citations.TABLE not in have:
            citations.rebuild(db)
    finally:
        db.close()


def make_datasette(db_path: str | Path) -> Datasette:
    """A Datasette over the database at `db_path`, with this project's metadata and queries."""
    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"no database at {path}")
    _ensure_tables(path)
    register_plugin()
    db = sqlite_utils.Database(path)
    try:
        columns = {c.name for c in db["documents"].columns} if db["documents"].exists() else set()
    finally:
        db.close()
    return Datasette(
        files=[str(path)],
        metadata=load_metadata(path.stem, columns),
        settings=SETTINGS,
    )


def serve(db_path: str | Path, port: int = 8001, host: str = "127.0.0.1", announce=print) -> None:
    """Serve the database in Datasette until interrupted; first `announce` the address it listens on.

    Port 0 picks a free port: the socket is bound here, so the address said is the real one.
    `OSError` when the address cannot be listened on.
    """
    import socket

    import uvicorn

    ds = make_datasette(db_path)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    announce(f"serving {db_path} at http://{shown}:{bound_port}/ (Ctrl-C stops)")
    server = uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning"))
    server.run(sockets=[sock])
