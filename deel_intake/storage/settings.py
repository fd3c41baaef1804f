"""The recruiter's settings: environment, custom URL, default phone region, last source.
A small JSON file in the config directory. Never the token: that lives in the keychain."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from deel_intake.api.environments import BASE_URLS, Environment, validate_base_url
from deel_intake.domain.sources import DEFAULT_SOURCE

__all__ = ["Settings", "SettingsStore"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Settings:
    """Plain values (no pydantic: settings are read before the window shows, and start-up
    time matters more than a validation library for five fields)."""

    environment: Environment = Environment.SANDBOX
    custom_base_url: str = ""
    phone_region: str = "US"
    source: str = DEFAULT_SOURCE
    sources_cache: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "environment", Environment(self.environment))
        object.__setattr__(self, "phone_region", self.phone_region.strip().upper()[:3] or "US")
        object.__setattr__(self, "sources_cache", tuple(self.sources_cache))

    @classmethod
    def from_json(cls, data: Any) -> Settings:
        """Read a settings file's content; unknown keys are ignored, bad values refused."""
        if not isinstance(data, dict):
            raise TypeError("settings must be a JSON object")
        values: dict[str, Any] = {}
        for key in ("environment", "custom_base_url", "phone_region", "source"):
            if key in data:
                if not isinstance(data[key], str):
                    raise ValueError(f"{key} must be text")
                values[key] = data[key]
        cache = data.get("sources_cache", [])
        if not isinstance(cache, list) or not all(isinstance(s, str) for s in cache):
            raise ValueError("sources_cache must be a list of text")
        values["sources_cache"] = tuple(cache)
        return cls(**values)

    def to_json(self) -> str:
        data = asdict(self)
        data["environment"] = self.environment.value
        data["sources_cache"] = list(self.sources_cache)
        return json.dumps(data, indent=2)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

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
            return Settings.from_json(json.loads(self.path.read_text("utf-8")))
        except FileNotFoundError:
            return Settings()
        except (OSError, ValueError, TypeError) as exc:
            log.warning("Settings file %s unreadable (%s); using defaults", self.path, exc)
            return Settings()

    def save(self, settings: Settings) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # only when saving: it is not needed to show the window

        text = settings.to_json()
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
