"""``kiosk admin hash-pin``: make the ``admin.pin_hash`` line for the configuration file.

The PIN is read twice without echo from a terminal, or once from standard input when that is a pipe
(provisioning scripts); it is never accepted as an argument, where it would end up in shell history.
"""

from __future__ import annotations

import argparse
import getpass
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("admin", help="the staff admin screen")
    commands = parser.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    hash_pin = commands.add_parser("hash-pin", help="read a PIN (no echo) and print the admin.pin_hash line")
    hash_pin.set_defaults(func=_hash_pin)


def _hash_pin(args: argparse.Namespace) -> int:
    from kiosk.admin.pin import PinError, check_pin_format, hash_pin

    try:
        if sys.stdin.isatty():
            pin = getpass.getpass("New admin PIN (digits): ")
            if getpass.getpass("The same PIN again: ") != pin:
                print("kiosk admin: the two PINs differ; nothing printed", file=sys.stderr)
                return 2
        else:
            pin = sys.stdin.readline().strip()
        check_pin_format(pin)
    except (PinError, EOFError) as error:
        print(f"kiosk admin: {error or 'no PIN given'}", file=sys.stderr)
        return 2
    print("# under [admin] in the configuration file:")
    print(f'pin_hash = "{hash_pin(pin)}"')
    return 0
