"""Declared settings, read from one TOML file with environment overrides.

Every setting is declared once below (key, type, default, meaning); ``docs/configuration.md`` is generated
from these declarations (``kiosk config docs``). Unknown keys and wrong types are errors that name the file
and line. An environment variable ``KIOSK_<SECTION>_<NAME>`` (upper case, dots as underscores) overrides a
file value; tests and trials use that.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A configuration problem a person can fix; the message says where and how."""


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    doc: str
    choices: tuple[Any, ...] = ()
    minimum: float | None = None

    @property
    def env_name(self) -> str:
        return "KIOSK_" + self.key.upper().replace(".", "_")


SETTINGS: tuple[Setting, ...] = (
    # --- languages and content -------------------------------------------------------------------------
    Setting("languages.enabled", list, ["en", "tr", "ar", "fa", "ru", "de", "fr", "uk"],
            "Language codes offered to patients, in the order the picker shows them. Adding a language: "
            "its catalog, its content files, and its code here."),
    Setting("languages.default", str, "en", "Language shown on the attract screen and after every reset."),
    Setting("languages.pseudo", bool, False,
            "Also offer the pseudo-languages qps (every string 40 % longer, accented, in brackets) and qps-rtl "
            "(the same, right-to-left) for checking layouts. Never on a kiosk patients use."),
    Setting("languages.unreviewed", str, "notice",
            "How a translation the medical team has not signed off is shown: with a small translated "
            "notice, or hidden (the default language's text is shown instead).",
            choices=("notice", "hide")),
    Setting("content.directory", str, "",
            "Folder of the content bundle to show. Empty: the installed bundle, else the shipped one."),
    # --- session --------------------------------------------------------------------------------------
    Setting("session.idle_timeout_seconds", int, 90,
            "Seconds without a touch before the 'Are you still there?' countdown starts.", minimum=5),
    # At least 20 s (WCAG 2.2.1): time to hear the warning from a screen reader and reach the button.
    Setting("session.idle_countdown_seconds", int, 30,
            "Length of the countdown; any touch cancels it, at zero the kiosk returns to the start.",
            minimum=20),
    # --- consultation form ---------------------------------------------------------------------------
    Setting("form.usual_countries", list, ["TR", "SA", "AE", "IQ", "IR", "AZ", "RU", "UA", "KZ", "DE", "GB", "FR"],
            "Countries listed first in the form's country list (ISO 3166 codes), the kiosk's usual patients."),
    Setting("form.done_seconds", int, 45,
            "Seconds the confirmation stays on screen before the 'Are you still there?' countdown, which can "
            "keep it longer.",
            minimum=5),
    # --- display --------------------------------------------------------------------------------------
    Setting("display.windowed", bool, False, "Run in a normal window instead of full screen (staff preview)."),
    Setting("display.hide_cursor", bool, True, "Hide the mouse cursor in kiosk mode (touch screens)."),
    Setting("keyboard.virtual", bool, True,
            "Show the on-screen keyboard in the patient's alphabet when a form field is touched. Off only "
            "where the kiosk has a physical keyboard or the platform brings its own on-screen keyboard."),
    # --- accessibility --------------------------------------------------------------------------------
    Setting("display.reduce_motion", bool, False,
            "No animated transitions and no kinetic overshoot when the reader's text is flicked, for "
            "visitors whom movement on screen disturbs. A kiosk setting, not a button: the bar has no room "
            "for it in every language, and the people it helps cannot be asked to find it first."),
    Setting("touch.slide_tolerance_px", int, 40,
            "Pixels a finger may slide beyond a button's edge and still count as a tap on release. Inside "
            "a scrolling area, sliding farther than this from where it landed is a scroll instead.",
            minimum=0),
    Setting("touch.repeat_ignore_ms", int, 400,
            "A touch that starts less than this many milliseconds after the previous one ended is ignored "
            "(a bouncing hand counts once, and never presses what appears in the same place next). "
            "0: off.", minimum=0),
    Setting("touch.hold_ms", int, 0,
            "Milliseconds a finger must rest on a button before it counts, shown as a fill growing over the "
            "button. 0: off (a tap counts on release).", minimum=0),
    Setting("speech.enabled", bool, True,
            "Offer 'Read aloud' in the reader and beside the form's privacy notice, in languages for which "
            "the speech engine has a voice."),
    Setting("speech.engine", str, "",
            "Qt text-to-speech engine to use ('speechd' on Linux, 'sapi' or 'winrt' on Windows, 'mock' for "
            "tests). Empty: the platform's default."),
    Setting("speech.start_deadline_seconds", float, 15.0,
            "Seconds the speech engine may take to start (speech-dispatcher is started if need be) and list "
            "its voices. Later than that, 'Read aloud' is not offered until the kiosk is restarted; the "
            "health report says why. The kiosk itself never waits for the engine.", minimum=0.1),
    Setting("speech.command_deadline_seconds", float, 3.0,
            "Seconds each request to the speech engine (read, pause, resume, stop) may take to be answered, "
            "and a sentence to begin to be heard. A hung engine or audio output past this makes 'Read "
            "aloud' unavailable, as above.", minimum=0.1),
    # --- delivery -------------------------------------------------------------------------------------
    Setting("delivery.endpoint", str, "",
            "HTTPS address of the hospital's receiver (docs/delivery-contract.md). Empty: requests are "
            "kept safely in the outbox and can be exported with 'kiosk outbox export'."),
    Setting("delivery.kiosk_id", str, "",
            "This kiosk's name, sent with every request so the hospital knows where it came from. "
            "Empty: the machine's host name."),
    Setting("delivery.token", str, "",
            "This kiosk's secret token, sent as 'Authorization: Bearer <token>'. One per kiosk, from the "
            "hospital's IT; at least 32 random characters."),
    Setting("delivery.ca_file", str, "",
            "PEM file of the certificate authority that signed the receiver's certificate, when the "
            "hospital runs its own CA. Empty: the system's trusted authorities."),
    Setting("delivery.hospital_public_key", str, "",
            "The hospital's public key (base64, from 'kiosk receiver keygen'). Requests are sealed to it "
            "before they are stored; the form is unavailable while this is empty."),
    Setting("delivery.connect_timeout_seconds", float, 10.0,
            "Seconds to wait for the receiver to accept a connection (TLS included).", minimum=1),
    Setting("delivery.request_deadline_seconds", float, 30.0,
            "Seconds one delivery attempt may take in total before it counts as failed and is retried.",
            minimum=1),
    Setting("delivery.backoff_base_seconds", float, 5.0,
            "First retry delay; it doubles after each failure (randomised to spread kiosks out).",
            minimum=0.1),
    Setting("delivery.backoff_cap_seconds", float, 900.0,
            "Longest wait between two attempts, also for a server's Retry-After (at most 900).",
            minimum=1),
    Setting("delivery.retention_days", int, 30,
            "Days a delivered request's metadata (reference, times, receipt; never the personal data, "
            "which is destroyed on delivery) is kept for staff questions.", minimum=1),
    # --- bundles --------------------------------------------------------------------------------------
    Setting("bundles.trusted_keys", list, [],
            "Base64 Ed25519 public keys (from 'kiosk bundle keygen') whose signed content bundles this "
            "kiosk installs. Empty: no bundle is installed and the shipped content stays."),
    Setting("bundles.watch_folder", str, "",
            "Folder (a USB stick's mount point or a network share) checked for new '*.kbundle' files; "
            "the newest valid one is installed at the next idle moment. Empty: not watched."),
    Setting("bundles.url", str, "",
            "HTTPS address of a '.kbundle' file, polled with conditional requests (ETag / "
            "If-Modified-Since). Empty: not polled."),
    Setting("bundles.poll_minutes", int, 60, "Minutes between two checks of bundles.url.", minimum=1),
    Setting("bundles.keep", int, 3,
            "Installed bundles kept on disk, the active one included; 'kiosk bundle rollback' can go "
            "back through them.", minimum=1),
    Setting("bundles.max_download_mb", int, 200,
            "Largest bundle file accepted, from a folder or a download (MiB).", minimum=1),
    Setting("bundles.max_unpacked_mb", int, 500,
            "Largest total size a bundle may unpack to (MiB).", minimum=1),
    Setting("bundles.max_files", int, 5000, "Most files a bundle may contain.", minimum=1),
    # --- health, logs and the admin screen -------------------------------------------------------------
    Setting("health.max_undelivered_age_minutes", int, 240,
            "The kiosk counts as unhealthy when a request has waited longer than this for delivery.",
            minimum=1),
    Setting("health.min_free_disk_mb", int, 200,
            "The kiosk counts as unhealthy when the data folder's disk has less free space (MiB).", minimum=0),
    Setting("health.prometheus_textfile", str, "",
            "File the running kiosk rewrites with its health in Prometheus text format, for "
            "node_exporter's textfile collector (a '.prom' file in its directory). Empty: not written."),
    Setting("health.prometheus_interval_seconds", int, 60,
            "Seconds between two rewrites of health.prometheus_textfile.", minimum=5),
    Setting("logs.max_kb", int, 1024, "Size of one log file (KiB) before it is rotated.", minimum=16),
    Setting("logs.keep", int, 5, "Rotated log files kept besides the current one.", minimum=1),
    Setting("admin.pin_hash", str, "",
            "Salted scrypt hash of the admin PIN, printed by 'kiosk admin hash-pin'. Empty: the admin "
            "screen is disabled."),
    Setting("admin.hold_seconds", float, 5.0,
            "Seconds a finger must rest on the top-left corner of the screen to open the admin PIN pad.",
            minimum=0.2),
    Setting("admin.usb_folder", str, "",
            "Folder the admin screen exports requests to and installs bundles from. Empty: the first "
            "writable folder under /media/*/* or /run/media/*/* (a USB stick)."),
)

