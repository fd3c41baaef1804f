"""Background jobs on one worker thread, reporting back through Qt signals.

Jobs run one after another on a single Python thread, so the Deel client (and, later, the
database) is only ever touched by one thread at a time. A job never touches a widget: it
reports through a ``QObject`` of signals that lives on the main thread, so Qt queues each
emission onto the main thread's event loop. A plain Python thread (rather than a
``QThreadPool``) can be joined on shutdown, so nothing is left running.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

__all__ = ["Worker"]

log = logging.getLogger(__name__)

_arenas_limited = False


def _limit_malloc_arenas() -> None:
    """glibc gives each new thread its own malloc arena; with the sync and lookup threads
    that fragments memory into 20-40 MB of extra resident size. Two arenas are plenty for
    an app whose threads mostly wait on the network. Once, before the first thread."""
    global _arenas_limited  # noqa: PLW0603 - a process-wide, once-only setting
    if _arenas_limited or not sys.platform.startswith("linux"):
        return
    _arenas_limited = True
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc (musl): nothing to tune
        log.debug("mallopt unavailable; malloc arenas left as they are")


class _JobSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()


_Job = tuple[Callable[[], Any], _JobSignals]


class Worker(QObject):
    """Runs callables in the background, one at a time:

    ``worker.run(fn, on_success=..., on_failure=...)`` reads as one sentence: run this in the
    background, on success do that, on failure show this.
    """

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        expected: tuple[type[BaseException], ...] = (),
        name: str = "deel-intake-worker",
    ) -> None:
        super().__init__(parent)
        self._expected = expected
        self._name = name
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._live: set[_JobSignals] = set()
        self._closed = False

    def run(
        self,
        fn: Callable[[], Any],
        *,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> None:
        if self._closed:
            log.debug("Worker %s is shut down; job dropped", self._name)
            return
        signals = _JobSignals()  # lives on the calling (main) thread: emissions are queued
        self._live.add(signals)
        if on_success is not None:
            signals.succeeded.connect(on_success)
        if on_failure is not None:
            signals.failed.connect(on_failure)
        if on_finished is not None:
            signals.finished.connect(on_finished)
        signals.finished.connect(lambda: self._live.discard(signals))
        if self._thread is None:
            _limit_malloc_arenas()
            self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
            self._thread.start()
        self._queue.put((fn, signals))

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            fn, signals = job
            try:
                result = fn()
            except self._expected as exc:
                signals.failed.emit(exc)
            except Exception as exc:
                # Our bug, not the world's: keep the traceback in the log, tell the caller.
                log.exception("Background job failed unexpectedly")
                signals.failed.emit(exc)
            else:
                signals.succeeded.emit(result)
            finally:
                signals.finished.emit()

    def shutdown(self, timeout: float = 30.0) -> bool:
        """Finish the jobs already queued, then stop the thread. ``True`` when it stopped."""
        self._closed = True
        thread = self._thread
        if thread is None:
            return True
        self._queue.put(None)
        thread.join(timeout)
        self._thread = None
        return not thread.is_alive()
