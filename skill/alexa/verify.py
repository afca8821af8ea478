"""Verify that a request really comes from Alexa, as a web-service skill must.

Built on `cryptography`: the SDK's own verifier (ask-sdk-webservice-support) depends on
`oscrypto`, which cannot find libcrypto on OpenSSL 3.0.10 and later.
Cheap rules first, so a forged request costs no fetch: both headers present; the chain
URL passes Amazon's rules and ours (`skill/alexa/chains.py`: https://s3.amazonaws.com/echo.api/...,
port 443, no empty or dot segment, nothing encoded a server could read another way);
`Signature-256` is base64; the request timestamp is within 150 s of now; the application
id is this skill's. Only then the chain: at most MAX_FETCHES_IN_FLIGHT fetches at once
(one more is refused at once, never queued), each within one total deadline, cached until
it expires (a URL that failed is not fetched again for a while); valid now, every RSA key
in it at least MIN_RSA_BITS long, leading to a trusted root, its leaf naming
echo-api.amazon.com itself (a wildcard name does not count); and the signature (RSA
PKCS#1 v1.5, SHA-256 of the raw body).
Any failure raises `VerificationError` with a reason (answered with 400).

The trust store is loaded once, when the Verifier is made (a failure is a
`TrustStoreError` at start, not a 400 on every request later). It is a constructor
argument: code (tests, benchmarks) may replace it, a request never can.
"""

from __future__ import annotations

import base64
import binascii
import re
import ssl
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import DNSName
from cryptography.x509.verification import PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as ChainError

from skill.alexa.chains import Recent, chain_url, fetch_chain
from skill.alexa.chains import VerificationError as VerificationError
from skill.alexa.envelope import application_id, for_log

SIGNER_NAME = "echo-api.amazon.com"
MIN_RSA_BITS = 2048
MAX_SKEW_SECONDS = 150
MAX_FETCHES_IN_FLIGHT = 4  # per Verifier, one per server process: fewer than a worker's threads
MAX_CACHED_CHAINS = 16
FAILED_URL_SECONDS = 60.0  # a chain URL that failed is refused without a fetch this long
MAX_FAILED_URLS = 256
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


