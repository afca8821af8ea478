"""Per-user kept data in DynamoDB, when RECOVERY_COACH_DYNAMODB_TABLE names a table.

Imported only then: `ask_sdk_dynamodb` builds a boto3 resource when it is imported (and
fails without a region). Goes through ask-sdk-dynamodb-persistence-adapter with our own
resource: short timeouts and few retries, so a slow or missing table costs a turn about a
second at worst, and boto3's standard settings (AWS_ENDPOINT_URL_DYNAMODB, credentials,
AWS_DEFAULT_REGION) apply, which is how the tests reach moto's server. The table is
keyed by `id` (the Alexa user id) with the data in `attributes`, as the adapter expects
and deploy/template.yaml creates it. Numbers come back as Decimal and are turned back
into ints and floats. Faults raise StoreError, like the SQLite store."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import boto3
from botocore.config import Config

from skill.store.base import ConfigError, FaultLog, Store, StoreError

PARTITION_KEY = "id"
ATTRIBUTE_NAME = "attributes"
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
        from ask_sdk_dynamodb.adapter import DynamoDbAdapter  # builds a default resource on import

        self.table = table
        self.faults = FaultLog()
        self.adapter = DynamoDbAdapter(
            table,
            partition_key_name=PARTITION_KEY,
            attribute_name=ATTRIBUTE_NAME,
            create_table=False,
            partition_keygen=str,  # our methods pass the user id itself
            dynamodb_resource=resource or boto3.resource("dynamodb", config=CLIENT_CONFIG),
        )

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self.adapter, method)(*args)
        except Exception as e:  # the adapter wraps every boto3 failure in PersistenceException
            error = StoreError(fault_kind(e), str(e)[:300])
            self.faults.report(error)
            raise error from None

    def get(self, uid: str) -> dict[str, Any]:
        data = plain(self._call("get_attributes", uid))
        return data if isinstance(data, dict) else {}

    def put(self, uid: str, data: dict[str, Any]) -> None:
        self._call("save_attributes", uid, storable(data))

    def delete(self, uid: str) -> None:
        self._call("delete_attributes", uid)


def create_table(resource: Any, table: str) -> None:
    """The table as deploy/template.yaml declares it (for tests and local trials)."""
    resource.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": PARTITION_KEY, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    ).wait_until_exists()
