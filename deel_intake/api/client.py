"""The Deel ATS client: one ``httpx.Client``, bearer auth, and every answer mapped onto
the error tree in :mod:`deel_intake.api.errors`."""

from __future__ import annotations

import json
import logging
import platform
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, Final

import httpx

from deel_intake import __version__
from deel_intake.api import errors as e
from deel_intake.api.environments import validate_base_url
from deel_intake.api.models import CreatedCandidate
from deel_intake.domain.candidate import Candidate, email_for_deel

__all__ = ["DEFAULT_TIMEOUT", "BearerAuth", "DeelClient", "TokenProvider"]

log = logging.getLogger(__name__)

TokenProvider = Callable[[], str | None]
DEFAULT_TIMEOUT: Final = httpx.Timeout(connect=5.0, read=15.0, write=10.0, pool=5.0)
SOURCE_PATCH_VERSION: Final = "2026-09-16"
_BODY_PREVIEW = 300

# Deel's request body fields → the form's field names.
_FIELD_BY_API_NAME: Final = {
    "email": "email",
    "first_name": "first_name",
    "last_name": "last_name",
    "phone_number": "phone",
    "linkedin_profile_url": "linkedin",
    "origin_source_slug": "source",
    "source": "source",
}


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer …``, reading the token at the moment of each request so a
    token changed in Settings takes effect at once. The token is never logged or repr'd."""

    def __init__(self, token_provider: TokenProvider) -> None:
        self._provider = token_provider

    def __repr__(self) -> str:
        return "BearerAuth(<token hidden>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._provider()
        if not token:
            raise e.NoTokenError
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


def user_agent() -> str:
    return f"deel-intake/{__version__} (python-httpx/{httpx.__version__}; {platform.system()})"


class DeelClient:
    """Talks to one Deel environment. Thread-compatible: use it from one thread at a time."""

    def __init__(
        self,
        base_url: str,
        token_provider: TokenProvider,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = validate_base_url(base_url)
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            auth=BearerAuth(token_provider),
            timeout=timeout,
            verify=True,  # never configurable: the token must only go to the real Deel
            follow_redirects=False,
            headers={"User-Agent": user_agent(), "Accept": "application/json"},
            transport=transport,
        )

    def __enter__(self) -> DeelClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ operations
    def create_candidate(self, candidate: Candidate, *, idempotency_key: str) -> CreatedCandidate:
        """``POST /ats/candidates``. Raises :class:`DuplicateEmailError` when the email exists."""
        body = self._request(
            "POST",
            "ats/candidates",
            json=candidate.create_body(),
            headers={"Idempotency-Key": idempotency_key},
        )
        return CreatedCandidate.from_api(_data(body))

    def set_source(self, candidate_id: str, slug: str) -> None:
        """``PATCH /ats/candidates/{id}`` with ``origin_source_slug`` (Deel's create call has no
        source field)."""
        self._request(
            "PATCH",
            f"ats/candidates/{candidate_id}",
            json={"data": {"origin_source_slug": slug}},
            headers={"X-Version": SOURCE_PATCH_VERSION},
        )

    def find_by_email(self, email: str) -> CreatedCandidate | None:
        """The candidate whose email matches (case-insensitively), via Deel's free-text search."""
        wanted = email_for_deel(email).casefold()  # Deel holds what create sent: ASCII
        for item in self._paged("ats/candidates", {"search": wanted, "limit": 50}, max_pages=5):
            if str(item.get("email", "")).casefold() == wanted:
                return CreatedCandidate.from_api(item)
        return None

    def application_sources(self) -> list[str]:
        """Every application-source slug of the organization, lower-cased."""
        slugs = [
            str(item["slug"]).lower()
            for item in self._paged("ats/application-sources", {"limit": 100}, max_pages=20)
            if isinstance(item.get("slug"), str) and item["slug"]
        ]
        return list(dict.fromkeys(slugs))

    def check_connection(self) -> int:
        """``GET /ats/candidates?limit=1``: proves the address and the token. Returns how many
        candidates Deel reports (``total_count``), or -1 when it does not say."""
        body = self._request("GET", "ats/candidates", params={"limit": 1})
        total = body.get("total_count") if isinstance(body, dict) else None
        return total if isinstance(total, int) else -1

    # ------------------------------------------------------------------ plumbing
    def _paged(
        self, path: str, params: dict[str, Any], *, max_pages: int
    ) -> Iterator[dict[str, Any]]:
        query = dict(params)
        for _ in range(max_pages):
            body = self._request("GET", path, params=query)
            items = _data(body)
            if not isinstance(items, list):
                raise e.BadResponseError(detail=f"GET {path}: 'data' is not a list")
            yield from (item for item in items if isinstance(item, dict))
            cursor = body.get("next_cursor")
            if not body.get("has_more") or not cursor:
                return
            query["cursor"] = cursor

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise _transport_error(exc, method, path) from None
        log.debug("%s %s -> %s", method, path, response.status_code)
        return _parse(response)


