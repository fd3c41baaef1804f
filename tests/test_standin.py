"""The stand-in for Deel's API, exercised over real loopback HTTP (no mocks)."""

from __future__ import annotations

import json
import logging
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from deel_intake.standin import ALL_SCOPES, Fault, StandIn, StandInConfig
from deel_intake.standin._validation import is_email, is_http_uri
from deel_intake.standin.cli import main

TOKEN = "test-token"
READ_ONLY = "read-only-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PATCH_HEADERS = {"X-Version": "2026-09-16"}
PROJECT_ROOT = Path(__file__).resolve().parent.parent
HEX = re.compile(r"[0-9a-f]{16,}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
# Plain HTTP only: a bare context spares every client the cost of loading CA certificates.
NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
RATE_LIMIT_BODY = {
    "error": "Rate limit exceeded",
    "status": 429,
    "message": "Too many requests. Please wait before retrying.",
}
CANDIDATE_KEYS = {
    "id",
    "numeric_id",
    "email",
    "first_name",
    "last_name",
    "phone_number",
    "linkedin_profile_url",
    "pic_url",
    "source",
    "imported_id",
    "import_session_id",
    "anonymized_at",
    "final_archivation_at",
    "created_at",
    "updated_at",
}
SLUGS = [
    "sourced_internally",
    "external_career_page",
    "linkedin_premium",
    "linkedin_basic",
    "internal_career_page",
    "internal_referral",
    "bulk_imported",
    "job_fair",
]


def _standin_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("deel-standin")]


def _config(**changes: Any) -> StandInConfig:
    tokens = {TOKEN: ALL_SCOPES, READ_ONLY: frozenset({"ats:read"})}
    return StandInConfig(tokens=tokens, **{"rate_limit": None, **changes})


@pytest.fixture
def standin() -> Iterator[StandIn]:
    server = StandIn(_config())
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert _standin_threads() == []


@pytest.fixture
def client(standin: StandIn) -> Iterator[httpx.Client]:
    with httpx.Client(verify=NO_TLS, base_url=standin.base_url, headers=AUTH, timeout=5.0) as http:
        yield http


def person(email: str = "ada@example.com", **extra: Any) -> dict[str, Any]:
    return {"data": {"email": email, "first_name": "Ada", "last_name": "Lovelace", **extra}}


def create(client: httpx.Client, email: str = "ada@example.com", **extra: Any) -> dict[str, Any]:
    response = client.post("/ats/candidates", json=person(email, **extra))
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def assert_container(
    response: httpx.Response, status: int, method: str, url: str
) -> list[dict[str, Any]]:
    """Deel's ApiErrorContainer; returns its errors."""
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"request", "errors"}
    request = body["request"]
    assert request["method"] == method
    assert request["url"] == url
    assert request["status"] == status
    assert request["code"] == status
    assert request["docs"] == "https://developer.deel.com/docs"
    assert isinstance(request["source"], str)
    assert HEX.fullmatch(request["api_req_id"])
    errors: list[dict[str, Any]] = body["errors"]
    assert errors
    return errors


# ---------------------------------------------------------------------- creating


def test_create_answers_201_in_deel_shape(standin: StandIn, client: httpx.Client) -> None:
    response = client.post(
        "/ats/candidates",
        json=person(
            phone_number="+33 6 12 34 56 78", linkedin_profile_url="https://linkedin.com/in/ada"
        ),
    )

    assert response.status_code == 201
    assert response.headers["content-length"] == str(len(response.content))
    data = response.json()["data"]
    assert set(data) == CANDIDATE_KEYS
    assert uuid.UUID(data["id"]).version == 4
    assert data["numeric_id"] == 1001
    assert (data["email"], data["first_name"], data["last_name"]) == (
        "ada@example.com",
        "Ada",
        "Lovelace",
    )
    assert data["phone_number"] == "+33 6 12 34 56 78"
    assert data["linkedin_profile_url"] == "https://linkedin.com/in/ada"
    assert data["pic_url"] is None
    for key in ("source", "imported_id", "import_session_id", "anonymized_at"):
        assert data[key] is None
    assert data["final_archivation_at"] is None
    assert TIMESTAMP.fullmatch(data["created_at"])
    assert data["updated_at"] == data["created_at"]
    assert standin.candidates_snapshot() == [data]
    assert create(client, "grace@example.com")["numeric_id"] == 1002


