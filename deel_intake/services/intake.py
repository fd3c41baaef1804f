"""The submit path as a service the window calls and listens to.

The window calls :meth:`IntakeService.submit` with a validated candidate and listens to
``submitted`` / ``submit_failed``; it never learns how the candidate reaches Deel. The
next step (save locally, then sync) replaces this class's insides, not the window.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from deel_intake.api import errors as e
from deel_intake.domain.candidate import Candidate
from deel_intake.domain.sources import BUILTIN_SOURCES
from deel_intake.services.worker import Worker

if TYPE_CHECKING:
    from deel_intake.api.client import DeelClient
    from deel_intake.api.models import IntakeResult

__all__ = ["IntakeService"]

log = logging.getLogger(__name__)

ClientFactory = Callable[[], "DeelClient"]


class IntakeService(QObject):
    """Creates candidates in Deel on a worker thread and reports back through signals."""

    busy_changed = Signal(bool)
    submitted = Signal(object)  # IntakeResult
    submit_failed = Signal(object)  # DeelError, or an unexpected exception (a bug)
    connection_checked = Signal(bool, str)  # ok, what to tell the recruiter
    sources_loaded = Signal(list, bool)  # slugs, True when they came from Deel

    def __init__(self, client_factory: ClientFactory, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client_factory = client_factory
        self._client: DeelClient | None = None
        self._worker = Worker(self, expected=(e.DeelError,))
        self._busy = False
        # One idempotency key per candidate until Deel confirms it: pressing submit again
        # after a timeout can never create a second candidate.
        self._keys: dict[Candidate, str] = {}

    # ------------------------------------------------------------------ client lifecycle
    def _get_client(self) -> DeelClient:  # worker thread only
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def reset_client(self) -> None:
        """Settings changed: the next call builds a new client for the new environment."""

        def close() -> None:
            if self._client is not None:
                self._client.close()
                self._client = None

        self._worker.run(close)

    def shutdown(self) -> None:
        """Let the running job finish, close the client and stop the worker thread."""
        self.reset_client()
        self._worker.shutdown()

    # ------------------------------------------------------------------ operations
    @property
    def busy(self) -> bool:
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def submit(self, candidate: Candidate) -> bool:
        """Start creating ``candidate``; ``False`` (and nothing happens) while one is in flight."""
        if self._busy:
            return False
        self._set_busy(True)
        key = self._keys.setdefault(candidate, str(uuid.uuid4()))

        def job() -> IntakeResult:
            from deel_intake.api.intake import create_candidate

            client = self._get_client()
            try:
                return create_candidate(client, candidate, idempotency_key=key)
            except e.DuplicateEmailError as exc:
                raise _explain_duplicate(client, candidate, exc) from None

        def done(result: Any) -> None:
            self._keys.pop(candidate, None)
            self.submitted.emit(result)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, e.RequestRejectedError):
                self._keys.pop(candidate, None)  # refused: a corrected retry is a new request
            self.submit_failed.emit(exc)

        self._worker.run(
            job, on_success=done, on_failure=failed, on_finished=lambda: self._set_busy(False)
        )
        return True

    def check_connection(self) -> None:
        def job() -> int:
            return self._get_client().check_connection()

        def done(total: Any) -> None:
            count = (
                f" It holds {total} candidates." if isinstance(total, int) and total >= 0 else ""
            )
            self.connection_checked.emit(True, f"Connected to Deel — the token works.{count}")

        def failed(exc: BaseException) -> None:
            message = exc.user_message if isinstance(exc, e.DeelError) else str(exc)
            self.connection_checked.emit(False, message)

        self._worker.run(job, on_success=done, on_failure=failed)

    def load_sources(self) -> None:
        """Fetch the organization's sources; fall back to the documented list when offline."""

        def job() -> list[str]:
            return self._get_client().application_sources()

        def done(slugs: Any) -> None:
            if slugs:
                self.sources_loaded.emit(list(slugs), True)
            else:
                self.sources_loaded.emit([s.slug for s in BUILTIN_SOURCES], False)

        def failed(exc: BaseException) -> None:
            log.info("Using the built-in source list: %s", exc)
            self.sources_loaded.emit([s.slug for s in BUILTIN_SOURCES], False)

        self._worker.run(job, on_success=done, on_failure=failed)


def _explain_duplicate(
    client: DeelClient, candidate: Candidate, exc: e.DuplicateEmailError
) -> e.DuplicateEmailError:
    """Name the existing candidate, so the recruiter knows exactly who is already in Deel."""
    try:
        existing = client.find_by_email(candidate.email)
    except e.DeelError:
        existing = None
    if existing is None:
        return exc
    return e.DuplicateEmailError(
        f"{existing.first_name} {existing.last_name} is already in Deel with this email "
        f"(#{existing.numeric_id}, id {existing.id}).",
        detail=exc.detail,
        status=exc.status,
        api_req_id=exc.api_req_id,
    )
