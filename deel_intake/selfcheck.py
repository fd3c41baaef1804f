"""``deel-intake --self-check``: can this installation work here? From source and frozen alike.

Checks, each with a readable line: the version; that Qt's platform plugin loads; which
keychain backend keyring picked (a failure for keyring's fail/null backends); that the data
directory is writable and the outbox opens; that an HTTPS client builds with a CA bundle;
that phone-number metadata and the resources are bundled. Exit code 0 when all pass.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from deel_intake import __version__
from deel_intake.storage.paths import AppPaths

__all__ = ["run_self_check"]

Check = Callable[[], str]


def _qt_platform() -> str:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    name = QGuiApplication.platformName()
    from PySide6.QtGui import QIcon

    from deel_intake.ui.resources import resource_dir

    icon = QIcon(str(resource_dir() / "icons" / "deel-intake.svg"))
    if icon.pixmap(32, 32).isNull():
        raise RuntimeError("the SVG icon could not be drawn (the svg image plugin is missing)")
    del app
    return f"platform plugin '{name}' loaded; SVG icons render"


def _keychain() -> str:
    from deel_intake.storage.tokens import TokenStore

    name = TokenStore(environ={}).backend_name()
    if name == "none":
        raise RuntimeError(
            "no usable keychain (keyring offers only its fail/null backend); "
            "install and unlock gnome-keyring or KWallet, or use DEEL_API_TOKEN"
        )
    return name


def _data_dir(paths: AppPaths) -> Check:
    def check() -> str:
        from deel_intake.storage.outbox import FILE_NAME, Outbox

        paths.ensure()
        with tempfile.NamedTemporaryFile(dir=paths.data, prefix=".self-check-") as fh:
            fh.write(b"ok")
            fh.flush()
            os.fsync(fh.fileno())
        with Outbox(paths.data / FILE_NAME) as outbox:
            counts = outbox.counts()
            version = outbox.schema_version
        return (
            f"{paths.data} is writable; outbox schema {version} opens "
            f"({counts.total} captures, {counts.unsynced} not in Deel yet)"
        )

    return check


def _https() -> str:
    import ssl

    import certifi
    import httpx

    bundle = Path(certifi.where())
    if not bundle.is_file():
        raise RuntimeError(f"CA bundle missing at {bundle}")
    context = ssl.create_default_context(cafile=str(bundle))
    stats = context.cert_store_stats()
    with httpx.Client(verify=context, timeout=5.0):
        pass
    return f"httpx {httpx.__version__} with {stats['x509_ca']} CA certificates ({bundle.name})"


def _phone_metadata() -> str:
    from deel_intake.domain.phone import normalise_phone

    numbers = [normalise_phone(n, r) for n, r in (("020 7946 0958", "GB"), ("030 901820", "DE"))]
    return "phone-number metadata loads (" + ", ".join(numbers) + ")"


def _resources() -> str:
    from deel_intake.ui.resources import resource_dir, stylesheet

    stylesheet()
    return str(resource_dir())


def run_self_check(data_dir: str | None, out: TextIO | None = None) -> int:
    stream = out or sys.stdout
    paths = AppPaths.resolve(data_dir)
    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    print(
        f"deel-intake {__version__} ({frozen}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}",
        file=stream,
    )
    checks: list[tuple[str, Check]] = [
        ("Qt", _qt_platform),
        ("Resources", _resources),
        ("Keychain", _keychain),
        ("Data", _data_dir(paths)),
        ("HTTPS", _https),
        ("Phone numbers", _phone_metadata),
    ]
    failures = 0
    for label, check in checks:
        started = time.perf_counter()
        try:
            detail = check()
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none is raised
            failures += 1
            print(f"  ✗ {label}: {exc}", file=stream)
            continue
        took = (time.perf_counter() - started) * 1000
        print(f"  ✓ {label}: {detail} [{took:.0f} ms]", file=stream)
    verdict = "all checks passed" if not failures else f"{failures} check(s) failed"
    print(f"Self-check: {verdict}.", file=stream)
    stream.flush()
    return 0 if not failures else 1
