"""Declared settings, read from one TOML file with environment overrides.

Every setting is declared once below (key, type, default, meaning); ``docs/configuration.md`` is generated
from these declarations (``kiosk config docs``). Unknown keys, wrong types (of list items too), values out of
range, NaN and infinities, and combinations the kiosk cannot run with are errors that name the file and line.
``load_config`` is the only validation: the running kiosk and ``kiosk config check`` both go through it, and
services reading a setting (``DeliverySettings.from_config``) use the same checks from here. An environment
variable ``KIOSK_<SECTION>_<NAME>`` (upper case, dots as underscores) overrides a file value; tests and trials
use that.
"""

from __future__ import annotations

import builtins
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A configuration problem a person can fix; the message says where and how.

    Its message names a file, a line and a setting, never patient data, and never quotes the value of a
    secret setting: the log may keep it (``kiosk.logs`` lets messages of ``safe_to_log`` errors through).
    """

    safe_to_log = True


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    doc: str
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    item_type: builtins.type = str  # for lists: the type of every item
    secret: bool = False  # error messages never quote its value
    check: Callable[[Any], str | None] | None = None  # what else is wrong with a value, in words

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
            "Seconds without a touch before the 'Are you still there?' countdown starts.", minimum=5, maximum=86400),
    # At least 20 s (WCAG 2.2.1): time to hear the warning from a screen reader and reach the button.
    Setting("session.idle_countdown_seconds", int, 30,
            "Length of the countdown; any touch cancels it, at zero the kiosk returns to the start.",
            minimum=20, maximum=600),
    # --- consultation form ---------------------------------------------------------------------------
    Setting("form.usual_countries", list, ["TR", "SA", "AE", "IQ", "IR", "AZ", "RU", "UA", "KZ", "DE", "GB", "FR"],
            "Countries listed first in the form's country list (ISO 3166 codes), the kiosk's usual patients."),
    Setting("form.done_seconds", int, 45,
            "Seconds the confirmation stays on screen before the 'Are you still there?' countdown, which can "
            "keep it longer.",
            minimum=5, maximum=3600),
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
            minimum=0, maximum=1000),
    Setting("touch.repeat_ignore_ms", int, 400,
            "A touch that starts less than this many milliseconds after the previous one ended is ignored "
            "(a bouncing hand counts once, and never presses what appears in the same place next). "
            "0: off.", minimum=0, maximum=5000),
    Setting("touch.hold_ms", int, 0,
            "Milliseconds a finger must rest on a button before it counts, shown as a fill growing over the "
            "button. 0: off (a tap counts on release).", minimum=0, maximum=10000),
    Setting("speech.enabled", bool, True,
            "Offer 'Read aloud' in the reader and beside the form's privacy notice, in languages for which "
            "the speech engine has a voice."),
    Setting("speech.engine", str, "",
            "Qt text-to-speech engine to use ('speechd' on Linux, 'sapi' or 'winrt' on Windows, 'mock' for "
            "tests). Empty: the platform's default."),
    Setting("speech.start_deadline_seconds", float, 15.0,
            "Seconds the speech engine may take to start (speech-dispatcher is started if need be) and list "
            "its voices. Later than that, 'Read aloud' is not offered until the kiosk is restarted; the "
            "health report says why. The kiosk itself never waits for the engine.", minimum=0.1, maximum=600),
    Setting("speech.command_deadline_seconds", float, 3.0,
            "Seconds each request to the speech engine (read, pause, resume, stop) may take to be answered, "
            "and a sentence to begin to be heard. A hung engine or audio output past this makes 'Read "
            "aloud' unavailable, as above.", minimum=0.1, maximum=600),
    # --- delivery -------------------------------------------------------------------------------------
    Setting("delivery.endpoint", str, "",
            "HTTPS address of the hospital's receiver (docs/delivery-contract.md); plain http:// only to "
            "this machine (trials). Empty: requests are kept safely in the outbox and can be exported with "
            "'kiosk outbox export'.", check=lambda value: _endpoint_problem(value)),
    Setting("delivery.kiosk_id", str, "",
            "This kiosk's name, sent with every request so the hospital knows where it came from. "
            "Empty: the machine's host name."),
    Setting("delivery.token", str, "",
            "This kiosk's secret token, sent as 'Authorization: Bearer <token>'. One per kiosk, from the "
            "hospital's IT; at least 32 random characters. Required when delivery.endpoint is set.",
            secret=True),
    Setting("delivery.ca_file", str, "",
            "PEM file of the certificate authority that signed the receiver's certificate, when the "
            "hospital runs its own CA. Empty: the system's trusted authorities."),
    Setting("delivery.hospital_public_key", str, "",
            "The hospital's public key (base64, from 'kiosk receiver keygen'). Requests are sealed to it "
            "before they are stored; the form is unavailable while this is empty.",
            check=lambda value: _sealing_key_problem(value)),
    Setting("delivery.connect_timeout_seconds", float, 10.0,
            "Seconds to wait for the receiver to accept a connection (TLS included).", minimum=1, maximum=600),
    Setting("delivery.request_deadline_seconds", float, 30.0,
            "Seconds one delivery attempt may take in total before it counts as failed and is retried.",
            minimum=1, maximum=3600),
    Setting("delivery.backoff_base_seconds", float, 5.0,
            "First retry delay; it doubles after each failure (randomised to spread kiosks out).",
            minimum=0.1, maximum=900),
    Setting("delivery.backoff_cap_seconds", float, 900.0,
            "Longest wait between two attempts, also for a server's Retry-After.",
            minimum=1, maximum=900),
    Setting("delivery.outbox_max_mb", int, 256,
            "Largest size (MiB) of the outbox file: past it new requests are refused (the patient is asked to go "
            "to the desk) instead of a flood filling the disk. About 100,000 waiting requests fit in 256.",
            minimum=1, maximum=1024 * 1024),
    Setting("delivery.disk_reserve_kb", int, 1024,
            "Disk space (KiB) the outbox holds back so that delivery can still record its progress when the disk "
            "is full (delivering is what frees space). 0 turns it off.", minimum=0, maximum=1024 * 1024),
    Setting("delivery.retention_days", int, 30,
            "Days a delivered request's metadata (reference, times, receipt; never the personal data, "
            "which is destroyed on delivery) is kept for staff questions.", minimum=1, maximum=3650),
    # --- bundles --------------------------------------------------------------------------------------
    Setting("bundles.trusted_keys", list, [],
            "Base64 Ed25519 public keys (from 'kiosk bundle keygen') whose signed content bundles this "
            "kiosk installs. Empty: no bundle is installed and the shipped content stays.",
            check=lambda value: _bundle_keys_problem(value)),
    Setting("bundles.watch_folder", str, "",
            "Folder (a USB stick's mount point or a network share) checked for new '*.kbundle' files; "
            "the newest valid one is installed at the next idle moment. Empty: not watched."),
    Setting("bundles.url", str, "",
            "HTTPS address of a '.kbundle' file, polled with conditional requests (ETag / "
            "If-Modified-Since). Empty: not polled."),
    Setting("bundles.poll_minutes", int, 60, "Minutes between two checks of bundles.url.", minimum=1, maximum=10080),
    Setting("bundles.ca_file", str, "",
            "PEM file of the certificate authority that signed the certificate of bundles.url's server, when "
            "the hospital runs its own CA. Empty: the system's trusted authorities."),
    Setting("bundles.download_deadline_seconds", float, 600.0,
            "Seconds a download from bundles.url may take in total; a slower one is refused and not "
            "fetched again until the file on the server changes. The watched folder is checked meanwhile.",
            minimum=1, maximum=86400),
    Setting("bundles.download_idle_seconds", float, 60.0,
            "Seconds the server of bundles.url may send nothing (connecting included) before the download "
            "counts as failed and is tried again at the next poll.", minimum=1, maximum=3600),
    Setting("bundles.keep", int, 3,
            "Installed bundles kept on disk, the active one included; 'kiosk bundle rollback' can go "
            "back through them.", minimum=1, maximum=100),
    Setting("bundles.max_download_mb", int, 200,
            "Largest bundle file accepted, from a folder or a download (MiB).", minimum=1, maximum=100_000),
    Setting("bundles.max_unpacked_mb", int, 500,
            "Largest total size a bundle may unpack to (MiB).", minimum=1, maximum=100_000),
    Setting("bundles.max_files", int, 5000, "Most files a bundle may contain.", minimum=1, maximum=1_000_000),
    # --- health, logs and the admin screen -------------------------------------------------------------
    Setting("health.max_undelivered_age_minutes", int, 240,
            "The kiosk counts as unhealthy when a request has waited longer than this for delivery.",
            minimum=1, maximum=525_600),
    Setting("health.min_free_disk_mb", int, 200,
            "The kiosk counts as unhealthy when the data folder's disk has less free space (MiB).",
            minimum=0, maximum=1024 ** 3),
    Setting("health.prometheus_textfile", str, "",
            "File the running kiosk rewrites with its health in Prometheus text format, for "
            "node_exporter's textfile collector (a '.prom' file in its directory). Empty: not written."),
    Setting("health.prometheus_interval_seconds", int, 60,
            "Seconds between two rewrites of health.prometheus_textfile.", minimum=5, maximum=86400),
    Setting("logs.max_kb", int, 1024, "Size of one log file (KiB) before it is rotated.",
            minimum=16, maximum=1_048_576),
    Setting("logs.keep", int, 5, "Rotated log files kept besides the current one.", minimum=1, maximum=100),
    Setting("admin.pin_hash", str, "",
            "Salted scrypt hash of the admin PIN, printed by 'kiosk admin hash-pin'. Empty: the admin "
            "screen is disabled.", secret=True),
    Setting("admin.hold_seconds", float, 5.0,
            "Seconds a finger must rest on the top-left corner of the screen to open the admin PIN pad.",
            minimum=0.2, maximum=60),
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
    """Read ``path`` (missing file: all defaults), apply environment overrides, and validate everything.

    This is the one validation path: ``kiosk config check`` and the kiosk's start-up both call it, so a
    file the check approves is a file the kiosk runs with.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    places: dict[str, str] = {}  # where each value came from: "file:line" or the environment variable
    if path is not None and path.exists():
        for key, (value, place) in _read_file(path).items():
            values[key], places[key] = value, place
    for setting in SETTINGS:
        raw = environ.get(setting.env_name)
        if raw is not None:
            values[setting.key] = _coerce(setting, _parse_env(setting, raw), where=setting.env_name)
            places[setting.key] = setting.env_name

    def where(key: str) -> str:
        return places.get(key) or (str(path) if path is not None and path.exists() else "configuration")

    _check_languages(values, where)
    _check_delivery(values, where)
    return Config(values, path)


