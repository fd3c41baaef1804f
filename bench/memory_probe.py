"""Peak resident memory of the app with a large outbox and the outbox view open.

    python bench/memory_probe.py DATA_DIR     (DATA_DIR holds an outbox.sqlite3)
Prints the peak RSS in MiB on the last line.
"""

import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class _NotShipped:
    """httpx imports its command line (rich, click, pygments) whenever those are installed.
    They are in the development venv only (import-linter brings them); the packaged app and a
    plain install do not have them. Block them so the probe measures what recruiters run."""

    BLOCKED = ("rich", "click", "pygments")

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.split(".", maxsplit=1)[0] in self.BLOCKED:
            raise ModuleNotFoundError(name)


sys.meta_path.insert(0, _NotShipped())

from PySide6.QtWidgets import QApplication  # noqa: E402 - after the blocker

from deel_intake.app import build_app  # noqa: E402
from deel_intake.storage.paths import AppPaths  # noqa: E402
from deel_intake.ui.resources import stylesheet  # noqa: E402


def main() -> int:
    data = Path(sys.argv[1])
    app = QApplication(sys.argv[:1])
    app.setStyleSheet(stylesheet())
    parts = build_app(AppPaths.resolve(data), watch_network=False)
    window = parts.window
    window.ask_quit = lambda _parent, _count: True
    window.show()
    window.tabs.setCurrentIndex(1)  # the outbox view with every capture
    bar = window.outbox.table.verticalScrollBar()
    deadline = time.monotonic() + 5
    while bar.value() < bar.maximum() and time.monotonic() < deadline:
        bar.setValue(bar.value() + bar.pageStep())
        app.processEvents()
    # a few captures through the form too: validation (pydantic) loaded, as in real use
    for i in range(5):
        form = window.form
        form.edits["first_name"].setText("Mem")
        form.edits["last_name"].setText(f"Probe{i}")
        form.edits["email"].setText(f"mem{i}@example.com")
        window.submit()
        app.processEvents()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parts.close()
    print(f"rows={window.outbox.model.rowCount()}")
    print(f"{peak_kib / 1024:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
