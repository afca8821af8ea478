"""ask-sdk-core's serializer, with the work it repeats on every request taken out.

Deserializing: from an already parsed dict (no second JSON round trip), timestamps read with
the standard library rather than dateutil, and each model class looked up once (the SDK
imports its module by name for every object of every request). Serializing: the SDK's
rules for the shapes a response holds, without rebuilding each model's attribute map
(it copies and extends it for every object). Profiled: these were a third of a turn.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope


class Serializer(DefaultSerializer):
    _classes: dict[str, Any] = {}  # class name -> class; the SDK's models, a fixed set

    def from_dict(self, doc: dict) -> RequestEnvelope:
        return self._DefaultSerializer__deserialize(doc, RequestEnvelope)  # type: ignore[attr-defined]

    def _DefaultSerializer__deserialize_datetime(self, payload, obj_type):  # noqa: N802 (the SDK's name)
        try:
            parsed = datetime.fromisoformat(payload)
        except (TypeError, ValueError):
            return super()._DefaultSerializer__deserialize_datetime(payload, obj_type)  # type: ignore[misc]
        return parsed.date() if obj_type is date else parsed

    def _DefaultSerializer__load_class_from_name(self, class_name):  # noqa: N802 (the SDK's name)
        found = self._classes.get(class_name)
        if found is None:  # a name the SDK cannot load raises, and is not kept
            found = self._classes[class_name] = super()._DefaultSerializer__load_class_from_name(class_name)  # type: ignore[misc]
        return found

    def serialize(self, obj: Any) -> Any:
        if obj is None or isinstance(obj, str | int | float | bool):
            return obj
        if isinstance(obj, list):
            return [self.serialize(item) for item in obj]
        if isinstance(obj, dict):
            return {key: self.serialize(value) for key, value in obj.items()}
        if isinstance(obj, Enum):
            return obj.value
        names = getattr(obj, "attribute_map", None)
        if names is None or not hasattr(obj, "deserialized_types"):
            return super().serialize(obj)  # tuples, dates, decimals, other objects: the SDK's way
        out = {}
        for attr in obj.deserialized_types:
            value = getattr(obj, attr)
            if value is not None:
                out[names.get(attr, attr)] = self.serialize(value)
        return out