def test_no_rate_limit_headers_and_keep_alive(client: httpx.Client) -> None:
    first = client.get("/ats/candidates")
    second = client.get("/ats/candidates")

    for response in (first, second):
        assert response.status_code == 200
        assert response.http_version == "HTTP/1.1"
        assert not any("ratelimit" in name or name == "retry-after" for name in response.headers)


def test_both_prefixes_serve_the_same_data(standin: StandIn) -> None:
    with httpx.Client(verify=NO_TLS, base_url=standin.root_url, headers=AUTH) as http:
        created = http.post("/rest/ats/candidates", json=person()).json()["data"]
        by_v2 = http.get(f"/rest/v2/ats/candidates/{created['id']}")
        listed = http.get("/rest/ats/candidates").json()

    assert by_v2.json()["data"] == created
    assert listed["data"] == [created]
    assert standin.base_url == f"{standin.root_url}/rest/v2"


# ---------------------------------------------------------------------- auth


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}],
    ids=["missing", "unknown", "not-bearer"],
)
def test_unauthorized_is_401_container(standin: StandIn, headers: dict[str, str]) -> None:
    with httpx.Client(verify=NO_TLS, base_url=standin.base_url, headers=headers) as http:
        response = http.post("/ats/candidates", json=person())

    errors = assert_container(response, 401, "POST", "/rest/v2/ats/candidates")
    assert errors == [{"message": "Unauthorized"}]
    assert response.json()["request"]["source"] == "auth"
    assert standin.candidates_snapshot() == []


def test_missing_scope_is_403(standin: StandIn) -> None:
    with httpx.Client(
        verify=NO_TLS, base_url=standin.base_url, headers={"Authorization": f"Bearer {READ_ONLY}"}
    ) as http:
        denied = http.post("/ats/candidates", json=person())
        allowed = http.get("/ats/candidates")

    errors = assert_container(denied, 403, "POST", "/rest/v2/ats/candidates")
    assert errors == [{"message": "Missing required scope: ats:write"}]
    assert allowed.status_code == 200


def test_revoking_a_token_mid_run(standin: StandIn, client: httpx.Client) -> None:
    assert client.get("/ats/candidates").status_code == 200

    standin.set_tokens({"another": {"ats:read"}})

    assert client.get("/ats/candidates").status_code == 401


def test_authorization_header_is_never_logged(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="deel_intake.standin")

    client.get("/ats/candidates")

    assert "/rest/v2/ats/candidates" in caplog.text
    assert TOKEN not in caplog.text


