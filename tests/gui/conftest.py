"""Fixtures shared by the screen tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.receiver.server import ReceiverHTTPServer

RECEIVER_TOKEN = "gui-test-token-0123456789abcdef"


@pytest.fixture
def receiver(tmp_path: Path, keys: tuple[str, str]) -> Iterator[ReceiverHTTPServer]:
    """The hospital's reference receiver on 127.0.0.1, opening envelopes with ``keys``; it takes
    ``RECEIVER_TOKEN``."""
    server = ReceiverHTTPServer.local(tmp_path / "receiver.db", keys[0], [RECEIVER_TOKEN]).start_in_thread()
    yield server
    server.close()
