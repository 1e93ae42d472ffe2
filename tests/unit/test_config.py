from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config, render_docs


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path):
    config = load_config(tmp_path / "missing.toml", environ={})
    assert config["session.idle_timeout_seconds"] == 90
    assert config["languages.default"] == "en"


def test_values_from_file_and_environment(tmp_path):
    path = write(tmp_path, "[session]\nidle_timeout_seconds = 120\n")
    assert load_config(path, environ={})["session.idle_timeout_seconds"] == 120
    env = {"KIOSK_SESSION_IDLE_TIMEOUT_SECONDS": "30"}
    assert load_config(path, environ=env)["session.idle_timeout_seconds"] == 30


def test_unknown_key_names_the_line_and_a_suggestion(tmp_path):
    path = write(tmp_path, "[session]\n\nidle_timeout_secnds = 120\n")
    with pytest.raises(ConfigError, match=r"kiosk.toml:3: unknown setting 'session.idle_timeout_secnds'.*"
                                          r"did you mean 'session.idle_timeout_seconds'"):
        load_config(path, environ={})


def test_wrong_type_names_the_line(tmp_path):
    path = write(tmp_path, '[display]\nwindowed = "yes"\n')
    with pytest.raises(ConfigError, match=r"kiosk.toml:2: 'display.windowed' must be true or false"):
        load_config(path, environ={})


def test_out_of_range_and_bad_choice(tmp_path):
    with pytest.raises(ConfigError, match="at least"):
        load_config(write(tmp_path, "[session]\nidle_timeout_seconds = 1\n"), environ={})
    with pytest.raises(ConfigError, match="one of"):
        load_config(write(tmp_path, '[languages]\nunreviewed = "maybe"\n'), environ={})


def test_broken_toml_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[session\n"), environ={})


def test_bad_environment_value_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="KIOSK_SESSION_IDLE_TIMEOUT_SECONDS"):
        load_config(None, environ={"KIOSK_SESSION_IDLE_TIMEOUT_SECONDS": "soon"})


def test_docs_mention_every_setting():
    from kiosk.config import SETTINGS

    docs = render_docs()
    for setting in SETTINGS:
        assert f"`{setting.key}`" in docs and setting.env_name in docs


def test_committed_configuration_docs_are_current():
    committed = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
    assert committed.read_text(encoding="utf-8").strip() == render_docs().strip(), \
        "docs/configuration.md is stale: run `kiosk config docs > docs/configuration.md`"


def test_language_codes_are_checked(tmp_path):
    with pytest.raises(ConfigError, match=r"kiosk.toml:2: languages.enabled: unknown language code\(s\) xx, klingon"):
        load_config(write(tmp_path, '[languages]\nenabled = ["en", "xx", "klingon"]\n'), environ={})
    with pytest.raises(ConfigError, match=r"kiosk.toml:3: languages.default 'ar' is not in languages.enabled"):
        load_config(write(tmp_path, '[languages]\nenabled = ["en", "de"]\ndefault = "ar"\n'), environ={})
    config = load_config(write(tmp_path, '[languages]\nenabled = ["de", "en"]\ndefault = "de"\n'), environ={})
    assert config["languages.default"] == "de"
