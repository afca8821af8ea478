"""Where Alexa's signing chain comes from: the rules its URL must pass before anything is
fetched, the fetch itself (one total deadline and a size limit), and a memory of fixed
size that forgets its oldest entry when full.

The URL rules are Amazon's (https and host s3.amazonaws.com in any case, port 443 if
given, a path starting /echo.api/ in exactly that case, once its dot segments are
removed: Amazon's own example /echo.api/../echo.api/echo-api.pem is valid), and stricter
where a server could read the path in another way than the rule did: nothing but printable
ASCII, no user name, query or fragment, and no path segment that is empty, a percent-encoded
dot segment, or holds a backslash, a slash, a space, a control or non-ASCII character once
percent-decoded. Alexa's own URLs pass them all.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
import urllib.parse
from collections import OrderedDict
from typing import Generic, TypeVar

from skill.alexa.envelope import for_log

CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
FETCH_DEADLINE_SECONDS = 5.0  # the whole fetch: connect, headers and body
MAX_CHAIN_BYTES = 64 * 1024
_PRINTABLE = re.compile(r"[!-~]+")  # ASCII without space or controls: nothing a parser strips or folds
_PRINTABLE_BYTES = re.compile(rb"[!-~]*")
V = TypeVar("V")


class VerificationError(ValueError):
    """The request did not pass verification; the message says which rule failed."""


def _refuse(rule: str) -> VerificationError:
    return VerificationError(f"SignatureCertChainUrl {rule}")


def chain_url(url: object) -> str:
    """The URL to fetch the chain from, in one spelling (lower-case scheme and host, no port),
    so every spelling of one chain shares its fetch and its cache entry; or VerificationError
    naming the rule the URL breaks. Nothing here touches the network."""
    if not isinstance(url, str) or not url:
        raise VerificationError("missing SignatureCertChainUrl header")
    if not _PRINTABLE.fullmatch(url):
        raise _refuse("holds a space, a control character (a tab, a newline) or a non-ASCII character")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse("is not a valid URL") from None
    if parts.scheme.lower() != "https":
        raise _refuse("must use https")
    if "@" in parts.netloc:
        raise _refuse("must not name a user")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise _refuse(f"host must be {CERT_HOST}")
    if port not in (None, 443):
        raise _refuse("port must be 443")
    if "?" in url or "#" in url:
        raise _refuse("must not have a query or a fragment")
    return f"https://{CERT_HOST}{chain_path(parts.path)}"


def chain_path(path: str) -> str:
    """The path with its dot segments removed (RFC 3986, as Amazon asks), each segment read
    as the server will read it (percent-decoded) before the prefix is compared, so no
    encoding can make the server see a path the rule did not."""
    if not path.startswith("/"):
        raise _refuse(f"path must start with {CERT_PATH_PREFIX}")
    kept: list[str] = []
    for segment in path[1:].split("/"):
        decoded = urllib.parse.unquote_to_bytes(segment)
        if segment in (".", ".."):
            if segment == ".." and kept:
                kept.pop()
            continue
        if not decoded:
            raise _refuse("path has an empty segment (//)")
        if decoded in (b".", b".."):
            raise _refuse("path has a percent-encoded dot segment")
        if b"\\" in decoded:
            raise _refuse("path has a backslash")
        if b"/" in decoded:
            raise _refuse("path has an encoded slash (%2F)")
        if not _PRINTABLE_BYTES.fullmatch(decoded):
            raise _refuse("path encodes a space, a control or a non-ASCII character")
        kept.append(segment)
    normal = "/" + "/".join(kept)
    if not urllib.parse.unquote(normal).startswith(CERT_PATH_PREFIX) or len(kept) < 2:
        raise _refuse(f"path must start with {CERT_PATH_PREFIX} and name a file in it")
    return normal


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


class Recent(Generic[V]):
    """At most `size` entries by key: adding one more forgets the oldest added, and only it,
    so a flood of new keys can push out old ones but never empties the memory at once.
    Not locked: its owner holds a lock around every call."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, V] = OrderedDict()

    def get(self, key: str) -> V | None:
        return self._items.get(key)

    def put(self, key: str, value: V) -> None:
        self._items.pop(key, None)
        self._items[key] = value
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def pop(self, key: str) -> None:
        self._items.pop(key, None)
