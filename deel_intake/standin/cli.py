"""Command line for the stand-in: ``python -m deel_intake.standin [--port N] ...``.

Serves until Ctrl+C or SIGTERM, then exits 0. It listens on loopback only: the stand-in
accepts a well-known token, so it must never be reachable from the network.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import signal
import sys
import threading
import time
from types import FrameType

from deel_intake.standin.config import ALL_SCOPES, DEFAULT_TOKEN, StandInConfig
from deel_intake.standin.server import StandIn

__all__ = ["main"]

DEFAULT_PORT = 8765


class _TerminatedError(Exception):
    """SIGTERM arrived."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    raise _TerminatedError


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deel-intake stand-in",
        description="Serve a local stand-in for Deel's ATS REST API (for demos and tests).",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="bearer token to accept")
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=5,
        metavar="N",
        help="requests per second for the organization; 0 disables the limit",
    )
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument(
        "--error-shape",
        choices=("container", "errors"),
        default="container",
        help="shape of 400 validation errors",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the stand-in until interrupted; returns the exit status."""
    args = _parser().parse_args(argv)
    if not _is_loopback(args.host):
        sys.stderr.write(
            f"Refusing to serve on {args.host}: the stand-in listens on loopback addresses "
            "only (127.0.0.1, ::1, localhost).\n"
        )
        return 2
    if args.rate_limit < 0 or args.latency < 0 or not 0 <= args.port <= 65535:
        sys.stderr.write("--port, --rate-limit and --latency cannot be negative.\n")
        return 2
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(message)s")
    config = StandInConfig(
        tokens={args.token: ALL_SCOPES},
        rate_limit=args.rate_limit or None,
        latency=args.latency,
        error_shape=args.error_shape,
    )
    standin = StandIn(config, host=args.host, port=args.port)
    try:
        standin.start()
    except OSError as error:
        sys.stderr.write(f"Cannot serve on {args.host}:{args.port}: {error.strerror}\n")
        return 1
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if in_main_thread else None
    try:
        sys.stdout.write(f"Deel stand-in serving at {standin.base_url}\nToken: {args.token}\n")
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, _TerminatedError):
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        standin.stop()
    return 0
