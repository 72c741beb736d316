"""Replies leave as soon as they are committed, on threads of their own: the HTTP answer to the platform never waits
for a platform call, and a hung call holds one courier thread, not the workers that take incoming events."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Callable

from domain.messages import Deps
from storage import outbox

log = logging.getLogger("oppbot.courier")


class Courier:
    """`wake(to)` after a commit that wrote a reply to `to`: one delivery per address at a time (a second wake
    while one runs makes it go round again), so each person's messages keep their order and pacing."""

    def __init__(self, deps: Deps, send: Callable | None = None, *, executor: Executor | None = None,
                 threads: int = 16):
        self.deps, self._send = deps, send
        self.executor = executor or ThreadPoolExecutor(max_workers=threads, thread_name_prefix="courier")
        self._running: set[str] = set()
        self._again: set[str] = set()
        self._lock = threading.Condition()

    def wake(self, to: str) -> None:
        with self._lock:
            if to in self._running:
                self._again.add(to)
                return
            self._running.add(to)
        self.executor.submit(self._deliver, to)

    def tell(self, message) -> None:
        """Send at once, not through the outbox: what need not outlive a crash (telling someone the database cannot
        take their message; redrawing their App Home when they open it)."""
        mark = f"tell:{id(message)}"

        def send() -> None:
            try:
                self.send(message)
            except Exception as exc:  # nothing more can be done; the platform redelivers their message anyway
                log.warning("could not send %s to %s: %s", message.kind, message.to, type(exc).__name__)
            finally:
                with self._lock:
                    self._running.discard(mark)
                    self._lock.notify_all()
        with self._lock:
            self._running.add(mark)
        self.executor.submit(send)

    @property
    def send(self) -> Callable:
        return self._send or self.deps.send

    def _deliver(self, to: str) -> None:
        while True:
            try:
                outbox.deliver(self.deps.sessions, self.send, now=self.deps.clock(), to=to)
            except Exception:  # the leader's pass delivers what is left
                log.exception("delivering to %s failed", to)
            with self._lock:
                if to not in self._again:
                    self._running.discard(to)
                    self._lock.notify_all()
                    return
                self._again.discard(to)

    def idle(self, timeout: float) -> bool:
        """Bounded wait until no delivery is running (a clean stop; tests)."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._running, timeout=timeout)

    def close(self) -> None:
        self.idle(timeout=30)
        self.executor.shutdown(wait=True)
