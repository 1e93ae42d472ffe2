"""``kiosk speech-host`` as the kiosk runs it (a real process on Qt's mock engine), and the voice's status
file as the health report reads it."""

from __future__ import annotations

import json
import subprocess
import sys

from kiosk.health.report import SPEECH_UNAVAILABLE, build_report
from kiosk.speech import status
from tests.conftest import REPO_ROOT


def run_host(*commands: dict | str, engine: str = "mock") -> list[dict]:
    lines = [command if isinstance(command, str) else json.dumps(command) for command in commands]
    done = subprocess.run([sys.executable, "-m", "kiosk", "speech-host", "--engine", engine], cwd=REPO_ROOT,
                          input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_the_host_lists_its_voices_and_reports_each_utterance():
    events = run_host({"cmd": "say", "serial": 1, "token": 5, "text": "Hello.", "locale": "en_GB"})
    assert events[0]["event"] == "ready" and events[0]["engine"] == "mock"
    assert "en_GB" in events[0]["locales"]
    assert {"event": "ack", "serial": 1} in events
    assert {"event": "started", "token": 5} in events
    # stdin closed at once: the host quits without waiting for the end of the sentence


def test_a_line_that_is_not_a_command_is_ignored_and_the_next_one_is_carried_out():
    events = run_host("this is not json", '{"cmd": "pause", "serial": 1}', {"cmd": "stop", "serial": 2})
    assert [event for event in events if event["event"] == "ack"] == [{"event": "ack", "serial": 1},
                                                                       {"event": "ack", "serial": 2}]


def test_an_engine_that_does_not_exist_is_reported_and_the_host_ends():
    done = subprocess.run([sys.executable, "-m", "kiosk", "speech-host", "--engine", "no-such-engine"],
                          cwd=REPO_ROOT, input="", capture_output=True, text=True, timeout=60, check=False)
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1 and events[-1]["event"] == "failed" and events[-1]["reason"]


def test_the_health_report_says_why_there_is_no_voice(config):
    assert SPEECH_UNAVAILABLE not in [reason.code for reason in build_report(config).reasons]
    status.write_status(available=False, engine="speechd", reason="speech engine did not answer in time (start)")
    reasons = {reason.code: reason.message for reason in build_report(config).reasons}
    assert reasons[SPEECH_UNAVAILABLE] == "Read aloud is unavailable: speech engine did not answer in time (start)"
    assert SPEECH_UNAVAILABLE not in [reason.code for reason in
                                      build_report(config.with_overrides(speech__enabled=False)).reasons]
    status.write_status(available=True, engine="speechd")
    assert SPEECH_UNAVAILABLE not in [reason.code for reason in build_report(config).reasons]


def test_a_damaged_status_file_is_no_status_and_no_crash(config):
    status.status_path().write_text("{not json", encoding="utf-8")
    assert status.read_status() is None
    assert SPEECH_UNAVAILABLE not in [reason.code for reason in build_report(config).reasons]
