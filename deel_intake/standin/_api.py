"""Deel's ATS REST API as the stand-in plays it, with no sockets: a `Request` in, a `Reply` out.

What it mimics, in the order a request meets it:

1. *Rate limit.* One rolling window for the whole organization (every token together). A
   request that would make more than ``rate_limit`` accepted requests within ``rate_window``
   seconds gets 429 with Deel's bare body and no ``Retry-After`` or ``X-RateLimit-*`` header;
   it does not count toward the window. Checked before anything else, authentication included.
2. *Faults* injected by a test (see `faults`); a rate-limited request consumes none.
3. *Authentication.* ``Authorization: Bearer <token>``; a missing or unknown token gets 401, a
   token without the route's scope 403 (GET needs ``ats:read``, POST/PATCH ``ats:write``),
   both in Deel's ``ApiErrorContainer`` shape:
   ``{"request": {..., "api_req_id": ...}, "errors": [...]}``.
4. *Routes*, under ``/rest/v2`` and ``/rest`` alike:
   ``POST /ats/candidates`` (AJV validation, case-insensitive duplicate e-mail check,
   ``Idempotency-Key`` replay of 201 and 400 answers), ``GET /ats/candidates`` (``limit``,
   ``cursor``, ``search``), ``GET /ats/candidates/{id}``, ``PATCH /ats/candidates/{id}`` (needs
   ``X-Version: 2026-09-16``; sets the application source) and ``GET /ats/application-sources``.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote

from deel_intake.standin._validation import Problem, validate_create, validate_patch
from deel_intake.standin.config import StandInConfig
from deel_intake.standin.faults import Fault, FaultKind

__all__ = [
    "APPLICATION_SOURCE_SLUGS",
    "PATCH_VERSION",
    "RATE_LIMIT_BODY",
    "DeelApi",
    "LoggedRequest",
    "Reply",
    "Request",
    "container",
]

_log = logging.getLogger(__name__)

Json = dict[str, Any]

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
DOCS_URL = "https://developer.deel.com/docs"
#: The X-Version PATCH /ats/candidates/{id} requires.
PATCH_VERSION = "2026-09-16"
#: Deel's 429 body, exactly.
RATE_LIMIT_BODY: Json = {
    "error": "Rate limit exceeded",
    "status": 429,
    "message": "Too many requests. Please wait before retrying.",
}
#: Deel's standard application sources, plus the one this app creates candidates with.
APPLICATION_SOURCE_SLUGS = (
    "sourced_internally",
    "external_career_page",
    "linkedin_premium",
    "linkedin_basic",
    "internal_career_page",
    "internal_referral",
    "bulk_imported",
    "job_fair",
)
_SOURCES_CREATED_AT = "2024-01-15T09:30:00.000Z"
_SOURCES: tuple[Json, ...] = tuple(
    {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"deel-standin:application-source:{slug}")),
        "slug": slug,
        "created_at": _SOURCES_CREATED_AT,
        "updated_at": _SOURCES_CREATED_AT,
    }
    for slug in APPLICATION_SOURCE_SLUGS
)
_FIRST_NUMERIC_ID = 1001
_DEFAULT_LIMIT = 20
_MAX_LIMIT = 100
_SEARCHED_FIELDS = ("email", "first_name", "last_name")
_PREFIX = re.compile(r"/rest(?:/v2)?(?P<rest>/.*)")
_BEARER = re.compile(r"bearer\s+(?P<token>\S+)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Request:
    """An HTTP request as the handler read it."""

    method: str
    target: str  # path and query, as on the request line
    headers: Mapping[str, str]  # names lower-cased
    body: bytes


@dataclass(frozen=True)
class Reply:
    """What to answer: a status and body, or (``drop``) nothing at all."""

    status: int
    body: bytes = b""
    content_type: str = JSON_CONTENT_TYPE
    drop: bool = False  # close the connection without any response

    @classmethod
    def json(cls, status: int, payload: object) -> Reply:
        return cls(status, json.dumps(payload).encode())

    @classmethod
    def dropped(cls) -> Reply:
        return cls(0, drop=True)


@dataclass(frozen=True)
class LoggedRequest:
    """One request the stand-in received."""

    method: str
    path: str  # without the query string
    query: str
    at: float  # time.monotonic() when it passed (or failed) the rate limit
    status: int | None  # None: the connection was dropped without an answer
    idempotency_key: str | None


def container(
    method: str, url: str, status: int, source: str, errors: Sequence[Mapping[str, object]]
) -> Reply:
    """An error in Deel's ``ApiErrorContainer`` shape."""
    request = {
        "method": method,
        "url": url,
        "status": status,
        "api_req_id": secrets.token_hex(16),
        "docs": DOCS_URL,
        "source": source,
        "code": status,
    }
    return Reply.json(status, {"request": request, "errors": [dict(e) for e in errors]})


