"""The candidate's rules: ``validate_draft`` turns what a recruiter typed into a ``Candidate``
(or one sentence per field), and ``create_body`` is what Deel receives. No Qt, no network."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from deel_intake.domain.candidate import (
    FIELDS,
    NAME_MAX,
    Candidate,
    CandidateDraft,
    DraftInvalidError,
    validate_draft,
)
from deel_intake.domain.linkedin import LinkedInError, canonical_linkedin_url, linkedin_slug

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "create_candidate_request.json"
DOCUMENTED_FIELDS = {"email", "first_name", "last_name", "phone_number", "linkedin_profile_url"}
# ajv-formats' "email" format (fast mode), ASCII only: what Deel's validator lets through.
AJV_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
    re.IGNORECASE | re.ASCII,
)
CANONICAL = "https://www.linkedin.com/in/jane-doe"
VALID: dict[str, str] = {
    "first_name": "Jane",
    "last_name": "Doe",
    "email": "jane@example.com",
    "source": "job_fair",
}


def draft(**changes: str) -> CandidateDraft:
    return CandidateDraft(**{**VALID, **changes})


def valid(region: str = "US", **changes: str) -> Candidate:
    return validate_draft(draft(**changes), region=region)


def errors_of(region: str = "US", **changes: str) -> dict[str, str]:
    with pytest.raises(DraftInvalidError) as info:
        validate_draft(draft(**changes), region=region)
    return info.value.errors


def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def schema_validator() -> Any:
    return Draft202012Validator(load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_problems(body: object) -> list[str]:
    return [
        f"{list(err.absolute_path)}: {err.message}" for err in schema_validator().iter_errors(body)
    ]


# ---------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Jane", "Jane"),
        ("  Jane  ", "Jane"),
        ("Jane   Mary", "Jane Mary"),
        ("\tJane \n Mary\u00a0 ", "Jane Mary"),
        ("Zoë", "Zoë"),
        ("Ñúñez García", "Ñúñez García"),
        ("李", "李"),
        ("Σωκράτης", "Σωκράτης"),
        ("O'Brien", "O'Brien"),
        ("Jean-Luc", "Jean-Luc"),
        ("Zoe\u0308", "Zo\u00eb"),
        ("Jose\u0301", "Jos\u00e9"),
        ("A\u030angstro\u0308m", "\u00c5ngstr\u00f6m"),
        ("x" * NAME_MAX, "x" * NAME_MAX),
    ],
)
def test_names_are_trimmed_collapsed_and_nfc(typed: str, stored: str) -> None:
    candidate = valid(first_name=typed, last_name=typed)
    assert candidate.first_name == stored
    assert candidate.last_name == stored
    assert unicodedata.is_normalized("NFC", candidate.first_name)
    assert candidate.full_name == f"{stored} {stored}"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "First name is required."),
        ("   ", "First name is required."),
        ("\t\n", "First name is required."),
        ("x" * (NAME_MAX + 1), "Keep the first name to 100 characters or fewer."),
        ("Ja\x00ne", "The first name contains invisible or control characters."),
        ("Ja\x07ne", "The first name contains invisible or control characters."),
        ("Ja\u200bne", "The first name contains invisible or control characters."),
        ("Jane\u202e", "The first name contains invisible or control characters."),
        ("12345", "The first name needs at least one letter."),
        ("- '", "The first name needs at least one letter."),
    ],
)
def test_bad_first_names_are_refused(typed: str, message: str) -> None:
    assert errors_of(first_name=typed) == {"first_name": message}


def test_last_name_messages_name_the_last_name() -> None:
    assert errors_of(last_name=" ") == {"last_name": "Last name is required."}
    assert errors_of(last_name="y" * 101) == {
        "last_name": "Keep the last name to 100 characters or fewer."
    }


# ---------------------------------------------------------------------- email


@pytest.mark.parametrize(
    ("typed", "stored", "sent"),
    [
        ("jane@example.com", "jane@example.com", "jane@example.com"),
        ("  jane@example.com \t", "jane@example.com", "jane@example.com"),
        ("jane+fair@example.com", "jane+fair@example.com", "jane+fair@example.com"),
        ("Jane.Doe@EXAMPLE.COM", "Jane.Doe@example.com", "Jane.Doe@example.com"),
        ("jane@müller.de", "jane@müller.de", "jane@xn--mller-kva.de"),
        ("jane@MÜLLER.DE", "jane@müller.de", "jane@xn--mller-kva.de"),
        ("jane@xn--mller-kva.de", "jane@müller.de", "jane@xn--mller-kva.de"),
        ("jane@例え.jp", "jane@例え.jp", "jane@xn--r8jz45g.jp"),
    ],
)
def test_email_is_trimmed_and_its_domain_normalised(typed: str, stored: str, sent: str) -> None:
    candidate = valid(email=typed)
    assert candidate.email == stored
    assert candidate.create_body()["data"]["email"] == sent


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("", "Email is required."),
        ("   ", "Email is required."),
        ("jäne@example.com", "Deel"),
        ("janeexample.com", "@"),
        ("jane@@example.com", "@"),
        ("ja@ne@example.com", "@"),
        ("jane@", "Check the email address"),
        ("jane@example", "Check the email address"),
        ("jane doe@example.com", "Check the email address"),
        ("a" * 250 + "@example.com", "too long"),
    ],
)
def test_bad_emails_are_refused_with_a_message(typed: str, fragment: str) -> None:
    errors = errors_of(email=typed)
    assert list(errors) == ["email"]
    assert fragment in errors["email"]


def test_non_ascii_local_part_message_mentions_deel() -> None:
    message = errors_of(email="jäne@example.com")["email"]
    assert message.startswith("Check the email address: ")
    assert "Deel only accepts" in message


def test_email_key_is_case_insensitive() -> None:
    upper = valid(email="Jane.Doe@Example.COM")
    lower = valid(email="jane.doe@example.com")
    assert upper.email != lower.email  # the local part is kept as typed
    assert upper.email_key == lower.email_key == "jane.doe@example.com"
    assert valid(email="JANE@MÜLLER.DE").email_key == valid(email="jane@müller.de").email_key


def test_email_key_keeps_different_idn_domains_apart() -> None:
    eszett = valid(email="jane@straße.de")
    plain = valid(email="jane@strasse.de")
    assert eszett.create_body()["data"]["email"] != plain.create_body()["data"]["email"]
    assert eszett.email_key != plain.email_key


# ---------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("+1 650-253-0000", "US", "+16502530000"),
        ("(650) 253-0000", "US", "+16502530000"),
        ("030 901820", "DE", "+4930901820"),
        ("0151 23456789", "de", "+4915123456789"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("01 42 68 53 00", "FR", "+33142685300"),
        ("+91 98765 43210", "US", "+919876543210"),
        ("03-1234-5678", "JP", "+81312345678"),
        ("+55 11 91234-5678", "DE", "+5511912345678"),
        ("+61 2 9374 4000", "", "+61293744000"),
        ("  +44 20 7946 0958  ", "US", "+442079460958"),
    ],
)
def test_phone_numbers_become_e164(typed: str, region: str, e164: str) -> None:
    parsed = phonenumbers.parse(typed.strip(), region.upper() or None)
    assert phonenumbers.is_valid_number(parsed), "the example itself must be a valid number"
    candidate = valid(region=region, phone=typed)
    assert candidate.phone == e164
    assert candidate.create_body()["data"]["phone_number"] == e164


@pytest.mark.parametrize("typed", ["", "   "])
def test_phone_is_optional(typed: str) -> None:
    candidate = valid(phone=typed)
    assert candidate.phone is None
    assert "phone_number" not in candidate.create_body()["data"]


@pytest.mark.parametrize(
    ("typed", "region", "message"),
    [
        (
            "020 7946 0958",
            "US",
            "Not a valid phone number for United States. If it is from abroad, "
            "start with + and the country code.",
        ),
        (
            "030 901820",
            "FR",
            "Not a valid phone number for France. If it is from abroad, "
            "start with + and the country code.",
        ),
        ("12", "US", "Not a valid phone number for United States."),
        ("+1 555", "US", "Not a real phone number — check the digits and the country code."),
        ("+1 202 555 01", "DE", "Not a real phone number — check the digits and the country code."),
        ("abc", "US", "A phone number has digits only (spaces, + and - are fine)."),
        ("call me", "GB", "A phone number has digits only (spaces, + and - are fine)."),
        ("+999 1234", "US", "Start the number with + and the country code"),
        ("030 901820", "", "Start the number with + and the country code"),
        ("123456789012345678901", "US", "This phone number is too short or too long."),
    ],
)
def test_bad_phone_numbers_are_refused(typed: str, region: str, message: str) -> None:
    errors = errors_of(region=region, phone=typed)
    assert list(errors) == ["phone"]
    assert errors["phone"].startswith(message)


# ---------------------------------------------------------------------- LinkedIn

LINKEDIN_FORMS = [
    "linkedin.com/in/jane-doe",
    "www.linkedin.com/in/jane-doe/",
    "https://www.linkedin.com/in/jane-doe",
    "https://www.linkedin.com/in/jane-doe?trk=public_profile",
    "http://linkedin.com/in/Jane-Doe#x",
    "https://de.linkedin.com/in/jane-doe/",
    "m.linkedin.com/in/jane-doe",
    "https://www.linkedin.com/in/jane-doe/details/experience/",
    "HTTPS://WWW.LINKEDIN.COM/IN/JANE-DOE",
    "https://www.linkedin.com:443/in/jane-doe",
    "https://www.linkedin.com/in/jane%2Ddoe",
    "  https://www.linkedin.com/in/jane-doe/  ",
]


@pytest.mark.parametrize("typed", LINKEDIN_FORMS)
def test_every_form_of_a_profile_link_becomes_canonical(typed: str) -> None:
    assert canonical_linkedin_url(typed) == CANONICAL
    assert linkedin_slug(typed) == "jane-doe"
    candidate = valid(linkedin=typed)
    assert candidate.linkedin == CANONICAL
    assert candidate.linkedin_slug == "jane-doe"
    assert candidate.create_body()["data"]["linkedin_profile_url"] == CANONICAL


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller", "jürgen-müller"),
        ("https://www.linkedin.com/in/J%C3%9CRGEN-M%C3%9CLLER/", "jürgen-müller"),
        ("linkedin.com/in/%E6%9D%8E%E5%B0%8F%E9%BE%99", "李小龙"),
        ("https://fr.linkedin.com/in/zo%C3%AB-dupont?trk=x", "zoë-dupont"),
    ],
)
def test_percent_encoded_unicode_slugs_are_decoded_and_lower_cased(typed: str, slug: str) -> None:
    assert linkedin_slug(typed) == slug
    assert valid(linkedin=typed).linkedin_slug == slug


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        (
            "https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller",
            "https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller",
        ),
        (
            "linkedin.com/in/%E6%9D%8E%E5%B0%8F%E9%BE%99",
            "https://www.linkedin.com/in/%E6%9D%8E%E5%B0%8F%E9%BE%99",
        ),
    ],
)
def test_unicode_slug_is_sent_as_a_valid_uri(typed: str, canonical: str) -> None:
    body = valid(linkedin=typed).create_body()
    assert body["data"]["linkedin_profile_url"] == canonical
    assert schema_problems(body) == []


@pytest.mark.parametrize(
    "typed",
    [
        "github.com/jane",
        "https://github.com/jane",
        "linkedin.evil.com/in/x",
        "evil-linkedin.com/in/x",
        "https://linkedin.com.evil.com/in/jane-doe",
        "https://www.linkedin.co/in/jane-doe",
    ],
)
def test_other_sites_are_not_linkedin(typed: str) -> None:
    message = errors_of(linkedin=typed)["linkedin"]
    assert "is not LinkedIn" in message
    with pytest.raises(LinkedInError, match="is not LinkedIn"):
        linkedin_slug(typed)


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("https://www.linkedin.com/company/deel", "company"),
        ("linkedin.com/company/deel/", "company"),
        ("https://www.linkedin.com/school/mit/", "school"),
        ("https://www.linkedin.com/showcase/deel-engineering", "showcase"),
        ("linkedin.com/in/", "person's profile"),
        ("linkedin.com/in", "person's profile"),
        ("linkedin.com", "person's profile"),
        ("linkedin.com/in/jane doe", "no spaces"),
        ("linkedin.com/in/jane\u2003doe", "no spaces"),
        ("linkedin.com/in/ab", "cut off or mistyped"),
        ("linkedin.com/in/jane_doe", "cut off or mistyped"),
        ("https://www.linkedin.com/in/jane%20doe", "cut off or mistyped"),
        ("ftp://linkedin.com/in/jane-doe", "https://"),
        ("javascript://linkedin.com/in/jane-doe", "https://"),
    ],
)
def test_links_that_are_not_profiles_are_refused(typed: str, fragment: str) -> None:
    errors = errors_of(linkedin=typed)
    assert list(errors) == ["linkedin"]
    assert fragment in errors["linkedin"]


def test_linkedin_is_optional() -> None:
    candidate = valid(linkedin="  ")
    assert candidate.linkedin is None
    assert candidate.linkedin_slug is None
    assert "linkedin_profile_url" not in candidate.create_body()["data"]


def test_linkedin_slug_helper_refuses_empty_text() -> None:
    with pytest.raises(LinkedInError, match="leave this empty"):
        linkedin_slug("   ")


# ---------------------------------------------------------------------- source


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("job_fair", "job_fair"),
        ("Job_Fair", "job_fair"),
        (" SOURCED_INTERNALLY ", "sourced_internally"),
        ("job-fair-2026", "job-fair-2026"),
    ],
)
def test_source_slug_is_lower_cased(typed: str, slug: str) -> None:
    assert valid(source=typed).source == slug


@pytest.mark.parametrize("typed", ["", "  ", "job fair", "_job", "x" * 65, "jöb_fair"])
def test_missing_or_bad_source_is_refused(typed: str) -> None:
    assert errors_of(source=typed) == {"source": "Choose where this candidate came from."}


# ---------------------------------------------------------------------- all at once


def test_every_field_is_reported_at_once_under_its_own_name() -> None:
    with pytest.raises(DraftInvalidError) as info:
        validate_draft(
            CandidateDraft(
                first_name=" ",
                last_name="42",
                email="not-an-email",
                phone="abc",
                linkedin="github.com/jane",
                source="",
            ),
            region="US",
        )
    errors = info.value.errors
    assert tuple(errors) == FIELDS
    assert errors == {
        "first_name": "First name is required.",
        "last_name": "The last name needs at least one letter.",
        "email": errors["email"],
        "phone": "A phone number has digits only (spaces, + and - are fine).",
        "linkedin": errors["linkedin"],
        "source": "Choose where this candidate came from.",
    }
    assert errors["email"].startswith("Check the email address:")
    assert errors["linkedin"].startswith("github.com is not LinkedIn.")
    text = str(info.value)
    assert "First name: First name is required." in text
    assert "Source: Choose where this candidate came from." in text


# ---------------------------------------------------------------------- create body


def test_create_body_has_only_the_documented_fields() -> None:
    candidate = valid(
        region="DE",
        first_name=" Zoë ",
        last_name="Ñúñez  García",
        email="Zoe+Fair@MÜLLER.de",
        phone="030 901820",
        linkedin="de.linkedin.com/in/Zoe-Nunez",
        source="Job_Fair",
    )
    assert candidate.create_body() == {
        "data": {
            "email": "Zoe+Fair@xn--mller-kva.de",
            "first_name": "Zoë",
            "last_name": "Ñúñez García",
            "phone_number": "+4930901820",
            "linkedin_profile_url": "https://www.linkedin.com/in/zoe-nunez",
        }
    }
    assert candidate.source == "job_fair"  # kept for the PATCH, never in the body


def test_create_body_omits_empty_optional_fields() -> None:
    body = valid().create_body()
    assert body == {"data": {"email": "jane@example.com", "first_name": "Jane", "last_name": "Doe"}}
    assert "source" not in body["data"]
    assert None not in body["data"].values()


def test_a_candidate_round_trips_through_its_draft() -> None:
    candidate = valid(region="GB", phone="020 7946 0958", linkedin="linkedin.com/in/jane-doe")
    assert validate_draft(candidate.to_draft(), region="JP") == candidate


# ---------------------------------------------------------------------- the request schema


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "create-ats-candidate" in schema["$comment"]
    assert "2026-01-01" in schema["$comment"]
    assert schema["properties"]["data"]["additionalProperties"] is False


def test_the_schema_accepts_a_documented_body() -> None:
    body = {
        "data": {
            "email": "jane@example.com",
            "first_name": "Jane",
            "last_name": "Doe",
            "phone_number": None,
            "linkedin_profile_url": "https://www.linkedin.com/in/jane-doe",
            "pic_url": None,
        }
    }
    assert schema_problems(body) == []


@pytest.mark.parametrize(
    "body",
    [
        {"data": {**VALID, "email": "jane@example.com"}},  # VALID carries "source"
        {
            "data": {
                "email": "jane@example.com",
                "first_name": "Jane",
                "last_name": "Doe",
                "origin_source_slug": "job_fair",
            }
        },
        {"data": {"email": "jane@example.com", "first_name": "Jane"}},
        {"data": {"email": "jane-at-example.com", "first_name": "Jane", "last_name": "Doe"}},
        {
            "data": {
                "email": "jane@example.com",
                "first_name": "Jane",
                "last_name": "Doe",
                "linkedin_profile_url": "https://www.linkedin.com/in/jürgen",
            }
        },
        {
            "data": {
                "email": "jane@example.com",
                "first_name": "Jane",
                "last_name": "Doe",
                "linkedin_profile_url": "linkedin.com/in/jane",
            }
        },
        {
            "data": {
                "email": "jane@example.com",
                "first_name": "Jane",
                "last_name": "Doe",
                "phone_number": 4930901820,
            }
        },
        {"email": "jane@example.com", "first_name": "Jane", "last_name": "Doe"},
    ],
    ids=[
        "source",
        "origin_source_slug",
        "no-last-name",
        "bad-email",
        "iri",
        "relative-uri",
        "phone-number-type",
        "no-data",
    ],
)
def test_the_schema_can_fail(body: dict[str, Any]) -> None:
    assert schema_problems(body) != []


def test_the_schema_rejects_source_in_data() -> None:
    body = valid().create_body()
    body["data"]["source"] = "job_fair"
    problems = schema_problems(body)
    assert len(problems) == 1
    assert "source" in problems[0]


# Valid phone numbers as (typed, region); test_sampled_phones_are_valid checks each one.
PHONES: list[tuple[str, str]] = [
    ("", "US"),
    ("", ""),
    ("+1 650-253-0000", "US"),
    ("(650) 253-0000", "US"),
    ("030 901820", "DE"),
    ("020 7946 0958", "GB"),
    ("01 42 68 53 00", "FR"),
    ("+91 98765 43210", "IN"),
    ("03-1234-5678", "JP"),
    ("+55 11 91234-5678", "BR"),
    ("+61 2 9374 4000", ""),
]


@pytest.mark.parametrize(("typed", "region"), [p for p in PHONES if p[0]])
def test_sampled_phones_are_valid(typed: str, region: str) -> None:
    assert phonenumbers.is_valid_number(phonenumbers.parse(typed, region or None))


LINKEDIN_TEMPLATES = [
    "linkedin.com/in/{}",
    "www.linkedin.com/in/{}/",
    "https://www.linkedin.com/in/{}",
    "https://www.linkedin.com/in/{}?trk=public_profile",
    "http://linkedin.com/in/{}#x",
    "https://de.linkedin.com/in/{}/",
    "m.linkedin.com/in/{}",
    "https://www.linkedin.com/in/{}/details/experience/",
]
EMAIL_DOMAINS = [
    "example.com",
    "Example.ORG",
    "mail.example.co.uk",
    "deel-intake.io",
    "müller.de",
    "MÜNCHEN.de",
    "例え.jp",
    "xn--bcher-kva.example",
]
_ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*/=?^_`{|}~-"


def _name_is_valid(name: str) -> bool:
    try:
        valid(first_name=name)
    except DraftInvalidError:
        return False
    return True


names = st.text(
    alphabet=st.characters(categories=("L", "M", "N", "Zs", "Pd", "Po")),
    min_size=1,
    max_size=NAME_MAX,
).filter(_name_is_valid)
local_parts = st.builds(
    lambda atoms, tag: ".".join(atoms) + (f"+{tag}" if tag else ""),
    st.lists(st.text(alphabet=_ATEXT, min_size=1, max_size=10), min_size=1, max_size=3),
    st.one_of(
        st.just(""),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8),
    ),
)
emails = st.builds(
    lambda local, domain: f"{local}@{domain}", local_parts, st.sampled_from(EMAIL_DOMAINS)
)
slugs = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{2,40}", fullmatch=True)
linkedin_links = st.one_of(
    st.just(""),
    st.builds(
        lambda template, slug: template.format(slug), st.sampled_from(LINKEDIN_TEMPLATES), slugs
    ),
    st.builds(lambda slug: f"https://www.linkedin.com/in/{quote(slug, safe='')}", slugs),
)


@st.composite
def valid_drafts(draw: st.DrawFn) -> tuple[CandidateDraft, str]:
    phone, region = draw(st.sampled_from(PHONES))
    typed = CandidateDraft(
        first_name=draw(names),
        last_name=draw(names),
        email=draw(emails),
        phone=phone,
        linkedin=draw(linkedin_links),
        source=draw(st.sampled_from(["job_fair", "Sourced_Internally", "internal-referral"])),
    )
    return typed, region


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(valid_drafts())
def test_every_valid_draft_makes_a_body_deel_accepts(case: tuple[CandidateDraft, str]) -> None:
    typed, region = case
    candidate = validate_draft(typed, region=region)
    body = candidate.create_body()

    assert schema_problems(body) == []
    data = body["data"]
    assert set(data) <= DOCUMENTED_FIELDS
    assert AJV_EMAIL.fullmatch(data["email"]), data["email"]
    assert data["email"].isascii()
    if "phone_number" in data:
        assert re.fullmatch(r"\+[1-9]\d{6,14}", data["phone_number"])
    if "linkedin_profile_url" in data:
        assert data["linkedin_profile_url"].startswith("https://www.linkedin.com/in/")
    assert data["first_name"] == data["first_name"].strip()
    assert unicodedata.is_normalized("NFC", data["last_name"])
    # What was stored validates again to the same candidate (the form edits it this way).
    assert validate_draft(candidate.to_draft(), region=region) == candidate
