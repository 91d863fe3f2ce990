"""Full-text search for Chinese terms of any length over documents and their articles.

* `output.search.index`: the full-text tables and their upkeep (the store calls `install`,
  `installed` and `index_documents`; `rebuild` re-creates them from the source tables).
* `output.search.syntax`: the query language (`parse_query`, `QueryError`).
* `output.search.query`: running a query (`search`, `run`): plan, filters, ranking, facets.
* `output.search.results`: what it returns (`DocumentHit`, `ArticleHit`, `Results`), snippets.

The names below are the package's public interface; `from output import search` then
`search.search(db, "绿色 发展")` is what callers use.
"""

from output.search.index import (
    ARTICLES_CHARS,
    ARTICLES_TRIGRAM,
    ATTACHMENT_SEPARATOR,
    DOCS_CHARS,
    DOCS_GRAMS,
    DOCS_TRIGRAM,
    ROWS_TABLE,
    TRIGRAM_MIN,
    chars_expression,
    encode_chars,
    index_document,
    index_documents,
    install,
    installed,
    rebuild,
    trigram_expression,
)
from output.search.query import ARTICLES_SHOWN, FilterError, Filters, run, search
from output.search.results import SNIPPET_MARK, ArticleHit, DocumentHit, Results, highlight
from output.search.syntax import QueryError, parse_query

__all__ = [
    "ARTICLES_CHARS", "ARTICLES_TRIGRAM", "ATTACHMENT_SEPARATOR", "DOCS_CHARS", "DOCS_GRAMS", "DOCS_TRIGRAM",
    "ROWS_TABLE", "TRIGRAM_MIN", "chars_expression", "encode_chars", "index_document",
    "index_documents", "install", "installed", "rebuild", "trigram_expression",
    "ARTICLES_SHOWN", "SNIPPET_MARK", "ArticleHit", "DocumentHit", "FilterError", "Filters",
    "Results", "highlight", "run", "search", "QueryError", "parse_query",
]
