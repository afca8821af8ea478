"""The tracks bucket as the renderer uses it: whether an object is there, putting one, its
public HTTPS URL, and a claim that one container renders a track while the others wait.

What must stay true:
- A claim is an empty marker object `rendering/<key>` put with If-None-Match: "*" (S3's
  conditional write), so of two containers asking at once exactly one gets it; the other
  waits for the track to appear. A marker older than STALE_S (its container died mid-render)
  is deleted and claimed afresh.
- Only the object's absence is "not there": a HEAD refused for another reason is an error,
  never a reason to render (the role may list the bucket, so a missing object is a 404).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

CLAIMS = "rendering/"
STALE_S = 360  # longer than the renderer's timeout: a marker this old belongs to no live render
POLL_S = 0.25  # how often a waiting container looks for the track

log = logging.getLogger("recovery_coach.aws")


class Bucket:
    def __init__(self, name: str, public_url: str, client: Any = None) -> None:
        self.name, self.public_url = name, public_url.rstrip("/")
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.s3 = client

    def url(self, key: str) -> str:
        return f"{self.public_url}/{key}"

    def has(self, key: str) -> bool:
        return self._head(key) is not None

    def put(self, key: str, body: bytes, content_type: str, cache_control: str) -> None:
        self.s3.put_object(Bucket=self.name, Key=key, Body=body, ContentType=content_type, CacheControl=cache_control)

    def claim(self, key: str) -> bool:
        """Whether this container may render `key` (no one else is rendering it)."""
        if self._put_marker(key):
            return True
        head = self._head(CLAIMS + key)
        if head is None or _age(head["LastModified"]) < STALE_S:
            return False  # claimed, or released just now (the track is in the bucket then)
        log.warning("a render of %s was left unfinished; rendering it again", key)
        self.release(key)
        return self._put_marker(key)

    def release(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.name, Key=CLAIMS + key)

    def wait_for(self, key: str, seconds: float) -> bool:
        """Whether `key` appeared within `seconds` (another container is rendering it)."""
        deadline = time.monotonic() + seconds
        while not self.has(key):
            if time.monotonic() > deadline:
                return False
            time.sleep(POLL_S)
        return True

    def _put_marker(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.s3.put_object(Bucket=self.name, Key=CLAIMS + key, Body=b"", IfNoneMatch="*")
            return True
        except ClientError as e:  # 412: there already; 409: another conditional put at the same moment
            if e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (409, 412):
                return False
            raise

    def _head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            head: dict[str, Any] = self.s3.head_object(Bucket=self.name, Key=key)
            return head
        except ClientError as e:
            if e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return None
            raise


def _age(when: datetime) -> float:
    return (datetime.now(UTC) - when).total_seconds()
