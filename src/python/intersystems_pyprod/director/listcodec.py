"""Read an ObjectScript ``$LIST`` (as Embedded Python hands it over: a byte string) into Python values."""

from __future__ import annotations

import struct
from typing import Any, List, Union


class ListFormatError(ValueError):
    """The bytes are not a ``$LIST``."""


def _as_bytes(data: Union[str, bytes, bytearray]) -> bytes:
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    try:
        return data.encode("latin-1")  # each character of an IRIS byte string is one byte
    except UnicodeEncodeError:
        raise ListFormatError("text with characters above 255 is not a $LIST") from None


def _value(kind: int, body: bytes) -> Any:
    if kind == 1:
        return body.decode("latin-1")
    if kind == 2:
        return body.decode("utf-16-le")
    if kind in (4, 5):
        return int.from_bytes(body, "little", signed=kind == 5) if body else 0
    if kind in (6, 7):  # decimal: signed exponent byte, then the mantissa
        if not body:
            raise ListFormatError("empty decimal element")
        exponent = int.from_bytes(body[:1], "little", signed=True)
        mantissa = int.from_bytes(body[1:], "little", signed=kind == 7) if body[1:] else 0
        return mantissa * 10 ** exponent if exponent >= 0 else mantissa / 10 ** -exponent
    if kind == 8:
        return struct.unpack("<d", body.rjust(8, b"\0"))[0] if len(body) <= 8 else None
    raise ListFormatError(f"unknown $LIST element type {kind}")


def decode(data: Union[str, bytes, bytearray]) -> List[Any]:
    """The elements of a ``$LIST``: str, int, float, or None for an undefined element."""
    raw = _as_bytes(data)
    items: List[Any] = []
    at = 0
    while at < len(raw):
        length = raw[at]
        if length == 0:  # long element: 2-byte length, or 0 and then a 4-byte length
            if at + 3 > len(raw):
                raise ListFormatError("truncated $LIST element header")
            size = int.from_bytes(raw[at + 1:at + 3], "little")
            head = 3
            if size == 0:
                size = int.from_bytes(raw[at + 3:at + 7], "little")
                head = 7
            start, end = at + head, at + head + size
        else:
            start, end = at + 1, at + length
        if end > len(raw) or end < start:
            raise ListFormatError("truncated $LIST element")
        if end == start:  # no type byte: an undefined element
            items.append(None)
        else:
            items.append(_value(raw[start], raw[start + 1:end]))
        at = end
    return items
