"""SIGTERM and Ctrl-C during a crawl: finish what is in flight and stop; a second signal stops at once.

systemd's stop sends SIGTERM to every process of the unit, and Ctrl-C on a terminal sends SIGINT
to its whole process group: the worker child gets the signal too, ignores it (crawler.child) and
goes on answering, so the crawl process decides:

- first signal: one line, then Scrapy's graceful stop (close reason ``shutdown``): the downloads
  in flight end, the documents fetched whole go through the pipelines, the worker commits and
  stops, the dumps are written and the run is recorded (exit 4, with what was stored);
- second signal: the worker child is killed and the reactor stopped at once; what was committed
  stays, the rest is dropped as after kill -9, and the next run fetches it again.

Installed in place of Scrapy's own handlers (`CrawlerProcess.start(install_signal_handlers=False)`),
which say nothing to the operator and leave the child to die of the signal.
"""

from __future__ import annotations

import signal

SIGNALS = (signal.SIGTERM, signal.SIGINT)
CLOSE_REASON = "shutdown"


def kill_worker(crawler) -> None:
    """Kill the crawl's worker child, if one runs (its open transaction is dropped, never half-written)."""
    worker = getattr(crawler, "ndrc_worker", None)
    proc = getattr(getattr(worker, "_child", None), "proc", None)
    if proc is not None and proc.returncode is None:
        try:
            proc.kill()
        except ProcessLookupError:
            pass


class Shutdown:
    """The run's handlers of SIGTERM and SIGINT; `signal_name` and `at_once` say what happened."""

    def __init__(self, process, crawler, console):
        self.process = process
        self.crawler = crawler
        self.console = console
        self.signal_name: str | None = None  # the first signal
        self.second_name: str | None = None
        self.at_once = False

    def install(self) -> None:
        """Take over the signals once the reactor runs (Scrapy's own are not installed)."""
        from twisted.internet import reactor

        reactor.addSystemEventTrigger("after", "startup", self._set, self._first)

    @staticmethod
    def _set(handler) -> None:
        for signum in SIGNALS:
            signal.signal(signum, handler)

    # Signal handlers only note the signal and hand over to the reactor's thread: printing or
    # logging inside a handler can break a write the signal interrupted.
    def _first(self, signum, frame) -> None:
        from twisted.internet import reactor

        self.signal_name = signal.Signals(signum).name
        self._set(self._second)
        reactor.callFromThread(self._graceful)

    def _second(self, signum, frame) -> None:
        from twisted.internet import reactor

        self.at_once = True
        self.second_name = signal.Signals(signum).name
        self._set(signal.SIG_IGN)
        reactor.callFromThread(self._stop_now)

    def _graceful(self) -> None:
        import logging

        logging.getLogger(__name__).info("received %s: stopping after the writes in flight", self.signal_name)
        self.console.say(
            f"ndrc-policy crawl: {self.signal_name} received: finishing the writes in flight, then stopping"
            " (a second signal stops at once)"
        )
        self.process.stop()

    def _stop_now(self) -> None:
        from twisted.internet import reactor

        kill_worker(self.crawler)
        try:
            reactor.stop()
        except RuntimeError:
            pass  # already stopping
