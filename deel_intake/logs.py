"""Logging: a rotating file in the log directory, and stderr. Set up by the composition root,
never at import. Nothing here ever formats the token: it is never handed to a logger."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

__all__ = ["setup_logging"]

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
MAX_BYTES = 2_000_000
KEEP = 3


def _rotate(log_file: Path) -> None:
    """Rotate at start-up when the log is large (deel-intake.log → .1 → .2 → .3). A plain
    FileHandler then appends: logging.handlers (and the socket and pickle modules it
    imports) stays off the start-up path."""
    try:
        if log_file.stat().st_size < MAX_BYTES:
            return
    except FileNotFoundError:
        return
    for index in range(KEEP - 1, 0, -1):
        older = log_file.with_name(f"{log_file.name}.{index}")
        if older.exists():
            older.replace(log_file.with_name(f"{log_file.name}.{index + 1}"))
    log_file.replace(log_file.with_name(f"{log_file.name}.1"))


def setup_logging(
    log_file: Path | None, *, verbose: bool = False, stderr_level: int = logging.WARNING
) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        _rotate(log_file)
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(file_handler)
    if sys.stderr is not None:  # a windowed executable on Windows has no stderr
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(_FORMAT))
        stream.setLevel(logging.DEBUG if verbose else stderr_level)
        root.addHandler(stream)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
