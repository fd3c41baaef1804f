"""Icons and the stylesheet, found both in a checkout and in a frozen build."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

__all__ = ["icon", "resource_dir", "stylesheet"]


@cache
def resource_dir() -> Path:
    """``resources/`` of a frozen build (PyInstaller's ``_MEIPASS``), of an installed wheel
    (``deel_intake/_resources``) or of the checkout, whichever exists."""
    here = Path(__file__).resolve()
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    candidates += [here.parents[1] / "_resources", here.parents[2] / "resources"]
    for path in candidates:
        if (path / "style.qss").is_file():
            return path
    raise FileNotFoundError("deel-intake's resources folder is missing: reinstall the app")


@cache
def icon(name: str) -> QIcon:
    path = resource_dir() / "icons" / f"{name}.svg"
    if not path.is_file():
        raise FileNotFoundError(path)
    return QIcon(str(path))


def stylesheet() -> str:
    return (resource_dir() / "style.qss").read_text(encoding="utf-8")
