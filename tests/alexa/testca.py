"""A certificate authority made for tests and benchmarks: root -> intermediate -> leaf,
shaped like Alexa's signing chain, so verification runs against real certificates; and
forged on request (other names, short RSA keys, an elliptic-curve leaf) for the attacks."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CHAIN_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"


def _key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


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
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False)
        )
    return b.sign(issuer_key, hashes.SHA256())


@dataclass
class TestCA:
    root: x509.Certificate
    chain_pem: bytes  # leaf then intermediate, as Alexa serves it
    leaf_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    def sign(self, body: bytes) -> str:
        if isinstance(self.leaf_key, ec.EllipticCurvePrivateKey):
            return base64.b64encode(self.leaf_key.sign(body, ec.ECDSA(hashes.SHA256()))).decode()
        return base64.b64encode(self.leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()

    def headers(self, body: bytes, url: str = CHAIN_URL) -> dict:
        return {"SignatureCertChainUrl": url, "Signature-256": self.sign(body), "Content-Type": "application/json"}

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)


def make_ca(
    san: str | tuple[str, ...] = "echo-api.amazon.com",
    leaf_days: int = 30,
    leaf_start_days: int = -1,
    leaf_bits: int = 2048,
    mid_bits: int = 2048,
    ec_leaf: bool = False,
) -> TestCA:
    """`san`: the leaf's DNS names (its common name is the first); `leaf_bits`, `mid_bits`:
    the RSA key sizes of the leaf and the intermediate; `ec_leaf`: a P-256 leaf instead."""
    now = datetime.now(UTC)
    names = (san,) if isinstance(san, str) else san
    root_key, mid_key = _key(), _key(mid_bits)
    leaf_key = ec.generate_private_key(ec.SECP256R1()) if ec_leaf else _key(leaf_bits)
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
        names[0],
        leaf_key,
        "Test Intermediate CA",
        mid_key,
        ca=False,
        san=names,
        start=now + timedelta(days=leaf_start_days),
        end=now + timedelta(days=leaf_days),
    )
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, mid))
    return TestCA(root, pem, leaf_key)