class TrustStoreError(RuntimeError):
    """The trusted roots could not be loaded: the server must not start."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def system_roots() -> list[x509.Certificate]:
    """The machine's trusted roots (certifi's bundle when installed, else OpenSSL's).
    A root that `cryptography` warns about or cannot parse (a few in certifi have
    non-positive serial numbers, which a future `cryptography` will refuse) is left out,
    rather than letting its warning become an error in the middle of a request."""
    try:
        import certifi

        path = certifi.where()
    except ImportError:
        path = ssl.get_default_verify_paths().cafile
    try:
        with open(path or "", "rb") as f:
            pem = f.read()
    except OSError as e:
        raise TrustStoreError(f"cannot read the trusted root certificates ({e})") from None
    roots = []
    for block in _PEM_BLOCK.findall(pem):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except (ValueError, Warning):
                continue
    if not roots:
        raise TrustStoreError(f"no usable trusted root certificates in {path}")
    return roots


class Headers(Protocol):
    """A request's headers, looked up by name (a server's own kind: case-insensitive)."""

    def get(self, key: str, /) -> str | None: ...


def dns_names(cert: x509.Certificate) -> set[str]:
    """The DNS names in a certificate's Subject Alternative Names, lower case (DNS names
    compare without case); a wildcard stays a wildcard, so it never equals a name."""
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return set()
    return {name.lower() for name in names.get_values_for_type(DNSName)}


def decode_signature(value: str | None) -> bytes:
    if not value:
        raise VerificationError("missing Signature-256 header")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError("Signature-256 does not match the body") from None


def parse_timestamp(value: object) -> datetime:
    try:
        if not isinstance(value, str):
            raise TypeError
        ts = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise VerificationError("request.timestamp is not an ISO-8601 time") from None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


@dataclass
class Verifier:
    skill_id: str | None  # None: accept any application id (dev only)
    roots: list[x509.Certificate] | None = None  # None: the system's roots, loaded now (once)
    check_signature: bool = True  # False in --dev: no signature and no timestamp checks
    fetch: Callable[[str], bytes] = fetch_chain
    clock: Callable[[], datetime] = now_utc
    # url -> (key, expires): Alexa uses a handful of URLs, and only a trusted chain gets in
    _cache: Recent[tuple[rsa.RSAPublicKey, datetime]] = field(default_factory=lambda: Recent(MAX_CACHED_CHAINS))
    # url -> (reason, refused without a fetch until): a flood of forged URLs pushes out the oldest only
    _failed: Recent[tuple[str, datetime]] = field(default_factory=lambda: Recent(MAX_FAILED_URLS))
    _fetch_slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(MAX_FETCHES_IN_FLIGHT)
    )
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.check_signature and self.roots is None:
            self.roots = system_roots()

    def verify(self, headers: Headers, body: bytes, doc: dict[str, Any]) -> None:
        """Every rule, cheapest first; the chain is fetched only for a request that passed the rest."""
        if not self.check_signature:
            self.check_application(doc)
            return
        url = chain_url(headers.get("SignatureCertChainUrl"))
        raw = decode_signature(headers.get("Signature-256"))
        self.check_timestamp(doc)
        self.check_application(doc)
        self.check_body_signature(self.signer_key(url), raw, body)

    def signer_key(self, url: str) -> rsa.RSAPublicKey:
        now = self.clock()
        with self._lock:
            cached = self._cache.get(url)
            failed = self._failed.get(url)
        if cached and now < cached[1]:
            return cached[0]
        if failed and now < failed[1]:
            raise VerificationError(failed[0])
        if not self._fetch_slots.acquire(blocking=False):  # refused at once: a queue would hold the thread
            raise VerificationError(
                f"too many certificate chains are being fetched (at most {MAX_FETCHES_IN_FLIGHT} at once); try again"
            )
        try:
            key, expires = self._validate_chain(self.fetch(url), now)
        except VerificationError as e:
            with self._lock:
                self._failed.put(url, (str(e), now + timedelta(seconds=FAILED_URL_SECONDS)))
            raise
        finally:
            self._fetch_slots.release()
        with self._lock:
            self._cache.put(url, (key, expires))
            self._failed.pop(url)
        return key

    def _validate_chain(self, pem: bytes, now: datetime) -> tuple[rsa.RSAPublicKey, datetime]:
        try:
            certs = x509.load_pem_x509_certificates(pem)
            keys = [c.public_key() for c in certs]
        except (ValueError, UnsupportedAlgorithm):
            raise VerificationError("the certificate chain is not PEM certificates") from None
        if any(isinstance(k, rsa.RSAPublicKey) and k.key_size < MIN_RSA_BITS for k in keys):
            raise VerificationError(f"the certificate chain has an RSA key shorter than {MIN_RSA_BITS} bits")
        verifier = PolicyBuilder().store(Store(self.roots or [])).time(now).build_server_verifier(DNSName(SIGNER_NAME))
        try:
            verifier.verify(certs[0], certs[1:])
        except ChainError as e:
            raise VerificationError(f"the certificate chain is not trusted: {for_log(str(e), 160)}") from None
        if SIGNER_NAME not in dns_names(certs[0]):
            raise VerificationError(f"the signing certificate does not name {SIGNER_NAME} exactly (no wildcard)")
        if not isinstance(keys[0], rsa.RSAPublicKey):
            raise VerificationError("the signing certificate does not have an RSA key")
        return keys[0], min(c.not_valid_after_utc for c in certs)

    @staticmethod
    def check_body_signature(key: rsa.RSAPublicKey, signature: bytes, body: bytes) -> None:
        try:
            key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except (ValueError, InvalidSignature):
            raise VerificationError("Signature-256 does not match the body") from None

    def check_timestamp(self, doc: dict[str, Any]) -> None:
        req = doc.get("request")
        ts = parse_timestamp(req.get("timestamp") if isinstance(req, dict) else None)
        if abs((self.clock() - ts).total_seconds()) > MAX_SKEW_SECONDS:
            raise VerificationError(f"request.timestamp is more than {MAX_SKEW_SECONDS} s from now")

    def check_application(self, doc: dict[str, Any]) -> None:
        found = application_id(doc)
        if found is None:
            raise VerificationError("missing field: context.System.application.applicationId")
        if self.skill_id is not None and found != self.skill_id:
            raise VerificationError("the application id is not this skill's")
