"""Logging: a rotating file in the log directory, and stderr. Set up by the composition root,
never at import. Nothing here ever formats the token: it is never handed to a logger."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

__all__ = ["setup_logging"]

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(
    log_file: Path | None, *, verbose: bool = False, stderr_level: int = logging.WARNING
) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(file_handler)
    if sys.stderr is not None:  # a windowed executable on Windows has no stderr
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(_FORMAT))
        stream.setLevel(logging.DEBUG if verbose else stderr_level)
        root.addHandler(stream)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
