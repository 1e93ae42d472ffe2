"""One validation path: ``kiosk config check`` refuses exactly what the kiosk refuses at start-up, with the
same message, and the kiosk's log keeps that message with its file and line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main as kiosk_main
from kiosk.config import ConfigError, load_config
from kiosk.logs import describe_exception
from kiosk.outbox.delivery import DeliverySettings

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKEN = "t" * 40

# (file text, line the error must name, words the message must hold)
REFUSED = {
    "backoff cap 1e9": ("[delivery]\nbackoff_cap_seconds = 1e9\n", 2, "must be at most 900, got 1_000_000_000"),
    "plain http to another host": (
        f'[delivery]\ntoken = "{TOKEN}"\nendpoint = "http://intake.hospital.example/v1/requests"\n', 3,
        "plain http to another machine"),
    "endpoint without a token": ('[delivery]\nendpoint = "https://intake.hospital.example/v1"\n', 2,
                                 "'delivery.token' is empty"),
    "numbers as language codes": ("[languages]\nenabled = [1, 2]\n", 2,
                                  "'languages.enabled' must hold only texts in quotes; item 1 is 1"),
    "a number among country codes": ('[form]\nusual_countries = ["TR", 5]\n', 2, "item 2 is 5"),
    "a list among language codes": ('[languages]\nenabled = ["en", ["de"]]\n', 2, "item 2 is ['de']"),
    "nan": ("[delivery]\n\nconnect_timeout_seconds = nan\n", 3, "must be a finite number, got nan"),
    "inf": ("[speech]\ncommand_deadline_seconds = inf\n", 2, "must be a finite number, got inf"),
    "-inf": ("[admin]\nhold_seconds = -inf\n", 2, "must be a finite number"),
    "above the maximum": ("[session]\nidle_timeout_seconds = 100000000\n", 2,
                          "'session.idle_timeout_seconds' must be at most 86_400, got 100_000_000"),
    "below the minimum": ("[bundles]\nkeep = 0\n", 2, "'bundles.keep' must be at least 1, got 0"),
    "an unreadable bundle key": ('[bundles]\ntrusted_keys = ["not a key"]\n', 2,
                                 "'bundles.trusted_keys' item 1: not a base64 Ed25519 public key"),
    "a short hospital key": ('[delivery]\nhospital_public_key = "AAAA"\n', 2,
                             "'delivery.hospital_public_key': the public key must be 32 bytes"),
    "a wrong type": ('[session]\nidle_timeout_seconds = "soon"\n', 2, "must be a whole number"),
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def config_check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = kiosk_main(["config", "check", str(path)])
    captured = capsys.readouterr()
    return code, (captured.err or captured.out).strip()


def start_kiosk(path: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """The kiosk's own start-up (``kiosk run``), as a separate process with its own data folder."""
    env = {**os.environ, "KIOSK_HOME": str(home), "PYTHONPATH": str(REPO_ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "kiosk", "run", "--windowed", "--config", str(path)],
                          capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=120)


@pytest.mark.parametrize(("text", "line", "words"), list(REFUSED.values()), ids=list(REFUSED))
def test_config_check_refuses_with_the_file_line_and_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, words: str
) -> None:
    path = write(tmp_path, text)
    code, message = config_check(path, capsys)
    assert code == 1
    assert message.startswith(f"kiosk: {path}:{line}: "), message
    assert words in message
    assert "Traceback" not in message


@pytest.mark.slow
@pytest.mark.parametrize(("text", "line", "words"), list(REFUSED.values()), ids=list(REFUSED))
def test_the_kiosk_refuses_the_same_at_start_up_and_logs_message_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, words: str
) -> None:
    path = write(tmp_path, text)
    _code, checked = config_check(path, capsys)
    home = tmp_path / "kiosk-run-home"
    started = start_kiosk(path, home)
    assert started.returncode == 2, started.stderr
    assert started.stderr.strip() == checked, "config check and start-up say the same"
    log_text = (home / "logs" / "kiosk.log").read_text(encoding="utf-8")
    message = checked.removeprefix("kiosk: ")
    assert f"configuration refused: {message}" in log_text
    assert f"{path}:{line}: " in log_text and words in log_text
    assert "message not logged" not in log_text


