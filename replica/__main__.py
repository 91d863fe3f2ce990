"""``python -m replica --size 500 --port 8000 [--seed 0]``: serve a replica until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import time

from replica import ReplicaServer, Site


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m replica", description=__doc__)
    ap.add_argument("--size", type=int, default=500, help="documents in the archive (default 500)")
    ap.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0 picks a free one)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the archive (default 0)")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--quiet", action="store_true", help="do not print each request")
    args = ap.parse_args(argv)
    if args.size < 0:
        ap.error("--size must not be negative")
    site = Site(size=args.size, seed=args.seed)
    server = ReplicaServer(site, host=args.host, port=args.port)
    server.verbose = not args.quiet
    try:
        base = server.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"replica of www.ndrc.gov.cn with {args.size} documents at {base}/xxgk/zcfb/tz/index.html"
          " (Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
