"""Per-user kept data in DynamoDB, when RECOVERY_COACH_DYNAMODB_TABLE names a table.

Imported only then. boto3 with short timeouts and few retries, so a slow or missing table
costs a turn about a second at worst, and boto3's standard settings
(AWS_ENDPOINT_URL_DYNAMODB, credentials, AWS_DEFAULT_REGION) apply, which is how the tests
reach moto's server. The table is keyed by `id` (the Alexa user id) with the data in
`attributes`, as ask-sdk-dynamodb-persistence-adapter lays it out and deploy/template.yaml
creates it, and beside it `version` and `forgot` (skill/store/base.py's contract; an item
written before versions has neither, and counts as version 0). Every write is a PutItem
with a ConditionExpression on the version it was read at, and a refused one is read again
(strongly consistent) and merged; only GetItem and PutItem are used, as the template's role
allows. A tombstone is an item with no `attributes`. Numbers come back as Decimal and are
turned back into ints and floats. Faults raise StoreError, like the SQLite store."""

from __future__ import annotations

import os
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from skill.store.base import (
    ConfigError,
    Data,
    FaultLog,
    Outcome,
    Record,
    Saved,
    Store,
    StoreError,
    Write,
    body,
    resolved,
    token,
)

PARTITION_KEY = "id"
ATTRIBUTE_NAME = "attributes"
MERGE_ROUNDS = 5  # reads and merges of one write before it gives up (other writes keep coming between)
CLIENT_CONFIG = Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 2, "mode": "standard"})


def plain(value: Any) -> Any:
    """DynamoDB's Decimals back to ints and floats, all the way down."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def storable(value: Any) -> Any:
    """Floats as Decimal: boto3 refuses floats."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


def fault_kind(e: BaseException) -> str:
    text = str(e)
    for words, kind in (
        ("doesn't exist", "missing-table"),
        ("ResourceNotFound", "missing-table"),
        ("Throughput", "throttled"),
        ("Throttl", "throttled"),
        ("Could not connect", "unreachable"),
        ("timed out", "unreachable"),
        ("AccessDenied", "access-denied"),
        ("credentials", "no-credentials"),
    ):
        if words in text:
            return kind
    return "error"


class DynamoStore(Store):
    def __init__(self, table: str, resource: Any = None):
        if not (os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")):
            raise ConfigError("RECOVERY_COACH_DYNAMODB_TABLE is set: also set AWS_DEFAULT_REGION (e.g. us-east-1)")
        os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", ""))
        self.faults = FaultLog()
        self.table = (resource or boto3.resource("dynamodb", config=CLIENT_CONFIG)).Table(table)

    def _call(self, method: str, **kwargs: Any) -> Any:
        """One call on the table; False when its condition did not hold."""
        try:
            return getattr(self.table, method)(**kwargs)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            error = StoreError(fault_kind(e), str(e)[:300])
        except (BotoCoreError, ValueError) as e:  # unreachable, no credentials, a bad value
            error = StoreError(fault_kind(e), str(e)[:300])
        self.faults.report(error)
        raise error from None

    def _record(self, uid: str) -> Record:
        item = plain(self._call("get_item", Key={PARTITION_KEY: uid}, ConsistentRead=True).get("Item") or {})
        data = item.get(ATTRIBUTE_NAME)
        return Record(data if isinstance(data, dict) else {}, int(item.get("version", 0)), int(item.get("forgot", 0)))

    def _put(self, uid: str, data: Data | None, version: int, forgot: int) -> bool:
        """The item at version + 1 if it is still at `version` (0: none, or one from before versions)."""
        item: Data = {PARTITION_KEY: uid, "version": version + 1, "forgot": forgot}
        if data is not None:
            item[ATTRIBUTE_NAME] = storable(data)
        condition: Data = {"ExpressionAttributeNames": {"#v": "version"}}
        if version == 0:
            condition["ConditionExpression"] = "attribute_not_exists(#v)"
        else:
            condition.update(ConditionExpression="#v = :v", ExpressionAttributeValues={":v": version})
        return self._call("put_item", Item=item, **condition) is not False

    def get(self, uid: str) -> Data:
        return self._record(uid).kept()

    def save_many(self, writes: Sequence[Write]) -> list[Saved]:
        return [self._save_one(w) for w in writes]

    def _save_one(self, write: Write) -> Saved:
        version, forgot = token(write.data)
        if self._put(write.uid, body(write.data), version, forgot):
            return Saved(Outcome.WRITTEN, (version + 1, forgot))
        for _ in range(MERGE_ROUNDS):  # another write came between: merge with it
            current = self._record(write.uid)
            data = resolved(current, write)
            if data is None:
                return Saved(Outcome.FORGOTTEN)
            if self._put(write.uid, data, current.version, current.forgot):
                return Saved(Outcome.WRITTEN, (current.version + 1, current.forgot))
        raise self._report(StoreError("contended", f"{MERGE_ROUNDS} writes came between"))

    def delete(self, uid: str) -> None:
        """A tombstone: the next version, with no data, and forgotten at that version."""
        for _ in range(MERGE_ROUNDS):
            current = self._record(uid)
            if self._put(uid, None, current.version, current.version + 1):
                return
        raise self._report(StoreError("contended", f"{MERGE_ROUNDS} writes came between"))

    def _report(self, error: StoreError) -> StoreError:
        self.faults.report(error)
        return error


def create_table(resource: Any, table: str) -> None:
    """The table as deploy/template.yaml declares it (for tests and local trials)."""
    resource.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": PARTITION_KEY, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    ).wait_until_exists()
