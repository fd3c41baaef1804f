"""Where deel-intake keeps its files: the platform's usual places, or one directory given
with ``--data-dir`` / ``DEEL_INTAKE_DATA_DIR`` (everything then lives under it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from deel_intake import APP_NAME

__all__ = ["AppPaths"]

DATA_DIR_ENV = "DEEL_INTAKE_DATA_DIR"


@dataclass(frozen=True, slots=True)
class AppPaths:
    data: Path
    config: Path
    logs: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
        chosen = data_dir or os.environ.get(DATA_DIR_ENV)
        if chosen:
            root = Path(chosen).expanduser().resolve()
            return cls(data=root, config=root, logs=root / "logs")
        import platformdirs

        return cls(
            data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    def ensure(self) -> AppPaths:
        for path in (self.data, self.config, self.logs):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def log_file(self) -> Path:
        return self.logs / "deel-intake.log"
