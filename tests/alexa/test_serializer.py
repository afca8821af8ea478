"""The skill's lean deserializer (skill/alexa/serializer.py) reads every request as
ask-sdk-core's own does: each envelope the transcripts send, and mutants of them (fields
dropped, wrong types, odd slots, garbled attributes), give the same request objects, or
both refuse. A difference would mean a user heard a different answer than the SDK's
reading of their request gives."""

from __future__ import annotations

import random
from datetime import date
from enum import Enum

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from test_fuzz import app, mutate, recorded_envelopes  # noqa: F401 (app is a fixture)

from skill.alexa.adapter import too_deep
from skill.alexa.serializer import Serializer

MUTANTS_PER_ENVELOPE = 8


def shape(obj: object) -> object:
    """Everything a request object holds: each model's class and attributes (those its
    model does not name too), enums by value, times by their ISO text."""
    if isinstance(obj, list):
        return [shape(x) for x in obj]
    if isinstance(obj, dict):
        return {k: shape(v) for k, v in obj.items()}
    if isinstance(obj, Enum):
        return (type(obj).__name__, obj.value)
    if isinstance(obj, date):
        return obj.isoformat()
    if hasattr(obj, "deserialized_types"):
        return (type(obj).__name__, {k: shape(v) for k, v in vars(obj).items()})
    return obj


def read(deserialize, doc) -> tuple[str, object]:
    try:
        return "read", shape(deserialize(doc))
    except Exception as e:  # noqa: BLE001 (any refusal counts; which one does not matter to a user)
        return "refused", type(e).__name__


@pytest.fixture(scope="module")
def readers():
    sdk, ours = DefaultSerializer(), Serializer()

    def by_sdk(doc):
        return sdk._DefaultSerializer__deserialize(doc, RequestEnvelope)

    return (lambda doc: read(by_sdk, doc)), (lambda doc: read(ours.from_dict, doc))


def test_recorded_and_mutated_envelopes_read_as_the_sdk_reads_them(app, readers):  # noqa: F811
    by_sdk, by_ours = readers
    rng, recorded, compared, refused = random.Random(7), recorded_envelopes(app), 0, 0
    for doc in recorded:
        assert by_ours(doc) == by_sdk(doc) and by_ours(doc)[0] == "read"
        for _ in range(MUTANTS_PER_ENVELOPE):
            mutant = mutate(doc, rng)
            if too_deep(mutant):  # the adapter refuses these before any deserializer sees them
                continue
            sdk_says, ours_says = by_sdk(mutant), by_ours(mutant)
            assert ours_says[0] == sdk_says[0], mutant
            if sdk_says[0] == "read":
                assert ours_says == sdk_says, mutant
            refused += sdk_says[0] == "refused"
            compared += 1
    assert compared > 1000 and refused > 0
