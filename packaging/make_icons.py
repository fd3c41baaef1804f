"""Render resources/icons/deel-intake.svg into the icon files the builds need:
deel-intake.png (Linux, 256 px), deel-intake.ico (Windows) and deel-intake.icns (macOS).

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication, QIcon, QImageWriter

HERE = Path(__file__).resolve().parent
SVG = HERE.parent / "resources" / "icons" / "deel-intake.svg"


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    image = QIcon(str(SVG)).pixmap(256, 256).toImage()
    formats = {bytes(f.data()).decode() for f in QImageWriter.supportedImageFormats()}
    written = []
    for suffix in ("png", "ico", "icns"):
        if suffix not in formats:
            print(f"skipped .{suffix}: this Qt cannot write it")
            continue
        target = HERE / f"deel-intake.{suffix}"
        if not image.save(str(target), suffix):
            print(f"failed to write {target}")
            return 1
        written.append(target.name)
    print("wrote", ", ".join(written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