def test_what_config_check_approves_the_kiosk_starts_with(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_kiosk, keys: tuple[str, str]
) -> None:
    """The edges the running kiosk accepts: plain http to this machine, the largest backoff cap."""
    path = write(tmp_path, (
        f'[delivery]\nendpoint = "http://127.0.0.1:9/v1/requests"\ntoken = "{TOKEN}"\n'
        f'backoff_cap_seconds = 900\nhospital_public_key = "{keys[1]}"\n'
        '[languages]\nenabled = ["en", "de"]\n'
    ))
    assert config_check(path, capsys) == (0, f"{path}: ok")
    config = load_config(path, environ={})
    kiosk = make_kiosk(cfg=config)
    kiosk.finish_startup()  # every start-up step, the sender's settings included
    assert kiosk.sender is not None


def test_delivery_settings_and_load_config_refuse_alike() -> None:
    """``DeliverySettings`` built by code (not from a file) meets the same checks, worded the same."""
    cases = [
        (DeliverySettings(backoff_cap=1e9), {"KIOSK_DELIVERY_BACKOFF_CAP_SECONDS": "1e9"}),
        (DeliverySettings(endpoint="http://10.0.0.5/x", token=TOKEN),
         {"KIOSK_DELIVERY_ENDPOINT": "http://10.0.0.5/x", "KIOSK_DELIVERY_TOKEN": TOKEN}),
        (DeliverySettings(endpoint="https://h.example/x"), {"KIOSK_DELIVERY_ENDPOINT": "https://h.example/x"}),
    ]
    for settings, environ in cases:
        problem = settings.problem()
        assert problem
        with pytest.raises(ConfigError) as refused:
            load_config(None, environ=environ)
        assert str(refused.value).endswith(problem)


def test_a_secret_is_never_quoted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "[delivery]\ntoken = 918273645\n")
    code, message = config_check(path, capsys)
    assert code == 1 and "'delivery.token' must be a text" in message
    assert "918273645" not in message


def test_nan_and_inf_from_the_environment_are_refused() -> None:
    for raw in ("nan", "inf", "-inf", "NaN"):
        with pytest.raises(ConfigError, match=r"KIOSK_DELIVERY_CONNECT_TIMEOUT_SECONDS: .*finite"):
            load_config(None, environ={"KIOSK_DELIVERY_CONNECT_TIMEOUT_SECONDS": raw})


def test_a_configuration_error_keeps_its_message_in_a_logged_traceback() -> None:
    try:
        load_config(None, environ={"KIOSK_DELIVERY_BACKOFF_CAP_SECONDS": "1e9"})
    except ConfigError as error:
        text = describe_exception(type(error), error, error.__traceback__)
    assert "ConfigError: KIOSK_DELIVERY_BACKOFF_CAP_SECONDS: 'delivery.backoff_cap_seconds' must be at most 900" \
        in text
    try:
        raise ValueError("Leyla Demir +90 532 123 45 67")
    except ValueError as error:
        other = describe_exception(type(error), error, error.__traceback__)
    assert "Leyla" not in other and "ValueError (message not logged)" in other


def test_the_log_file_keeps_a_configuration_error_from_a_slot(tmp_path: Path) -> None:
    """An uncaught ConfigError (as from a Qt slot) goes to kiosk.log with its message."""
    from kiosk import logs

    handler = logs.setup_logging(load_config(None, environ={}))
    try:
        try:
            raise ConfigError("kiosk.toml:4: 'delivery.endpoint': 'ftp://x/' is not an https:// address")
        except ConfigError as error:
            sys.excepthook(type(error), error, error.__traceback__)
        handler.flush()
    finally:
        logs.teardown_logging(handler)
    text = logs.log_path().read_text(encoding="utf-8")
    assert "ConfigError: kiosk.toml:4: 'delivery.endpoint': 'ftp://x/' is not an https:// address" in text