# ---------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"first_name": "Ada"},
            [
                ("/data", "must have required property 'email'"),
                ("/data", "must have required property 'last_name'"),
            ],
        ),
        (
            {"email": "not-an-email", "first_name": "Ada", "last_name": "L"},
            [("/data/email", 'must match format "email"')],
        ),
        (
            {"email": "a@example.com", "first_name": "", "last_name": 7},
            [
                ("/data/first_name", "must NOT have fewer than 1 characters"),
                ("/data/last_name", "must be string"),
            ],
        ),
        (
            {"email": "a@example.com", "first_name": "A", "last_name": "L", "source": "x"},
            [("/data", "must NOT have additional properties: source")],
        ),
        (
            {
                "email": "a@example.com",
                "first_name": "A",
                "last_name": "L",
                "phone_number": 33612345678,
                "pic_url": "ftp://example.com/a.png",
                "linkedin_profile_url": "linkedin.com/in/ada",
            },
            [
                ("/data/phone_number", "must be string,null"),
                ("/data/linkedin_profile_url", 'must match format "uri"'),
                ("/data/pic_url", 'must match format "uri"'),
            ],
        ),
    ],
    ids=["missing", "bad-email", "empty-and-type", "extra-field", "optional-fields"],
)
def test_validation_errors_in_container_shape(
    standin: StandIn,
    client: httpx.Client,
    data: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    response = client.post("/ats/candidates", json={"data": data})

    errors = assert_container(response, 400, "POST", "/rest/v2/ats/candidates")
    assert [(e["path"], e["message"]) for e in errors] == expected
    assert standin.candidates_snapshot() == []


def test_validation_errors_in_errors_shape(standin: StandIn, client: httpx.Client) -> None:
    standin.config.error_shape = "errors"

    bad_email = client.post("/ats/candidates", json=person("nope"))
    missing = client.post("/ats/candidates", json={"data": {"email": "a@example.com"}})

    assert bad_email.status_code == 400
    assert bad_email.json() == {
        "errors": [{"code": "VALIDATION_ERROR", "message": 'data/email must match format "email"'}]
    }
    assert missing.json()["errors"] == [
        {"code": "VALIDATION_ERROR", "message": "data must have required property 'first_name'"},
        {"code": "VALIDATION_ERROR", "message": "data must have required property 'last_name'"},
    ]


@pytest.mark.parametrize(
    ("content", "path", "message"),
    [
        (b"[]", "", "must be object"),
        (b'{"email": "a@example.com"}', "", "must have required property 'data'"),
        (b'{"data": "a@example.com"}', "/data", "must be object"),
    ],
)
def test_envelope_must_be_an_object_with_data(
    client: httpx.Client, content: bytes, path: str, message: str
) -> None:
    response = client.post(
        "/ats/candidates", content=content, headers={"Content-Type": "application/json"}
    )

    errors = assert_container(response, 400, "POST", "/rest/v2/ats/candidates")
    assert errors == [{"message": message, "path": path}]


@pytest.mark.parametrize("content", [b"", b"{not json", b"\xff\xfe"])
def test_non_json_body_is_400_container(client: httpx.Client, content: bytes) -> None:
    response = client.post("/ats/candidates", content=content)

    assert_container(response, 400, "POST", "/rest/v2/ats/candidates")


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("ada@example.com", True),
        ("ADA.Lovelace+fair@Sub.Example.CO", True),
        ("o'brien@example.ie", True),
        ("ada@localhost", False),
        ("ada@@example.com", False),
        ("ada.@example.com", False),
        ("ada@-example.com", False),
        ("adà@example.com", False),
        ("ada@example.com\n", False),
        ("\u212aelvin@example.com", False),  # Kelvin sign: IGNORECASE alone would accept it
    ],
)
def test_email_format_is_ajvs(email: str, *, valid: bool) -> None:
    assert is_email(email) is valid


@pytest.mark.parametrize(
    ("uri", "valid"),
    [
        ("https://www.linkedin.com/in/ada-lovelace", True),
        ("http://example.com/a%20b.png?size=2#x", True),
        ("//example.com/a.png", False),
        ("mailto:ada@example.com", False),
        ("https://exa mple.com", False),
        ("https://", False),
        ("https://[::1", False),
    ],
)
def test_uri_format(uri: str, *, valid: bool) -> None:
    assert is_http_uri(uri) is valid


def test_duplicate_email_is_refused_case_insensitively(
    standin: StandIn, client: httpx.Client
) -> None:
    create(client, "Ada@Example.com")

    response = client.post("/ats/candidates", json=person("ada@EXAMPLE.COM"))

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "code": "CANDIDATE_ALREADY_EXISTS",
                "message": "A candidate with this email already exists",
            }
        ]
    }
    assert len(standin.candidates_snapshot()) == 1


# ---------------------------------------------------------------------- idempotency


def test_idempotency_key_replays_the_first_answer(standin: StandIn, client: httpx.Client) -> None:
    key = {"Idempotency-Key": "fair-2026-0001"}

    first = client.post("/ats/candidates", json=person(), headers=key)
    second = client.post("/ats/candidates", json=person(), headers=key)
    other = client.post("/ats/candidates", json=person(), headers={"Idempotency-Key": "other"})

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert len(standin.candidates_snapshot()) == 1
    assert other.status_code == 400  # a new key is a new attempt: the e-mail now exists
    assert [entry.idempotency_key for entry in standin.request_log()] == [
        "fair-2026-0001",
        "fair-2026-0001",
        "other",
    ]


def test_idempotency_key_replays_a_400_too(standin: StandIn, client: httpx.Client) -> None:
    key = {"Idempotency-Key": "k-400"}

    first = client.post("/ats/candidates", json=person("bad"), headers=key)
    retried = client.post("/ats/candidates", json=person(), headers=key)

    assert first.status_code == retried.status_code == 400
    assert retried.json() == first.json()
    assert standin.candidates_snapshot() == []


