"""The web UI's Datasette plugin: two pages of our own and the table views' defaults.

* ``/doc/{id}``: a document to read (`pages.document_page`, template ``ndrc_doc.html``);
* ``/doc/{id}/changes/{version}``: what a version changed from the one before;
* ``/search?q=…``: the query language of `output.search`, ranked documents with their best
  articles, highlighted snippets, facets and paging, no SQL (``ndrc_search.html``);
* ``table.html`` (extends Datasette's own): column descriptions folded, a search form that goes
  to ``/search`` on the documents and articles tables; `render_cell` links ids and titles to
  ``/doc/{id}``; ``static/ndrc.css`` (served by Datasette, no CDN) gives titles room.

`output.serve.make_datasette` registers this module with Datasette's plugin manager; Datasette
finds ``templates/`` and ``static/`` beside it as for any plugin package.
"""

from __future__ import annotations

import markupsafe
from datasette import hookimpl
from datasette.utils.asgi import Response

from output.search import SNIPPET_MARK, highlight
from output.web import pages

PLUGIN_NAME = __name__  # Datasette serves static/ under /-/static-plugins/<module name>/
# Columns of any table that hold a document's id: their cells link to /doc/{id}.
DOCUMENT_REF_COLUMNS = ("document_id", "interpretation_id", "cited_id", "target_id")


async def _documents_database(datasette, wanted: str | None = None):
    """The database holding the documents: `wanted` if given, else the first with a documents table."""
    names = [wanted] if wanted else [n for n in datasette.databases if not n.startswith("_")]
    for name in names:
        db = datasette.databases.get(name)
        if db is not None and "documents" in await db.table_names():
            return db
    return None


def marks(snippet: str | None) -> markupsafe.Markup:
    """A snippet's SNIPPET_MARK pairs as <mark>, everything else escaped."""
    out, text = [], snippet or ""
    while text:
        start = text.find(SNIPPET_MARK[0])
        if start < 0:
            out.append(markupsafe.escape(text))
            break
        end = text.find(SNIPPET_MARK[1], start)
        if end < 0:
            out.append(markupsafe.escape(text))
            break
        out.append(markupsafe.escape(text[:start]))
        out.append(markupsafe.Markup("<mark>") + markupsafe.escape(text[start + len(SNIPPET_MARK[0]) : end])
                   + markupsafe.Markup("</mark>"))
        text = text[end + len(SNIPPET_MARK[1]) :]
    return markupsafe.Markup("").join(out)


def mark_terms(text: str | None, terms) -> markupsafe.Markup:
    """`text` escaped, every term of `terms` in <mark>."""
    return markupsafe.Markup("").join(
        markupsafe.Markup("<mark>{}</mark>").format(piece) if is_term else markupsafe.escape(piece)
        for piece, is_term in highlight(text or "", terms or ())
    )


async def doc_view(datasette, request):
    document_id = request.url_vars["id"]
    db = await _documents_database(datasette, request.args.get("db"))
    if db is None:
        return Response.html("no database with a documents table", status=404)
    ctx = await db.execute_fn(lambda conn: pages.document_page(conn, document_id))
    if ctx is None:
        return Response.html(
            await datasette.render_template("ndrc_missing.html", {"document_id": document_id}, request=request),
            status=404,
        )
    ctx["database"] = db.name
    return Response.html(await datasette.render_template("ndrc_doc.html", ctx, request=request))


async def changes_view(datasette, request):
    document_id, version = request.url_vars["id"], int(request.url_vars["version"])
    db = await _documents_database(datasette, request.args.get("db"))
    if db is None:
        return Response.html("no database with a documents table", status=404)
    ctx = await db.execute_fn(lambda conn: pages.version_changes(conn, document_id, version))
    if ctx is None:
        return Response.html(
            await datasette.render_template("ndrc_missing.html", {"document_id": f"{document_id} version {version}"},
                                            request=request),
            status=404,
        )
    return Response.html(await datasette.render_template("ndrc_changes.html", ctx, request=request))


async def search_view(datasette, request):
    db = await _documents_database(datasette, request.args.get("db"))
    if db is None:
        return Response.html("no database with a documents table", status=404)
    args = {k: request.args.get(k) for k in ("q", "page", "in_force", *pages.FILTER_ARGS)}
    ctx = await db.execute_fn(lambda conn: pages.search_page(conn, args))
    ctx["database"] = db.name
    return Response.html(await datasette.render_template("ndrc_search.html", ctx, request=request))


@hookimpl
def register_routes():
    return [
        (r"^/doc/(?P<id>[^/]+)$", doc_view),
        (r"^/doc/(?P<id>[^/]+)/changes/(?P<version>[0-9]+)$", changes_view),
        (r"^/search$", search_view),
    ]


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["ndrc_marks"] = marks
    env.filters["ndrc_highlight"] = mark_terms


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins(PLUGIN_NAME, "ndrc.css")]


@hookimpl
def render_cell(row, value, column, table):
    """Document ids and titles link to the document's page."""
    if not isinstance(value, str) or not value:
        return None
    if table == "documents" and column in ("id", "title"):
        return markupsafe.Markup('<a href="/doc/{}">{}</a>').format(row["id"], value)
    if column in DOCUMENT_REF_COLUMNS:
        return markupsafe.Markup('<a href="/doc/{}">{}</a>').format(value, value)
    return None
