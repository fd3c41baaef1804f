"""The Deel client: every answer Deel (or the network) can give, mapped onto the error tree.

Part 1 drives ``DeelClient`` through ``httpx.MockTransport`` for the shapes that are hard to
provoke for real; part 2 talks to the loopback stand-in of Deel's API over real HTTP.
"""

from __future__ import annotations

import json
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deel_intake import __version__
from deel_intake.api import errors as e
from deel_intake.api.client import BearerAuth, DeelClient
from deel_intake.api.environments import BASE_URLS, InvalidBaseURLError, validate_base_url
from deel_intake.api.intake import IntakeResult, create_candidate
from deel_intake.domain.candidate import Candidate, CandidateDraft, validate_draft
from deel_intake.standin import Fault, StandIn
from deel_intake.standin._api import APPLICATION_SOURCE_SLUGS
from tests.conftest import TOKEN

BASE = "https://api.example.test/rest/v2"
Handler = Callable[[httpx.Request], httpx.Response]
REQ_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
HEX32 = re.compile(r"[0-9a-f]{32}")
RATE_LIMIT_BODY = {
    "error": "Rate limit exceeded",
    "status": 429,
    "message": "Too many requests. Please wait before retrying.",
}
INTERNAL_ERROR = {"errors": [{"code": "INTERNAL_ERROR", "message": "Internal server error"}]}
CANDIDATE_ID = "6f1c2b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f"


def make_candidate(**changes: str) -> Candidate:
    fields = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@example.com",
        "phone": "+1 650-253-0000",
        "linkedin": "linkedin.com/in/jane-doe",
        "source": "job_fair",
        **changes,
    }
    return validate_draft(CandidateDraft(**fields), region="US")


CANDIDATE = make_candidate()


def candidate_json(**changes: Any) -> dict[str, Any]:
    """A candidate as Deel returns it."""
    return {
        "id": CANDIDATE_ID,
        "numeric_id": 1001,
        "email": "jane@example.com",
        "first_name": "Jane",
        "last_name": "Doe",
        "phone_number": "+16502530000",
        "linkedin_profile_url": "https://www.linkedin.com/in/jane-doe",
        "pic_url": None,
        "source": None,
        "created_at": "2026-01-15T09:30:00.000Z",
        "updated_at": "2026-01-15T09:30:00.000Z",
        **changes,
    }


def container(status: int, *errors: dict[str, str]) -> dict[str, Any]:
    """Deel's ApiErrorContainer."""
    return {
        "request": {
            "method": "POST",
            "url": "/rest/v2/ats/candidates",
            "status": status,
            "api_req_id": REQ_ID,
            "docs": "https://developer.deel.com/docs",
            "source": "validation",
            "code": status,
        },
        "errors": list(errors),
    }


