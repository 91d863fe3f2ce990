"""A child process that answers named calls over its stdin and stdout, driven by the asyncio loop.

Crawl side: `Child.start(module)` runs ``python -m module``; `await child.call(name, *args)` sends
one call and returns its answer (`child.send` sends one and returns the future of its answer).
Calls are answered one at a time in the order they were sent. Child side: the module's
``__main__`` hands its table of callables to `serve(calls)`.

A call and an answer are one frame each: an 8-byte big-endian length, then a pickle. An answer is
(True, result) or (False, "ExceptionName: message"); anything the child prints goes to stderr,
never into the answers. The pipes are the whole protocol: no thread of ours, no lock, nothing of
the parent's state (sockets, SQLite connections) inherited. A child ignores Ctrl-C and SIGTERM (its
parent stops it) and ends when its stdin closes: when the parent closes it, or dies, kill -9 included.
A call sent to a child that died fails with `ChildDied`.
"""

from __future__ import annotations

import collections
import os
import pickle
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

# Frames on the pipes: this many bytes of big-endian length, then a pickle.
HEADER_BYTES = 8
# Calls queue in the pipe and the transport's buffer while the child works; `call()` waits for
# the child to read them only beyond this many bytes: a page (with its attachments) rarely waits,
# and a child fallen behind holds up its callers rather than the crawl's memory growing.
WRITE_BUFFER_HIGH = 4 * 1024 * 1024
# The folder holding the crawler package, put on the child's PYTHONPATH.
ROOT = str(Path(__file__).resolve().parents[1])


class CallFailed(RuntimeError):
    """The call raised in the child; the message names the exception."""


class ChildDied(RuntimeError):
    """The child ended before answering."""


def serve(calls: Mapping[str, Callable]) -> None:
    """In the child: answer the calls framed on stdin, one at a time, until stdin closes.

    Ends with os._exit: whatever the calls left open (an SQLite transaction) is dropped, not
    committed, unless a call committed it.
    """
    # Ctrl-C and systemd's stop signal the whole process group: the parent finishes the writes
    # in flight and then closes our input, which ends us; a signal must not end us first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    while True:
        head = requests.read(HEADER_BYTES)
        if len(head) < HEADER_BYTES:
            break
        name, args = pickle.loads(requests.read(int.from_bytes(head, "big")))
        try:
            data = pickle.dumps((True, calls[name](*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as err:  # noqa: BLE001 - reported to the caller, which decides
            data = pickle.dumps((False, f"{type(err).__name__}: {err}"), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            answers.write(len(data).to_bytes(HEADER_BYTES, "big"))
            answers.write(data)
            answers.flush()
        except BrokenPipeError:
            break  # the parent is gone
    sys.stderr.flush()
    os._exit(0)


class Child:
    """One child process and the calls sent to it, answered in the order they were sent."""

    # The crawl side imports asyncio where it is used: a child, which imports this module for
    # `serve`, does not need it.

    def __init__(self, proc):
        import asyncio

        self.proc = proc
        self.waiting: collections.deque = collections.deque()
        self.alive = True
        proc.stdin.transport.set_write_buffer_limits(high=WRITE_BUFFER_HIGH)
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, module: str) -> Child:
        import asyncio

        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, env=env,
        )
        return cls(proc)

    @property
    def pending(self) -> int:
        return len(self.waiting)

    def send(self, name: str, *args) -> asyncio.Future:
        """Send one call without waiting; returns the future of its answer."""
        import asyncio

        answer = asyncio.get_running_loop().create_future()
        if not self.alive:
            answer.set_exception(ChildDied())
        else:
            data = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)
            self.waiting.append(answer)
            self.proc.stdin.write(len(data).to_bytes(HEADER_BYTES, "big"))
            self.proc.stdin.write(data)
        return answer

    async def call(self, name: str, *args):
        """Send one call and return its answer; CallFailed if it raised, ChildDied if the child did."""
        answer = self.send(name, *args)
        await self.drain()
        return await answer

    async def drain(self) -> None:
        """Wait while more than WRITE_BUFFER_HIGH bytes of calls are still to be written.

        `send` does not wait: a caller sending many calls without `call` should drain now and then.
        """
        try:
            await self.proc.stdin.drain()
        except ConnectionError:
            pass  # the reader sees the child gone and fails the answers

    async def _read(self) -> None:
        import asyncio

        out = self.proc.stdout
        try:
            while True:
                head = await out.readexactly(HEADER_BYTES)
                ok, value = pickle.loads(await out.readexactly(int.from_bytes(head, "big")))
                answer = self.waiting.popleft()
                if answer.done():
                    continue
                if ok:
                    answer.set_result(value)
                else:
                    answer.set_exception(CallFailed(value))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.alive = False
            while self.waiting:
                answer = self.waiting.popleft()
                if not answer.done():
                    answer.set_exception(ChildDied())

    async def stop(self) -> None:
        """Close the child's input (it ends once it has answered what it was sent) and wait."""
        if not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        await self.proc.wait()
        await self.reader
