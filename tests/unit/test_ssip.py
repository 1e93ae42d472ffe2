"""The speech host's own SSIP client: locale names, voice choice, autospawn rules, and a real host process
against a real speech-dispatcher that loads no Qt at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.speech.ssip import Voice, autospawn_allowed, best_voice, locale_name
from tests.speech_servers import HAVE_SPEECH_DISPATCHER, start_speech_dispatcher

REPO = Path(__file__).resolve().parents[2]
ESPEAK_ENGLISH = [Voice("English (Caribbean)", "en-029"), Voice("English (Great Britain)", "en-GB"),
                  Voice("English (America)", "en-US"), Voice("English (America)+Max", "en-US"),
                  Voice("Persian", "fa"), Voice("Arabic", "ar")]


@pytest.mark.parametrize(("language", "expected"), [("en-GB", "en_GB"), ("en-gb", "en_GB"), ("de", "de"),
                                                    ("en-029", "en"), ("pt_BR", "pt_BR"), ("fa", "fa")])
def test_locale_names_as_the_kiosk_reads_them(language: str, expected: str) -> None:
    assert locale_name(language) == expected


def test_the_voice_of_the_language_and_country_read() -> None:
    assert best_voice("en_GB", ESPEAK_ENGLISH).name == "English (Great Britain)"
    assert best_voice("en_US", ESPEAK_ENGLISH).name == "English (America)"  # not the "+Max" variant
    assert best_voice("fa_IR", ESPEAK_ENGLISH).name == "Persian"  # the language's only voice, any country
    assert best_voice("ar_EG", ESPEAK_ENGLISH).name == "Arabic"
    assert best_voice("tr_TR", ESPEAK_ENGLISH) is None  # never another language's voice


def test_autospawn_follows_speech_dispatchers_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "speech-dispatcher"
    config.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (config / "speechd.conf").write_text("# DisableAutoSpawn\n")
    system_disables = not autospawn_allowed()
    (config / "speechd.conf").write_text("DisableAutoSpawn\n")
    assert not autospawn_allowed()
    if not system_disables:
        (config / "speechd.conf").write_text("# DisableAutoSpawn is commented out\n")
        assert autospawn_allowed()


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_SPEECH_DISPATCHER and not os.environ.get("CI"),
                    reason="speech-dispatcher and espeak-ng are not installed")
def test_the_host_speaks_through_speech_dispatcher_without_qt(tmp_path: Path) -> None:
    server = start_speech_dispatcher(tmp_path / "speechd")
    env = {**os.environ, "SPEECHD_ADDRESS": server.address, "PYTHONPATH": str(REPO)}
    with subprocess.Popen([sys.executable, "-m", "kiosk", "speech-host", "--engine", "speechd"], cwd=REPO,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env) as host:
        assert host.stdout is not None and host.stdin is not None
        try:
            ready = json.loads(host.stdout.readline())
            assert ready["event"] == "ready" and {"en_GB", "ar", "fa", "de"} <= set(ready["locales"])
            host.stdin.write(json.dumps({"cmd": "say", "serial": 1, "token": 9, "text": "Hello. .Dot first.",
                                         "locale": "en_GB"}) + "\n")
            host.stdin.flush()
            events = [json.loads(host.stdout.readline())["event"] for _ in range(3)]
            assert events == ["ack", "started", "finished"]
            maps = Path(f"/proc/{host.pid}/maps").read_text()
            assert "libQt6" not in maps and "libpulse" not in maps  # the point of speaking SSIP directly
        finally:
            host.stdin.write('{"cmd": "quit"}\n')
            host.stdin.flush()
            host.wait(10)
            server.stop()
