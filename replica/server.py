"""The replica's HTTP layer: `ReplicaServer`, a ThreadingHTTPServer on 127.0.0.1 in a thread.

It answers from a `Site`, adds ETag / Last-Modified to every answer and honours If-None-Match /
If-Modified-Since with 304, keeps a request log, and can misbehave on demand (`set_mode`) the way
Chinese government sites do: WAF challenges (412, 521), a block page served with 200, 500s,
dropped connections, empty answers, a robots.txt answered by the WAF, connections held open
without an answer (``hold``), 404 for pages that exist (``notfound``, a listed page never published). `delay` slows every answer.
"""

from __future__ import annotations

import fnmatch
import hashlib
import threading
import time
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterable
from urllib.parse import unquote, urlsplit

from replica import pages
from replica.site import SITE_CLOCK_START, Resource, Site

MODES = ("normal", "block412", "block521", "waf200", "error500", "drop", "empty200", "robots_blocked", "hold",
         "notfound")
# hold: the connection is accepted and kept open without an answer until the server stops (a stuck site).
# notfound: 404, as for a page the site lists but never published (a dead link).
# robots_blocked only concerns robots.txt unless paths says otherwise.
ROBOTS_PATHS = ("/robots.txt",)


class ReplicaServer:
    """Serve `site` on host:port (port 0 picks a free one). ``with ReplicaServer(site) as s: s.base_url``."""

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0):
        self.site, self.host, self.port = site, host, port
        self.delay = delay  # seconds to wait before each answer (throttling tests)
        self.requests: list[tuple[str, str, int | None]] = []  # (method, path, status); None = dropped
        self._lock = threading.Lock()
        self._mode, self._count, self._paths = "normal", None, None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._released = threading.Event()  # ends the waits of held connections (mode "hold")
        self.base_url: str | None = None

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> str:
        if self._httpd is not None:
            return self.base_url
        self._released.clear()
        self._httpd = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"replica-{self.port}", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._released.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> "ReplicaServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- behaviour ------------------------------------------------------------------------
    def set_mode(self, mode: str, count: int | None = None, paths: Iterable[str] | None = None) -> None:
        """Misbehave from now on: for `count` matching requests (None: until set back to normal),
        on paths matching `paths` (prefixes, or globs when they hold * ? [; None: every path)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ValueError(f"count must be a positive integer or None, got {count!r}")
        if paths is None and mode == "robots_blocked":
            paths = ROBOTS_PATHS
        with self._lock:
            self._mode = mode
            self._count = None if mode == "normal" else count
            self._paths = None if paths is None else tuple([paths] if isinstance(paths, str) else paths)

    @property
    def mode(self) -> str:
        return self._mode

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def _take_fault(self, path: str) -> str | None:
        """The fault this request gets, counting it down; None for a normal answer."""
        with self._lock:
            if self._mode == "normal" or not _matches(path, self._paths):
                return None
            mode = self._mode
            if self._count is not None:
                self._count -= 1
                if self._count <= 0:
                    self._mode, self._count, self._paths = "normal", None, None
            return mode

    def _log(self, method: str, path: str, status: int | None) -> None:
        with self._lock:
            self.requests.append((method, path, status))


def _matches(path: str, patterns: tuple[str, ...] | None) -> bool:
    if patterns is None:
        return True
    return any(fnmatch.fnmatchcase(path, p) if any(ch in p for ch in "*?[") else path.startswith(p)
               for p in patterns)


def _fault_resource(mode: str, path: str) -> Resource:
    if mode in ("block412", "block521"):
        status = 412 if mode == "block412" else 521
        return Resource(status, pages.challenge_page(status, path).encode(), "text/html", SITE_CLOCK_START)
    if mode in ("waf200", "robots_blocked"):
        return Resource(200, pages.waf_page(path).encode(), "text/html", SITE_CLOCK_START)
    if mode == "notfound":
        return Resource(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html", SITE_CLOCK_START)
    if mode == "error500":
        return Resource(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>", "text/html",
                        SITE_CLOCK_START)
    return Resource(200, b"", "text/html", SITE_CLOCK_START)  # empty200


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def _not_modified(headers, etag: str, modified: datetime) -> bool:
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        return modified.replace(microsecond=0) <= since
    return False


def _handler_for(server: ReplicaServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle's algorithm on, every keep-alive
        # answer then waits ~40 ms for the client's delayed ACK, capping any crawl at ~25 pages/s.
        disable_nagle_algorithm = True
        server_version = "nginx"

        def version_string(self) -> str:
            return self.server_version

        def do_GET(self) -> None:
            self._answer(head=False)

        def do_HEAD(self) -> None:
            self._answer(head=True)

        def _answer(self, head: bool) -> None:
            method, raw = self.command, self.path
            path = unquote(urlsplit(raw).path) or "/"
            if server.delay:
                time.sleep(server.delay)
            fault = server._take_fault(path)
            if fault == "hold":
                server._log(method, raw, None)
                server._released.wait()
                self.close_connection = True
                return
            if fault == "drop":
                server._log(method, raw, None)
                self.close_connection = True
                return
            if fault:
                res = _fault_resource(fault, path)
            else:
                try:
                    res = server.site.resolve(path)
                except Exception as exc:  # a replica bug must not kill the thread: answer 500 and say why
                    res = Resource(500, f"replica error: {type(exc).__name__}: {exc}".encode(), "text/plain",
                                   SITE_CLOCK_START)
            etag, modified = _etag(res.body), res.last_modified
            status = res.status
            if status == 200 and not fault and _not_modified(self.headers, etag, modified):
                status = 304
            server._log(method, raw, status)
            self.send_response(status)
            self.send_header("Content-Type", res.content_type)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", format_datetime(modified.astimezone(timezone.utc), usegmt=True))
            body = b"" if status == 304 else res.body
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body and not head:
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout): fine
                    self.close_connection = True

        def log_message(self, format: str, *args) -> None:  # the request log is server.requests
            if getattr(server, "verbose", False):
                super().log_message(format, *args)

    return Handler