def _value(values: Mapping[str, Any], key: str) -> Any:
    return values.get(key, _BY_KEY[key].default)


def _check_languages(values: Mapping[str, Any], where: Callable[[str], str]) -> None:
    from babel import localedata

    enabled = _value(values, "languages.enabled")
    unknown = [code for code in enabled if not localedata.exists(code.replace("-", "_"))]
    if unknown:
        raise ConfigError(f"{where('languages.enabled')}: languages.enabled: unknown language code(s) "
                          f"{', '.join(unknown)} (use codes such as 'en', 'ar', 'pt_BR')")
    if not enabled:
        raise ConfigError(f"{where('languages.enabled')}: languages.enabled: at least one language is needed")
    default = _value(values, "languages.default")
    if default not in enabled:
        raise ConfigError(f"{where('languages.default')}: languages.default '{default}' is not in "
                          f"languages.enabled ({', '.join(enabled)})")


def _check_delivery(values: Mapping[str, Any], where: Callable[[str], str]) -> None:
    problem = delivery_problem(_value(values, "delivery.endpoint"), _value(values, "delivery.token"),
                               _value(values, "delivery.backoff_cap_seconds"))
    if problem:
        raise ConfigError(f"{where('delivery.endpoint')}: {problem}")


def delivery_problem(endpoint: str, token: str, backoff_cap: float) -> str | None:
    """What the sender cannot work with in these delivery settings, in words for IT; None when usable.

    ``DeliverySettings`` asks this too, so the kiosk's sender and ``load_config`` refuse the same things.
    """
    problem = _range_problem(_BY_KEY["delivery.backoff_cap_seconds"], backoff_cap)
    if problem:
        return problem
    if not endpoint.strip():
        return None
    problem = _endpoint_problem(endpoint)
    if problem:
        return problem
    if not token.strip():
        return "'delivery.token' is empty: the hospital's server needs this kiosk's token"
    return None