def test_concurrent_retries_with_one_key_store_once(standin: StandIn) -> None:
    def post(email: str, key: str) -> httpx.Response:
        with httpx.Client(verify=NO_TLS, base_url=standin.base_url, headers=AUTH) as http:
            return http.post(
                "/ats/candidates", json=person(email), headers={"Idempotency-Key": key}
            )

    with ThreadPoolExecutor(max_workers=8) as pool:
        same_key = list(pool.map(post, ["ada@example.com"] * 8, ["one-key"] * 8))
        distinct = list(pool.map(post, [f"p{n}@example.com" for n in range(8)], map(str, range(8))))

    assert {r.json()["data"]["id"] for r in same_key} == {same_key[0].json()["data"]["id"]}
    assert all(r.status_code == 201 for r in same_key + distinct)
    numeric_ids = sorted(c["numeric_id"] for c in standin.candidates_snapshot())
    assert numeric_ids == list(range(1001, 1010))


# ---------------------------------------------------------------------- reading


def test_search_matches_email_and_names_case_insensitively(client: httpx.Client) -> None:
    ada = create(client, "ada@example.com")
    grace = client.post(
        "/ats/candidates",
        json={"data": {"email": "gh@navy.mil", "first_name": "Grace", "last_name": "Hopper"}},
    ).json()["data"]

    by_email = client.get("/ats/candidates", params={"search": "ADA@EXAMPLE"}).json()
    by_name = client.get("/ats/candidates", params={"search": "hopp"}).json()
    nobody = client.get("/ats/candidates", params={"search": "turing"}).json()

    assert by_email == {"data": [ada], "has_more": False, "next_cursor": None, "total_count": 1}
    assert by_name["data"] == [grace]
    assert nobody["data"] == []
    assert nobody["total_count"] == 0


def test_paging_with_limit_and_cursor(client: httpx.Client) -> None:
    emails = [f"p{n}@example.com" for n in range(5)]
    for email in emails:
        create(client, email)

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = client.get("/ats/candidates", params=params).json()
        pages += 1
        assert page["total_count"] == 5
        seen += [c["email"] for c in page["data"]]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
        assert isinstance(cursor, str)

    assert seen == emails
    assert pages == 3
    assert len(client.get("/ats/candidates").json()["data"]) == 5  # default limit 20


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"limit": "101"}, "/query/limit"),
        ({"limit": "0"}, "/query/limit"),
        ({"limit": "ten"}, "/query/limit"),
        ({"cursor": "not-a-cursor"}, "/query/cursor"),
    ],
)
def test_bad_paging_parameters_are_400(
    client: httpx.Client, params: dict[str, str], path: str
) -> None:
    response = client.get("/ats/candidates", params=params)

    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == [path]


def test_get_one_candidate(client: httpx.Client) -> None:
    created = create(client)

    found = client.get(f"/ats/candidates/{created['id']}")
    missing = client.get(f"/ats/candidates/{uuid.uuid4()}")

    assert found.json() == {"data": created}
    errors = assert_container(missing, 404, "GET", missing.request.url.raw_path.decode())
    assert errors == [{"message": "Candidate not found"}]


def test_unknown_routes_are_404_container(client: httpx.Client) -> None:
    response = client.get("/ats/jobs")
    wrong_method = client.delete("/ats/candidates")

    assert_container(response, 404, "GET", "/rest/v2/ats/jobs")
    assert_container(wrong_method, 404, "DELETE", "/rest/v2/ats/candidates")


# ---------------------------------------------------------------------- application source


