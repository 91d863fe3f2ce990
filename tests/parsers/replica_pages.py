"""Replica detail pages whose body holds numbered articles, for the properties over real pages:
the real pages are cover letters (their articles are in the attachments), so a property over
them alone cannot see an article lost or split. The replica builds its pages from the real
templates (replica/templates)."""

from __future__ import annotations

from parsers import parse

REPLICA_BASE = "https://www.ndrc.gov.cn"


def pages_with_articles(count: int) -> list[tuple[str, bytes]]:
    """(page URL, HTML) of the first `count` replica pages whose own parse has body articles."""
    from replica.site import Site

    site = Site(size=60, seed=7)
    out = []
    for doc in site.documents():
        html = site.resolve(doc["url"]).body
        url = REPLICA_BASE + doc["url"]
        if any(a.source == "body" for a in parse(html, url=url).articles):
            out.append((url, html))
            if len(out) == count:
                break
    return out
