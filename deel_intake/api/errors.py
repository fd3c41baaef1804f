"""Everything that can go wrong talking to Deel, as one tree.

Every leaf carries ``user_message``: a sentence a recruiter understands and can act on.
``detail`` is the technical account for the log and for support; ``api_req_id`` is Deel's
request id when Deel sent one. No message ever contains the token.

    DeelError
    ├── NotSentError                 the request never reached Deel: safe to send again
    │   ├── OfflineError             no network, DNS failure, connection refused
    │   └── NoTokenError             no token is set for this environment
    ├── OutcomeUnknownError          it may or may not have been applied: look before resending
    │   ├── TimedOutError            Deel did not answer in time
    │   └── ConnectionLostError      the connection dropped after the request was sent
    ├── AuthError                    the token is the problem: every request will fail alike
    │   ├── TokenRejectedError       401: wrong, expired or revoked token
    │   └── MissingScopeError        403: the token lacks ats:write / ats:read
    ├── RequestRejectedError         4xx about this one request: fix it, then send again
    │   ├── FieldRejectedError              400 with messages, mapped to form fields where possible
    │   ├── DuplicateEmailError      400: a candidate with this email is already in Deel
    │   └── NotFoundError            404: the address or the candidate does not exist
    ├── RateLimitedError             429: too many requests; wait and try again
    ├── ServerError                  5xx: Deel is having trouble; its outcome is unknown
    └── BadResponseError             an empty, HTML or non-JSON answer (often a proxy)

``transient`` is true where waiting and trying again is the right move.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "AuthError",
    "BadResponseError",
    "ConnectionLostError",
    "DeelError",
    "DuplicateEmailError",
    "FieldRejectedError",
    "MissingScopeError",
    "NoTokenError",
    "NotFoundError",
    "NotSentError",
    "OfflineError",
    "OutcomeUnknownError",
    "RateLimitedError",
    "RequestRejectedError",
    "ServerError",
    "TimedOutError",
    "TokenRejectedError",
]


class DeelError(Exception):
    """Base of every error from the Deel client."""

    default_message = "Something went wrong talking to Deel."
    transient = False
    outcome_unknown = False

    def __init__(
        self,
        user_message: str | None = None,
        *,
        detail: str = "",
        status: int | None = None,
        api_req_id: str | None = None,
    ) -> None:
        self.user_message = user_message or self.default_message
        self.detail = detail
        self.status = status
        self.api_req_id = api_req_id
        super().__init__(self.user_message)

    def support_text(self) -> str:
        """The message plus what support needs: status, Deel's request id and detail."""
        parts = [self.user_message]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.api_req_id:
            parts.append(f"Deel request id {self.api_req_id}")
        if self.detail:
            parts.append(self.detail)
        return " — ".join(parts)


class NotSentError(DeelError):
    transient = True


class OfflineError(NotSentError):
    default_message = "Can't reach Deel — check the Wi-Fi. Nothing was sent."


class NoTokenError(NotSentError):
    default_message = "No Deel token is set — add one in Settings."
    transient = False


class OutcomeUnknownError(DeelError):
    transient = True
    outcome_unknown = True


class TimedOutError(OutcomeUnknownError):
    default_message = "Deel did not answer in time. The network may be slow."


class ConnectionLostError(OutcomeUnknownError):
    default_message = "The connection to Deel dropped before it answered."


class AuthError(DeelError):
    pass


class TokenRejectedError(AuthError):
    default_message = "Deel rejected the token — update it in Settings."


class MissingScopeError(AuthError):
    default_message = (
        "This token may not create candidates — it needs the ats:write and ats:read "
        "scopes. Create a token with them in Deel (Developer → Access Tokens)."
    )


class RequestRejectedError(DeelError):
    default_message = "Deel refused this candidate."


class FieldRejectedError(RequestRejectedError):
    """Deel named what is wrong. ``fields`` maps a form field to Deel's message about it;
    ``general`` holds messages that concern no single field."""

    default_message = "Deel refused some of the details — see the highlighted fields."

    def __init__(
        self,
        fields: Mapping[str, str],
        general: list[str] | None = None,
        *,
        detail: str = "",
        status: int | None = None,
        api_req_id: str | None = None,
    ) -> None:
        self.fields = dict(fields)
        self.general = list(general or [])
        message = None
        if not self.fields and self.general:
            message = "Deel refused this candidate: " + " ".join(self.general)
        super().__init__(message, detail=detail, status=status, api_req_id=api_req_id)


class DuplicateEmailError(RequestRejectedError):
    default_message = "A candidate with this email is already in Deel."


class NotFoundError(RequestRejectedError):
    default_message = "Deel does not know this address — check the environment and URL in Settings."


class RateLimitedError(DeelError):
    default_message = "Deel asks us to slow down — trying again in a moment."
    transient = True

    def __init__(
        self,
        user_message: str | None = None,
        *,
        retry_after: float | None = None,
        detail: str = "",
        status: int | None = None,
        api_req_id: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(user_message, detail=detail, status=status, api_req_id=api_req_id)


class ServerError(DeelError):
    default_message = "Deel is having trouble right now — we'll keep trying."
    transient = True
    outcome_unknown = True


class BadResponseError(DeelError):
    default_message = (
        "Deel's answer could not be read (the network may need a sign-in page). We'll keep trying."
    )
    transient = True
    outcome_unknown = True
