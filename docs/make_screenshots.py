"""Render the README's screenshots with the real app, offscreen, against the stand-in.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py

Writes docs/screenshots/*.png. Nothing here touches Deel or the recruiter's own data.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from deel_intake.api.environments import Environment
from deel_intake.app import DEMO_TOKEN, DemoTokens, build_app
from deel_intake.standin import StandIn, StandInConfig
from deel_intake.storage.paths import AppPaths
from deel_intake.storage.settings import Settings, SettingsStore
from deel_intake.ui.main_window import MainWindow
from deel_intake.ui.resources import icon, stylesheet

OUT = Path(__file__).resolve().parent / "screenshots"


def pump(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def fill(window: MainWindow, **fields: str) -> None:
    for name, text in fields.items():
        window.form.edits[name].setText(text)


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setStyleSheet(stylesheet())
    app.setWindowIcon(icon("deel-intake"))
    OUT.mkdir(exist_ok=True)
    stand_in = StandIn(StandInConfig(tokens={DEMO_TOKEN: frozenset({"ats:read", "ats:write"})}))
    stand_in.start()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        store = SettingsStore(data / "settings.json")
        store.save(
            Settings(
                environment=Environment.CUSTOM,
                custom_base_url=stand_in.base_url,
                phone_region="DE",
            )
        )
        parts = build_app(
            AppPaths.resolve(data), tokens=DemoTokens(), settings_store=store, watch_network=False
        )
        window = parts.window
        window.ask_quit = lambda _parent, _count: True
        window.resize(900, 720)
        window.show()
        pump(app, 0.3)

        # 1. a created candidate
        fill(window, first_name="Zoë", last_name="Ñúñez García", email="zoe.nunez@example.com",
             phone="030 901820", linkedin="linkedin.com/in/zoe-nunez")  # fmt: skip
        window.submit()
        pump(app, 1.5)
        window.grab().save(str(OUT / "created.png"))

        # 2. field errors, caught before anything is saved
        fill(window, first_name="Max", last_name="", email="max@example", phone="12345",
             linkedin="github.com/max")  # fmt: skip
        window.submit()
        pump(app, 0.3)
        window.grab().save(str(OUT / "field-error.png"))
        window.form.clear_for_next()

        # 3. offline: nothing answers any more; captures wait on the laptop
        stand_in.stop()
        for first, last, email in (("Ann", "Lee", "ann.lee@example.com"),
                                   ("Björn", "Ek", "bjorn@example.se")):  # fmt: skip
            fill(window, first_name=first, last_name=last, email=email)
            window.submit()
            pump(app, 1.0)
        window.grab().save(str(OUT / "offline.png"))

        # 4. the outbox
        window.tabs.setCurrentIndex(1)
        window.outbox.table.selectRow(1)
        pump(app, 0.3)
        window.grab().save(str(OUT / "outbox.png"))
        parts.close()
    print(f"wrote {sorted(p.name for p in OUT.glob('*.png'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