# ---------------------------------------------------------------------- mapping
def _transport_error(exc: httpx.HTTPError, method: str, path: str) -> e.DeelError:
    what = f"{method} {path}: {type(exc).__name__}"
    text = str(exc)
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return e.OfflineError(
            "Can't reach Deel — the connection timed out. Check the Wi-Fi.", detail=what
        )
    if isinstance(exc, httpx.TimeoutException):
        return e.TimedOutError(detail=what)
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
            return e.OfflineError(
                "Can't open a secure connection to Deel. The Wi-Fi may need you to sign in "
                "first (open a web page), or it is blocking Deel.",
                detail=f"{what}: TLS verification failed",
            )
        return e.OfflineError(detail=what)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return e.ConnectionLostError(detail=what)
    if isinstance(exc, httpx.NetworkError):
        return e.OfflineError(detail=what)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return e.NotFoundError("The Deel address in Settings is not valid.", detail=what)
    return e.ConnectionLostError(detail=what)


def _data(body: dict[str, Any]) -> Any:
    if "data" not in body:
        raise e.BadResponseError(detail="the answer has no 'data'")
    return body["data"]


def _sent_token(response: httpx.Response) -> str | None:
    """The token this request carried (read back from its header, not asked for again)."""
    header = response.request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() or None


def _preview(text: str) -> str:
    return text.strip().replace("\n", " ")[:_BODY_PREVIEW]


def _parse(response: httpx.Response) -> dict[str, Any]:
    status = response.status_code
    raw = response.text
    body: Any = None
    if raw.strip():
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
    if 200 <= status < 300 and isinstance(body, dict):
        return body
    # From here on the answer becomes an error text: a server that echoes the token must not
    # put it there. (Only long strings are replaced: a success body is never touched.)
    token = _sent_token(response)
    if token and len(token) >= 8 and token in raw:
        raw = raw.replace(token, "<token>")
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            body = None
    if 200 <= status < 300:
        kind = (
            "an empty answer"
            if not raw.strip()
            else "a web page"
            if _is_html(response)
            else ("an answer that is not JSON")
        )
        raise e.BadResponseError(
            detail=f"HTTP {status} with {kind}: {_preview(raw)}", status=status
        )
    envelope = _Envelope.read(body)
    detail = envelope.summary() or _preview(raw) or response.reason_phrase
    common: dict[str, Any] = {"detail": detail, "status": status, "api_req_id": envelope.req_id}
    if status == 401:
        return _raise(e.TokenRejectedError(**common))
    if status == 403:
        return _raise(e.MissingScopeError(**common))
    if status == 404:
        return _raise(e.NotFoundError(**common))
    if status == 429:
        return _raise(e.RateLimitedError(retry_after=_retry_after(response), **common))
    if status >= 500:
        return _raise(e.ServerError(**common))
    if body is None:
        return _raise(e.BadResponseError(**common))
    if any(is_duplicate_email(code, msg) for code, msg, _ in envelope.items):
        return _raise(e.DuplicateEmailError(**common))
    fields, general = envelope.field_messages()
    return _raise(e.FieldRejectedError(fields, general, **common))


def _raise(error: e.DeelError) -> dict[str, Any]:
    raise error