def _endpoint_problem(endpoint: str) -> str | None:
    if not endpoint.strip():
        return None
    from kiosk.outbox.http import Endpoint  # standard library only: cheap before the first frame

    try:
        Endpoint.parse(endpoint)
    except ValueError as error:
        return f"'delivery.endpoint': {error}"
    return None


def _sealing_key_problem(value: str) -> str | None:
    if not value.strip():
        return None
    from kiosk.outbox.sealing import SealingError, load_public_key

    try:
        load_public_key(value)
    except SealingError as error:
        return f"'delivery.hospital_public_key': {error}"
    return None


def _bundle_keys_problem(keys: list[str]) -> str | None:
    if not keys:
        return None
    from kiosk.bundle.signing import KeyFileError, parse_public_key

    for index, text in enumerate(keys, start=1):
        try:
            parse_public_key(text)
        except (KeyFileError, OSError, UnicodeDecodeError) as error:
            return f"'bundles.trusted_keys' item {index}: {error}"
    return None


def _read_file(path: Path) -> dict[str, tuple[Any, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start})") from error
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror or error})") from error
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    values: dict[str, tuple[Any, str]] = {}
    for dotted, value in _flatten(document):
        line = _line_of(text, dotted)
        where = f"{path}:{line}" if line else str(path)
        setting = _BY_KEY.get(dotted)
        if setting is None:
            hint = _closest(dotted)
            raise ConfigError(f"{where}: unknown setting '{dotted}'" + (f" (did you mean '{hint}'?)" if hint else ""))
        values[dotted] = (_coerce(setting, value, where=where), where)
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
_ITEM_NAMES = {str: "texts in quotes", int: "whole numbers", float: "numbers", bool: "true or false"}