_BY_KEY = {setting.key: setting for setting in SETTINGS}


class Config:
    """Validated settings; ``config["session.idle_timeout_seconds"]``."""

    def __init__(self, values: Mapping[str, Any], source: Path | None = None) -> None:
        self._values = dict(values)
        self.source = source

    def __getitem__(self, key: str) -> Any:
        if key not in _BY_KEY:
            raise KeyError(f"undeclared setting {key!r}")
        return self._values.get(key, _BY_KEY[key].default)

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with some values replaced, keyed with ``__`` for dots (``session__idle_timeout_seconds``)."""
        values = dict(self._values)
        for name, value in overrides.items():
            key = name.replace("__", ".")
            values[key] = _coerce(_BY_KEY[key], value, where=f"override {key}")
        return Config(values, self.source)


def declared(key: str) -> Setting:
    return _BY_KEY[key]


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` (missing file: all defaults), then apply environment overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if path is not None and path.exists():
        values.update(_read_file(path))
    for setting in SETTINGS:
        raw = environ.get(setting.env_name)
        if raw is not None:
            values[setting.key] = _coerce(setting, _parse_env(setting, raw), where=setting.env_name)
    _check_languages(values, path)
    return Config(values, path)


def _check_languages(values: Mapping[str, Any], path: Path | None) -> None:
    from babel import localedata

    def where(key: str) -> str:
        if path is None or not path.exists():
            return "configuration"
        line = _line_of(path.read_text(encoding="utf-8"), key)
        return f"{path}:{line}" if line else str(path)

    enabled = values.get("languages.enabled", _BY_KEY["languages.enabled"].default)
    unknown = [code for code in enabled if not localedata.exists(code.replace("-", "_"))]
    if unknown:
        raise ConfigError(f"{where('languages.enabled')}: languages.enabled: unknown language code(s) "
                          f"{', '.join(unknown)} (use codes such as 'en', 'ar', 'pt_BR')")
    if not enabled:
        raise ConfigError(f"{where('languages.enabled')}: languages.enabled: at least one language is needed")
    default = values.get("languages.default", _BY_KEY["languages.default"].default)
    if default not in enabled:
        raise ConfigError(f"{where('languages.default')}: languages.default '{default}' is not in "
                          f"languages.enabled ({', '.join(enabled)})")


def _read_file(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    values: dict[str, Any] = {}
    for dotted, value in _flatten(document):
        line = _line_of(text, dotted)
        where = f"{path}:{line}" if line else str(path)
        setting = _BY_KEY.get(dotted)
        if setting is None:
            hint = _closest(dotted)
            raise ConfigError(f"{where}: unknown setting '{dotted}'" + (f" (did you mean '{hint}'?)" if hint else ""))
        values[dotted] = _coerce(setting, value, where=where)
    return values


def _flatten(table: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for name, value in table.items():
        dotted = f"{prefix}{name}"
        if isinstance(value, dict) and not any(s.key == dotted for s in SETTINGS):
            items.extend(_flatten(value, dotted + "."))
        else:
            items.append((dotted, value))
    return items


def _line_of(text: str, dotted: str) -> int | None:
    """Line number of ``dotted`` in the TOML text (tomllib keeps no positions)."""
    section, _, name = dotted.rpartition(".")
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[([^\[\]]+)\]", stripped)
        if header:
            current = header.group(1).strip()
            continue
        if re.match(rf"^{re.escape(name)}\s*=", stripped) and current == section:
            return number
        if re.match(rf"^{re.escape(dotted)}\s*=", stripped) and current == "":
            return number
    return None


def _closest(dotted: str) -> str | None:
    import difflib

    matches = difflib.get_close_matches(dotted, list(_BY_KEY), n=1)
    return matches[0] if matches else None


def _parse_env(setting: Setting, raw: str) -> Any:
    if setting.type is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        return raw
    if setting.type is int:
        try:
            return int(raw)
        except ValueError:
            return raw
    if setting.type is float:
        try:
            return float(raw)
        except ValueError:
            return raw
    if setting.type is list:
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


_TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "a text in quotes",
               list: "a list like [\"a\", \"b\"]"}


def _coerce(setting: Setting, value: Any, where: str) -> Any:
    expected = setting.type
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        raise ConfigError(
            f"{where}: '{setting.key}' must be {_TYPE_NAMES.get(expected, expected.__name__)}, got {value!r}"
        )
    if setting.choices and value not in setting.choices:
        options = ", ".join(repr(choice) for choice in setting.choices)
        raise ConfigError(f"{where}: '{setting.key}' must be one of {options}, got {value!r}")
    if setting.minimum is not None and value < setting.minimum:
        raise ConfigError(f"{where}: '{setting.key}' must be at least {setting.minimum}, got {value!r}")
    return value


def render_docs() -> str:
    """Markdown reference of every setting, generated from the declarations."""
    lines = [
        "# Configuration",
        "",
        "Generated from `kiosk/config.py` by `kiosk config docs`; do not edit by hand.",
        "",
        "One TOML file configures a kiosk (`kiosk run --config FILE`, `KIOSK_CONFIG`, or the platform's "
        "config folder). Settings are grouped in tables: `session.idle_timeout_seconds` is written as "
        "`idle_timeout_seconds = 90` under `[session]`. Each setting can be overridden by the environment "
        "variable shown.",
        "",
    ]
    current_section = None
    for setting in SETTINGS:
        section = setting.key.split(".")[0]
        if section != current_section:
            lines += [f"## [{section}]", ""]
            current_section = section
        default = setting.default
        lines.append(f"### `{setting.key}`")
        lines.append("")
        lines.append(setting.doc)
        lines.append("")
        lines.append(f"- type: {_TYPE_NAMES.get(setting.type, setting.type.__name__)}")
        lines.append(f"- default: `{default!r}`")
        if setting.choices:
            lines.append("- one of: " + ", ".join(f"`{c}`" for c in setting.choices))
        if setting.minimum is not None:
            lines.append(f"- at least: {setting.minimum}")
        lines.append(f"- environment: `{setting.env_name}`")
        lines.append("")
    return "\n".join(lines)
