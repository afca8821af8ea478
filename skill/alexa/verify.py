"""Verify that a request really comes from Alexa, as a web-service skill must.

Built on `cryptography` (the SDK's own verifier cannot be imported here; see DESIGN.md).
The rules: the certificate chain URL is https://s3.amazonaws.com/echo.api/... on port 443;
the chain, fetched with a timeout and a size limit and cached until it expires, is valid
now, leads to a trusted root and names echo-api.amazon.com; `Signature-256` is an RSA
PKCS#1 v1.5 SHA-256 signature of the raw body by that certificate; the request timestamp
is within 150 s of now; the application id is this skill's. Any failure raises
`VerificationError` with a reason (answered with 400).

The trust store is a constructor argument: code (tests, benchmarks) may replace it,
a request never can.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import DNSName, PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as ChainError

CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
SIGNER_NAME = "echo-api.amazon.com"
MAX_SKEW_SECONDS = 150
FETCH_TIMEOUT_SECONDS = 5
MAX_CHAIN_BYTES = 64 * 1024
MAX_CACHED_CHAINS = 16


class VerificationError(ValueError):
    """The request did not pass verification; the message says which rule failed."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def fetch_chain(url: str) -> bytes:
    """GET the PEM chain with a timeout, refusing more than MAX_CHAIN_BYTES."""
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as r:
            data = r.read(MAX_CHAIN_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise VerificationError(f"could not fetch the certificate chain: {e}") from None
    if len(data) > MAX_CHAIN_BYTES:
        raise VerificationError("the certificate chain is larger than the size limit")
    return data


def system_roots() -> list[x509.Certificate]:
    """The machine's trusted roots (certifi's bundle when installed, else OpenSSL's)."""
    try:
        import certifi

        path = certifi.where()
    except ImportError:
        path = ssl.get_default_verify_paths().cafile
    with open(path, "rb") as f:
        return x509.load_pem_x509_certificates(f.read())


def application_id(doc: dict) -> str | None:
    """The skill id a request envelope is addressed to, or None."""
    for path in (("context", "System", "application", "applicationId"), ("session", "application", "applicationId")):
        node = doc
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str):
            return node
    return None


def check_chain_url(url) -> None:
    if not isinstance(url, str) or not url:
        raise VerificationError("missing SignatureCertChainUrl header")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise VerificationError("SignatureCertChainUrl is not a valid URL") from None
    if parts.scheme.lower() != "https":
        raise VerificationError("SignatureCertChainUrl must use https")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationError(f"SignatureCertChainUrl host must be {CERT_HOST}")
    if port not in (None, 443):
        raise VerificationError("SignatureCertChainUrl port must be 443")
    if not posixpath.normpath(parts.path or "/").startswith(CERT_PATH_PREFIX):
        raise VerificationError(f"SignatureCertChainUrl path must start with {CERT_PATH_PREFIX}")


def parse_timestamp(value) -> datetime:
    try:
        ts = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise VerificationError("request.timestamp is not an ISO-8601 time") from None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


@dataclass
class Verifier:
    skill_id: str | None  # None: accept any application id (dev only)
    roots: list[x509.Certificate] | None = None  # None: the system's roots, loaded on first use
    check_signature: bool = True  # False in --dev: no signature and no timestamp checks
    fetch: Callable[[str], bytes] = fetch_chain
    clock: Callable[[], datetime] = now_utc
    _cache: dict = field(default_factory=dict)  # url -> (public key, expires)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(self, headers, body: bytes, doc: dict) -> None:
        if self.check_signature:
            key = self.signer_key(headers.get("SignatureCertChainUrl"))
            self.check_body_signature(key, headers.get("Signature-256"), body)
            self.check_timestamp(doc)
        self.check_application(doc)

    def signer_key(self, url) -> rsa.RSAPublicKey:
        check_chain_url(url)
        now = self.clock()
        with self._lock:
            cached = self._cache.get(url)
        if cached and now < cached[1]:
            return cached[0]
        key, expires = self._validate_chain(self.fetch(url), now)
        with self._lock:
            if len(self._cache) >= MAX_CACHED_CHAINS:  # Alexa uses a handful of URLs; don't grow without bound
                self._cache.clear()
            self._cache[url] = (key, expires)
        return key

    def _validate_chain(self, pem: bytes, now: datetime) -> tuple[rsa.RSAPublicKey, datetime]:
        try:
            certs = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise VerificationError("the certificate chain is not PEM certificates") from None
        if self.roots is None:
            self.roots = system_roots()
        verifier = PolicyBuilder().store(Store(self.roots)).time(now).build_server_verifier(DNSName(SIGNER_NAME))
        try:
            verifier.verify(certs[0], certs[1:])
        except ChainError as e:
            raise VerificationError(f"the certificate chain is not trusted: {e}") from None
        key = certs[0].public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError("the signing certificate does not have an RSA key")
        return key, min(c.not_valid_after_utc for c in certs)

    @staticmethod
    def check_body_signature(key: rsa.RSAPublicKey, signature, body: bytes) -> None:
        if not signature:
            raise VerificationError("missing Signature-256 header")
        try:
            raw = base64.b64decode(signature, validate=True)
            key.verify(raw, body, padding.PKCS1v15(), hashes.SHA256())
        except (binascii.Error, ValueError, InvalidSignature):
            raise VerificationError("Signature-256 does not match the body") from None

    def check_timestamp(self, doc: dict) -> None:
        ts = parse_timestamp(doc.get("request", {}).get("timestamp"))
        if abs((self.clock() - ts).total_seconds()) > MAX_SKEW_SECONDS:
            raise VerificationError(f"request.timestamp is more than {MAX_SKEW_SECONDS} s from now")

    def check_application(self, doc: dict) -> None:
        if application_id(doc) is None:
            raise VerificationError("missing field: context.System.application.applicationId")
        if self.skill_id is not None and application_id(doc) != self.skill_id:
            raise VerificationError("the application id is not this skill's")
