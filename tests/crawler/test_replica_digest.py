"""The replica is deterministic: the same seed serves the same site, byte for byte.

Every HTML page, robots.txt and the .doc / .xls attachments of a small site, with their status,
Content-Type and Last-Modified, and the truth of every document, before and after mutations,
digested and compared with the digest recorded here. PDF and OFD bytes are left out (reportlab's
output can change with its version); the text they hold is in the truth and in `compose`.

When a change to the replica is meant to change what it serves, run this file's `main` to print
the new digest (``python tests/crawler/test_replica_digest.py``) and record it below, saying why in the commit.
"""

from __future__ import annotations

import hashlib
import json

from replica import Site
from replica import phrases as P

DIGEST = "2c7fd1075db7ce8c777fde4741b65a43df1397ba57140e82ff8ebfae989771d0"


def _site_digest() -> str:
    h = hashlib.sha256()

    def walk(site: Site) -> None:
        paths = ["/robots.txt", "/xxgk/zcfb/", "/private/x", "/nope", "/xxgk/zcfb/tz/index_0.html"]
        for col in P.COLUMNS:
            paths += [f"/xxgk/zcfb/{col}/index{'' if i == 0 else f'_{i}'}.html" for i in range(site.page_count(col) + 1)]
        for doc_id in sorted(site.ids(include_removed=True)):
            c = site.compose(doc_id)
            folder = f"/xxgk/zcfb/{c.record.column}/{c.record.url_date:%Y%m}/"
            paths += [c.path, *(j.path for j in c.interpretations)]
            paths += [folder + f.name for f in c.files if f.ext not in ("pdf", "ofd")]
            h.update(json.dumps(site.truth(doc_id, "http://h"), ensure_ascii=False, sort_keys=True).encode())
            h.update(json.dumps([f.paragraphs for f in c.files], ensure_ascii=False).encode())
        for path in paths:
            res = site.resolve(path)
            h.update(f"{path} {res.status} {res.content_type} {res.last_modified.isoformat()} ".encode())
            h.update(hashlib.sha256(res.body).digest())

    site = Site(size=60, seed=3)
    walk(site)
    added = site.add_document("tz", kind="cover", interpretations=2)
    site.add_document("ghxwj", template="legacy", encoding="gbk", closing=("本通知自印发之日起施行。",))
    site.add_document("fzggwl")
    site.edit_document(added)
    site.remove_document(site.ids()[3], 410)
    walk(site)
    return h.hexdigest()


def test_the_same_seed_serves_the_same_site():
    assert _site_digest() == DIGEST, "the replica serves other bytes for the same seed (see the module docstring)"


if __name__ == "__main__":
    print(_site_digest())
