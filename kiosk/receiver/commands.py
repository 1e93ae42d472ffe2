"""``kiosk receiver keygen|serve|list|import``: the reference receiver for IT trials and staff."""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import signal
import ssl
import sys
from pathlib import Path
from typing import Any

from kiosk import paths
from kiosk.outbox.sealing import SealingError, generate_keypair
from kiosk.receiver import limits
from kiosk.receiver.ingest import Ingestor
from kiosk.receiver.opening import read_private_key_file
from kiosk.receiver.server import DEFAULT_PATH, ReceiverHTTPServer, Tokens
from kiosk.receiver.store import ReceiverStore


def default_db_path() -> Path:
    return paths.home_dir() / "receiver.sqlite3"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "receiver", help="reference receiver for consultation requests (trials, tests, staff)",
        description="A minimal implementation of docs/delivery-contract.md.",
    )
    commands = parser.add_subparsers(dest="receiver_command", metavar="ACTION", required=True)

    keygen = commands.add_parser("keygen", help="make the hospital's key pair")
    keygen.add_argument("--private-key", type=Path, default=Path("hospital-private.key"),
                        help="file to write the private key to (default: %(default)s); keep it secret")
    keygen.add_argument("--force", action="store_true", help="overwrite an existing key file")
    keygen.set_defaults(func=_keygen)

    serve = commands.add_parser("serve", help="accept requests over HTTP(S)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8080,
                       help="port; 0 picks a free one (default: %(default)s)")
    serve.add_argument("--path", default=DEFAULT_PATH,
                       help="URL path to accept POSTs on (default: %(default)s)")
    _db_option(serve)
    serve.add_argument("--private-key", type=Path, required=True, help="file written by 'keygen'")
    serve.add_argument("--token", action="append", default=[], metavar="[KIOSK_ID=]TOKEN",
                       help="accepted bearer token, optionally bound to one kiosk id (repeatable)")
    serve.add_argument("--tls-cert", type=Path, help="PEM certificate chain: serve HTTPS")
    serve.add_argument("--tls-key", type=Path, help="PEM private key of --tls-cert")
    serve.add_argument("--processing-delay", type=float, default=0.0, help=argparse.SUPPRESS)
    limits.add_arguments(serve.add_argument_group("limits and deadlines"))
    serve.set_defaults(func=_serve)

    listing = commands.add_parser("list", help="print the received requests (personal data: staff only)")
    _db_option(listing)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(func=_list)

    importer = commands.add_parser("import", help="ingest a folder written by 'kiosk outbox export'")
    importer.add_argument("directory", type=Path, metavar="DIR")
    _db_option(importer)
    importer.add_argument("--private-key", type=Path, required=True, help="file written by 'keygen'")
    importer.set_defaults(func=_import)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="receiver database (default: receiver.sqlite3 in the kiosk's data folder)")


def _fail(message: str) -> int:
    print(f"kiosk receiver: {message}", file=sys.stderr)
    return 2


def _keygen(args: argparse.Namespace) -> int:
    target: Path = args.private_key
    if target.exists() and not args.force:
        return _fail(f"{target} exists; pass --force to replace it (requests sealed to the old key "
                     "can then never be opened)")
    private_b64, public_b64 = generate_keypair()
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(private_b64 + "\n")
    print(f"private key written to {target} (keep it on the hospital's side only)")
    print("put this in every kiosk's configuration:")
    print()
    print("[delivery]")
    print(f'hospital_public_key = "{public_b64}"')
    return 0


def _serve(args: argparse.Namespace) -> int:
    try:
        private_key = read_private_key_file(args.private_key)
    except SealingError as error:
        return _fail(str(error))
    if not args.token:
        return _fail("give at least one --token (the kiosks' bearer tokens)")
    try:
        chosen_limits = limits.from_arguments(args)
    except ValueError as error:
        return _fail(str(error))
    context = None
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            return _fail("--tls-cert and --tls-key go together")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(args.tls_cert, args.tls_key)
    store = ReceiverStore(args.db or default_db_path())
    store.abandon_in_flight()  # this process is the only one serving this database
    ingestor = Ingestor(store, private_key, processing_delay=args.processing_delay)
    try:
        server = ReceiverHTTPServer((args.host, args.port), ingestor, Tokens.parse(args.token),
                                    path=args.path, ssl_context=context, limits=chosen_limits)
    except OSError as error:
        store.close()
        return _fail(f"cannot listen on {args.host}:{args.port}: {error}")

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"listening on {server.url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()
    return 0


def _list(args: argparse.Namespace) -> int:
    with ReceiverStore(args.db or default_db_path()) as store:
        rows = store.stored()
    for row in rows:
        request: dict[str, Any] = json.loads(row.request_json)
        if args.json:
            print(json.dumps({"id": row.id, "reference": row.reference, "kiosk_id": row.kiosk_id,
                              "created_at": row.created_at, "receipt": row.receipt, "source": row.source,
                              "request": request}, ensure_ascii=False))
            continue
        print(f"{row.reference or row.id}  {row.created_at}  from {row.kiosk_id} ({row.source})")
        for key in ("full_name", "country", "phone", "email", "channel", "contact_language", "relation",
                    "age", "description"):
            value = request.get(key)
            if value not in (None, ""):
                print(f"    {key}: {value}")
        print()
    if not args.json:
        print(f"{len(rows)} request(s)")
    return 0


def _import(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        entries = manifest["requests"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        return _fail(f"{directory}: no readable manifest.json ({error})")
    try:
        private_key = read_private_key_file(args.private_key)
    except SealingError as error:
        return _fail(str(error))
    counts = {"imported": 0, "already present": 0, "rejected": 0}
    with ReceiverStore(args.db or default_db_path()) as store:
        ingestor = Ingestor(store, private_key)
        kiosk_id = str(manifest.get("kiosk_id") or "export")
        for entry in entries:
            outcome, message = _import_one(ingestor, directory, entry, kiosk_id)
            counts[outcome] += 1
            if message:
                print(message, file=sys.stderr)
    print(", ".join(f"{name}: {count}" for name, count in counts.items()))
    return 0 if counts["rejected"] == 0 else 1


def _import_one(ingestor: Ingestor, directory: Path, entry: Any, kiosk_id: str) -> tuple[str, str]:
    try:
        name = Path(str(entry["file"])).name  # never follow a path out of the folder
        envelope = (directory / name).read_bytes()
        request_id = str(entry["id"])
        expected = str(entry["sha256"])
    except (OSError, KeyError, TypeError) as error:
        return "rejected", f"manifest entry {entry!r}: {error}"
    digest = hashlib.sha256(envelope).hexdigest()
    if digest != expected:
        return "rejected", f"{name}: content does not match the manifest's SHA-256 (damaged copy?)"
    document = {
        "id": request_id,
        "reference": str(entry.get("reference") or ""),
        "created_at": str(entry.get("created_at") or ""),
        "kiosk_id": kiosk_id,
        "envelope": base64.b64encode(envelope).decode("ascii"),
        "envelope_sha256": digest,
    }
    answer = ingestor.ingest(request_id, document, kiosk_id=None, source="import")
    if answer.status == 200:
        return ("already present" if answer.body.get("duplicate") else "imported"), ""
    return "rejected", f"{name}: {answer.body.get('error')}"
