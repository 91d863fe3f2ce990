"""A loopback replica of www.ndrc.gov.cn for tests, benchmarks and the offline demo.

`Site` (site.py) is the deterministic archive and its URL space, `compose` writes each
document (one composer per kind), `pages` renders the real page templates in ``templates/``,
`ReplicaServer` (server.py) serves it over HTTP on 127.0.0.1 with conditional requests and
switchable fault modes. ``python -m replica`` serves one by hand.
"""

from replica.server import MODES, ReplicaServer
from replica.site import Site

__all__ = ["MODES", "ReplicaServer", "Site"]
