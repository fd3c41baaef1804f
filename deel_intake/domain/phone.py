"""Phone numbers: parsed with libphonenumber, stored as E.164."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

__all__ = ["PhoneError", "normalise_phone", "phone_regions", "region_name"]

if TYPE_CHECKING:
    from collections.abc import Sequence


class PhoneError(ValueError):
    """The text is not a real phone number; the message says what to do."""


# A short list of names for the regions recruiters most often pick; any other region code
# libphonenumber knows is still accepted and shown by its code.
_REGION_NAMES = {
    "AR": "Argentina", "AT": "Austria", "AU": "Australia", "BE": "Belgium", "BR": "Brazil",
    "CA": "Canada", "CH": "Switzerland", "CL": "Chile", "CN": "China", "CO": "Colombia",
    "CZ": "Czechia", "DE": "Germany", "DK": "Denmark", "EG": "Egypt", "ES": "Spain",
    "FI": "Finland", "FR": "France", "GB": "United Kingdom", "GR": "Greece", "HU": "Hungary",
    "IE": "Ireland", "IL": "Israel", "IN": "India", "IT": "Italy", "JP": "Japan",
    "KE": "Kenya", "KR": "South Korea", "MX": "Mexico", "NG": "Nigeria", "NL": "Netherlands",
    "NO": "Norway", "NZ": "New Zealand", "PH": "Philippines", "PL": "Poland",
    "PT": "Portugal", "RO": "Romania", "SE": "Sweden", "SG": "Singapore", "TR": "Türkiye",
    "UA": "Ukraine", "US": "United States", "ZA": "South Africa",
}  # fmt: skip


def region_name(code: str) -> str:
    return _REGION_NAMES.get(code.upper(), code.upper())


@cache
def phone_regions() -> Sequence[tuple[str, str]]:
    """Every region code libphonenumber supports, as (code, name), sorted by name."""
    import phonenumbers

    codes = phonenumbers.SUPPORTED_REGIONS
    return tuple(sorted(((c, region_name(c)) for c in codes), key=lambda p: p[1]))


def normalise_phone(text: str, default_region: str) -> str:
    """Return the number in E.164 (``+4915123456789``) or raise :class:`PhoneError`."""
    import phonenumbers

    raw = text.strip()
    region = default_region.upper() or None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise PhoneError(
                "Start the number with + and the country code, e.g. +44 20 7946 0958."
            ) from None
        if exc.error_type == phonenumbers.NumberParseException.NOT_A_NUMBER:
            raise PhoneError("A phone number has digits only (spaces, + and - are fine).") from None
        raise PhoneError("This phone number is too short or too long.") from None
    if not phonenumbers.is_valid_number(number):
        where = region_name(region) if region and not raw.startswith("+") else None
        if where:
            raise PhoneError(
                f"Not a valid phone number for {where}. If it is from abroad, "
                "start with + and the country code."
            )
        raise PhoneError("Not a real phone number — check the digits and the country code.")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
