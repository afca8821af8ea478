"""ask-sdk-core's serializer, with the work it repeats on every request taken out.

Deserializing: from an already parsed dict (no second JSON round trip), following the
SDK's rules (its `__deserialize`), but each model class's fields and each type name are
read once into a plan of small reader functions, where the SDK parses type names with
regular expressions and imports each class by name for every object of every request.
Timestamps are read with the standard library rather than dateutil. Serializing: the
SDK's rules for the shapes a response holds, without rebuilding each model's attribute
map (it copies and extends it for every object). Profiled: these were a third of a turn.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

Reader = Callable[[Any], Any]
# A class's fields by JSON key, and a new object's attributes. A field is [attribute, the
# native type whose values are kept as they are, type name, reader]. Its reader is made when
# a value needing it first arrives: making them all would import every model module a class
# names (the first request took 80 ms; the SDK imports only what arrives).
Field = list[Any]
Plan = tuple[dict[str, Field], dict[str, Any]]
# Fields the skill fills with plain JSON values only (turn() builds the session attributes
# from JSON it read): kept as they are, not walked object by object.
JSON_ATTRIBUTES = frozenset({"session_attributes"})
_classes: dict[str, Any] = {}  # class name -> class; the SDK's models, a fixed set


_PLAIN = frozenset({str, int, float, bool, type(None)})  # exactly these types: given back as they are


class _NoValue:
    """The type of no JSON value: a field of a model type always goes through its reader."""


class Serializer(DefaultSerializer):
    _readers: dict[str, Reader] = {}  # type name -> its reader (type names are the models', a fixed set)
    _plans: dict[type, Plan] = {}
    _outputs: dict[type, list[tuple[str, str, bool]]] = {}  # model class -> (attribute, JSON key, kept as is)

    def from_dict(self, doc: dict) -> RequestEnvelope:
        """The request envelope for a parsed request, as the SDK's deserialize makes it;
        anything that does not fit the models raises SerializationException."""
        try:
            return self._model(doc, RequestEnvelope)
        except SerializationException:
            raise
        except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError) as e:
            raise SerializationException(str(e)) from None

    def _reader(self, type_name: str) -> Reader:
        found = self._readers.get(type_name)
        if found is None:
            found = self._readers[type_name] = self._make_reader(type_name.strip())
        return found

    def _make_reader(self, type_name: str) -> Reader:
        if type_name.startswith("list[") and "," not in type_name:
            item = self._reader(type_name[5:-1])
            return lambda payload: [None if p is None else item(p) for p in payload]
        if type_name.startswith("dict(") and ", " in type_name:
            value_type = type_name[5:-1].split(", ", 1)[1]
            if value_type.strip() == "object":  # values as they are, as a new dict
                return lambda payload: dict(payload.items())
            value = self._reader(value_type)
            return lambda payload: {k: None if v is None else value(v) for k, v in payload.items()}
        if type_name.startswith(("list[", "dict(")):  # shapes no request model uses: the SDK's way
            return lambda payload: self._DefaultSerializer__deserialize(payload, type_name)  # type: ignore[attr-defined]
        native = self.NATIVE_TYPES_MAPPING.get(type_name)
        if native is object:
            return lambda payload: payload
        if native in (date, datetime):
            return lambda payload: self._datetime(payload, native)
        if native is not None:  # a value of the very type is what the SDK's cast gives back
            primitive = self._DefaultSerializer__deserialize_primitive  # type: ignore[attr-defined]
            return lambda payload: payload if type(payload) is native else primitive(payload, native)
        cls = self._DefaultSerializer__load_class_from_name(type_name)  # type: ignore[attr-defined]
        if issubclass(cls, Enum):
            members = cls._value2member_map_

            def enum(payload: Any) -> Any:
                try:
                    return members[payload]
                except (KeyError, TypeError):
                    return cls(payload)  # raises as the SDK's reading does

            return enum
        if hasattr(cls, "deserialized_types") and not hasattr(cls, "get_real_child_model"):
            return lambda payload: self._fill(payload, cls)
        return lambda payload: self._model(payload, cls)

    def _model(self, payload: Any, cls: Any) -> Any:
        if issubclass(cls, Enum):
            return cls(payload)
        if not hasattr(cls, "deserialized_types"):
            return payload
        if hasattr(cls, "get_real_child_model"):
            name = cls.get_real_child_model(payload)
            if not name:
                raise SerializationException(f"Couldn't resolve object by discriminator type for {cls} class")
            cls = self._DefaultSerializer__load_class_from_name(name)  # type: ignore[attr-defined]
        return self._fill(payload, cls)

    def _fill(self, payload: Any, cls: Any) -> Any:
        if not isinstance(payload, dict):  # the SDK makes an empty model of "" or [], and fails on the rest
            if isinstance(payload, str | list) and not payload:
                return cls()
            raise SerializationException(f"{cls.__name__} must be an object")
        fields, blank = self._plans.get(cls) or self._plan(cls)
        obj = cls.__new__(cls)
        obj.__dict__ = state = blank.copy()
        extras = None
        for key, value in payload.items():
            field = fields.get(key)
            if field is None:
                extras = [*(extras or ()), key]
            elif value is None or type(value) is field[1]:  # most are strings: no reader call
                state[field[0]] = value
            else:
                read = field[3] or self._field_reader(field)
                state[field[0]] = read(value)
        for extra in extras or ():  # the SDK keeps fields its models do not name, set after the rest
            setattr(obj, extra, payload[extra])
        return obj

    def _plan(self, cls: Any) -> Plan:
        """The class's fields by their JSON key, and the attributes its constructor sets
        with no arguments (copied into each new object rather than calling __init__,
        which sets every field one by one; the differential test holds this to the SDK)."""
        names = getattr(cls, "attribute_map", {})
        fields = {
            names.get(attr, attr): [attr, self._kept_as_is(type_name), type_name, None]
            for attr, type_name in cls.deserialized_types.items()
        }
        plan = self._plans[cls] = (fields, dict(vars(cls())))
        return plan

    def _kept_as_is(self, type_name: str) -> type:
        """The type whose values the SDK's reading would give back unchanged (str for a
        "str" field), or a type no JSON value has."""
        native = self.NATIVE_TYPES_MAPPING.get(type_name.strip())
        return native if native in (str, int, float, bool) else _NoValue

    def _field_reader(self, field: Field) -> Reader:
        field[3] = self._reader(field[2])
        return field[3]

    def _datetime(self, payload: Any, obj_type: type) -> Any:
        try:
            parsed = datetime.fromisoformat(payload)
        except (TypeError, ValueError):
            return self._DefaultSerializer__deserialize_datetime(payload, obj_type)  # type: ignore[attr-defined]
        return parsed.date() if obj_type is date else parsed

    def _DefaultSerializer__load_class_from_name(self, class_name):  # noqa: N802 (the SDK's name)
        found = _classes.get(class_name)
        if found is None:  # a name the SDK cannot load raises, and is not kept
            found = _classes[class_name] = super()._DefaultSerializer__load_class_from_name(class_name)  # type: ignore[misc]
        return found

    def serialize(self, obj: Any) -> Any:
        kind = type(obj)
        if kind in _PLAIN:
            return obj
        fields = self._outputs.get(kind)
        if fields is not None:  # a model class met before
            out = {}
            for attr, key, as_is in fields:
                value = getattr(obj, attr)
                if value is not None:
                    out[key] = value if as_is or type(value) in _PLAIN else self.serialize(value)
            return out
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
        self._outputs[kind] = [(a, names.get(a, a), a in JSON_ATTRIBUTES) for a in kind.deserialized_types]
        return self.serialize(obj)