def _shown(setting: Setting, value: Any) -> str:
    """A value as an error message may quote it: secrets never, long values shortened."""
    if setting.secret:
        return "(value not shown: secret)"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is(value: Any, expected: type) -> bool:
    return isinstance(value, expected) and not (expected in (int, float) and isinstance(value, bool))


def _coerce(setting: Setting, value: Any, where: str) -> Any:
    expected = setting.type
    if expected is float and _is(value, int):
        value = float(value)
    if not _is(value, expected):
        raise ConfigError(
            f"{where}: '{setting.key}' must be {_TYPE_NAMES.get(expected, expected.__name__)}, "
            f"got {_shown(setting, value)}"
        )
    if expected is list:
        for index, item in enumerate(value):
            if not _is(item, setting.item_type):
                raise ConfigError(
                    f"{where}: '{setting.key}' must hold only {_ITEM_NAMES.get(setting.item_type, 'items')}; "
                    f"item {index + 1} is {_shown(setting, item)}"
                )
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{where}: '{setting.key}' must be a finite number, got {value!r}")
    if setting.choices and value not in setting.choices:
        options = ", ".join(repr(choice) for choice in setting.choices)
        raise ConfigError(f"{where}: '{setting.key}' must be one of {options}, got {_shown(setting, value)}")
    problem = _range_problem(setting, value)
    if problem is None and setting.check is not None:
        problem = setting.check(value)
    if problem:
        raise ConfigError(f"{where}: {problem}")
    return value


def _range_problem(setting: Setting, value: Any) -> str | None:
    if setting.minimum is not None and value < setting.minimum:
        return f"'{setting.key}' must be at least {_number(setting.minimum)}, got {_number(value)}"
    if setting.maximum is not None and value > setting.maximum:
        return f"'{setting.key}' must be at most {_number(setting.maximum)}, got {_number(value)}"
    return None


def _number(value: float) -> str:
    """``900``, ``1_000_000``, ``1e+09``: as TOML would read it, and never mistaken for a phone number by
    the log's mask."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    whole = int(value)
    return f"{whole:_}" if abs(whole) < 10**12 else f"{value:g}"


def render_docs() -> str:
    """Markdown reference of every setting, generated from the declarations.

    Each table appears once (settings grouped by table in declaration order) and every default is written
    as the TOML line that sets it, so that it can be copied into a configuration file as it stands.
    """
    import json  # here, not at the top: the rest of the module does not need it

    def toml_value(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return repr(value)
        if isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
        if isinstance(value, list | tuple):
            return "[" + ", ".join(toml_value(item) for item in value) + "]"
        raise TypeError(f"no TOML form for {value!r}")

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
    tables: dict[str, list[Setting]] = {}
    for setting in SETTINGS:
        tables.setdefault(setting.key.split(".")[0], []).append(setting)
    for table, settings in tables.items():
        lines += [f"## [{table}]", ""]
        for setting in settings:
            name = setting.key.split(".", 1)[1]
            lines.append(f"### `{setting.key}`")
            lines.append("")
            lines.append(setting.doc)
            lines.append("")
            lines.append(f"- type: {_TYPE_NAMES.get(setting.type, setting.type.__name__)}")
            lines.append(f"- default: `{name} = {toml_value(setting.default)}`")
            if setting.choices:
                lines.append("- one of: " + ", ".join(f"`{toml_value(c)}`" for c in setting.choices))
            if setting.minimum is not None:
                lines.append(f"- at least: {toml_value(setting.minimum)}")
            if setting.maximum is not None:
                lines.append(f"- at most: {toml_value(setting.maximum)}")
            lines.append(f"- environment: `{setting.env_name}`")
            lines.append("")
    return "\n".join(lines)
