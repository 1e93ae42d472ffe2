"""HTTPS end to end: the kiosk verifies the receiver's certificate against a hospital CA file."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.outbox.delivery import DELIVERED, RETRY, DeliverySettings, deliver_one
from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.sealing import generate_keypair
from kiosk.outbox.store import Outbox, PendingRequest
from kiosk.receiver.server import ReceiverHTTPServer

TOKEN = "tls-test-token-0123456789abcdef01"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


def make_ca_and_server_cert(folder: Path) -> tuple[Path, Path, Path]:
    def run(*arguments: str) -> None:
        subprocess.run(["openssl", *arguments], check=True, capture_output=True, cwd=folder)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Hospital Test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


@pytest.fixture
def https_receiver(tmp_path: Path) -> Iterator[tuple[ReceiverHTTPServer, Path, str]]:
    ca, cert, key = make_ca_and_server_cert(tmp_path)
    private, public = generate_keypair()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ReceiverHTTPServer.local(tmp_path / "r.db", private, [TOKEN], ssl_context=context)
    server.start_in_thread()
    yield server, ca, public
    server.close()


def pending_item(folder: Path, public: str) -> PendingRequest:
    request = ConsultationRequest(
        full_name="Nadia Haddad", country="LB", phone="+96171123456", email="", contact_language="ar",
        channel="whatsapp", relation="family", age=12, description="", consent=True,
        privacy_notice_version="2026-11", ui_language="ar",
    )
    with Outbox(folder / "o.db", public) as outbox:
        outbox.enqueue(request)
        [item] = outbox.due()
    return item


def test_delivery_over_https_with_the_hospitals_ca(
    tmp_path: Path, https_receiver: tuple[ReceiverHTTPServer, Path, str]
) -> None:
    server, ca, public = https_receiver
    assert server.url.startswith("https://127.0.0.1:")
    settings = DeliverySettings(endpoint=server.url, kiosk_id="k", token=TOKEN, ca_file=str(ca),
                                connect_timeout=5, deadline=5)
    outcome = deliver_one(pending_item(tmp_path, public), settings, now=0.0)
    assert outcome.kind == DELIVERED, outcome


def test_an_untrusted_certificate_is_refused_and_retried(
    tmp_path: Path, https_receiver: tuple[ReceiverHTTPServer, Path, str]
) -> None:
    server, _ca, public = https_receiver
    settings = DeliverySettings(endpoint=server.url, kiosk_id="k", token=TOKEN, connect_timeout=5,
                                deadline=5)
    outcome = deliver_one(pending_item(tmp_path, public), settings, now=0.0)
    assert outcome.kind == RETRY
    assert "certificate" in outcome.detail
    assert server.ingestor.store.count() == 0


def test_when_every_connection_is_busy_an_https_client_gets_503(tmp_path: Path) -> None:
    import http.client
    import socket

    from kiosk.receiver.limits import ReceiverLimits

    ca, cert, key = make_ca_and_server_cert(tmp_path)
    private, _public = generate_keypair()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ReceiverHTTPServer.local(tmp_path / "r.db", private, [TOKEN], ssl_context=context,
                                      limits=ReceiverLimits(max_connections=1)).start_in_thread()
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=10)  # holds the only slot
    try:
        client = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=10,
                                             context=ssl.create_default_context(cafile=str(ca)))
        # The listen queue is first in, first out: the idle connection is accepted first.
        client.request("GET", "/healthz")
        response = client.getresponse()
        assert response.status == 503 and response.getheader("Retry-After") == "1"
        assert b"busy" in response.read()
        client.close()
    finally:
        idle.close()
        server.close()
