"""A JSON message's body as text: the values ``json`` cannot write itself, and pydantic's own
serializer where it writes the same JSON."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import uuid
from typing import Any, Optional

from ..api.messages import ProductionMessage
from . import bodies, typed


class MessageError(TypeError):
    """A message cannot be converted (a value JSON cannot hold, an unknown class, ...)."""


def json_default(value: Any) -> Any:
    """The JSON form of a value ``json`` cannot write itself (dates, decimals, sets, enums,
    nested messages, dataclasses, pydantic models); a TypeError for any other."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, ProductionMessage):
        return {n: getattr(value, n, None) for n in value._pyprod_fields}
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name, None) for f in dataclasses.fields(value)}
    dump = getattr(value, "model_dump", None)
    if dump is not None and typed.is_pydantic(type(value)):
        return dump(mode="json")
    raise TypeError(f"{type(value).__name__} values cannot be written as JSON")


def to_json(message: ProductionMessage) -> str:
    """The JSON body of a message (a pydantic message: its ``model_dump(mode="json")``)."""
    if message._pyprod_model:
        fast = _model_json(message)
        if fast is not None:
            return fast
        data = message.model_dump(mode="json")  # type: ignore[attr-defined]
    else:
        data = {name: getattr(message, name, None) for name in message._pyprod_fields}
    try:
        return bodies.encode(data, json_default)
    except (TypeError, ValueError, RecursionError) as exc:
        field = next((n for n, v in data.items() if not _encodes(v)), None)
        where = f" (field {field})" if field else ""
        raise MessageError(f"{type(message).__name__} cannot be sent as JSON{where}: {exc}; use JSON-friendly "
                           "field values or make it a PickleSerialize message") from None


def _model_json(message: Any) -> Optional[str]:
    """A pydantic message's body written by pydantic's own serializer (several times faster than
    ``model_dump`` + ``json``), when it holds what the slower path writes: that serializer writes
    NaN and infinities as ``null``, so a text with ``null`` in it (a None, or a lost NaN) takes the
    slower path, which keeps ``NaN`` and ``Infinity``; a value it refuses does too."""
    try:
        text = message.model_dump_json()
    except Exception:  # the slower path names the field that cannot be written
        return None
    return None if not isinstance(text, str) or "null" in text else text


def _encodes(value: Any) -> bool:
    try:
        bodies.encode({"": value}, json_default)
    except (TypeError, ValueError, RecursionError):
        return False
    return True