def _is_html(response: httpx.Response) -> bool:
    return "html" in response.headers.get("content-type", "") or response.text.lstrip().startswith(
        "<"
    )


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


_DUPLICATE = re.compile(r"already (exists|in use|taken|registered)|duplicate", re.IGNORECASE)


def is_duplicate_email(code: str, message: str) -> bool:
    """Deel does not document the duplicate-email answer; this is the one place that decides."""
    code_u = code.upper()
    if "DUPLICATE" in code_u or "ALREADY_EXISTS" in code_u or "EXISTS" in code_u:
        return True
    return bool(_DUPLICATE.search(message)) and (
        "email" in message.lower() or "candidate" in message.lower()
    )


_POINTER_IN_MESSAGE = re.compile(r"^/?data/(\w+)\s+(.*)$")
_REQUIRED = re.compile(r"required property '(\w+)'")


def _field_of(path: str, message: str) -> tuple[str | None, str]:
    """Map a JSON pointer (``/data/email``) or a message naming one to a form field."""
    match = _REQUIRED.search(message)
    if match:
        return _FIELD_BY_API_NAME.get(match.group(1)), message
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] == "data" and len(segments) > 1:
        return _FIELD_BY_API_NAME.get(segments[1]), message
    if segments and not path.startswith("/"):  # a plain field name, as Deel's CLI sees it
        return _FIELD_BY_API_NAME.get(segments[-1]), message
    match = _POINTER_IN_MESSAGE.match(message)
    if match:
        return _FIELD_BY_API_NAME.get(match.group(1)), match.group(2)
    return None, message


def recruiter_message(message: str) -> str:
    """Deel's validator speaks AJV; say the same to a recruiter."""
    m = message.strip().rstrip(".")
    low = m.lower()
    if "required property" in low:
        return "Deel needs this field."
    if 'format "email"' in low:
        return "Deel does not accept this email address."
    if 'format "uri"' in low:
        return "Deel does not accept this link."
    size = re.search(r"must not have more than (\d+) characters", low)
    if size:
        return f"Deel accepts at most {size.group(1)} characters here."
    return f"Deel says: {m}." if m else "Deel refused this value."


@dataclass(frozen=True, slots=True)
class _Envelope:
    """Every error shape Deel uses, read into (code, message, path) triples."""

    items: list[tuple[str, str, str]]
    req_id: str | None

    @classmethod
    def read(cls, body: Any) -> _Envelope:
        items: list[tuple[str, str, str]] = []
        req_id: str | None = None
        if not isinstance(body, dict):
            return cls(items, None)
        request = body.get("request")
        if isinstance(request, dict) and request.get("api_req_id"):
            req_id = str(request["api_req_id"])
        errs = body.get("errors")
        if isinstance(errs, list):
            for item in errs:
                if isinstance(item, dict):
                    items.append(
                        (
                            str(item.get("code", "")),
                            str(item.get("message", "")),
                            str(item.get("path") or item.get("field") or ""),
                        )
                    )
                elif isinstance(item, str):
                    items.append(("", item, ""))
        error = body.get("error")
        if isinstance(error, dict):
            items.append(
                (
                    str(error.get("code", "")),
                    str(error.get("message", "")),
                    str(error.get("field") or ""),
                )
            )
        elif isinstance(error, str) and not items:
            items.append(("", str(body.get("message") or error), ""))
        if not items and isinstance(body.get("message"), str):
            items.append((str(body.get("code", "")), body["message"], ""))
        return cls(items, req_id)

    def summary(self) -> str:
        return "; ".join(
            " ".join(p for p in (f"[{c}]" if c else "", m, f"at {path}" if path else "") if p)
            for c, m, path in self.items
        )

    def field_messages(self) -> tuple[dict[str, str], list[str]]:
        fields: dict[str, str] = {}
        general: list[str] = []
        for _code, message, path in self.items:
            field, text = _field_of(path, message)
            if field:
                fields.setdefault(field, recruiter_message(text))
            elif text:
                general.append(text.rstrip(".") + ".")
        return fields, general
