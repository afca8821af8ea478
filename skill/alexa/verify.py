"""Verify that a request really comes from Alexa, as a web-service skill must.

Built on `cryptography`: the SDK's own verifier (ask-sdk-webservice-support) depends on
`oscrypto`, which cannot find libcrypto on OpenSSL 3.0.10 and later.
Cheap rules first, so a forged request costs no fetch: both headers present; the chain
URL is https://s3.amazonaws.com/echo.api/... on port 443 (its path percent-decoded, then
normalized); `Signature-256` is base64; the request timestamp is within 150 s of now; the
application id is this skill's. Only then the chain: fetched within one total deadline
(connect, read and size limit together), cached until it expires (a URL that failed is
not fetched again for a while), valid now, leading to a trusted root and naming
echo-api.amazon.com; and the signature (RSA PKCS#1 v1.5, SHA-256 of the raw body).
Any failure raises `VerificationError` with a reason (answered with 400).

The trust store is loaded once, when the Verifier is made (a failure is a
`TrustStoreError` at start, not a 400 on every request later). It is a constructor
argument: code (tests, benchmarks) may replace it, a request never can.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import posixpath
import re
import socket
import ssl
import threading
import time
import urllib.parse
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import DNSName
from cryptography.x509.verification import PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as ChainError

from skill.alexa.envelope import application_id, for_log

CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
SIGNER_NAME = "echo-api.amazon.com"
MAX_SKEW_SECONDS = 150
FETCH_DEADLINE_SECONDS = 5.0  # the whole fetch: connect, headers and body
MAX_CHAIN_BYTES = 64 * 1024
MAX_CACHED_CHAINS = 16
FAILED_URL_SECONDS = 60.0  # a chain URL that failed is refused without a fetch this long
MAX_FAILED_URLS = 256
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


class VerificationError(ValueError):
    """The request did not pass verification; the message says which rule failed."""


class TrustStoreError(RuntimeError):
    """The trusted roots could not be loaded: the server must not start."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def fetch_chain(url: str, deadline: float = FETCH_DEADLINE_SECONDS) -> bytes:
    """GET the PEM chain within `deadline` seconds in all (a server that trickles bytes is
    cut off when the time is up), refusing more than MAX_CHAIN_BYTES."""
    parts = urllib.parse.urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kind(parts.hostname or "", parts.port, timeout=deadline)
    started, timer = time.monotonic(), None
    try:
        conn.connect()  # bounded by the timeout; from here on the timer bounds the whole exchange
        timer = threading.Timer(max(0.0, deadline - (time.monotonic() - started)), _cut, (conn.sock,))
        timer.daemon = True
        timer.start()
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = conn.getresponse()
        if response.status != 200:
            raise VerificationError(f"could not fetch the certificate chain: HTTP {response.status}")
        data = response.read(MAX_CHAIN_BYTES + 1)
    except (OSError, http.client.HTTPException, ValueError) as e:
        if time.monotonic() - started >= deadline:
            raise VerificationError(f"could not fetch the certificate chain within {deadline:g} s") from None
        raise VerificationError(f"could not fetch the certificate chain: {for_log(str(e), 120)}") from None
    finally:
        if timer is not None:
            timer.cancel()
        conn.close()
    if time.monotonic() - started >= deadline:
        raise VerificationError(f"could not fetch the certificate chain within {deadline:g} s")
    if len(data) > MAX_CHAIN_BYTES:
        raise VerificationError("the certificate chain is larger than the size limit")
    return data


def _cut(sock: socket.socket) -> None:
    """The deadline passed: shut the socket, so a blocked read returns at once (the
    response may hold the socket after the connection lets go of it)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


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


def check_chain_url(url: object) -> None:
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
    path = urllib.parse.unquote(parts.path or "/")  # %2e%2e is .. once the server decodes it
    if not posixpath.normpath(path).startswith(CERT_PATH_PREFIX) or "\\" in path:
        raise VerificationError(f"SignatureCertChainUrl path must start with {CERT_PATH_PREFIX}")


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
    _cache: dict[str, tuple[rsa.RSAPublicKey, datetime]] = field(default_factory=dict)  # url -> (key, expires)
    _failed: dict[str, Any] = field(default_factory=dict)  # url -> (reason, not fetched again before)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.check_signature and self.roots is None:
            self.roots = system_roots()

    def verify(self, headers: Headers, body: bytes, doc: dict[str, Any]) -> None:
        """Every rule, cheapest first; the chain is fetched only for a request that passed the rest."""
        if not self.check_signature:
            self.check_application(doc)
            return
        url = headers.get("SignatureCertChainUrl") or ""
        if url not in self._cache:  # a cached chain's URL passed these rules before it was fetched
            check_chain_url(url)
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
        try:
            key, expires = self._validate_chain(self.fetch(url), now)
        except VerificationError as e:
            self._remember_failure(url, str(e), now)
            raise
        with self._lock:
            if len(self._cache) >= MAX_CACHED_CHAINS:  # Alexa uses a handful of URLs; don't grow without bound
                self._cache.clear()
            self._cache[url] = (key, expires)
            self._failed.pop(url, None)
        return key

    def _remember_failure(self, url: str, reason: str, now: datetime) -> None:
        with self._lock:
            if len(self._failed) >= MAX_FAILED_URLS:
                self._failed.clear()
            self._failed[url] = (reason, now + timedelta(seconds=FAILED_URL_SECONDS))

    def _validate_chain(self, pem: bytes, now: datetime) -> tuple[rsa.RSAPublicKey, datetime]:
        try:
            certs = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise VerificationError("the certificate chain is not PEM certificates") from None
        verifier = PolicyBuilder().store(Store(self.roots or [])).time(now).build_server_verifier(DNSName(SIGNER_NAME))
        try:
            verifier.verify(certs[0], certs[1:])
        except ChainError as e:
            raise VerificationError(f"the certificate chain is not trusted: {for_log(str(e), 160)}") from None
        key = certs[0].public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError("the signing certificate does not have an RSA key")
        return key, min(c.not_valid_after_utc for c in certs)

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
