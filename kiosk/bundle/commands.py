"""``kiosk bundle ...``: the staff workflow (validate, status, keygen, build, verify, export-html) and
the kiosk side (install, rollback, list).

Exit codes: 0 success; 1 the content or bundle has errors / was refused / nothing to roll back;
2 the command could not run (bad arguments, unreadable config or key).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import paths
from kiosk.config import Config, ConfigError, load_config

if TYPE_CHECKING:
    from kiosk.bundle.store import BundleStore


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bundle", help="content bundles: validate, build, install, roll back")
    actions = parser.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)

    validate = actions.add_parser("validate", help="list every problem of a content folder (file:line)")
    validate.add_argument("dir", type=Path, metavar="DIR")
    _json_languages_config(validate)
    validate.set_defaults(func=_validate)

    status = actions.add_parser("status", help="table of sections x languages: ok/missing/stale/unreviewed")
    status.add_argument("dir", type=Path, metavar="DIR")
    _json_languages_config(status)
    status.set_defaults(func=_status)

    keygen = actions.add_parser("keygen", help="create a signing key and print its public key")
    keygen.add_argument("--out", type=Path, required=True, metavar="KEYFILE",
                        help="private key file to create (keep it secret)")
    keygen.set_defaults(func=_keygen)

    build = actions.add_parser("build", help="validate DIR and write one signed .kbundle file")
    build.add_argument("dir", type=Path, metavar="DIR")
    build.add_argument("--key", type=Path, required=True, metavar="KEYFILE", help="private key file")
    build.add_argument("--out", type=Path, required=True, metavar="FILE", help="bundle file to write")
    build.add_argument("--expires-days", type=int, default=None, metavar="N",
                       help="kiosks refuse to install it after N days (default 180)")
    _json_languages_config(build, with_json=False)
    build.set_defaults(func=_build)

    verify = actions.add_parser("verify", help="check a bundle file as a kiosk would (without installing)")
    verify.add_argument("file", type=Path, metavar="FILE")
    verify.add_argument("--pubkey", action="append", default=[], metavar="KEY",
                        help="trusted public key (base64 or a .pub file); repeatable; default: the config's")
    _json_languages_config(verify)
    verify.set_defaults(func=_verify)

    install = actions.add_parser("install", help="verify, unpack, check and activate a bundle on this kiosk")
    install.add_argument("file", type=Path, metavar="FILE")
    install.add_argument("--allow-older", action="store_true",
                         help="accept a version not above the highest installed (deliberate downgrade)")
    _config(install)
    install.set_defaults(func=_install)

    rollback = actions.add_parser("rollback", help="show the previously active bundle again")
    _config(rollback)
    rollback.set_defaults(func=_rollback)

    listing = actions.add_parser("list", help="installed bundles, the active one, recent events")
    listing.add_argument("--verify", action="store_true", help="re-hash the active bundle's files")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    _config(listing)
    listing.set_defaults(func=_list)

    export = actions.add_parser("export-html", help="write the content as a static multilingual website")
    export.add_argument("dir", type=Path, metavar="DIR")
    export.add_argument("--out", type=Path, required=True, metavar="SITE", help="folder to write the site to")
    _json_languages_config(export, with_json=False)
    export.set_defaults(func=_export)


def _config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None,
                        help="configuration file (default: KIOSK_CONFIG or the platform's config folder)")


def _json_languages_config(parser: argparse.ArgumentParser, with_json: bool = True) -> None:
    if with_json:
        parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--languages", default=None, metavar="CODES",
                        help="comma-separated languages to expect (default: languages.enabled)")
    _config(parser)


class _Abort(Exception):
    """The command cannot run; the message goes to stderr with exit code 2."""


def _load(args: argparse.Namespace) -> Config:
    try:
        return load_config(args.config or paths.default_config_path())
    except ConfigError as error:
        raise _Abort(str(error)) from error


def _languages(args: argparse.Namespace) -> list[str]:
    if args.languages:
        return [code.strip() for code in args.languages.split(",") if code.strip()]
    return list(_load(args)["languages.enabled"])


def _command(func: Any) -> Any:
    """Turn expected failures into a message and exit code 2, and send log records to stderr."""

    def wrapper(args: argparse.Namespace) -> int:
        if not logging.getLogger().handlers:
            # Refusals are logged for the kiosk's log file; here the command prints them itself.
            logging.basicConfig(level=logging.ERROR, format="kiosk: %(message)s")
        try:
            return int(func(args))
        except _Abort as error:
            print(f"kiosk bundle: {error}", file=sys.stderr)
            return 2

    return wrapper


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


# --- staff side --------------------------------------------------------------------------------------
@_command
def _validate(args: argparse.Namespace) -> int:
    from kiosk.bundle.validate import validate_bundle

    problems = validate_bundle(args.dir, _languages(args))
    errors = sum(problem.is_error for problem in problems)
    if args.json:
        _print_json({"errors": errors, "warnings": len(problems) - errors,
                     "problems": [problem.to_dict() for problem in problems]})
    else:
        for problem in sorted(problems, key=lambda p: (not p.is_error, p.file, p.line or 0)):
            print(problem)
        print(f"{args.dir}: {errors} error(s), {len(problems) - errors} warning(s)")
    return 1 if errors else 0


@_command
def _status(args: argparse.Namespace) -> int:
    from kiosk.bundle.manifest import ManifestError
    from kiosk.bundle.status import content_status

    try:
        report = content_status(args.dir, _languages(args))
    except ManifestError as error:
        raise _Abort(str(error)) from error
    if args.json:
        _print_json(report.to_dict())
    else:
        print(report.format_table())
    return 0


@_command
def _keygen(args: argparse.Namespace) -> int:
    from kiosk.bundle.signing import generate_key, public_key_text

    try:
        key = generate_key(args.out)
    except FileExistsError as error:
        raise _Abort(f"{args.out} exists; refusing to replace a signing key") from error
    except OSError as error:
        raise _Abort(f"cannot write {args.out}: {error}") from error
    public = public_key_text(key.verify_key)
    pub_file = args.out.with_name(args.out.name + ".pub")
    pub_file.write_text(public + "\n", encoding="ascii")
    print(public)
    print(f"private key: {args.out} (keep it secret; back it up offline)", file=sys.stderr)
    print(f"public key: {pub_file}; add it to bundles.trusted_keys on every kiosk", file=sys.stderr)
    return 0


@_command
def _build(args: argparse.Namespace) -> int:
    from kiosk.bundle.build import DEFAULT_EXPIRES_DAYS, BuildError, build_bundle
    from kiosk.bundle.signing import KeyFileError, key_id, load_signing_key

    try:
        key = load_signing_key(args.key)
    except KeyFileError as error:
        raise _Abort(str(error)) from error
    try:
        result = build_bundle(args.dir, key, args.out, args.expires_days or DEFAULT_EXPIRES_DAYS,
                              _languages(args))
    except BuildError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"kiosk bundle: {error}", file=sys.stderr)
        return 1
    manifest = result.manifest
    print(f"{args.out}: {manifest.bundle_id} version {manifest.version}, {len(manifest.files)} files, "
          f"{args.out.stat().st_size} bytes, signed by {key_id(key.verify_key)}, "
          f"expires {manifest.expires:%Y-%m-%d}")
    if result.warnings:
        print(f"({len(result.warnings)} warning(s); see 'kiosk bundle validate')", file=sys.stderr)
    return 0


@_command
def _verify(args: argparse.Namespace) -> int:
    from kiosk.bundle.errors import BundleRefused, Limits
    from kiosk.bundle.install import verify_file
    from kiosk.bundle.signedmanifest import format_time

    config = _load(args)
    keys = _trusted_keys(args.pubkey or config["bundles.trusted_keys"])
    try:
        verified, warnings = verify_file(args.file, keys, Limits.from_config(config), _languages(args))
    except BundleRefused as refusal:
        if args.json:
            _print_json({"ok": False, "reason": refusal.reason, "message": refusal.message})
        else:
            print(f"{args.file}: REFUSED: {refusal}", file=sys.stderr)
        return 1
    manifest = verified.manifest
    summary = {
        "ok": True, "bundle_id": manifest.bundle_id, "version": manifest.version, "name": manifest.name,
        "created": format_time(manifest.created), "expires": format_time(manifest.expires),
        "keyid": verified.keyid, "files": len(manifest.files), "unpacked_bytes": manifest.unpacked_size,
        "warnings": len(warnings),
    }
    if args.json:
        _print_json(summary)
    else:
        print(f"{args.file}: OK: {manifest.bundle_id} version {manifest.version} ({manifest.name}), "
              f"signed by {verified.keyid}, {len(manifest.files)} files, expires {summary['expires']}, "
              f"{len(warnings)} warning(s)")
    return 0


@_command
def _export(args: argparse.Namespace) -> int:
    from kiosk.bundle.export_html import export_html
    from kiosk.bundle.manifest import ManifestError

    try:
        result = export_html(args.dir, args.out, _languages(args) if args.languages else None)
    except ManifestError as error:
        raise _Abort(str(error)) from error
    print(f"{args.out}: {result.pages} pages, {len(result.assets)} assets; open {args.out / 'index.html'}")
    return 0


# --- kiosk side --------------------------------------------------------------------------------------
def _store(args: argparse.Namespace) -> BundleStore:
    from kiosk.bundle.signing import KeyFileError
    from kiosk.bundle.store import BundleStore

    try:
        return BundleStore.from_config(_load(args))
    except KeyFileError as error:
        raise _Abort(f"bundles.trusted_keys: {error}") from error


@_command
def _install(args: argparse.Namespace) -> int:
    from kiosk.bundle.errors import BundleRefused
    from kiosk.bundle.store import StoreError

    store = _store(args)
    try:
        content = store.install(args.file, allow_older=args.allow_older)
    except BundleRefused as refusal:
        print(f"kiosk bundle: {args.file}: REFUSED, nothing changed: {refusal}", file=sys.stderr)
        return 1
    except StoreError as error:
        raise _Abort(str(error)) from error
    print(f"installed and active: {content.parent.name} (a running kiosk shows it at its next idle moment)")
    return 0


@_command
def _rollback(args: argparse.Namespace) -> int:
    from kiosk.bundle.store import StoreError

    store = _store(args)
    try:
        store.rollback()
    except StoreError as error:
        print(f"kiosk bundle: {error}", file=sys.stderr)
        return 1
    print(f"now active: {store.active_name() or 'the shipped content'}")
    return 0


@_command
def _list(args: argparse.Namespace) -> int:
    store = _store(args)
    installed = store.installed()
    problems = store.verify_installed() if args.verify else []
    if args.json:
        _print_json({
            "active": store.active_name(),
            "showing": str(store.active_root() or paths.shipped_content_dir()),
            "highest_version": store.highest_version(),
            "installed": [
                {"name": b.name, "version": b.manifest.version, "active": b.active,
                 "expires": f"{b.manifest.expires:%Y-%m-%dT%H:%M:%SZ}"} for b in installed
            ],
            "bad": store.bad(),
            "refused": [{key: entry.get(key) for key in ("file", "size", "sha256", "reason", "message", "time")}
                        for entry in store.refused()],
            "verify_problems": problems,
            "events": store.last_events(),
        })
        return 1 if problems else 0
    if not installed:
        print("no bundle installed; showing the shipped content")
    for bundle in reversed(installed):
        marker = "*" if bundle.active else " "
        print(f"{marker} {bundle.name}  {bundle.manifest.bundle_id} version {bundle.manifest.version}  "
              f"expires {bundle.manifest.expires:%Y-%m-%d}")
    print(f"highest version ever installed: {store.highest_version()}")
    if store.active_root() is None and installed:
        print("note: the shipped content is newer than the installed bundle and is shown")
    refused = [entry for entry in store.refused() if entry.get("size") is not None]
    if refused:
        print("refused bundle files (not checked again while unchanged):")
    for entry in refused[-5:]:
        print(f"  {entry.get('time')} {entry.get('file')} ({entry.get('size')} bytes): "
              f"[{entry.get('reason')}] {entry.get('message')}")
    downloads = [entry for entry in store.refused() if entry.get("size") is None]
    if downloads:
        print("refused downloads (tried again at the next poll):")
    for entry in downloads[-5:]:
        print(f"  {entry.get('time')} {entry.get('file')}: [{entry.get('reason')}] {entry.get('message')}")
    for event in store.last_events(5):
        print(f"  {event.get('time')} {event.get('event')} {event.get('reason', '')} "
              f"{event.get('message', event.get('name', ''))}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    if args.verify and not problems:
        print("active bundle verified: every file is as signed")
    return 1 if problems else 0


def _trusted_keys(values: Sequence[str]) -> list[Any]:
    from kiosk.bundle.signing import KeyFileError, parse_public_key

    try:
        return [parse_public_key(value) for value in values]
    except KeyFileError as error:
        raise _Abort(str(error)) from error
