"""docs/configuration.md is TOML where it shows settings: each table once, each default a line that parses."""

from __future__ import annotations

import re
import tomllib

from kiosk.config import SETTINGS, load_config, render_docs


def test_each_table_appears_once() -> None:
    tables = re.findall(r"^## \[(\w+)\]$", render_docs(), flags=re.MULTILINE)
    assert tables, "no tables in the docs"
    assert len(tables) == len(set(tables)), f"tables listed more than once: {tables}"
    assert set(tables) == {setting.key.split(".")[0] for setting in SETTINGS}


def test_defaults_written_under_their_tables_are_a_configuration_with_the_defaults(tmp_path) -> None:
    document = []
    for line in render_docs().splitlines():
        if table := re.fullmatch(r"## (\[\w+\])", line):
            document.append(table[1])
        elif default := re.fullmatch(r"- default: `(.*)`", line):
            document.append(default[1])
    text = "\n".join(document) + "\n"
    parsed = tomllib.loads(text)  # `pseudo = False` or a table written twice would raise here
    flat = {f"{table}.{key}": value for table, values in parsed.items() for key, value in values.items()}
    assert flat == {setting.key: setting.default for setting in SETTINGS}
    # and the kiosk itself reads it back as its defaults
    config_file = tmp_path / "kiosk.toml"
    config_file.write_text(text, encoding="utf-8")
    config = load_config(config_file, environ={})
    assert all(config[setting.key] == setting.default for setting in SETTINGS)