def answer(
    status: int,
    body: object = None,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Handler:
    """A handler that always gives this answer (JSON ``body`` unless ``content`` is given)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if content is not None:
            return httpx.Response(status, content=content, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handler


def raising(exc_type: type[httpx.TransportError], message: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return handler


def mock_client(handler: Handler, token: str | None = "tok") -> DeelClient:
    return DeelClient(BASE, lambda: token, transport=httpx.MockTransport(handler))


def create_error(handler: Handler, token: str | None = "tok") -> e.DeelError:
    """The error ``create_candidate`` raises against this handler."""
    with mock_client(handler, token) as client, pytest.raises(e.DeelError) as info:
        client.create_candidate(CANDIDATE, idempotency_key="key-1")
    return info.value


class Recorder:
    """A handler that records every request and answers from a function of it."""

    def __init__(self, respond: Handler) -> None:
        self.requests: list[httpx.Request] = []
        self._respond = respond

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self._respond(request)


# ====================================================================== 1. error shapes


def test_401_is_token_rejected_and_keeps_deels_request_id() -> None:
    exc = create_error(answer(401, container(401, {"message": "Unauthorized"})))
    assert type(exc) is e.TokenRejectedError
    assert isinstance(exc, e.AuthError)
    assert exc.status == 401
    assert exc.api_req_id == REQ_ID
    assert exc.detail == "Unauthorized"
    assert exc.user_message == "Deel rejected the token — update it in Settings."
    assert f"Deel request id {REQ_ID}" in exc.support_text()
    assert "HTTP 401" in exc.support_text()
    assert not exc.transient
    assert not exc.outcome_unknown


def test_403_is_missing_scope() -> None:
    exc = create_error(
        answer(403, container(403, {"message": "Missing required scope: ats:write"}))
    )
    assert type(exc) is e.MissingScopeError
    assert isinstance(exc, e.AuthError)
    assert exc.status == 403
    assert exc.api_req_id == REQ_ID
    assert "ats:write" in exc.user_message
    assert exc.detail == "Missing required scope: ats:write"


def test_404_is_not_found() -> None:
    exc = create_error(answer(404, container(404, {"message": "Cannot POST /rest/v2/x"})))
    assert type(exc) is e.NotFoundError
    assert isinstance(exc, e.RequestRejectedError)
    assert exc.status == 404
    assert exc.api_req_id == REQ_ID
    assert not exc.transient


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param(
            container(400, {"message": 'must match format "email"', "path": "/data/email"}),
            {"email": "Deel does not accept this email address."},
            id="container-email-format",
        ),
        pytest.param(
            container(400, {"message": "must be string,null", "path": "/data/phone_number"}),
            {"phone": "Deel says: must be string,null."},
            id="container-phone",
        ),
        pytest.param(
            container(
                400, {"message": 'must match format "uri"', "path": "/data/linkedin_profile_url"}
            ),
            {"linkedin": "Deel does not accept this link."},
            id="container-linkedin-uri",
        ),
        pytest.param(
            container(
                400, {"message": "must have required property 'first_name'", "path": "/data"}
            ),
            {"first_name": "Deel needs this field."},
            id="container-required-first-name",
        ),
        pytest.param(
            container(
                400,
                {"message": "must have required property 'last_name'", "path": "/data"},
                {"message": 'must match format "email"', "path": "/data/email"},
            ),
            {
                "last_name": "Deel needs this field.",
                "email": "Deel does not accept this email address.",
            },
            id="container-two-problems",
        ),
        pytest.param(
            {
                "errors": [
                    {"code": "VALIDATION_ERROR", "message": 'data/email must match format "email"'}
                ]
            },
            {"email": "Deel does not accept this email address."},
            id="errors-pointer-in-message",
        ),
        pytest.param(
            {
                "errors": [
                    {
                        "code": "VALIDATION_ERROR",
                        "message": '/data/linkedin_profile_url must match format "uri"',
                    }
                ]
            },
            {"linkedin": "Deel does not accept this link."},
            id="errors-absolute-pointer-in-message",
        ),
        pytest.param(
            {
                "errors": [
                    {
                        "code": "TOO_LONG",
                        "message": "must not have more than 50 characters",
                        "field": "last_name",
                    }
                ]
            },
            {"last_name": "Deel accepts at most 50 characters here."},
            id="errors-with-field",
        ),
        pytest.param(
            {
                "error": {
                    "code": "INVALID_FIELD",
                    "message": "Phone number is invalid.",
                    "next": "Fix it",
                    "field": "phone_number",
                }
            },
            {"phone": "Deel says: Phone number is invalid."},
            id="error-object-with-field",
        ),
    ],
)
def test_400_field_problems_land_on_their_form_field(
    body: dict[str, Any], fields: dict[str, str]
) -> None:
    exc = create_error(answer(400, body))
    assert type(exc) is e.FieldRejectedError
    assert isinstance(exc, e.RequestRejectedError)
    assert exc.fields == fields
    assert exc.general == []
    assert exc.status == 400
    assert exc.user_message == "Deel refused some of the details — see the highlighted fields."
    assert not exc.transient
    assert not exc.outcome_unknown


def test_container_400_keeps_the_request_id_and_the_pointer_in_detail() -> None:
    body = container(400, {"message": 'must match format "email"', "path": "/data/email"})
    exc = create_error(answer(400, body))
    assert exc.api_req_id == REQ_ID
    assert exc.detail == 'must match format "email" at /data/email'


@pytest.mark.parametrize(
    ("body", "general", "detail"),
    [
        pytest.param(
            {"errors": [{"code": "ORG_ARCHIVED", "message": "Organization is archived"}]},
            ["Organization is archived."],
            "[ORG_ARCHIVED] Organization is archived",
            id="errors-code-message",
        ),
        pytest.param(
            {
                "error": {
                    "code": "BAD_REQUEST",
                    "message": "Hiring is paused.",
                    "next": "Ask an admin",
                }
            },
            ["Hiring is paused."],
            "[BAD_REQUEST] Hiring is paused.",
            id="error-code-message-next",
        ),
        pytest.param(
            container(
                400, {"message": "must NOT have additional properties: source", "path": "/data"}
            ),
            ["must NOT have additional properties: source."],
            "must NOT have additional properties: source at /data",
            id="container-not-about-a-field",
        ),
        pytest.param(
            {"message": "Bad request"},
            ["Bad request."],
            "Bad request",
            id="bare-message",
        ),
    ],
)
def test_400_without_a_field_goes_to_general(
    body: dict[str, Any], general: list[str], detail: str
) -> None:
    exc = create_error(answer(400, body))
    assert type(exc) is e.FieldRejectedError
    assert exc.fields == {}
    assert exc.general == general
    assert exc.detail == detail
    assert exc.user_message == "Deel refused this candidate: " + " ".join(general)
    assert str(exc) == exc.user_message


@pytest.mark.parametrize(
    ("status", "body"),
    [
        pytest.param(
            400,
            {
                "errors": [
                    {
                        "code": "CANDIDATE_ALREADY_EXISTS",
                        "message": "A candidate with this email already exists",
                    }
                ]
            },
            id="code",
        ),
        pytest.param(
            400,
            {"errors": [{"message": "Candidate with this email already exists"}]},
            id="message-only",
        ),
        pytest.param(
            400, {"error": {"code": "", "message": "Email already in use"}}, id="error-object"
        ),
        pytest.param(
            400,
            container(400, {"message": "Candidate with this email already exists"}),
            id="container",
        ),
        pytest.param(
            409, {"errors": [{"code": "DUPLICATE_EMAIL", "message": "Conflict"}]}, id="409"
        ),
    ],
)
def test_duplicate_email_answers(status: int, body: dict[str, Any]) -> None:
    exc = create_error(answer(status, body))
    assert type(exc) is e.DuplicateEmailError
    assert isinstance(exc, e.RequestRejectedError)
    assert exc.status == status
    assert exc.user_message == "A candidate with this email is already in Deel."
    assert not exc.transient


def test_a_duplicate_of_something_else_is_not_a_duplicate_email() -> None:
    exc = create_error(answer(400, {"errors": [{"message": "Duplicate request body"}]}))
    assert type(exc) is e.FieldRejectedError


def test_429_with_deels_body_is_rate_limited_without_retry_after() -> None:
    exc = create_error(answer(429, RATE_LIMIT_BODY))
    assert type(exc) is e.RateLimitedError
    assert exc.retry_after is None
    assert exc.status == 429
    assert exc.detail == "Too many requests. Please wait before retrying."
    assert exc.transient
    assert not exc.outcome_unknown


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("2", 2.0), ("0.5", 0.5), ("-3", 0.0), ("", None)],
)
def test_429_retry_after_header(value: str, seconds: float | None) -> None:
    exc = create_error(answer(429, RATE_LIMIT_BODY, headers={"Retry-After": value}))
    assert isinstance(exc, e.RateLimitedError)
    assert exc.retry_after == seconds


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_a_server_error_with_unknown_outcome(status: int) -> None:
    exc = create_error(answer(status, INTERNAL_ERROR))
    assert type(exc) is e.ServerError
    assert exc.status == status
    assert exc.transient
    assert exc.outcome_unknown
    assert exc.detail == "[INTERNAL_ERROR] Internal server error"


def test_5xx_html_page_is_a_server_error() -> None:
    page = b"<html><head><title>503 Service Unavailable</title></head><body>nginx</body></html>"
    exc = create_error(answer(503, content=page, headers={"Content-Type": "text/html"}))
    assert type(exc) is e.ServerError
    assert "503 Service Unavailable" in exc.detail


@pytest.mark.parametrize(
    ("status", "content", "content_type", "detail"),
    [
        pytest.param(201, b"", "application/json", "HTTP 201 with an empty answer", id="empty"),
        pytest.param(
            200, b"   \n", "application/json", "HTTP 200 with an empty answer", id="blank"
        ),
        pytest.param(
            200,
            b"<html><body>Sign in to the Wi-Fi</body></html>",
            "text/html",
            "HTTP 200 with a web page",
            id="html",
        ),
        pytest.param(
            201, b"OK", "text/plain", "HTTP 201 with an answer that is not JSON", id="not-json"
        ),
        pytest.param(
            201,
            b'{"data": ',
            "application/json",
            "HTTP 201 with an answer that is not JSON",
            id="cut-json",
        ),
        pytest.param(
            201,
            b"[1, 2]",
            "application/json",
            "HTTP 201 with an answer that is not JSON",
            id="json-list",
        ),
        pytest.param(
            201, b'{"id": "x"}', "application/json", "the answer has no 'data'", id="no-data"
        ),
        pytest.param(
            201,
            b'{"data": {"id": "x", "email": "jane@example.com"}}',
            "application/json",
            "unexpected candidate shape",
            id="missing-fields",
        ),
        pytest.param(
            201, b'{"data": null}', "application/json", "unexpected candidate shape", id="data-null"
        ),
        pytest.param(
            201,
            json.dumps({"data": candidate_json(created_at="yesterday")}).encode(),
            "application/json",
            "unexpected candidate shape",
            id="bad-created-at",
        ),
    ],
)
def test_unreadable_success_answers_are_bad_responses(
    status: int, content: bytes, content_type: str, detail: str
) -> None:
    exc = create_error(answer(status, content=content, headers={"Content-Type": content_type}))
    assert type(exc) is e.BadResponseError
    assert exc.detail.startswith(detail)
    assert exc.transient
    assert exc.outcome_unknown


def test_a_4xx_that_is_not_json_is_a_bad_response() -> None:
    exc = create_error(
        answer(400, content=b"<html>Bad Request</html>", headers={"Content-Type": "text/html"})
    )
    assert type(exc) is e.BadResponseError
    assert exc.status == 400


@pytest.mark.parametrize(
    ("exc_type", "message", "expected", "outcome_unknown"),
    [
        (httpx.ConnectError, "[Errno 111] Connection refused", e.OfflineError, False),
        (httpx.ConnectError, "[Errno -2] Name or service not known", e.OfflineError, False),
        (httpx.ConnectTimeout, "timed out", e.OfflineError, False),
        (httpx.PoolTimeout, "timed out", e.OfflineError, False),
        (httpx.ReadTimeout, "timed out", e.TimedOutError, True),
        (httpx.WriteTimeout, "timed out", e.TimedOutError, True),
        (
            httpx.RemoteProtocolError,
            "Server disconnected without sending a response.",
            e.ConnectionLostError,
            True,
        ),
        (httpx.ReadError, "[Errno 104] Connection reset by peer", e.ConnectionLostError, True),
        (httpx.WriteError, "[Errno 32] Broken pipe", e.ConnectionLostError, True),
    ],
)
def test_transport_errors(
    exc_type: type[httpx.TransportError],
    message: str,
    expected: type[e.DeelError],
    outcome_unknown: bool,
) -> None:
    exc = create_error(raising(exc_type, message))
    assert type(exc) is expected
    assert exc.transient
    assert exc.outcome_unknown is outcome_unknown
    assert isinstance(exc, e.OutcomeUnknownError if outcome_unknown else e.NotSentError)
    assert exc.status is None
    assert exc.detail == f"POST ats/candidates: {exc_type.__name__}"


def test_certificate_failure_is_offline_and_says_secure_connection() -> None:
    exc = create_error(
        raising(
            httpx.ConnectError,
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)",
        )
    )
    assert type(exc) is e.OfflineError
    assert "secure connection" in exc.user_message
    assert "TLS verification failed" in exc.detail
    assert not exc.outcome_unknown


@pytest.mark.parametrize("token", [None, ""])
def test_no_token_sends_nothing(token: str | None) -> None:
    recorder = Recorder(answer(201, {"data": candidate_json()}))
    exc = create_error(recorder, token=token)
    assert type(exc) is e.NoTokenError
    assert isinstance(exc, e.NotSentError)
    assert not exc.transient
    assert recorder.requests == []


# ====================================================================== 1b. what is sent


def test_create_sends_the_body_the_key_and_who_we_are() -> None:
    recorder = Recorder(answer(201, {"data": candidate_json()}))
    with mock_client(recorder) as client:
        created = client.create_candidate(CANDIDATE, idempotency_key="intake-7f3a")
    (request,) = recorder.requests
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/ats/candidates"
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.headers["Idempotency-Key"] == "intake-7f3a"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    user_agent = request.headers["User-Agent"]
    assert user_agent.startswith(f"deel-intake/{__version__}")
    assert json.loads(request.content) == CANDIDATE.create_body()
    assert "source" not in json.loads(request.content)["data"]

    assert created.id == CANDIDATE_ID
    assert created.numeric_id == 1001
    assert created.created_at == datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    assert created.phone_number == "+16502530000"
    assert created.linkedin_profile_url == "https://www.linkedin.com/in/jane-doe"


def test_the_token_is_read_at_each_request() -> None:
    tokens = iter(["first", "second"])
    recorder = Recorder(answer(200, {"data": [], "has_more": False, "total_count": 0}))
    with DeelClient(BASE, lambda: next(tokens), transport=httpx.MockTransport(recorder)) as client:
        client.check_connection()
        client.check_connection()
    assert [r.headers["Authorization"] for r in recorder.requests] == [
        "Bearer first",
        "Bearer second",
    ]


def test_set_source_patches_with_the_version_header() -> None:
    recorder = Recorder(answer(200, {"data": candidate_json(source="JOB_FAIR")}))
    with mock_client(recorder) as client:
        client.set_source(CANDIDATE_ID, "job_fair")
    (request,) = recorder.requests
    assert request.method == "PATCH"
    assert request.url.path == f"/rest/v2/ats/candidates/{CANDIDATE_ID}"
    assert request.headers["X-Version"] == "2026-09-16"
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.headers["User-Agent"].startswith("deel-intake/")
    assert json.loads(request.content) == {"data": {"origin_source_slug": "job_fair"}}


def test_check_connection_reports_the_total() -> None:
    recorder = Recorder(answer(200, {"data": [], "has_more": False, "total_count": 42}))
    with mock_client(recorder) as client:
        assert client.check_connection() == 42
    (request,) = recorder.requests
    assert request.method == "GET"
    assert request.url.path == "/rest/v2/ats/candidates"
    assert request.url.params["limit"] == "1"


def test_check_connection_without_a_total() -> None:
    with mock_client(answer(200, {"data": []})) as client:
        assert client.check_connection() == -1


# ---------------------------------------------------------------------- the token never leaks

SECRET = "sk-live-LEAKME-9f8e7d6c5b4a"


@pytest.mark.parametrize(
    ("status", "content", "content_type"),
    [
        pytest.param(
            500, f"upstream said: Authorization: Bearer {SECRET}", "text/plain", id="500-text"
        ),
        pytest.param(502, f"<html><body>Bearer {SECRET}</body></html>", "text/html", id="502-html"),
        pytest.param(201, f"echo {SECRET}", "text/plain", id="201-not-json"),
        pytest.param(
            401,
            json.dumps(container(401, {"message": f"Invalid token {SECRET}"})),
            "application/json",
            id="401-container",
        ),
        pytest.param(
            403,
            json.dumps({"message": f"Token {SECRET} lacks ats:write"}),
            "application/json",
            id="403-message",
        ),
        pytest.param(
            400,
            json.dumps({"errors": [{"message": f"Bearer {SECRET} is not allowed here"}]}),
            "application/json",
            id="400-general",
        ),
        pytest.param(
            400,
            json.dumps(
                container(400, {"message": f"{SECRET} is not an email", "path": "/data/email"})
            ),
            "application/json",
            id="400-field",
        ),
        pytest.param(
            429,
            json.dumps({**RATE_LIMIT_BODY, "message": f"Too many requests for {SECRET}"}),
            "application/json",
            id="429",
        ),
    ],
)
def test_the_token_never_appears_in_an_error(status: int, content: str, content_type: str) -> None:
    exc = create_error(
        answer(status, content=content.encode(), headers={"Content-Type": content_type}),
        token=SECRET,
    )
    shown = [str(exc), exc.user_message, exc.detail, exc.support_text(), repr(exc)]
    if isinstance(exc, e.FieldRejectedError):
        shown += [*exc.fields.values(), *exc.general]
    assert not [text for text in shown if SECRET in text]


def test_the_token_is_not_in_the_auths_repr() -> None:
    assert SECRET not in repr(BearerAuth(lambda: SECRET))


# ---------------------------------------------------------------------- base URLs


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("http://127.0.0.1:9/rest/v2", "http://127.0.0.1:9/rest/v2"),
        ("http://localhost:9", "http://localhost:9"),
        ("http://[::1]:8080/rest/v2", "http://[::1]:8080/rest/v2"),
        ("https://api.letsdeel.com/rest/v2", "https://api.letsdeel.com/rest/v2"),
        ("https://api.letsdeel.com/rest/v2/", "https://api.letsdeel.com/rest/v2"),
        ("  HTTPS://API.LetsDeel.com/rest/v2//  ", "https://api.letsdeel.com/rest/v2"),
        ("https://deel.example.test:8443/rest", "https://deel.example.test:8443/rest"),
    ],
)
def test_accepted_base_urls(typed: str, kept: str) -> None:
    assert validate_base_url(typed) == kept
    with DeelClient(typed, lambda: "tok") as client:
        assert client.base_url == kept


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "http://api.letsdeel.com/rest/v2",
        "http://192.168.1.10:8080/rest/v2",
        "http://localhost.evil.example/rest/v2",
        "http://127.0.0.1.nip.io/rest/v2",
        "https://api.letsdeel.com/rest/v2?debug=1",
        "https://api.letsdeel.com/rest/v2#top",
        "https://user:pass@api.letsdeel.com/rest/v2",
        "ftp://api.letsdeel.com/rest/v2",
        "api.letsdeel.com/rest/v2",
        "https://",
        "https://api.letsdeel.com:99999/rest/v2",
    ],
)
def test_refused_base_urls(typed: str) -> None:
    with pytest.raises(InvalidBaseURLError):
        validate_base_url(typed)
    with pytest.raises(InvalidBaseURLError):
        DeelClient(typed, lambda: "tok")


def test_plain_http_is_refused_with_a_reason() -> None:
    with pytest.raises(InvalidBaseURLError, match="https://"):
        validate_base_url("http://api.letsdeel.com/rest/v2")


def test_presets_are_https() -> None:
    assert BASE_URLS
    for url in BASE_URLS.values():
        assert url.startswith("https://")
        assert validate_base_url(url) == url


# ---------------------------------------------------------------------- paging


def _pages(pages: dict[str, dict[str, Any]]) -> Handler:
    """Answer a GET from ``pages`` by its cursor ("" for the first page)."""

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("cursor", "")])

    return respond


def test_find_by_email_matches_case_insensitively_across_pages() -> None:
    recorder = Recorder(
        _pages(
            {
                "": {
                    "data": [candidate_json(id="a", email="jane.doe@example.com")],
                    "has_more": True,
                    "next_cursor": "c2",
                },
                "c2": {
                    "data": [candidate_json(id="b", email="JANE@Example.COM", numeric_id=1002)],
                    "has_more": False,
                    "next_cursor": None,
                },
            }
        )
    )
    with mock_client(recorder) as client:
        found = client.find_by_email("jane@example.com")
    assert found is not None
    assert found.id == "b"
    assert found.numeric_id == 1002
    first, second = recorder.requests
    assert first.url.path == "/rest/v2/ats/candidates"
    assert first.url.params["search"] == "jane@example.com"
    assert "cursor" not in first.url.params
    assert second.url.params["cursor"] == "c2"
    assert second.url.params["search"] == "jane@example.com"


def test_find_by_email_returns_none_when_nobody_matches() -> None:
    recorder = Recorder(
        _pages(
            {
                "": {
                    "data": [candidate_json(email="jane.doe@example.com")],
                    "has_more": True,
                    "next_cursor": "2",
                },
                "2": {"data": [], "has_more": False, "next_cursor": None},
            }
        )
    )
    with mock_client(recorder) as client:
        assert client.find_by_email("jane@example.com") is None
    assert len(recorder.requests) == 2


def test_application_sources_follow_pages_and_are_lower_cased() -> None:
    recorder = Recorder(
        _pages(
            {
                "": {
                    "data": [{"slug": "Job_Fair"}, {"slug": "sourced_internally"}],
                    "has_more": True,
                    "next_cursor": "p2",
                },
                "p2": {
                    "data": [
                        {"slug": "JOB_FAIR"},
                        {"slug": ""},
                        {"name": "no slug"},
                        {"slug": "LinkedIn_Basic"},
                    ],
                    "has_more": False,
                    "next_cursor": None,
                },
            }
        )
    )
    with mock_client(recorder) as client:
        assert client.application_sources() == ["job_fair", "sourced_internally", "linkedin_basic"]
    assert [r.url.path for r in recorder.requests] == ["/rest/v2/ats/application-sources"] * 2
    assert recorder.requests[1].url.params["cursor"] == "p2"


def test_a_list_answer_without_a_list_is_a_bad_response() -> None:
    with (
        mock_client(answer(200, {"data": {"slug": "job_fair"}})) as client,
        pytest.raises(e.BadResponseError),
    ):
        client.application_sources()


# ====================================================================== 2. the real path


@pytest.fixture
def client(stand_in: StandIn) -> Iterator[DeelClient]:
    with DeelClient(stand_in.base_url, lambda: TOKEN) as deel:
        yield deel


def stored(stand_in: StandIn) -> list[dict[str, Any]]:
    return stand_in.candidates_snapshot()


def test_create_and_read_back(stand_in: StandIn, client: DeelClient) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    created = client.create_candidate(CANDIDATE, idempotency_key=str(uuid.uuid4()))
    assert uuid.UUID(created.id)
    assert created.numeric_id == 1001
    assert before <= created.created_at <= datetime.now(UTC) + timedelta(seconds=5)
    assert created.email == "jane@example.com"
    assert created.phone_number == "+16502530000"
    assert created.linkedin_profile_url == "https://www.linkedin.com/in/jane-doe"
    assert created.source is None
    (row,) = stored(stand_in)
    assert row["id"] == created.id
    assert row["first_name"] == "Jane"


def test_set_source_sets_it_in_deel(stand_in: StandIn, client: DeelClient) -> None:
    created = client.create_candidate(CANDIDATE, idempotency_key="k1")
    client.set_source(created.id, "job_fair")
    (row,) = stored(stand_in)
    assert str(row["source"]).lower() == "job_fair"


def test_intake_creates_then_applies_the_source(stand_in: StandIn, client: DeelClient) -> None:
    result = create_candidate(client, CANDIDATE, idempotency_key="k1")
    assert isinstance(result, IntakeResult)
    assert result.source_applied is True
    assert result.source_error is None
    assert result.source == "job_fair"
    (row,) = stored(stand_in)
    assert row["id"] == result.candidate.id
    assert str(row["source"]).lower() == "job_fair"
    methods = [(r.method, r.status) for r in stand_in.request_log()]
    assert methods == [("POST", 201), ("PATCH", 200)]


def test_intake_with_an_unknown_source_still_creates(stand_in: StandIn, client: DeelClient) -> None:
    result = create_candidate(client, make_candidate(source="not_a_source"), idempotency_key="k1")
    assert result.source_applied is False
    assert result.source_error == "Deel says: must be equal to one of the allowed values."
    (row,) = stored(stand_in)
    assert row["id"] == result.candidate.id
    assert row["source"] is None


def test_duplicate_email_in_another_case(stand_in: StandIn, client: DeelClient) -> None:
    client.create_candidate(CANDIDATE, idempotency_key="k1")
    with pytest.raises(e.DuplicateEmailError) as info:
        client.create_candidate(make_candidate(email="JANE@EXAMPLE.com"), idempotency_key="k2")
    assert info.value.status == 400
    assert len(stored(stand_in)) == 1


def test_same_idempotency_key_replays_the_first_answer(
    stand_in: StandIn, client: DeelClient
) -> None:
    first = client.create_candidate(CANDIDATE, idempotency_key="same-key")
    again = client.create_candidate(CANDIDATE, idempotency_key="same-key")
    assert again.id == first.id
    assert again.numeric_id == first.numeric_id
    assert len(stored(stand_in)) == 1
    assert [r.idempotency_key for r in stand_in.request_log()] == ["same-key", "same-key"]


def test_find_by_email_in_deel(client: DeelClient) -> None:
    jane = client.create_candidate(CANDIDATE, idempotency_key="k1")
    client.create_candidate(make_candidate(email="jane.doe@example.com"), idempotency_key="k2")
    found = client.find_by_email("Jane@Example.com")
    assert found is not None
    assert found.id == jane.id
    assert client.find_by_email("nobody@example.com") is None


def test_find_by_email_finds_an_idn_address(client: DeelClient) -> None:
    candidate = make_candidate(email="jane@müller.de")
    created = client.create_candidate(candidate, idempotency_key="k1")
    found = client.find_by_email(candidate.email)
    assert found is not None
    assert found.id == created.id


def test_a_unicode_linkedin_slug_is_accepted_by_deel(stand_in: StandIn, client: DeelClient) -> None:
    candidate = make_candidate(linkedin="https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller")
    client.create_candidate(candidate, idempotency_key="k1")
    assert len(stored(stand_in)) == 1


def test_application_sources_from_deel(client: DeelClient) -> None:
    assert client.application_sources() == list(APPLICATION_SOURCE_SLUGS)


def test_check_connection_counts_candidates(client: DeelClient) -> None:
    assert client.check_connection() == 0
    client.create_candidate(CANDIDATE, idempotency_key="k1")
    assert client.check_connection() == 1


def test_a_wrong_token_is_rejected(stand_in: StandIn) -> None:
    with (
        DeelClient(stand_in.base_url, lambda: "not-the-token") as deel,
        pytest.raises(e.TokenRejectedError) as info,
    ):
        deel.check_connection()
    assert info.value.status == 401
    assert info.value.api_req_id is not None
    assert HEX32.fullmatch(info.value.api_req_id)
    assert "not-the-token" not in info.value.support_text()


def test_a_read_only_token_may_not_create(stand_in: StandIn, client: DeelClient) -> None:
    stand_in.set_tokens({TOKEN: {"ats:read"}})
    assert client.check_connection() == 0
    with pytest.raises(e.MissingScopeError) as info:
        client.create_candidate(CANDIDATE, idempotency_key="k1")
    assert info.value.status == 403
    assert info.value.api_req_id is not None
    assert stored(stand_in) == []


def test_rate_limited_by_deel(stand_in: StandIn, client: DeelClient) -> None:
    stand_in.config.rate_limit = 1
    stand_in.config.rate_window = 60.0
    client.check_connection()
    with pytest.raises(e.RateLimitedError) as info:
        client.check_connection()
    assert info.value.retry_after is None
    assert info.value.detail == "Too many requests. Please wait before retrying."
    assert stand_in.count(429) == 1


def test_fault_server_error(stand_in: StandIn, client: DeelClient) -> None:
    stand_in.inject(Fault.server_error())
    with pytest.raises(e.ServerError) as info:
        client.create_candidate(CANDIDATE, idempotency_key="k1")
    assert info.value.status == 500
    assert info.value.outcome_unknown
    assert info.value.detail == "[INTERNAL_ERROR] Internal server error"
    assert stored(stand_in) == []


def test_fault_html_502_is_a_server_error(stand_in: StandIn, client: DeelClient) -> None:
    stand_in.inject(Fault.html_error())
    with pytest.raises(e.ServerError) as info:
        client.create_candidate(CANDIDATE, idempotency_key="k1")
    assert type(info.value) is e.ServerError
    assert info.value.status == 502
    assert "502 Bad Gateway" in info.value.detail


def test_fault_html_200_is_a_bad_response(stand_in: StandIn, client: DeelClient) -> None:
    stand_in.inject(Fault.html_error(200))
    with pytest.raises(e.BadResponseError) as info:
        client.check_connection()
    assert info.value.detail.startswith("HTTP 200 with a web page")


def test_fault_empty_answer_is_a_bad_response(stand_in: StandIn, client: DeelClient) -> None:
    stand_in.inject(Fault.empty(201))
    with pytest.raises(e.BadResponseError) as info:
        client.create_candidate(CANDIDATE, idempotency_key="k1")
    assert info.value.detail.startswith("HTTP 201 with an empty answer")


def test_fault_status_503(stand_in: StandIn, client: DeelClient) -> None:
    stand_in.inject(Fault.status(503, {"message": "Service Unavailable"}))
    with pytest.raises(e.ServerError) as info:
        client.check_connection()
    assert info.value.status == 503
    assert info.value.detail == "Service Unavailable"


def test_drop_after_store_then_replay_with_the_same_key(
    stand_in: StandIn, client: DeelClient
) -> None:
    stand_in.inject(Fault.drop_after_store())
    with pytest.raises(e.ConnectionLostError) as info:
        client.create_candidate(CANDIDATE, idempotency_key="drop-key")
    assert info.value.outcome_unknown
    (row,) = stored(stand_in)  # Deel did store it
    again = client.create_candidate(CANDIDATE, idempotency_key="drop-key")
    assert again.id == row["id"]
    assert len(stored(stand_in)) == 1


def test_drop_before_store_then_retry(stand_in: StandIn, client: DeelClient) -> None:
    stand_in.inject(Fault.drop_before_store())
    with pytest.raises(e.ConnectionLostError):
        client.create_candidate(CANDIDATE, idempotency_key="k1")
    assert stored(stand_in) == []
    created = client.create_candidate(CANDIDATE, idempotency_key="k1")
    assert [row["id"] for row in stored(stand_in)] == [created.id]


def test_slow_deel_times_out(stand_in: StandIn) -> None:
    stand_in.inject(Fault.slow(2))
    started = time.monotonic()
    with (
        DeelClient(stand_in.base_url, lambda: TOKEN, timeout=httpx.Timeout(0.3)) as deel,
        pytest.raises(e.TimedOutError) as info,
    ):
        deel.check_connection()
    assert time.monotonic() - started < 1.5
    assert info.value.outcome_unknown


def test_nothing_listening_is_offline() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as unused:
        unused.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        port = unused.getsockname()[1]
        with (
            DeelClient(f"http://127.0.0.1:{port}/rest/v2", lambda: TOKEN) as deel,
            pytest.raises(e.OfflineError) as info,
        ):
            deel.check_connection()
    assert not info.value.outcome_unknown
    assert info.value.transient


def test_the_rest_prefix_works_too(stand_in: StandIn) -> None:
    with DeelClient(stand_in.root_url + "/rest", lambda: TOKEN) as deel:
        created = deel.create_candidate(CANDIDATE, idempotency_key="k1")
        deel.set_source(created.id, "job_fair")
        assert deel.find_by_email("jane@example.com") is not None
    assert [r.path for r in stand_in.request_log()][:2] == [
        "/rest/ats/candidates",
        f"/rest/ats/candidates/{created.id}",
    ]


def test_a_short_token_never_alters_a_successful_answer(stand_in: StandIn) -> None:
    """Regression: scrubbing the token out of error texts once replaced every 't' in a
    success body when the token was 't'. Success bodies are never touched."""
    stand_in.set_tokens({"t": ["ats:read", "ats:write"]})
    with DeelClient(stand_in.base_url, lambda: "t") as client:
        created = client.create_candidate(
            make_candidate(email="tt@test.example"), idempotency_key="k"
        )
    assert created.email == "tt@test.example"
