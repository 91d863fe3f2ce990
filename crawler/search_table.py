"""Search results as a terminal shows them (`ndrc-policy search` without --json).

One block per document: its date, 文号 and title, its id and column, then its best articles
(label, heading, snippet) or, when no article holds a term, the snippet of its text. Terms
are shown between 【】; a last line says how many documents match and how to see more.
"""

from __future__ import annotations

from output.search import SNIPPET_MARK, Results

# How the CLI shows a term in a snippet (a terminal has no <mark>).
TERM_MARKS = ("【", "】")
# Snippet characters at most on a terminal line of a hit.
SNIPPET_WIDTH = 90


def _marked(snippet: str) -> str:
    text = snippet.replace(SNIPPET_MARK[0], TERM_MARKS[0]).replace(SNIPPET_MARK[1], TERM_MARKS[1])
    return text if len(text) <= SNIPPET_WIDTH else text[: SNIPPET_WIDTH - 1] + "…"


def format_table(results: Results) -> str:
    """The results as plain text, the hits numbered from the first shown."""
    if not results.hits:
        return "no matches" if results.total == 0 else f"no more matches: {results.total} in all"
    blocks = []
    for n, h in enumerate(results.hits, results.offset + 1):
        head = "  ".join(x for x in (h.publish_date, h.doc_number, h.title) if x)
        about = [h.document_id, h.category or ""]
        if h.validity:
            about.append(h.validity)
        if h.article_count:
            about.append(f"{h.article_count} article{'s' if h.article_count > 1 else ''} match")
        lines = [f"{n:>3}. {head}", "     " + "  ".join(a for a in about if a)]
        if h.articles:
            for a in h.articles:
                where = f"{a.label or ''}{a.heading or ''}"
                lines.append(f"     {where}  {_marked(a.snippet)}")
        else:
            lines.append(f"     ({h.field})  {_marked(h.snippet)}")
        blocks.append("\n".join(lines))
    first, last = results.offset + 1, results.offset + len(results.hits)
    more = f"; --offset {last} for more" if last < results.total else ""
    blocks.append(f"{first}-{last} of {results.total} matching documents{more}")
    return "\n".join(blocks)
