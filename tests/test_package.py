"""The package as a whole: version, entry points, resources, headless imports, settings."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import deel_intake
from deel_intake.api.environments import Environment
from deel_intake.storage.paths import AppPaths
from deel_intake.storage.settings import Settings, SettingsStore

ROOT = Path(__file__).resolve().parents[1]


def test_version_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert deel_intake.__version__ == project["version"]
    assert project["scripts" if "scripts" in project else "gui-scripts"]["deel-intake"] == (
        "deel_intake.cli:main"
    )


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("deel_intake.api.errors", {"DeelError", "TokenRejectedError", "FieldRejectedError"}),
        ("deel_intake.api.client", {"DeelClient", "BearerAuth", "TokenProvider"}),
        ("deel_intake.api.models", {"CreatedCandidate", "IntakeResult"}),
        ("deel_intake.domain.candidate", {"Candidate", "CandidateDraft", "validate_draft"}),
        ("deel_intake.storage.tokens", {"TokenStore"}),
        ("deel_intake.standin", {"StandIn", "StandInConfig", "Fault"}),
    ],
)
def test_public_names_are_the_intended_ones(module: str, names: set[str]) -> None:
    mod = importlib.import_module(module)
    public = set(mod.__all__)
    assert names <= public
    assert all(hasattr(mod, n) for n in public)
    assert not any(n.startswith("_") for n in public)


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=full_env,
        check=False,
    )


def test_python_dash_m_prints_the_version() -> None:
    out = _run("-m", "deel_intake", "--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"deel-intake {deel_intake.__version__}"


def test_headless_code_imports_no_qt() -> None:
    code = (
        "import sys\n"
        "import deel_intake.cli, deel_intake.api.client, deel_intake.api.intake\n"
        "import deel_intake.storage.tokens, deel_intake.storage.settings, deel_intake.standin\n"
        "deel_intake.cli.build_parser()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))\n"
    )
    out = _run("-c", code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_whole_app_starts_shows_its_window_and_quits(tmp_path: Path) -> None:
    """The real entry point in a real process: window built and shown, then quit."""
    out = _run(
        "-m", "deel_intake", "--data-dir", str(tmp_path), "--quit-when-ready",
        env={"QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ready"  # what the start-up benchmark times
    assert "Traceback" not in out.stderr
    assert (tmp_path / "logs" / "deel-intake.log").exists()


def test_stand_in_command_serves_until_stopped(tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "deel_intake", "stand-in", "--port", "0", "--token", "t"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        _talk_to_stand_in(proc)
    assert proc.returncode == 0


def _talk_to_stand_in(proc: subprocess.Popen[str]) -> None:
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Deel stand-in serving at http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1].strip()
        import httpx

        answer = httpx.get(url + "/ats/candidates", headers={"Authorization": "Bearer t"})
        assert answer.status_code == 200
        assert answer.json()["data"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_resources_are_found_from_the_checkout() -> None:
    from deel_intake.ui.resources import resource_dir, stylesheet

    assert resource_dir() == ROOT / "resources" or resource_dir().name == "_resources"
    assert "QLineEdit" in stylesheet()
    for name in ("deel-intake", "ok", "error", "warning", "busy", "offline"):
        assert (resource_dir() / "icons" / f"{name}.svg").is_file()


def test_settings_round_trip_and_survive_a_damaged_file(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    assert store.load() == Settings()
    chosen = Settings(
        environment=Environment.CUSTOM, custom_base_url="http://127.0.0.1:9/rest/v2/",
        phone_region="de", source="job_fair",
    )  # fmt: skip
    store.save(chosen)
    loaded = store.load()
    assert loaded == chosen
    assert loaded.phone_region == "DE"
    assert loaded.base_url == "http://127.0.0.1:9/rest/v2"
    assert loaded.token_key == "custom:http://127.0.0.1:9/rest/v2"
    assert Settings(environment=Environment.SANDBOX).token_key == "sandbox"
    (tmp_path / "settings.json").write_text("{not json")
    assert store.load() == Settings()
    assert list(tmp_path.iterdir()) == [tmp_path / "settings.json"]  # no temp files left


def test_data_dir_option_puts_everything_in_one_place(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path / "here").ensure()
    assert paths.data == tmp_path / "here"
    assert paths.settings_file.parent == tmp_path / "here"
    assert paths.log_file.parent == tmp_path / "here" / "logs"


def test_a_second_copy_on_the_same_data_folder_brings_the_first_forward(
    qtbot: object, tmp_path: Path
) -> None:
    from pytestqt.qtbot import QtBot

    from deel_intake.services.single_instance import SingleInstance

    assert isinstance(qtbot, QtBot)
    first = SingleInstance(tmp_path / "a")
    other_folder = SingleInstance(tmp_path / "b")
    try:
        assert first.claim() is True
        assert other_folder.claim() is True  # another data folder is another app
        second = SingleInstance(tmp_path / "a")
        with qtbot.waitSignal(first.activation_requested, timeout=5000):
            assert second.claim() is False
    finally:
        first.release()
        other_folder.release()


def test_a_second_process_exits_and_says_the_app_is_running(qtbot: object, tmp_path: Path) -> None:
    from pytestqt.qtbot import QtBot

    from deel_intake.services.single_instance import SingleInstance

    assert isinstance(qtbot, QtBot)
    holder = SingleInstance(tmp_path)
    assert holder.claim()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    try:
        with (
            qtbot.waitSignal(holder.activation_requested, timeout=30_000),
            subprocess.Popen(
                [sys.executable, "-m", "deel_intake", "--data-dir", str(tmp_path)],
                stderr=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                text=True,
                env=env,
            ) as proc,
        ):
            qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
            assert proc.stderr is not None
            stderr = proc.stderr.read()
    finally:
        holder.release()
    assert proc.returncode == 0
    assert "already running" in stderr


def test_the_crash_handler_logs_the_traceback_and_never_the_token(tmp_path: Path) -> None:
    code = (
        "import sys, logging\n"
        "from pathlib import Path\n"
        "from deel_intake.logs import setup_logging\n"
        "from deel_intake.app import _install_crash_handler\n"
        "log = Path(sys.argv[1])\n"
        "setup_logging(log)\n"
        "_install_crash_handler(log)\n"
        "def submit(token):\n"
        "    raise RuntimeError('boom while sending')\n"
        "submit('tok-SECRET-123')\n"
    )
    log_file = tmp_path / "crash.log"
    out = _run("-c", code, str(log_file))
    assert out.returncode != 0
    text = log_file.read_text()
    assert "Unexpected error" in text
    assert "RuntimeError: boom while sending" in text
    assert "tok-SECRET-123" not in text


def test_self_check_reports_each_part_and_fails_without_a_keychain(tmp_path: Path) -> None:
    out = _run(
        "-m", "deel_intake", "--self-check", "--data-dir", str(tmp_path),
        env={"QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )  # fmt: skip
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert lines[0].startswith(f"deel-intake {deel_intake.__version__} (from source)")
    assert any(line.startswith("  ✓ Qt: platform plugin 'offscreen' loaded") for line in lines)
    assert any(line.startswith("  ✗ Keychain: no usable keychain") for line in lines)
    assert any(line.startswith("  ✓ Data: ") for line in lines)
    assert any(line.startswith("  ✓ HTTPS: httpx") for line in lines)
    assert lines[-1] == "Self-check: 1 check(s) failed."
