"""The composition root: the one place that builds every object and wires the signals."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import types
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from deel_intake.api.environments import Environment
from deel_intake.storage.paths import AppPaths
from deel_intake.storage.settings import Settings, SettingsStore

if TYPE_CHECKING:
    from PySide6.QtCore import QMessageLogContext, QtMsgType

    from deel_intake.api.client import DeelClient
    from deel_intake.services.outbox import OutboxService
    from deel_intake.standin import StandIn
    from deel_intake.ui.main_window import MainWindow

__all__ = ["AppParts", "DemoTokens", "Tokens", "build_app", "run_gui"]

log = logging.getLogger(__name__)

DEMO_TOKEN = "demo-token"  # noqa: S105 - the stand-in's token, not a secret


class Tokens(Protocol):
    """The token store as the app uses it: read for the client, the rest for Settings."""

    def get(self, key: str) -> str | None: ...
    def describe(self, key: str) -> str: ...
    def set(self, key: str, token: str) -> None: ...
    def delete(self, key: str) -> bool: ...


class DemoTokens:
    """Demo mode's token keeper: a fixed token for the local stand-in, never stored."""

    def get(self, key: str) -> str | None:
        return DEMO_TOKEN

    def describe(self, key: str) -> str:
        return "Demo mode uses the stand-in's built-in token; nothing is stored."

    def set(self, key: str, token: str) -> None:
        raise ValueError("Demo mode uses a built-in token. Restart without --demo to use yours.")

    def delete(self, key: str) -> bool:
        return False


@dataclass
class AppParts:
    window: MainWindow
    service: OutboxService
    stand_in: StandIn | None = None

    def close(self) -> None:
        self.service.shutdown()
        if self.stand_in is not None:
            self.stand_in.stop()


def build_app(
    paths: AppPaths,
    *,
    demo: bool = False,
    tokens: Tokens | None = None,
    settings_store: SettingsStore | None = None,
    rate_limit: float = 5.0,
    watch_network: bool = True,
) -> AppParts:
    """Build the window and everything behind it. Tests call this with their own parts."""
    from deel_intake.services.outbox import OutboxService
    from deel_intake.ui.main_window import MainWindow

    stand_in = None
    if demo:
        from deel_intake.standin import StandIn, StandInConfig

        stand_in = StandIn(StandInConfig(tokens={DEMO_TOKEN: frozenset({"ats:read", "ats:write"})}))
        stand_in.start()
        # Demo captures live apart from real ones and never reach Deel.
        data_dir = paths.data / "demo"
        settings_store = SettingsStore(data_dir / "settings.json")
        real = SettingsStore(paths.settings_file).load()
        settings_store.save(
            Settings(
                environment=Environment.CUSTOM,
                custom_base_url=stand_in.base_url,
                phone_region=real.phone_region,
                source=real.source,
            )
        )
        tokens = DemoTokens()
    else:
        data_dir = paths.data
    if settings_store is None:
        settings_store = SettingsStore(paths.settings_file)
    if tokens is None:
        from deel_intake.storage.tokens import TokenStore

        tokens = TokenStore()
    keeper = tokens
    store = settings_store

    def client_factory() -> DeelClient:  # runs on the worker thread, off the start-up path
        from deel_intake.api.client import DeelClient

        settings = store.load()
        key = settings.token_key
        return DeelClient(settings.base_url, lambda: keeper.get(key))

    service = OutboxService(
        data_dir / "outbox.sqlite3",
        client_factory,
        rate_limit=rate_limit,
        watch_network=watch_network,
    )
    window = MainWindow(service, settings_store, tokens, demo=demo, log_hint=str(paths.log_file))
    return AppParts(window=window, service=service, stand_in=stand_in)


# ---------------------------------------------------------------------- process set-up
def _qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    from PySide6.QtCore import QtMsgType

    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }.get(mode, logging.WARNING)
    logging.getLogger("qt").log(level, "%s", message)


def _install_crash_handler(log_file: Path) -> None:
    def handler(
        kind: type[BaseException], value: BaseException, tb: types.TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.critical("Unexpected error", exc_info=(kind, value, tb))
        try:
            from PySide6.QtWidgets import QApplication, QMessageBox

            if QApplication.instance() is not None:
                QMessageBox.critical(
                    None,
                    "deel-intake hit a problem",
                    "deel-intake hit a problem it did not expect. What you captured is safe.\n\n"
                    f"The details were written to:\n{log_file}",
                )
        except Exception:
            log.exception("The crash dialog could not be shown")

    sys.excepthook = handler

    def thread_handler(hook_args: threading.ExceptHookArgs) -> None:
        log.critical(
            "Unexpected error in thread %s",
            hook_args.thread.name if hook_args.thread else "?",
            exc_info=(
                hook_args.exc_type,
                hook_args.exc_value or Exception(),
                hook_args.exc_traceback,
            ),
        )

    threading.excepthook = thread_handler


def run_gui(args: argparse.Namespace) -> int:
    from deel_intake.logs import setup_logging

    paths = AppPaths.resolve(args.data_dir).ensure()
    setup_logging(paths.log_file, verbose=args.verbose)
    _install_crash_handler(paths.log_file)

    from PySide6.QtCore import QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from deel_intake import APP_NAME, APP_TITLE, __version__
    from deel_intake.ui.resources import icon, stylesheet

    qInstallMessageHandler(_qt_message_handler)
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_NAME)
    app.setWindowIcon(icon("deel-intake"))
    app.setStyleSheet(stylesheet())

    from deel_intake.services.single_instance import SingleInstance

    instance = SingleInstance(paths.data / ("demo" if args.demo else ""), app)
    if not instance.claim():
        print(
            "deel-intake is already running with this data folder; its window was brought forward.",
            file=sys.stderr,
        )
        return 0
    parts = build_app(paths, demo=args.demo)
    instance.activation_requested.connect(parts.window.bring_forward)
    app.aboutToQuit.connect(instance.release)
    parts.window.show()
    if parts.stand_in is not None:
        print(
            f"Demo: a stand-in of Deel's API serves at {parts.stand_in.base_url}", file=sys.stderr
        )
    # The first event-loop turn: the window is shown, then syncing and the source list start
    # (their network work runs on worker threads).
    region = parts.window.form.region
    QTimer.singleShot(0, lambda: parts.service.start(region=region))
    QTimer.singleShot(0, parts.service.load_sources)
    if args.quit_when_ready:
        # For start-up measurements: once that turn's work is done and the form is ready,
        # say so (the benchmark times launch → this line, not the shutdown) and quit.
        def ready() -> None:
            print("ready", flush=True)
            app.quit()

        QTimer.singleShot(0, ready)
    app.aboutToQuit.connect(parts.close)
    return app.exec()
