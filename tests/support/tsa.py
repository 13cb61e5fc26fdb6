"""A real RFC 3161 timestamp authority on 127.0.0.1: `openssl ts -reply` with a test CA.

The CA and the TSA certificate (extendedKeyUsage timeStamping, critical) are made here with
`cryptography`; each POSTed request is piped through `openssl ts -reply -config …`.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_CONFIG = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_ca(folder: Path, name: str = "polmon test root CA") -> tuple[Path, Path]:
    """A self-signed root CA: (ca.pem, ca.key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "ca.key").write_bytes(_pem(key))
    return folder / "ca.pem", folder / "ca.key"


def make_tsa_cert(folder: Path, ca_pem: Path, ca_key: Path) -> None:
    """tsa.pem / tsa.key: a TSA certificate the CA issued, for time stamping only."""
    ca = x509.load_pem_x509_certificate(ca_pem.read_bytes())
    ca_private = serialization.load_pem_private_key(ca_key.read_bytes(), None)
    assert isinstance(ca_private, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("polmon test TSA"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(ca_private, hashes.SHA256())
    )
    (folder / "tsa.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.key").write_bytes(_pem(key))


@dataclass
class LocalTsa:
    """A running TSA: its URL, its CA's certificate, and how many requests it answered."""

    url: str
    ca_file: Path
    folder: Path
    answered: int = 0


class _Handler(BaseHTTPRequestHandler):
    server: _TsaServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        query = self.rfile.read(length)
        with self.server.lock, tempfile.TemporaryDirectory() as work:
            request, reply = Path(work, "req.tsq"), Path(work, "resp.tsr")
            request.write_bytes(query)
            done = subprocess.run(
                ["openssl", "ts", "-reply", "-config", str(self.server.config),
                 "-queryfile", str(request), "-out", str(reply)],
                capture_output=True, check=False,
            )  # fmt: skip
            body = reply.read_bytes() if done.returncode == 0 and reply.exists() else b""
            self.server.tsa.answered += 1
        if not body:
            self.send_response(500)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _TsaServer(ThreadingHTTPServer):
    def __init__(self, tsa: LocalTsa, config: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.tsa, self.config, self.lock = tsa, config, threading.Lock()


@contextmanager
def local_tsa(folder: Path) -> Iterator[LocalTsa]:
    """Make a CA and a TSA certificate under `folder`, serve the TSA, yield it."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_pem, ca_key = make_ca(folder)
    make_tsa_cert(folder, ca_pem, ca_key)
    (folder / "tsaserial").write_text("01\n")
    config = folder / "tsa.cnf"
    config.write_text(_CONFIG.format(dir=folder))
    tsa = LocalTsa(url="", ca_file=ca_pem, folder=folder)
    server = _TsaServer(tsa, config)
    tsa.url = f"http://127.0.0.1:{server.server_address[1]}/tsr"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tsa
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def openssl_verify(token: Path, digest_hex: str, ca_file: Path) -> subprocess.CompletedProcess[str]:
    """`openssl ts -verify` of a DER token over a digest: the independent check."""
    return subprocess.run(
        ["openssl", "ts", "-verify", "-digest", digest_hex, "-token_in", "-in", str(token),
         "-CAfile", str(ca_file)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
