"""Create a candidate in Deel the way Deel allows: the documented create call, then the
source in a second call (Deel's create body has no source field)."""

from __future__ import annotations

import logging

from deel_intake.api import errors as e
from deel_intake.api.client import DeelClient
from deel_intake.api.models import IntakeResult
from deel_intake.domain.candidate import Candidate

__all__ = ["IntakeResult", "apply_source", "create_candidate"]

log = logging.getLogger(__name__)


def apply_source(client: DeelClient, candidate_id: str, slug: str) -> str | None:
    """Set the source; return ``None`` on success or the reason it was not set.

    Transient failures (offline, timeouts, 5xx, 429) propagate so a caller can retry this
    step alone; a refusal (400, 403, 404) is final and returned as a sentence.
    """
    try:
        client.set_source(candidate_id, slug)
    except (e.RequestRejectedError, e.MissingScopeError) as exc:
        log.warning("Deel refused the source %s for %s: %s", slug, candidate_id, exc.detail)
        reason = exc.user_message
        if isinstance(exc, e.FieldRejectedError) and exc.fields.get("source"):
            reason = exc.fields["source"]
        return reason
    return None


def create_candidate(
    client: DeelClient, candidate: Candidate, *, idempotency_key: str
) -> IntakeResult:
    """Create the candidate, then set its source. If the source step fails for any reason the
    candidate still counts as created and the result says why the source is missing."""
    created = client.create_candidate(candidate, idempotency_key=idempotency_key)
    try:
        reason = apply_source(client, created.id, candidate.source)
    except e.DeelError as exc:
        reason = exc.user_message
    return IntakeResult(
        candidate=created,
        source=candidate.source,
        source_applied=reason is None,
        source_error=reason,
    )
