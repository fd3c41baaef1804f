"""One-shot faults: the ways a real network path to Deel misbehaves.

A `Fault` is queued with `StandIn.inject` and consumed by the next request it matches
(after that request passed the rate limit). Each constructor takes optional ``method`` and
``path`` arguments that limit the fault to one method and to paths ending in ``path``
(``Fault.server_error(method="POST", path="/ats/candidates")``); by default a fault matches
any request, except the two *drop* faults, which target ``POST /ats/candidates``.

What each kind mimics:

* `Fault.server_error` -- Deel's own 500 answer, ``{"errors": [{"code": "INTERNAL_ERROR", ...}]}``.
* `Fault.slow` -- a slow upstream: the request waits, then is handled normally.
* `Fault.drop_after_store` -- the connection breaks after Deel committed the write: the
  candidate exists, but the client never hears back (the case idempotency keys exist for).
* `Fault.drop_before_store` -- the connection breaks before the request reached Deel.
* `Fault.html_error` -- a load balancer or proxy answering with an HTML error page.
* `Fault.empty` -- a response with an empty body where JSON was expected.
* `Fault.status` -- any other status and JSON body.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from http import HTTPStatus

__all__ = ["Fault", "FaultKind"]

_JSON = "application/json; charset=utf-8"
_HTML = "text/html; charset=utf-8"
_DROP_METHOD = "POST"
_DROP_PATH = "/ats/candidates"


class FaultKind(enum.Enum):
    """What a `Fault` does to the request it is consumed by."""

    SERVER_ERROR = "server_error"
    SLOW = "slow"
    DROP_AFTER_STORE = "drop_after_store"
    DROP_BEFORE_STORE = "drop_before_store"
    HTML_ERROR = "html_error"
    EMPTY = "empty"
    STATUS = "status"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@dataclass(frozen=True)
class Fault:
    """One fault. Build it with the class methods rather than by hand."""

    kind: FaultKind
    #: Only requests with this method (case-insensitive); None: any method.
    method: str | None = None
    #: Only requests whose path (without query) ends with this; None: any path.
    path: str | None = None
    #: Status of the canned answer (server_error, html_error, empty, status).
    code: int = 0
    #: Body of the canned answer.
    body: bytes = b""
    #: Content-Type of the canned answer.
    content_type: str = _JSON
    #: How long a `slow` fault delays the request.
    seconds: float = 0.0

    @property
    def answers(self) -> bool:
        """True if the fault answers in place of the API (rather than delaying or dropping)."""
        return self.kind in (
            FaultKind.SERVER_ERROR,
            FaultKind.HTML_ERROR,
            FaultKind.EMPTY,
            FaultKind.STATUS,
        )

    def matches(self, method: str, path: str) -> bool:
        """True if a request with this method and path (no query string) consumes the fault."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or path.endswith(self.path)

    @classmethod
    def server_error(cls, *, method: str | None = None, path: str | None = None) -> Fault:
        """Answer 500 with Deel's ``{"errors": [{"code": "INTERNAL_ERROR", ...}]}`` body."""
        body = {"errors": [{"code": "INTERNAL_ERROR", "message": "Internal server error"}]}
        return cls(FaultKind.SERVER_ERROR, method, path, code=500, body=json.dumps(body).encode())

    @classmethod
    def slow(cls, seconds: float, *, method: str | None = None, path: str | None = None) -> Fault:
        """Wait `seconds`, then handle the request normally."""
        if seconds < 0:
            raise ValueError("seconds cannot be negative")
        return cls(FaultKind.SLOW, method, path, seconds=seconds)

    @classmethod
    def drop_after_store(cls, *, method: str = _DROP_METHOD, path: str = _DROP_PATH) -> Fault:
        """Handle the request in full (store the candidate, remember its idempotency key),
        then close the connection without sending any response."""
        return cls(FaultKind.DROP_AFTER_STORE, method, path)

    @classmethod
    def drop_before_store(cls, *, method: str = _DROP_METHOD, path: str = _DROP_PATH) -> Fault:
        """Close the connection without handling the request or sending any response."""
        return cls(FaultKind.DROP_BEFORE_STORE, method, path)

    @classmethod
    def html_error(
        cls, status: int = 502, *, method: str | None = None, path: str | None = None
    ) -> Fault:
        """Answer with a proxy's HTML error page (Content-Type text/html)."""
        title = f"{status} {_phrase(status)}"
        page = (
            f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n"
        )
        return cls(
            FaultKind.HTML_ERROR, method, path, code=status, body=page.encode(), content_type=_HTML
        )

    @classmethod
    def empty(
        cls, status: int = 200, *, method: str | None = None, path: str | None = None
    ) -> Fault:
        """Answer with an empty body (Content-Length 0) labelled as JSON."""
        return cls(FaultKind.EMPTY, method, path, code=status)

    @classmethod
    def status(
        cls, code: int, body_json: object, *, method: str | None = None, path: str | None = None
    ) -> Fault:
        """Answer with any status and a JSON body (``body_json`` must be JSON-serializable)."""
        return cls(FaultKind.STATUS, method, path, code=code, body=json.dumps(body_json).encode())
