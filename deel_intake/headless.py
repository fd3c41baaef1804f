"""Headless commands: ``status``, ``sync``, ``export`` and ``import``. No Qt is imported.

Base URL: ``--base-url``, else ``DEEL_API_BASE_URL``, else the environment chosen in the
app's Settings. Token: ``DEEL_API_TOKEN``, else the keychain entry of that environment.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from deel_intake.api.environments import InvalidBaseURLError, validate_base_url
from deel_intake.domain.candidate import (
    FIELD_LABELS,
    CandidateDraft,
    DraftInvalidError,
    validate_draft,
)
from deel_intake.domain.capture import Capture, Status
from deel_intake.storage.outbox import FILE_NAME, Outbox, OutboxError
from deel_intake.storage.paths import AppPaths
from deel_intake.storage.settings import Settings, SettingsStore

if TYPE_CHECKING:
    from deel_intake.api.client import DeelClient

__all__ = ["run_command"]

BASE_URL_ENV = "DEEL_API_BASE_URL"
EXIT_OK, EXIT_UNSYNCED, EXIT_USAGE, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
MAX_IDLE_WAIT = 60.0


@dataclass
class _Context:
    paths: AppPaths
    settings: Settings
    out: TextIO
    err: TextIO

    @property
    def outbox_path(self) -> Path:
        return self.paths.data / FILE_NAME


def run_command(args: argparse.Namespace, *, out: TextIO | None = None,
                err: TextIO | None = None) -> int:  # fmt: skip
    from deel_intake.logs import setup_logging

    paths = AppPaths.resolve(args.data_dir).ensure()
    setup_logging(
        paths.log_file, verbose=getattr(args, "verbose", False), stderr_level=logging.ERROR
    )
    context = _Context(
        paths=paths,
        settings=SettingsStore(paths.settings_file).load(),
        out=out or sys.stdout,
        err=err or sys.stderr,
    )
    handlers: dict[str, Callable[[argparse.Namespace, _Context], int]] = {
        "status": _status,
        "sync": _sync,
        "export": _export,
        "import": _import,
    }
    try:
        return handlers[args.command](args, context)
    except OutboxError as exc:
        print(f"deel-intake: {exc}", file=context.err)
        return EXIT_USAGE


# ---------------------------------------------------------------------- status
def _summary(outbox: Outbox) -> dict[str, Any]:
    counts = outbox.counts()
    last = outbox.last_sync_at
    return {
        "waiting": counts.waiting + counts.sending,
        "needs_attention": counts.needs_attention,
        "in_deel": counts.in_deel,
        "already_in_deel": counts.already_in_deel,
        "in_trash": counts.discarded,
        "total": counts.total,
        "paused": outbox.meta("paused_reason"),
        "last_sync_at": last.isoformat() if last else None,
    }


def _status(args: argparse.Namespace, ctx: _Context) -> int:
    with Outbox(ctx.outbox_path) as outbox:
        summary = _summary(outbox)
        attention = [c for c in outbox.all(include_discarded=False)
                     if c.status is Status.NEEDS_ATTENTION]  # fmt: skip
    if args.json:
        summary["needs_attention_captures"] = [
            {"id": c.id, "name": c.candidate.full_name, "email": c.candidate.email,
             "error": c.last_error, "fields": c.field_errors}
            for c in attention
        ]  # fmt: skip
        print(json.dumps(summary, indent=2), file=ctx.out)
        return EXIT_OK
    print(_summary_line(summary), file=ctx.out)
    for capture in attention:
        print(f"  needs attention: {capture.candidate.full_name} <{capture.candidate.email}>: "
              f"{capture.last_error}", file=ctx.out)  # fmt: skip
    if summary["paused"]:
        print(f"  paused: {summary['paused']}", file=ctx.out)
    last = summary["last_sync_at"]
    print(f"  last successful sync: {last or 'never'}", file=ctx.out)
    print(f"  outbox: {ctx.outbox_path}", file=ctx.out)
    return EXIT_OK


def _summary_line(summary: dict[str, Any]) -> str:
    return (
        f"{summary['in_deel'] + summary['already_in_deel']} in Deel "
        f"({summary['already_in_deel']} were already there), {summary['waiting']} waiting, "
        f"{summary['needs_attention']} need attention, {summary['in_trash']} in the trash"
    )


# ---------------------------------------------------------------------- sync
def _client_factory(args: argparse.Namespace, ctx: _Context) -> Callable[[], DeelClient]:
    from deel_intake.storage.tokens import TokenStore

    base_url = args.base_url or os.environ.get(BASE_URL_ENV)
    if base_url:
        url = validate_base_url(base_url)
        key = f"custom:{url}"
    else:
        url = ctx.settings.base_url
        key = ctx.settings.token_key
    tokens = TokenStore()

    def factory() -> DeelClient:
        from deel_intake.api.client import DeelClient

        return DeelClient(url, lambda: tokens.get(key))

    return factory


def _sync(args: argparse.Namespace, ctx: _Context) -> int:
    from deel_intake.engine.pacing import RateLimiter
    from deel_intake.engine.sync import SyncEngine

    try:
        factory = _client_factory(args, ctx)
    except InvalidBaseURLError as exc:
        print(f"deel-intake: {exc}", file=ctx.err)
        return EXIT_USAGE
    cancel = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, lambda *_: cancel.set())
    engine = SyncEngine(
        Outbox(ctx.outbox_path),
        factory,
        limiter=RateLimiter(args.rate_limit),
        concurrency=max(1, args.concurrency),
    )
    try:
        engine.resume()  # asked for explicitly: try even if the app had paused
        while True:
            report = engine.run_once(cancel)
            if report.locked_out:
                print("deel-intake: another copy of deel-intake is syncing this outbox.",
                      file=ctx.err)  # fmt: skip
                return EXIT_BUSY
            if report.created or report.linked:
                print(f"sent {report.created}, linked {report.linked} "
                      f"({report.calls} calls to Deel)", file=ctx.out)  # fmt: skip
            if report.paused:
                print(f"paused: {report.paused}", file=ctx.err)
                break
            if args.once or cancel.is_set():
                break
            wakeup = engine.outbox.next_wakeup()
            if wakeup is None:
                break
            delay = min(MAX_IDLE_WAIT, max(0.0, wakeup - time.time()))
            if delay > 0:
                if report.errors:
                    print(f"waiting {delay:.0f} s: {report.errors[-1]}", file=ctx.err)
                if cancel.wait(delay):
                    break
        summary = _summary(engine.outbox)
    finally:
        engine.close()
        engine.outbox.close()
        signal.signal(signal.SIGINT, previous)
    print(_summary_line(summary), file=ctx.out)
    if cancel.is_set():
        return EXIT_INTERRUPTED
    return (
        EXIT_OK if summary["waiting"] == 0 and summary["needs_attention"] == 0 else (EXIT_UNSYNCED)
    )


# ---------------------------------------------------------------------- export
EXPORT_COLUMNS = (
    "captured_at_utc", "local_id", "status", "in_trash", "first_name", "last_name", "email",
    "phone", "linkedin", "source", "source_set", "deel_id", "deel_numeric_id", "attempts",
    "last_error",
)  # fmt: skip


_E164 = re.compile(r"^\+\d{6,15}$")


def _cell(value: Any) -> str:
    """Text for a spreadsheet: formulas are neutralised (CSV injection); an E.164 phone
    number is data, not a formula, and is left as it is."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _E164.match(text):
        return "'" + text
    return text


