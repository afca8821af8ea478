"""A certificate authority made for tests and benchmarks: root -> intermediate -> leaf,
shaped like Alexa's signing chain, so verification runs against real certificates."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CHAIN_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, key, issuer, issuer_key, *, ca: bool, start, end, san=None, path_len=None):
    b = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    else:
        b = (
            b.add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        )
    return b.sign(issuer_key, hashes.SHA256())


@dataclass
class TestCA:
    root: x509.Certificate
    chain_pem: bytes  # leaf then intermediate, as Alexa serves it
    leaf_key: rsa.RSAPrivateKey

    def sign(self, body: bytes) -> str:
        return base64.b64encode(self.leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()

    def headers(self, body: bytes, url: str = CHAIN_URL) -> dict:
        return {"SignatureCertChainUrl": url, "Signature-256": self.sign(body), "Content-Type": "application/json"}

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)


def make_ca(san: str = "echo-api.amazon.com", leaf_days: int = 30, leaf_start_days: int = -1) -> TestCA:
    now = datetime.now(UTC)
    root_key, mid_key, leaf_key = _key(), _key(), _key()
    root = _cert(
        "Test Root CA",
        root_key,
        "Test Root CA",
        root_key,
        ca=True,
        start=now - timedelta(days=2),
        end=now + timedelta(days=365),
    )
    mid = _cert(
        "Test Intermediate CA",
        mid_key,
        "Test Root CA",
        root_key,
        ca=True,
        path_len=0,
        start=now - timedelta(days=2),
        end=now + timedelta(days=365),
    )
    leaf = _cert(
        san,
        leaf_key,
        "Test Intermediate CA",
        mid_key,
        ca=False,
        san=san,
        start=now + timedelta(days=leaf_start_days),
        end=now + timedelta(days=leaf_days),
    )
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, mid))
    return TestCA(root, pem, leaf_key)
