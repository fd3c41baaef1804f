"""The ``deel-intake`` command. Without a sub-command it opens the window; the sub-commands
run headless and import no Qt."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deel_intake import __version__

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deel-intake",
        description="Capture job-fair candidates and create them in Deel's ATS.",
    )
    parser.add_argument("--version", action="version", version=f"deel-intake {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep settings, data and logs in DIR (default: the platform's usual places; "
        "also DEEL_INTAKE_DATA_DIR)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start a local stand-in of Deel's API and use it: nothing reaches Deel",
    )
    parser.add_argument("--verbose", action="store_true", help="log more, also to stderr")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check that this installation can work here (Qt, keychain, data folder, HTTPS)",
    )
    parser.add_argument(
        "--quit-when-ready",
        action="store_true",
        help=argparse.SUPPRESS,  # for start-up measurements: quit once the form can be typed in
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    stand_in = sub.add_parser("stand-in", help="serve a stand-in of Deel's API on this computer")
    stand_in.add_argument("--port", type=int, default=8765)
    stand_in.add_argument("--host", default="127.0.0.1")
    stand_in.add_argument("--token", default="stand-in-token")
    stand_in.add_argument("--rate-limit", type=int, default=5)
    stand_in.add_argument("--latency", type=float, default=0.0)
    _add_headless_commands(sub)
    return parser


def _add_headless_commands(sub: Any) -> None:
    """status, sync, export, import: defined here so building the parser imports nothing."""
    status = sub.add_parser("status", help="how many captures are waiting, in Deel, or stuck")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    sync = sub.add_parser(
        "sync", help="send waiting captures to Deel (exit 0 when everything is in Deel)"
    )
    sync.add_argument("--once", action="store_true", help="one pass, then stop")
    sync.add_argument("--base-url", help="Deel's API address (also DEEL_API_BASE_URL)")
    sync.add_argument(
        "--rate-limit", type=float, default=5.0, help="calls per second to Deel (default 5)"
    )
    sync.add_argument(
        "--concurrency", type=int, default=4, help="requests in flight at once (default 4)"
    )
    export = sub.add_parser("export", help="write every capture to a CSV file (reconciliation)")
    export.add_argument("file", type=Path)
    imp = sub.add_parser("import", help="queue candidates from a CSV file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--region", help="phone region for numbers without + (default: Settings)")


def _attach_windows_console() -> None:
    """A windowed Windows executable starts without a console, so ``print`` goes nowhere.
    When started from a terminal, attach to that terminal so the headless commands print."""
    if sys.platform == "win32" and sys.stdout is None:
        _attach(ctypes_module=__import__("ctypes"))


def _attach(ctypes_module: Any) -> None:
    if ctypes_module.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", buffering=1)  # noqa: SIM115, PTH123
        sys.stderr = open("CONOUT$", "w", encoding="utf-8", buffering=1)  # noqa: SIM115, PTH123
        sys.stdin = open("CONIN$", encoding="utf-8")  # noqa: SIM115, PTH123


HEADLESS = ("stand-in", "status", "sync", "export", "import")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if any(a in HEADLESS or a in ("--help", "-h", "--version", "--self-check") for a in arguments):
        _attach_windows_console()
    args = build_parser().parse_args(arguments)
    if args.self_check:
        from deel_intake.selfcheck import run_self_check

        return run_self_check(args.data_dir)
    if args.command == "stand-in":
        from deel_intake.standin.cli import main as stand_in_main

        forwarded = [
            "--port", str(args.port), "--host", args.host, "--token", args.token,
            "--rate-limit", str(args.rate_limit), "--latency", str(args.latency),
        ]  # fmt: skip
        return stand_in_main(forwarded)
    if args.command in ("status", "sync", "export", "import"):
        from deel_intake.headless import run_command

        return run_command(args)
    from deel_intake.app import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