def test_patch_sets_the_application_source(client: httpx.Client) -> None:
    created = create(client)

    response = client.patch(
        f"/ats/candidates/{created['id']}",
        json={"data": {"origin_source_slug": "sourced_internally"}},
        headers=PATCH_HEADERS,
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["source"] == "SOURCED_INTERNALLY"
    assert data["id"] == created["id"]
    assert client.get(f"/ats/candidates/{created['id']}").json()["data"] == data


def test_patch_requires_x_version(client: httpx.Client) -> None:
    created = create(client)

    response = client.patch(
        f"/ats/candidates/{created['id']}", json={"data": {"origin_source_slug": "job_fair"}}
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(response.json()) == {"errors"}
    assert "X-Version" in errors[0]["message"]
    assert "2026-09-16" in errors[0]["message"]


def test_patch_unknown_candidate_is_404(client: httpx.Client) -> None:
    url = f"/ats/candidates/{uuid.uuid4()}"

    response = client.patch(
        url, json={"data": {"origin_source_slug": "job_fair"}}, headers=PATCH_HEADERS
    )

    assert_container(response, 404, "PATCH", f"/rest/v2{url}")


def test_patch_unknown_slug_is_400_container(client: httpx.Client) -> None:
    created = create(client)
    url = f"/ats/candidates/{created['id']}"

    response = client.patch(
        url, json={"data": {"origin_source_slug": "carrier_pigeon"}}, headers=PATCH_HEADERS
    )

    errors = assert_container(response, 400, "PATCH", f"/rest/v2{url}")
    assert [e["path"] for e in errors] == ["/data/origin_source_slug"]


def test_application_sources(client: httpx.Client) -> None:
    everything = client.get("/ats/application-sources").json()
    first = client.get("/ats/application-sources", params={"limit": "3"}).json()
    rest = client.get(
        "/ats/application-sources", params={"limit": "100", "cursor": first["next_cursor"]}
    ).json()

    assert [s["slug"] for s in everything["data"]] == SLUGS
    assert everything["has_more"] is False
    assert everything["next_cursor"] is None
    assert everything["total_count"] == 8
    for source in everything["data"]:
        assert set(source) == {"id", "slug", "created_at", "updated_at"}
        assert TIMESTAMP.fullmatch(source["created_at"])
    assert first["has_more"] is True
    assert first["data"] + rest["data"] == everything["data"]


# ---------------------------------------------------------------------- rate limit


def test_rate_limit_is_organization_wide_and_bare() -> None:
    with (
        StandIn(_config(rate_limit=5, rate_window=1.0)) as standin,
        httpx.Client(verify=NO_TLS, base_url=standin.base_url) as http,
    ):
        responses = [
            http.get("/ats/candidates", headers={"Authorization": f"Bearer {token}"})
            for token in [TOKEN, READ_ONLY] * 6
        ]

        statuses = [r.status_code for r in responses]
        assert statuses[:5] == [200] * 5
        limited = [r for r in responses if r.status_code == 429]
        assert limited
        for response in limited:
            assert response.json() == RATE_LIMIT_BODY
            assert "retry-after" not in response.headers
            assert not any("ratelimit" in name for name in response.headers)
        assert standin.max_requests_in_window() <= 5
        assert standin.count(429) == len(limited)
        assert standin.count(200) == 12 - len(limited)


def test_rate_limit_window_slides_and_is_checked_before_auth() -> None:
    with (
        StandIn(_config(rate_limit=2, rate_window=0.3)) as standin,
        httpx.Client(verify=NO_TLS, base_url=standin.base_url, headers=AUTH) as http,
    ):
        assert http.get("/ats/candidates").status_code == 200
        assert http.get("/ats/candidates").status_code == 200
        unauthenticated = http.get("/ats/candidates", headers={"Authorization": ""})
        standin.inject(Fault.server_error())
        limited = http.get("/ats/candidates")
        time.sleep(0.35)
        after = http.get("/ats/candidates")

        assert unauthenticated.status_code == 429
        assert limited.status_code == 429
        assert after.status_code == 500  # the fault was waiting: a 429 does not consume it
        assert standin.pending_faults() == []
        assert standin.max_requests_in_window() == 2


# ---------------------------------------------------------------------- faults


def test_server_error_fault(standin: StandIn, client: httpx.Client) -> None:
    standin.inject(Fault.server_error())

    failed = client.get("/ats/candidates")
    recovered = client.get("/ats/candidates")

    assert failed.status_code == 500
    assert failed.json()["errors"][0]["code"] == "INTERNAL_ERROR"
    assert recovered.status_code == 200


def test_slow_fault_delays_then_answers(standin: StandIn, client: httpx.Client) -> None:
    standin.inject(Fault.slow(0.2))

    started = time.monotonic()
    response = client.post("/ats/candidates", json=person())
    elapsed = time.monotonic() - started

    assert response.status_code == 201
    assert elapsed >= 0.2
    assert len(standin.candidates_snapshot()) == 1


def test_drop_after_store_stores_but_never_answers(standin: StandIn, client: httpx.Client) -> None:
    standin.inject(Fault.drop_after_store())
    key = {"Idempotency-Key": "dropped-once"}

    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post("/ats/candidates", json=person(), headers=key)
    stored = standin.candidates_snapshot()
    retried = client.post("/ats/candidates", json=person(), headers=key)

    assert len(stored) == 1
    assert retried.status_code == 201
    assert retried.json()["data"]["id"] == stored[0]["id"]
    assert len(standin.candidates_snapshot()) == 1
    assert [entry.status for entry in standin.request_log()] == [None, 201]


def test_drop_before_store_stores_nothing(standin: StandIn, client: httpx.Client) -> None:
    standin.inject(Fault.drop_before_store())

    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post("/ats/candidates", json=person())

    assert standin.candidates_snapshot() == []
    assert create(client)["numeric_id"] == 1001


def test_html_error_fault(standin: StandIn, client: httpx.Client) -> None:
    standin.inject(Fault.html_error(), Fault.html_error(status=504))

    first = client.get("/ats/candidates")
    second = client.get("/ats/candidates")

    assert (first.status_code, second.status_code) == (502, 504)
    assert first.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in first.text
    with pytest.raises(json.JSONDecodeError):
        first.json()


def test_empty_and_status_faults(standin: StandIn, client: httpx.Client) -> None:
    standin.inject(Fault.empty(), Fault.status(418, {"teapot": True}))

    empty = client.get("/ats/candidates")
    custom = client.get("/ats/candidates")

    assert empty.status_code == 200
    assert empty.content == b""
    assert empty.headers["content-length"] == "0"
    assert custom.status_code == 418
    assert custom.json() == {"teapot": True}


def test_faults_wait_for_the_request_they_match(standin: StandIn, client: httpx.Client) -> None:
    standin.inject(Fault.server_error(method="POST", path="/ats/candidates"))

    listed = client.get("/ats/candidates")
    one = client.get(f"/ats/candidates/{uuid.uuid4()}")
    created = client.post("/ats/candidates", json=person())

    assert listed.status_code == 200
    assert one.status_code == 404
    assert created.status_code == 500
    assert standin.pending_faults() == []
    assert standin.candidates_snapshot() == []


def test_latency_is_added_to_every_request() -> None:
    with (
        StandIn(_config(latency=0.15)) as standin,
        httpx.Client(verify=NO_TLS, base_url=standin.base_url, headers=AUTH) as http,
    ):
        started = time.monotonic()
        http.get("/ats/candidates")
        assert time.monotonic() - started >= 0.15


# ---------------------------------------------------------------------- lifecycle, HTTP


def test_stop_ends_kept_alive_connections_and_slow_requests() -> None:
    standin = StandIn(_config())
    standin.start()
    standin.inject(Fault.slow(30))
    with httpx.Client(verify=NO_TLS, base_url=standin.base_url, headers=AUTH, timeout=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get("/ats/candidates")
        started = time.monotonic()
        standin.stop()
        assert time.monotonic() - started < 2
    assert _standin_threads() == []
    assert not standin.running


def test_reset_forgets_everything(standin: StandIn, client: httpx.Client) -> None:
    create(client)
    standin.inject(Fault.server_error())
    standin.reset()

    assert standin.candidates_snapshot() == []
    assert standin.pending_faults() == []
    assert standin.request_log() == []
    assert standin.max_requests_in_window() == 0
    assert create(client)["numeric_id"] == 1001


def test_chunked_body_is_read(client: httpx.Client) -> None:
    payload = json.dumps(person()).encode()

    response = client.post(
        "/ats/candidates",
        content=iter([payload[:10], payload[10:]]),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 201


def test_malformed_request_still_gets_json(standin: StandIn) -> None:
    with socket.create_connection(("127.0.0.1", standin.port), timeout=5) as raw:
        raw.sendall(
            b"POST /rest/v2/ats/candidates HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"
        )
        received = b""
        while chunk := raw.recv(65536):
            received += chunk

    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert f"Content-Length: {len(body)}".encode() in head
    assert json.loads(body)["errors"] == [{"message": "Invalid Content-Length"}]


# ---------------------------------------------------------------------- command line


def test_cli_serves_until_sigterm() -> None:
    command = [sys.executable, "-m", "deel_intake.standin", "--port", "0", "--token", "cli-t"]
    with subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            banner = process.stdout.readline().strip()
            token_line = process.stdout.readline().strip()
            match = re.fullmatch(
                r"Deel stand-in serving at (http://127\.0\.0\.1:(\d+)/rest/v2)", banner
            )
            assert match, banner
            assert int(match[2]) > 0
            assert token_line == "Token: cli-t"
            response = httpx.get(
                f"{match[1]}/ats/application-sources", headers={"Authorization": "Bearer cli-t"}
            )
            assert response.status_code == 200
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=5) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_cli_refuses_non_loopback_hosts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0", "--port", "0"]) == 2
    assert "loopback" in capsys.readouterr().err
