"""Background jobs: a ``QRunnable`` that owns a ``QObject`` of signals, on a private pool.

The pool has one thread, so jobs run one after another and the Deel client (and, later, the
database) is only ever touched by one thread at a time. A job never touches a widget: it
reports through signals, which Qt queues onto the main thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

__all__ = ["Worker"]

log = logging.getLogger(__name__)


class _JobSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], expected: tuple[type[BaseException], ...]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._expected = expected
        self.signals = _JobSignals()

    def run(self) -> None:
        try:
            result = self._fn()
        except self._expected as exc:
            self.signals.failed.emit(exc)
        except Exception as exc:
            # Our bug, not the world's: keep the traceback in the log, tell the caller.
            log.exception("Background job failed unexpectedly")
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


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
    ) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._expected = expected
        self._live: set[_JobSignals] = set()

    def run(
        self,
        fn: Callable[[], Any],
        *,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> None:
        job = _Job(fn, self._expected)
        signals = job.signals
        self._live.add(signals)  # keep the signals alive until the queued emissions arrive
        if on_success is not None:
            signals.succeeded.connect(on_success)
        if on_failure is not None:
            signals.failed.connect(on_failure)
        if on_finished is not None:
            signals.finished.connect(on_finished)
        signals.finished.connect(lambda: self._live.discard(signals))
        self._pool.start(job)

    @property
    def busy(self) -> bool:
        return self._pool.activeThreadCount() > 0 or bool(self._live)

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Wait for running jobs; ``True`` when every job ended in time."""
        self._pool.clear()
        return self._pool.waitForDone(timeout_ms)