def _export_row(capture: Capture) -> list[str]:
    cand = capture.candidate
    source_set = {True: "yes", False: "no", None: ""}[capture.source_applied]
    values: Iterable[Any] = (
        capture.captured_at.astimezone(UTC).isoformat(timespec="seconds"), capture.id,
        capture.status.label, "yes" if capture.discarded else "", cand.first_name,
        cand.last_name, cand.email, cand.phone, cand.linkedin, cand.source, source_set,
        capture.deel_id, capture.deel_numeric_id, capture.attempts,
        capture.last_error or capture.source_error,
    )  # fmt: skip
    return [_cell(v) for v in values]


def _export(args: argparse.Namespace, ctx: _Context) -> int:
    target: Path = args.file
    with Outbox(ctx.outbox_path) as outbox:
        captures = outbox.all(include_discarded=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(_export_row(c) for c in captures)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"wrote {len(captures)} captures to {target}", file=ctx.out)
    return EXIT_OK


# ---------------------------------------------------------------------- import
_HEADER_ALIASES = {
    "first_name": {"first_name", "first name", "firstname", "given name"},
    "last_name": {"last_name", "last name", "lastname", "surname", "family name"},
    "email": {"email", "e-mail", "email address"},
    "phone": {"phone", "phone number", "phone_number", "mobile"},
    "linkedin": {"linkedin", "linkedin url", "linkedin_profile_url", "linkedin profile"},
    "source": {"source", "origin", "source slug"},
}


def _map_header(header: list[str]) -> dict[int, str]:
    mapping = {}
    for index, name in enumerate(header):
        key = name.strip().lower()
        for field_name, aliases in _HEADER_ALIASES.items():
            if key in aliases:
                mapping[index] = field_name
    return mapping


def _import(args: argparse.Namespace, ctx: _Context) -> int:
    region = (args.region or ctx.settings.phone_region).upper()
    try:
        with args.file.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        print(f"deel-intake: can't read {args.file}: {exc}", file=ctx.err)
        return EXIT_USAGE
    if not rows:
        print(f"deel-intake: {args.file} is empty", file=ctx.err)
        return EXIT_USAGE
    mapping = _map_header(rows[0])
    missing = {"first_name", "last_name", "email"} - set(mapping.values())
    if missing:
        names = ", ".join(FIELD_LABELS[m] for m in sorted(missing))
        print(f"deel-intake: the header row lacks: {names}", file=ctx.err)
        return EXIT_USAGE
    good, problems = [], []
    with Outbox(ctx.outbox_path) as outbox:
        seen: dict[str, int] = {}
        for line_no, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            values = {name: row[i] for i, name in mapping.items() if i < len(row)}
            values.setdefault("source", "")
            if not values["source"].strip():
                values["source"] = ctx.settings.source
            try:
                candidate = validate_draft(CandidateDraft(**values), region=region)
            except DraftInvalidError as exc:
                reasons = "; ".join(f"{FIELD_LABELS.get(k, k)}: {v}" for k, v in exc.errors.items())
                problems.append(f"line {line_no}: {reasons}")
                continue
            if candidate.email_key in seen:
                problems.append(f"line {line_no}: same email as line {seen[candidate.email_key]}, "
                                "skipped")  # fmt: skip
                continue
            earlier = outbox.find_duplicates(email_key=candidate.email_key, phone=None,
                                             linkedin_slug=None)  # fmt: skip
            if earlier:
                at = earlier[0].captured_at.astimezone().strftime("%Y-%m-%d %H:%M")
                problems.append(f"line {line_no}: already captured at {at} "
                                f"({earlier[0].status.label.lower()}), skipped")  # fmt: skip
                continue
            seen[candidate.email_key] = line_no
            good.append(candidate)
        queued = outbox.add_many(good)
    for problem in problems:
        print(problem, file=ctx.err)
    print(f"queued {queued} candidates; {len(problems)} rows not imported", file=ctx.out)
    return EXIT_OK if not problems else EXIT_UNSYNCED
