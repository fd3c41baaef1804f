"""The submit path, offline first: save to the outbox at once, then sync in the background.

The window calls :meth:`OutboxService.submit` and gets the saved capture back immediately
(the commit is on disk when it returns); it listens to ``capture_changed`` to learn when
Deel has it. The sync engine runs on its own worker thread with its own database
connection; Settings' look-ups (sources, "Test connection") use a second worker so they
never queue behind a long sync.

Sync runs: after every capture, when the network comes back (``QNetworkInformation`` as a
hint, where a backend loads), when postponed work falls due, every 30 s, and on "Sync now".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from deel_intake.api import errors as e
from deel_intake.domain.sources import BUILTIN_SOURCES
from deel_intake.services.worker import Worker
from deel_intake.storage.outbox import Capture, Counts, DuplicateMatch, Outbox

if TYPE_CHECKING:
    from deel_intake.api.client import DeelClient
    from deel_intake.domain.candidate import Candidate
    from deel_intake.engine.sync import RunReport, SyncEngine

__all__ = ["OutboxService", "SyncState"]

log = logging.getLogger(__name__)

ClientFactory = Callable[[], "DeelClient"]
PERIODIC_SYNC_MS = 30_000
# Requests in flight at once: enough that network latency does not bound throughput (Deel's
# limit does), few enough to stay polite on venue Wi-Fi.
SYNC_CONCURRENCY = 4


@dataclass(frozen=True, slots=True)
class SyncState:
    """Everything the status bar shows, computed on the main thread."""

    counts: Counts
    online: bool | None  # None: not known yet
    syncing: bool
    paused: str | None
    last_sync_at: datetime | None
    last_error: str | None


class OutboxService(QObject):
    saved = Signal(object)  # Capture, already on disk
    capture_changed = Signal(str)  # a capture's id; emitted from the sync thread, queued
    state_changed = Signal(object)  # SyncState
    sources_loaded = Signal(list, bool)  # slugs, True when they came from Deel
    connection_checked = Signal(bool, str)  # ok, what to tell the recruiter

    def __init__(
        self,
        outbox_path: Path,
        client_factory: ClientFactory,
        *,
        rate_limit: float = 5.0,
        periodic_ms: int = PERIODIC_SYNC_MS,
        watch_network: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._outbox = Outbox(outbox_path)  # the main thread's own connection
        self._path = outbox_path
        self._client_factory = client_factory
        self._rate_limit = rate_limit
        self._sync_worker = Worker(self, expected=(e.DeelError,), name="deel-intake-sync")
        self._aux_worker = Worker(self, expected=(e.DeelError,), name="deel-intake-lookup")
        self._engine: SyncEngine | None = None  # lives on the sync thread
        self._aux_client: DeelClient | None = None  # lives on the lookup thread
        self._cancel = threading.Event()
        self._syncing = False
        self._again = False
        self._online: bool | None = None
        self._last_error: str | None = None
        self._closed = False
        self._periodic = QTimer(self)
        self._periodic.setInterval(periodic_ms)
        self._periodic.timeout.connect(self.request_sync)
        self._wakeup = QTimer(self)
        self._wakeup.setSingleShot(True)
        self._wakeup.timeout.connect(self.request_sync)
        self._watch_network = watch_network

    # ------------------------------------------------------------------ lifecycle
    def start(self, *, region: str = "US") -> None:
        """Begin syncing: now, on a timer, and when the network comes back."""
        self.warm_up(region)
        self._periodic.start()
        if self._watch_network:
            # Loading the network-status plugin is not needed in the first second: the first
            # sync starts now anyway. Later, it keeps that plugin off the start-up path.
            QTimer.singleShot(1500, self._watch_connectivity)
        self.request_sync()

    def shutdown(self) -> None:
        """Stop syncing. A request in flight finishes; nothing waiting is touched."""
        if self._closed:
            return
        self._closed = True
        self._periodic.stop()
        self._wakeup.stop()
        self._cancel.set()

        def close_engine() -> None:
            if self._engine is not None:
                self._engine.close()
                self._engine.outbox.close()
                self._engine = None

        self._sync_worker.run(close_engine)
        self._aux_worker.run(self._close_lookup_client)
        self._sync_worker.shutdown()
        self._aux_worker.shutdown()
        self._outbox.close()

    def _watch_connectivity(self) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if not QNetworkInformation.loadDefaultBackend():
            log.info("No network-status backend: relying on the periodic sync")
            return
        info = QNetworkInformation.instance()
        info.reachabilityChanged.connect(self._on_network_reachability_changed)

    def _on_network_reachability_changed(self, reachability: Any) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online:
            log.info("The network is back: syncing")
            self.request_sync()
        elif reachability == QNetworkInformation.Reachability.Disconnected:
            self._online = False
            self._emit_state()

    # ------------------------------------------------------------------ capture
    def submit(self, candidate: Candidate) -> Capture:
        """Save the capture (committed and fsynced when this returns), then sync."""
        capture = self._outbox.add(candidate)
        self.saved.emit(capture)
        self._emit_state()
        self.request_sync()
        return capture

    def resubmit(self, capture_id: str, candidate: Candidate) -> Capture:
        """An edited capture goes back in the queue under the same local id."""
        capture = self._outbox.edit(capture_id, candidate)
        self.capture_changed.emit(capture_id)
        self.saved.emit(capture)
        self._emit_state()
        self.request_sync()
        return capture

    def get(self, capture_id: str) -> Capture:
        return self._outbox.get(capture_id)

    def find_duplicates(
        self, *, email_key: str | None, phone: str | None, linkedin_slug: str | None,
        exclude_id: str | None = None,
    ) -> list[DuplicateMatch]:  # fmt: skip
        return self._outbox.find_duplicates(
            email_key=email_key, phone=phone, linkedin_slug=linkedin_slug, exclude_id=exclude_id
        )

    def rows_for_view(self) -> list[tuple[Any, ...]]:
        return self._outbox.rows_for_view()

    def row_for_view(self, capture_id: str) -> tuple[Any, ...] | None:
        return self._outbox.row_for_view(capture_id)

    def all_captures(self) -> list[Capture]:
        return self._outbox.all()

    def retry_now(self, capture_id: str) -> None:
        self._outbox.retry_now(capture_id)
        self.capture_changed.emit(capture_id)
        self.request_sync()

    def discard(self, capture_id: str) -> None:
        self._outbox.discard(capture_id)
        self.capture_changed.emit(capture_id)
        self._emit_state()

    def restore(self, capture_id: str) -> None:
        self._outbox.restore(capture_id)
        self.capture_changed.emit(capture_id)
        self._emit_state()
        self.request_sync()

    # ------------------------------------------------------------------ state
    def state(self) -> SyncState:
        return SyncState(
            counts=self._outbox.counts(),
            online=self._online,
            syncing=self._syncing,
            paused=self._outbox.meta("paused_reason"),
            last_sync_at=self._outbox.last_sync_at,
            last_error=self._last_error,
        )

    def _emit_state(self) -> None:
        if not self._closed:
            self.state_changed.emit(self.state())

    @property
    def syncing(self) -> bool:
        return self._syncing

    # ------------------------------------------------------------------ sync
    def sync_now(self) -> None:
        """The recruiter asked: forget every backoff and the pause, and go."""
        self._outbox.retry_all_now()
        self._outbox.set_meta("paused_reason", None)
        self.request_sync()

    def credentials_changed(self) -> None:
        """A new token or environment: new clients, the pause is lifted, sync again."""
        self._outbox.set_meta("paused_reason", None)

        def reset_engine() -> None:
            if self._engine is not None:
                self._engine.reset_client()

        self._sync_worker.run(reset_engine)
        self._aux_worker.run(self._close_lookup_client)
        self._emit_state()
        self.request_sync()

    def request_sync(self) -> None:
        if self._closed:
            return
        if self._syncing:
            self._again = True  # one run at a time; run once more when this one ends
            return
        self._syncing = True
        self._again = False
        self._emit_state()
        self._sync_worker.run(
            self._sync_job, on_success=self._on_sync_done, on_failure=self._on_sync_failed
        )

    def _sync_job(self) -> RunReport:  # the sync thread
        if self._engine is None:
            from deel_intake.engine.pacing import RateLimiter
            from deel_intake.engine.sync import SyncEngine

            self._engine = SyncEngine(
                Outbox(self._path),
                self._client_factory,
                limiter=RateLimiter(self._rate_limit),
                on_change=self.capture_changed.emit,
                concurrency=SYNC_CONCURRENCY,
            )
        return self._engine.run_once(self._cancel)

    def _on_sync_done(self, report: RunReport) -> None:
        self._syncing = False
        if report.offline:
            self._online = False
        elif report.calls:
            self._online = True
        self._last_error = report.errors[-1] if report.errors else None
        self._schedule_wakeup()
        self._emit_state()
        if self._again and not report.paused:
            self.request_sync()

    def _on_sync_failed(self, exc: BaseException) -> None:
        self._syncing = False
        log.error("The sync run failed unexpectedly: %r", exc)
        self._last_error = "Sync hit an unexpected problem; it will try again."
        self._schedule_wakeup()
        self._emit_state()

    def _schedule_wakeup(self) -> None:
        if self._closed:
            return
        due = self._outbox.next_wakeup()
        if due is None or self._outbox.meta("paused_reason"):
            self._wakeup.stop()
            return
        delay_ms = max(0, int((due - time.time()) * 1000)) + 50
        if delay_ms < PERIODIC_SYNC_MS * 10:
            self._wakeup.start(delay_ms)

    def warm_up(self, region: str) -> None:
        """Load the validation (pydantic, email and phone rules) on the lookup thread while
        the recruiter looks at the form, so the first Enter is as quick as the hundredth."""

        def job() -> None:
            from deel_intake.domain.candidate import CandidateDraft, validate_draft

            draft = CandidateDraft(first_name="Warm", last_name="Up", email="warm@example.com",
                                   phone="+442079460958", linkedin="linkedin.com/in/warm-up",
                                   source="sourced_internally")  # fmt: skip
            validate_draft(draft, region=region)

        self._aux_worker.run(job)

    # ------------------------------------------------------------------ look-ups
    def _close_lookup_client(self) -> None:  # the lookup thread
        if self._aux_client is not None:
            self._aux_client.close()
            self._aux_client = None

    def _lookup_client(self) -> DeelClient:  # the lookup thread
        if self._aux_client is None:
            self._aux_client = self._client_factory()
        return self._aux_client

    def check_connection(self) -> None:
        def job() -> int:
            return self._lookup_client().check_connection()

        def done(total: Any) -> None:
            count = (
                f" It holds {total} candidates." if isinstance(total, int) and total >= 0 else ""
            )
            self.connection_checked.emit(True, f"Connected to Deel — the token works.{count}")

        def failed(exc: BaseException) -> None:
            message = exc.user_message if isinstance(exc, e.DeelError) else str(exc)
            self.connection_checked.emit(False, message)

        self._aux_worker.run(job, on_success=done, on_failure=failed)

    def load_sources(self) -> None:
        """Fetch the organization's sources; fall back to the documented list when offline."""

        def job() -> list[str]:
            return self._lookup_client().application_sources()

        def done(slugs: Any) -> None:
            if slugs:
                self.sources_loaded.emit(list(slugs), True)
            else:
                self.sources_loaded.emit([s.slug for s in BUILTIN_SOURCES], False)

        def failed(exc: BaseException) -> None:
            log.info("Using the built-in source list: %s", exc)
            self.sources_loaded.emit([s.slug for s in BUILTIN_SOURCES], False)

        self._aux_worker.run(job, on_success=done, on_failure=failed)
