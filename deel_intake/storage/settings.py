"""The recruiter's settings: environment, custom URL, default phone region, last source.
A small JSON file in the config directory. Never the token: that lives in the keychain."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from deel_intake.api.environments import BASE_URLS, Environment, validate_base_url

__all__ = ["Settings", "SettingsStore"]

log = logging.getLogger(__name__)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    environment: Environment = Environment.SANDBOX
    custom_base_url: str = ""
    phone_region: str = "US"
    source: str = "sourced_internally"
    sources_cache: tuple[str, ...] = ()

    @field_validator("phone_region")
    @classmethod
    def _region(cls, value: str) -> str:
        return value.strip().upper()[:3] or "US"

    @property
    def base_url(self) -> str:
        """The base URL in force; raises :class:`InvalidBaseURLError` for a bad custom URL."""
        if self.environment is Environment.CUSTOM:
            return validate_base_url(self.custom_base_url)
        return BASE_URLS[self.environment]

    @property
    def token_key(self) -> str:
        """The keychain entry for this environment: each has its own token."""
        if self.environment is Environment.CUSTOM:
            return f"custom:{self.custom_base_url.strip().rstrip('/')}"
        return self.environment.value


class SettingsStore:
    """Loads and saves :class:`Settings` atomically; a damaged file gives the defaults."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Settings:
        try:
            return Settings.model_validate(json.loads(self.path.read_text("utf-8")))
        except FileNotFoundError:
            return Settings()
        except (OSError, ValueError, ValidationError) as exc:
            log.warning("Settings file %s unreadable (%s); using defaults", self.path, exc)
            return Settings()

    def save(self, settings: Settings) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = settings.model_dump_json(indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".settings-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            Path(tmp).replace(self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
