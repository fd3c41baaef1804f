"""deel-intake's benchmarks: ``make bench`` (everything, < 10 min) or ``make bench-quick``.

Each benchmark repeats its measurement, prints the median and the spread, and the run ends
by writing ``docs/benchmarks.md`` (figures beside the goals, with the date, the machine and
the commit) and ``bench/results.json``. Comparisons (the app against a bare window) run in
the same invocation, alternating. Nothing here is part of ``make test``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
APP = str(Path(PYTHON).with_name("deel-intake"))
FROZEN = ROOT / "dist" / "deel-intake" / "deel-intake"
FROZEN_FLOOR = ROOT / "build" / "bench-floor" / "dist" / "bare_window" / "bare_window"


def build_frozen_floor() -> None:
    """The bare window frozen by PyInstaller the same way (one folder), so the frozen app is
    compared with a frozen floor: both pay the bootloader and the archive's imports."""
    work = ROOT / "build" / "bench-floor"
    subprocess.run(
        [
            str(Path(PYTHON).with_name("pyinstaller")),
            "--noconfirm",
            "--onedir",
            "--log-level",
            "ERROR",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "work"),
            "--specpath",
            str(work),
            str(ROOT / "bench" / "bare_window.py"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


@dataclass
class Result:
    name: str
    figure: str  # the headline number, as shown
    goal: str
    met: bool | None  # None: no goal, or not measured
    detail: dict[str, Any] = field(default_factory=dict)


def spread(values: list[float]) -> str:
    if len(values) < 4:
        return f"min {min(values):.3f}, max {max(values):.3f}"
    q = statistics.quantiles(values, n=4)
    return f"IQR {q[0]:.3f}-{q[2]:.3f}, min {min(values):.3f}, max {max(values):.3f}"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def say(text: str) -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------- 1. start-up
def _time_command(command: list[str], env: dict[str, str]) -> float:
    """Launch → the process prints "ready" (its form is shown and its first event-loop turn
    done). The shutdown that follows is not start-up, so it is not counted."""
    started = time.perf_counter()
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "ready":
                break
        took = time.perf_counter() - started
        proc.stdout.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{command[0]} exited with {proc.returncode}")
    return took


def bench_startup(runs: int) -> list[Result]:
    # An installed app has compiled bytecode; a checkout run with PYTHONDONTWRITEBYTECODE
    # (set on this machine) would otherwise compile every module at every start.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "deel_intake")], check=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    data = tempfile.mkdtemp(prefix="bench-start-")
    floor_cmd = [PYTHON, str(ROOT / "bench" / "bare_window.py")]
    app_cmd = [APP, "--quit-when-ready", "--data-dir", data]
    kinds: dict[str, list[str]] = {"floor": floor_cmd, "source": app_cmd}
    if FROZEN.exists():
        kinds["frozen"] = [str(FROZEN), "--quit-when-ready", "--data-dir", data]
    if FROZEN.exists() and FROZEN_FLOOR.exists():
        kinds["frozen floor"] = [str(FROZEN_FLOOR)]
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for command in kinds.values():  # warm the file cache and the .pyc files first
        _time_command(command, env)
    for _ in range(runs):  # alternating, so drift on a shared machine hits all alike
        for kind, command in kinds.items():
            times[kind].append(_time_command(command, env))
    shutil.rmtree(data, ignore_errors=True)
    floor = statistics.median(times["floor"])
    say(f"start-up floor (bare window): median {floor:.3f} s ({spread(times['floor'])})")
    results = []
    for kind in ("source", "frozen"):
        if kind not in kinds:
            continue
        floor_kind = "frozen floor" if kind == "frozen" and "frozen floor" in kinds else "floor"
        floor = statistics.median(times[floor_kind])
        if floor_kind != "floor":
            say(f"start-up frozen floor: median {floor:.3f} s ({spread(times[floor_kind])})")
        median = statistics.median(times[kind])
        ratio = median / floor
        say(f"start-up {kind}: median {median:.3f} s ({spread(times[kind])}), {ratio:.2f}× floor")
        results.append(
            Result(
                f"Start-up, {kind} (launch → form ready to type)",
                f"{median:.3f} s = {ratio:.2f}× the {floor_kind} ({floor:.3f} s)",
                "≤ 1.5× floor",
                ratio <= 1.5,
                {
                    "median_s": median,
                    "floor_s": floor,
                    "ratio": ratio,
                    "runs": runs,
                    "all_s": times[kind],
                    "floor_all_s": times[floor_kind],
                },
            )
        )
    if "frozen" not in kinds:
        results.append(
            Result("Start-up, frozen", "not measured (no dist/ bundle)", "≤ 1.5× floor", None)
        )
    return results


# ---------------------------------------------------------------------- helpers (Qt)
@contextmanager
def stand_in(rate_limit: int | None, latency: float = 0.0) -> Iterator[Any]:
    from deel_intake.standin import StandIn, StandInConfig

    server = StandIn(
        StandInConfig(
            tokens={"bench-token": frozenset({"ats:read", "ats:write"})},
            rate_limit=rate_limit,
            latency=latency,
        )
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _qapp() -> Any:
    from PySide6.QtWidgets import QApplication

    from deel_intake.ui.resources import stylesheet

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyleSheet(stylesheet())
    return app


class _Tokens:
    def get(self, key: str) -> str | None:
        return "bench-token"

    def describe(self, key: str) -> str:
        return "bench"

    def set(self, key: str, token: str) -> None:
        pass

    def delete(self, key: str) -> bool:
        return False


def _build(data: Path, base_url: str, rate: float) -> Any:
    from deel_intake.api.environments import Environment
    from deel_intake.app import build_app
    from deel_intake.storage.paths import AppPaths
    from deel_intake.storage.settings import Settings, SettingsStore

    store = SettingsStore(data / "settings.json")
    store.save(
        Settings(environment=Environment.CUSTOM, custom_base_url=base_url, phone_region="DE")
    )
    parts = build_app(
        AppPaths.resolve(data),
        tokens=_Tokens(),
        settings_store=store,
        rate_limit=rate,
        watch_network=False,
    )
    parts.window.ask_quit = lambda _parent, _count: True
    parts.window.show()
    parts.service.warm_up("DE")  # as run_gui does once the window shows
    return parts


def _pump_until(app: Any, done: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.001)
    return True


@contextmanager
def heartbeat(interval_ms: int = 5) -> Iterator[list[float]]:
    from PySide6.QtCore import QTimer

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(interval_ms)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    try:
        yield ticks
    finally:
        timer.stop()


def _gaps(ticks: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(ticks)]


def _fill_outbox(data: Path, count: int, *, synced: bool = False) -> None:
    from deel_intake.domain.candidate import CandidateDraft, validate_draft
    from deel_intake.storage.outbox import FILE_NAME, Outbox

    template = validate_draft(
        CandidateDraft(
            first_name="Bench",
            last_name="Mark",
            email="bench@example.com",
            source="sourced_internally",
        ),
        region="US",
    )
    candidates = (
        template.model_copy(update={"last_name": f"Mark {i}", "email": f"bench{i}@example.com"})
        for i in range(count)
    )
    with Outbox(data / FILE_NAME) as outbox:
        outbox.add_many(candidates)


# ---------------------------------------------------------------------- 2. capture
def bench_capture(count: int) -> list[Result]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    app = _qapp()
    data = Path(tempfile.mkdtemp(prefix="bench-capture-"))
    with stand_in(rate_limit=5) as server:
        parts = _build(data, server.base_url, 5.0)
        window = parts.window
        _pump_until(app, lambda: False, 0.3)  # let start-up work (the validation warm-up) end
        latencies = []
        for i in range(count):
            form = window.form
            form.edits["first_name"].setText("Ada")
            form.edits["last_name"].setText(f"Lovelace {i}")
            form.edits["email"].setText(f"ada{i}@example.com")
            form.edits["phone"].setText("+44 20 7946 0958")
            started = time.perf_counter()
            QTest.keyClick(form.edits["email"], Qt.Key.Key_Return)
            latencies.append(time.perf_counter() - started)
            assert form.edits["first_name"].text() == "", "the form was not cleared"
            app.processEvents()  # what the event loop does between two recruiters' keystrokes
        saved = parts.service.state().counts.total
        parts.close()
    shutil.rmtree(data, ignore_errors=True)
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    say(
        f"capture: {count} captures, p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
        f"max {max(latencies) * 1000:.2f} ms (first {latencies[0] * 1000:.2f} ms)"
    )
    assert saved == count, (saved, count)
    return [
        Result(
            f"Capture: Enter → committed (fsync) and form cleared, {count} captures",
            f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (max {max(latencies) * 1000:.1f} ms)",
            "p99 ≤ 15 ms",
            p99 <= 15,
            {
                "p50_ms": p50,
                "p99_ms": p99,
                "max_ms": max(latencies) * 1000,
                "first_ms": latencies[0] * 1000,
                "count": count,
            },
        )
    ]


# ---------------------------------------------------------------------- 3. sync
def _sync_run(count: int, rate: int, latency: float) -> dict[str, Any]:
    from deel_intake.api.client import DeelClient
    from deel_intake.engine.pacing import RateLimiter
    from deel_intake.engine.sync import SyncEngine
    from deel_intake.services.outbox import SYNC_CONCURRENCY
    from deel_intake.storage.outbox import FILE_NAME, Outbox

    data = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    _fill_outbox(data, count)
    with stand_in(rate_limit=rate, latency=latency) as server:
        engine = SyncEngine(
            Outbox(data / FILE_NAME),
            lambda: DeelClient(server.base_url, lambda: "bench-token"),
            limiter=RateLimiter(rate),
            concurrency=SYNC_CONCURRENCY,
        )
        started = time.perf_counter()
        report = engine.run_once()
        elapsed = time.perf_counter() - started
        counts = engine.outbox.counts()
        engine.close()
        engine.outbox.close()
        stored = server.candidates_snapshot()
        too_many = server.count(429)
        max_window = server.max_requests_in_window()
    shutil.rmtree(data, ignore_errors=True)
    emails = [c["email"] for c in stored]
    return {
        "captures": count,
        "limit": rate,
        "latency_s": latency,
        "calls": report.calls,
        "elapsed_s": elapsed,
        "calls_per_s": report.calls / elapsed,
        "ratio": report.calls / elapsed / rate,
        "429s": too_many,
        "duplicates": len(emails) - len(set(emails)),
        "in_deel": counts.in_deel,
        "max_requests_in_window": max_window,
    }


def bench_sync(small: int, large: int) -> list[Result]:
    results = []
    for count, rate, latency in ((small, 5, 0.0), (large, 50, 0.05)):
        r = _sync_run(count, rate, latency)
        say(
            f"sync {count} at {rate}/s, +{latency * 1000:.0f} ms: {r['calls']} calls in "
            f"{r['elapsed_s']:.1f} s = {r['calls_per_s']:.2f}/s = {r['ratio']:.3f} of the limit; "
            f"429s {r['429s']}, duplicates {r['duplicates']}, in Deel {r['in_deel']}"
        )
        ok = (
            r["ratio"] >= 0.95 and r["429s"] == 0 and r["duplicates"] == 0 and r["in_deel"] == count
        )
        results.append(
            Result(
                f"Sync: {count} captures at {rate}/s, {latency * 1000:.0f} ms added latency",
                f"{r['ratio']:.3f} of the limit ({r['calls_per_s']:.2f} calls/s, "
                f"{r['elapsed_s']:.1f} s), {r['429s']} × 429, {r['duplicates']} duplicates",
                "≥ 0.95 of limit, 0 × 429, 0 duplicates",
                ok,
                r,
            )
        )
    return results


# ---------------------------------------------------------------------- 4. responsiveness
def bench_responsiveness(sync_count: int, rows: int) -> list[Result]:
    app = _qapp()
    results = []
    # (a) syncing, with the outbox view open and updating
    data = Path(tempfile.mkdtemp(prefix="bench-resp-"))
    _fill_outbox(data, sync_count)
    with stand_in(rate_limit=50, latency=0.05) as server:
        parts = _build(data, server.base_url, 50.0)
        parts.window.tabs.setCurrentIndex(1)
        with heartbeat() as ticks:
            parts.service.request_sync()
            finished = _pump_until(
                app, lambda: parts.service.state().counts.in_deel == sync_count, 600
            )
        parts.close()
    shutil.rmtree(data, ignore_errors=True)
    gaps = _gaps(ticks)
    worst = max(gaps) * 1000
    say(
        f"responsiveness, syncing {sync_count}: longest heartbeat gap {worst:.1f} ms, "
        f"p99 {percentile(gaps, 99) * 1000:.1f} ms over {len(ticks)} ticks"
    )
    results.append(
        Result(
            f"Responsiveness: longest 5 ms-heartbeat gap while syncing {sync_count} (view open)",
            f"{worst:.1f} ms (p99 {percentile(gaps, 99) * 1000:.1f} ms)",
            "≤ 50 ms",
            worst <= 50 and finished,
            {
                "max_gap_ms": worst,
                "p99_gap_ms": percentile(gaps, 99) * 1000,
                "ticks": len(ticks),
                "finished": finished,
            },
        )
    )
    # (b) scrolling a view of many captures
    data = Path(tempfile.mkdtemp(prefix="bench-scroll-"))
    _fill_outbox(data, rows)
    closed = "http://127.0.0.1:9/rest/v2"  # nothing listens: no sync traffic
    parts = _build(data, closed, 5.0)
    parts.window.tabs.setCurrentIndex(1)
    table = parts.window.outbox.table
    app.processEvents()
    bar = table.verticalScrollBar()
    with heartbeat() as ticks:
        for direction in (1, -1):
            while (bar.value() < bar.maximum()) if direction > 0 else (bar.value() > 0):
                bar.setValue(bar.value() + direction * bar.pageStep())
                app.processEvents()
                time.sleep(0.002)
    loaded = parts.window.outbox.model.rowCount()
    parts.close()
    shutil.rmtree(data, ignore_errors=True)
    gaps = _gaps(ticks)
    worst = max(gaps) * 1000
    say(f"responsiveness, scrolling {loaded} rows: longest gap {worst:.1f} ms")
    results.append(
        Result(
            f"Responsiveness: longest heartbeat gap scrolling an outbox view of {loaded} rows",
            f"{worst:.1f} ms (p99 {percentile(gaps, 99) * 1000:.1f} ms)",
            "≤ 50 ms",
            worst <= 50,
            {"max_gap_ms": worst, "rows": loaded},
        )
    )
    return results


# ---------------------------------------------------------------------- 5. memory
def bench_memory(rows: int) -> list[Result]:
    data = Path(tempfile.mkdtemp(prefix="bench-mem-"))
    _fill_outbox(data, rows)
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "memory_probe.py"), str(data)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    shutil.rmtree(data, ignore_errors=True)
    peak = float(out.stdout.strip().splitlines()[-1])
    say(f"memory: peak RSS {peak:.1f} MiB with {rows} captures and the view open")
    return [
        Result(
            f"Memory: peak RSS, {rows} captures, outbox view open and scrolled",
            f"{peak:.1f} MiB",
            "≤ 150 MB (MiB, as ps and top count)",
            peak <= 150,
            {"peak_mib": peak},
        )
    ]


# ---------------------------------------------------------------------- 6. size
def bench_size(build: bool) -> list[Result]:
    if build:
        build_frozen_floor()
        subprocess.run(
            ["make", "--no-print-directory", "package"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    bundle = ROOT / "dist" / "deel-intake"
    archives = sorted((ROOT / "dist").glob("deel-intake-*.tar.gz"))
    if not bundle.exists() or not archives:
        return [
            Result("Size of the Linux bundle", "not measured (no dist/ bundle)", "≤ 120 MB", None)
        ]
    unpacked = (
        sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
        / 1048576
    )
    packed = archives[-1].stat().st_size / 1048576
    with tarfile.open(archives[-1]) as tar:
        files = sum(1 for m in tar.getmembers() if m.isfile())
    say(f"size: {unpacked:.1f} MiB unpacked, {packed:.1f} MiB .tar.gz ({files} files)")
    return [
        Result(
            "Size of the Linux bundle (one folder)",
            f"{unpacked:.1f} MiB unpacked, {packed:.1f} MiB as .tar.gz",
            "≤ 120 MB unpacked (MiB, as du counts)",
            unpacked <= 120,
            {"unpacked_mib": unpacked, "targz_mib": packed, "files": files},
        )
    ]


# ---------------------------------------------------------------------- report
def _machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1048576:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import PySide6

    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": os_name,
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
    }


def _commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            text=True,
            capture_output=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "deel_intake", "bench"],
            cwd=ROOT,
            text=True,
            capture_output=True,
            check=True,
        ).stdout
        return sha + (" (with uncommitted changes)" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_report(results: list[Result], mode: str, took: float) -> None:
    machine = _machine()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`); do not edit by hand. Medians of repeated",
        "runs; comparisons ran in the same invocation, alternating. The machine is shared and",
        "noisy (2 cores): treat differences under ~10 % as noise.",
        "",
        f"- **Date:** {now}",
        f"- **Mode:** {mode} (took {took:.0f} s)",
        f"- **Commit:** {_commit()}",
        f"- **Machine:** {machine['cpu']}, {machine['cores']} cores, {machine['memory']}; "
        f"{machine['os']}; Python {machine['python']}; PySide6 {machine['pyside6']}",
        "",
        "| benchmark | result | goal | met |",
        "|---|---|---|---|",
    ]
    for r in results:
        mark = {True: "yes", False: "**no**", None: "—"}[r.met]
        lines.append(f"| {r.name} | {r.figure} | {r.goal} | {mark} |")
    missed = [r for r in results if r.met is False]
    lines += ["", "## Goals missed", ""]
    if missed:
        lines += [
            f"- {r.name}: {r.figure} (goal {r.goal}). See WHY.md-style notes below." for r in missed
        ]
    else:
        lines.append("None.")
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(lines) + "\n")
    (ROOT / "bench" / "results.json").write_text(
        json.dumps(
            {
                "date": now,
                "mode": mode,
                "commit": _commit(),
                "machine": machine,
                "results": [asdict(r) for r in results],
            },
            indent=2,
            default=str,
        )
        + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs: under 2 minutes")
    parser.add_argument("--only", help="comma-separated: startup,capture,sync,resp,memory,size")
    parser.add_argument("--no-report", action="store_true", help="print only")
    args = parser.parse_args()
    wanted = set((args.only or "startup,capture,sync,resp,memory,size").split(","))
    quick = args.quick
    started = time.perf_counter()
    results: list[Result] = []
    if "size" in wanted:  # first: the frozen start-up measurement uses the bundle
        results += bench_size(build=not quick)
    if "startup" in wanted:
        results += bench_startup(5 if quick else 15)
    if "capture" in wanted:
        results += bench_capture(200 if quick else 1000)
    if "sync" in wanted:
        results += bench_sync(40 if quick else 200, 200 if quick else 1000)
    if "resp" in wanted:
        results += bench_responsiveness(200 if quick else 1000, 2000 if quick else 10_000)
    if "memory" in wanted:
        results += bench_memory(2000 if quick else 10_000)
    took = time.perf_counter() - started
    say(f"done in {took:.0f} s")
    if not args.no_report:
        write_report(results, "quick" if quick else "full", took)
        say("wrote docs/benchmarks.md and bench/results.json")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # PySide6 can crash while the interpreter tears its objects down after many windows;
    # every figure is written by now, so leave without that teardown.
    os._exit(code)