def _error_list(code: str, message: str) -> Json:
    return {"errors": [{"code": code, "message": message}]}


def _timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


Query = Mapping[str, list[str]]
_Handler = Callable[[Request, "re.Match[str]", Query], Reply]


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    scope: str
    handler: _Handler


class DeelApi:
    """The state and behaviour of one Deel organization's ATS. Thread-safe."""

    def __init__(self, config: StandInConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._candidates: list[Json] = []
        self._next_numeric_id = _FIRST_NUMERIC_ID
        self._log: list[LoggedRequest] = []
        self._faults: list[Fault] = []
        self._accepted: deque[float] = deque()
        self._max_in_window = 0
        self._replies_by_key: dict[str, Reply] = {}
        candidate = re.compile(r"/ats/candidates/(?P<id>[^/]+)")
        self._routes = (
            _Route("GET", re.compile(r"/ats/candidates"), "ats:read", self._list_candidates),
            _Route("POST", re.compile(r"/ats/candidates"), "ats:write", self._create_candidate),
            _Route("GET", candidate, "ats:read", self._get_candidate),
            _Route("PATCH", candidate, "ats:write", self._patch_candidate),
            _Route("GET", re.compile(r"/ats/application-sources"), "ats:read", self._sources),
        )

    # ------------------------------------------------------------------ inspection

    def candidates(self) -> list[Json]:
        with self._lock:
            return [dict(c) for c in self._candidates]

    def log(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def max_in_window(self) -> int:
        with self._lock:
            return self._max_in_window

    def count(self, status: int) -> int:
        with self._lock:
            return sum(1 for entry in self._log if entry.status == status)

    def inject(self, faults: Iterable[Fault]) -> None:
        with self._lock:
            self._faults.extend(faults)

    def pending_faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def set_tokens(self, tokens: Mapping[str, Iterable[str]]) -> None:
        new = {
            token: frozenset({scopes} if isinstance(scopes, str) else scopes)
            for token, scopes in tokens.items()
        }
        with self._lock:
            self.config.tokens = new

    def reset(self) -> None:
        """Forget candidates, requests, faults, idempotency keys and the rate window."""
        with self._lock:
            self._candidates.clear()
            self._next_numeric_id = _FIRST_NUMERIC_ID
            self._log.clear()
            self._faults.clear()
            self._accepted.clear()
            self._max_in_window = 0
            self._replies_by_key.clear()

    # ------------------------------------------------------------------ sleeping

    def interrupt(self) -> None:
        """Cut every current and future delay short (the server is stopping)."""
        self._wake.set()

    def resume(self) -> None:
        """Let delays run their full length again."""
        self._wake.clear()

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._wake.wait(seconds)

    # ------------------------------------------------------------------ the request path

    def handle(self, request: Request) -> Reply:
        """Answer one request (sleeping for latency and slow faults outside the lock)."""
        self._pause(self.config.latency)
        path, _, query = request.target.partition("?")
        with self._lock:
            at = time.monotonic()
            admitted = self._admit(at)
            fault = self._take_fault(request.method, path) if admitted else None
        if not admitted:
            reply = Reply.json(429, RATE_LIMIT_BODY)
        elif fault is None:
            reply = self._route(request, path, query)
        else:
            _log.debug("fault %s consumed by %s %s", fault.kind.value, request.method, path)
            reply = self._apply(fault, request, path, query)
        key = request.headers.get("idempotency-key")
        entry = LoggedRequest(
            request.method, path, query, at, None if reply.drop else reply.status, key
        )
        with self._lock:
            self._log.append(entry)
        return reply

    def _admit(self, now: float) -> bool:
        """Rolling-window rate limit; call with the lock held."""
        window = self._accepted
        cutoff = now - self.config.rate_window
        while window and window[0] <= cutoff:
            window.popleft()
        limit = self.config.rate_limit
        if limit is not None and len(window) >= limit:
            return False
        window.append(now)
        self._max_in_window = max(self._max_in_window, len(window))
        return True

    def _take_fault(self, method: str, path: str) -> Fault | None:
        """The first queued fault this request matches, removed; call with the lock held."""
        for index, fault in enumerate(self._faults):
            if fault.matches(method, path):
                return self._faults.pop(index)
        return None

    def _apply(self, fault: Fault, request: Request, path: str, query: str) -> Reply:
        if fault.answers:
            return Reply(fault.code, fault.body, fault.content_type)
        if fault.kind is FaultKind.DROP_BEFORE_STORE:
            return Reply.dropped()
        if fault.kind is FaultKind.SLOW:
            self._pause(fault.seconds)
        reply = self._route(request, path, query)
        return Reply.dropped() if fault.kind is FaultKind.DROP_AFTER_STORE else reply

    def _route(self, request: Request, path: str, query: str) -> Reply:
        scopes = self._scopes(request.headers.get("authorization"))
        if scopes is None:
            return self._error(request, 401, "auth", "Unauthorized")
        prefixed = _PREFIX.fullmatch(path)
        for route in self._routes:
            match = route.pattern.fullmatch(prefixed["rest"]) if prefixed else None
            if match is None or route.method != request.method:
                continue
            if route.scope not in scopes:
                return self._error(request, 403, "auth", f"Missing required scope: {route.scope}")
            return route.handler(request, match, parse_qs(query, keep_blank_values=True))
        return self._error(request, 404, "route", f"Cannot {request.method} {path}")

    def _scopes(self, authorization: str | None) -> frozenset[str] | None:
        match = _BEARER.fullmatch(authorization or "")
        if match is None:
            return None
        return self.config.tokens.get(match["token"])

    # ------------------------------------------------------------------ replies

    def _error(self, request: Request, status: int, source: str, message: str) -> Reply:
        return container(request.method, request.target, status, source, [{"message": message}])

    def _invalid(self, request: Request, problems: Sequence[Problem]) -> Reply:
        if self.config.error_shape == "errors":
            errors = [{"code": "VALIDATION_ERROR", "message": p.as_text()} for p in problems]
            return Reply.json(400, {"errors": errors})
        details = [{"message": p.message, "path": p.path} for p in problems]
        return container(request.method, request.target, 400, "validation", details)

    def _json_body(self, request: Request) -> tuple[object, Reply | None]:
        try:
            return json.loads(request.body.decode("utf-8")), None
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None, self._error(request, 400, "validation", "Request body must be JSON")

    def _page(self, request: Request, items: Sequence[Json], query: Query) -> Reply:
        problems: list[Problem] = []
        limit = _integer(query, "limit", _DEFAULT_LIMIT, problems, low=1, high=_MAX_LIMIT)
        offset = 0
        cursor = _last(query, "cursor")
        if cursor:  # an empty cursor is the first page
            if cursor.isdigit() and cursor.isascii():
                offset = int(cursor)
            else:
                problems.append(Problem("/query/cursor", "must be a cursor from a previous page"))
        if problems:
            return self._invalid(request, problems)
        page = items[offset : offset + limit]
        has_more = offset + limit < len(items)
        return Reply.json(
            200,
            {
                "data": list(page),
                "has_more": has_more,
                "next_cursor": str(offset + limit) if has_more else None,
                "total_count": len(items),
            },
        )

    # ------------------------------------------------------------------ routes

    def _list_candidates(self, request: Request, _: re.Match[str], query: Query) -> Reply:
        needle = (_last(query, "search") or "").strip().casefold()
        with self._lock:
            found = [
                dict(c)
                for c in self._candidates
                if any(needle in str(c[name]).casefold() for name in _SEARCHED_FIELDS)
            ]
        return self._page(request, found, query)

    def _create_candidate(self, request: Request, _: re.Match[str], __: Query) -> Reply:
        key = request.headers.get("idempotency-key", "").strip() or None
        with self._lock:
            if key is not None and key in self._replies_by_key:
                _log.debug("replaying the answer to Idempotency-Key %s", key)
                return self._replies_by_key[key]
            reply = self._create_locked(request)
            if key is not None and reply.status in (201, 400):
                self._replies_by_key[key] = reply
            return reply

    def _create_locked(self, request: Request) -> Reply:
        body, bad_json = self._json_body(request)
        if bad_json is not None:
            return bad_json
        fields, problems = validate_create(body)
        if problems:
            return self._invalid(request, problems)
        email = str(fields["email"]).lower()
        if any(str(c["email"]).lower() == email for c in self._candidates):
            return Reply.json(
                400,
                _error_list(
                    "CANDIDATE_ALREADY_EXISTS", "A candidate with this email already exists"
                ),
            )
        now = _timestamp()
        candidate: Json = {
            "id": str(uuid.uuid4()),
            "numeric_id": self._next_numeric_id,
            **fields,
            "source": None,
            "imported_id": None,
            "import_session_id": None,
            "anonymized_at": None,
            "final_archivation_at": None,
            "created_at": now,
            "updated_at": now,
        }
        self._next_numeric_id += 1
        self._candidates.append(candidate)
        return Reply.json(201, {"data": dict(candidate)})

    def _find(self, candidate_id: str) -> Json | None:
        """The stored candidate (not a copy); call with the lock held."""
        return next((c for c in self._candidates if c["id"] == candidate_id), None)

    def _not_found(self, request: Request) -> Reply:
        return self._error(request, 404, "resource", "Candidate not found")

    def _get_candidate(self, request: Request, match: re.Match[str], _: Query) -> Reply:
        with self._lock:
            found = self._find(unquote(match["id"]))
            copy = None if found is None else dict(found)
        return self._not_found(request) if copy is None else Reply.json(200, {"data": copy})

    def _patch_candidate(self, request: Request, match: re.Match[str], _: Query) -> Reply:
        if request.headers.get("x-version", "").strip() != PATCH_VERSION:
            return Reply.json(
                400,
                _error_list(
                    "VALIDATION_ERROR",
                    f"The X-Version header is required for this endpoint: "
                    f"send 'X-Version: {PATCH_VERSION}'",
                ),
            )
        body, bad_json = self._json_body(request)
        if bad_json is not None:
            return bad_json
        slug, problems = validate_patch(body, APPLICATION_SOURCE_SLUGS)
        if problems:
            return self._invalid(request, problems)
        with self._lock:
            found = self._find(unquote(match["id"]))
            if found is not None:
                found["source"] = slug.upper()
                found["updated_at"] = _timestamp()
                found = dict(found)
        return self._not_found(request) if found is None else Reply.json(200, {"data": found})

    def _sources(self, request: Request, _: re.Match[str], query: Query) -> Reply:
        return self._page(request, [dict(s) for s in _SOURCES], query)


def _last(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _integer(
    query: Query, name: str, default: int, problems: list[Problem], *, low: int, high: int
) -> int:
    raw = _last(query, name)
    if raw is None:
        return default
    pointer = f"/query/{name}"
    if not (raw.isascii() and raw.isdigit()):
        problems.append(Problem(pointer, "must be integer"))
        return default
    value = int(raw)
    if value < low:
        problems.append(Problem(pointer, f"must be >= {low}"))
    elif value > high:
        problems.append(Problem(pointer, f"must be <= {high}"))
    return value
