"""Bounded decoding of JSON message bodies, and the checks on values sent as messages."""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, NoReturn

#: Largest JSON body accepted (characters).
MAX_JSON_CHARS = 256 * 1024 * 1024
#: Most digits of an integer in a JSON body (Python's own int/str conversion limit).
MAX_INT_DIGITS = 4300


def _int_limit_enforced() -> bool:
    """Python itself refuses integers of more than MAX_INT_DIGITS digits (3.11+, and patch
    releases of 3.9 and 3.10), so JSON numbers need no per-number hook for that."""
    getter = getattr(sys, "get_int_max_str_digits", None)
    return getter is not None and 0 < getter() <= MAX_INT_DIGITS


class BodyError(ValueError):
    """A message body cannot be read (malformed, too large, too deep, refused)."""


def _refuse(text: str) -> NoReturn:
    raise BodyError(text)


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        _refuse(f"an integer of {len(text)} digits exceeds the limit of {MAX_INT_DIGITS}")
    return int(text)


# made once: ``json.loads``/``json.dumps`` with options build a new decoder/encoder on every call.
# Numbers read as with ``json.loads`` (no per-number hook): NaN and Infinity, which Python's json
# module and pyprod 0.2.0 write for those floats, read back as floats, and a number past the
# float range (1e400) reads as an infinity.
_DECODER = json.JSONDecoder()
_DECODER_INTS = json.JSONDecoder(parse_int=_parse_int)
_encoders: Dict[Any, json.JSONEncoder] = {}


def decode(text: str) -> Dict[str, Any]:
    """The field values of a JSON body: a JSON object, bounded in size, depth and integer digits."""
    if len(text) > MAX_JSON_CHARS:
        _refuse(f"the JSON body has {len(text)} characters; the limit is {MAX_JSON_CHARS}")
    try:
        if _int_limit_enforced():  # Python refuses long integers itself; a refusal is re-read to name it
            try:
                data = _DECODER.decode(text)
            except ValueError as exc:
                if "integer string conversion" not in str(exc):
                    raise
                data = _DECODER_INTS.decode(text)
        else:
            data = _DECODER_INTS.decode(text)
    except RecursionError:
        _refuse("the JSON body is nested too deeply")
    except json.JSONDecodeError as exc:
        _refuse(f"the body is not valid JSON: {exc}")
    except BodyError:
        raise
    except ValueError as exc:
        _refuse(f"the body is not valid JSON: {exc}")
    if not isinstance(data, dict):
        _refuse(f"the body is a JSON {type(data).__name__}, not an object of field values")
    return data


def encode(data: Dict[str, Any], default: Any) -> str:
    """JSON text of field values; NaN and infinities are written as ``NaN``, ``Infinity`` and
    ``-Infinity``, as ``json.dumps`` and pyprod 0.2.0 write them (strict JSON has no such numbers)."""
    encoder = _encoders.get(default)
    if encoder is None:
        if len(_encoders) > 100:
            _encoders.clear()
        encoder = _encoders[default] = json.JSONEncoder(default=default, ensure_ascii=False)
    return encoder.encode(data)


def is_iris_object(value: Any) -> bool:
    """``value`` is an IRIS object (an ObjectScript message), not a Python value."""
    return callable(getattr(value, "_ClassName", None)) and not isinstance(value, type)


def require_message(value: Any, what: str) -> None:
    """Refuse to send ``value`` unless it is a message (a Python message class or an IRIS object)."""
    from ..api.messages import ProductionMessage

    if isinstance(value, ProductionMessage) or is_iris_object(value):
        return
    kind = "None" if value is None else f"a {type(value).__name__}"
    raise TypeError(f"{what}: the message is {kind}, not a message; send an instance of a JsonSerialize or "
                    "PickleSerialize class (or an IRIS message object)")
