"""Framing and value encoding of the superserver protocol that the Native SDK client speaks.

What is here was learned from public clients and checked against the real client
(``intersystems-irispython`` 5.4.1) pointed at a loopback socket; docs/wire-protocol.md says which
part comes from where and what is still a guess.

A message is a 14-byte header (little-endian: payload length, message count, statement id, a
2-byte function code) and a payload of ``$LIST`` items. When the statement id's high bit is set,
the payload continues in the next message.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field
from typing import Any, List, Tuple

HEADER = struct.Struct("<IIIH")
MORE = 0x80000000
#: Replies to the Native API calls carry 0xCA00 plus an error code (0: success).
SYSIO = 0xCA00
#: The error code the client lets through as "undefined" for a global get.
UNDEFINED = 1009
#: Connect refused: the reply's function code, its payload the server's text.
REFUSED = 417

#: Request function codes (two bytes as they appear on the wire).
HANDSHAKE, CONNECT, DISCONNECT = b"HS", b"CN", b"DC"
GLOBAL_GET, GLOBAL_SET, GLOBAL_KILL = b"A\xc2", b"B\xc2", b"C\xc2"
CLASS_METHOD, CLASS_METHOD_VOID = b"K\xc2", b"L\xc2"
METHOD, METHOD_VOID, PROPERTY_GET, PROPERTY_SET = b"[\xc2", b"\\\xc2", b"]\xc2", b"^\xc2"
PREPARE, SERVER_ERROR = b"PP", b"OE"
#: Run a prepared query (its statement id is the prepare's), fetch more rows, close a cursor.
PREPARED_QUERY, FETCH, CLOSE_CURSOR = b"PQ", b"FD", b"CC"
#: SQLCODE 100 as the function code of a rows reply: no more rows after these.
NO_MORE_ROWS = 100

STRING, UNICODE, POSITIVE, NEGATIVE, DOUBLE, OREF = 1, 2, 4, 5, 8, 0x19
BY_REFERENCE = 0x20


class Oref(str):
    """An object reference as it crosses the wire (its number, as text)."""


@dataclass
class Item:
    value: Any
    by_reference: bool = False


def encode(value: Any) -> bytes:
    """One ``$LIST`` item: None is undefined; str, int, float and :class:`Oref` are typed."""
    if value is None:
        return b"\x01"
    if isinstance(value, Oref):
        body = bytes([OREF]) + str(value).encode("ascii")
    elif isinstance(value, bool):
        body = bytes([POSITIVE]) + (b"\x01" if value else b"")
    elif isinstance(value, int):
        if value >= 0:
            body = bytes([POSITIVE]) + value.to_bytes((value.bit_length() + 7) // 8, "little")
        else:
            magnitude = -value - 1
            raw = magnitude.to_bytes((magnitude.bit_length() + 7) // 8, "little")
            body = bytes([NEGATIVE]) + bytes(b ^ 0xFF for b in raw)
    elif isinstance(value, float):
        body = bytes([DOUBLE]) + struct.pack("<d", value)
    else:
        text = str(value)
        try:
            body = bytes([STRING]) + text.encode("latin-1")
        except UnicodeEncodeError:
            body = bytes([UNICODE]) + text.encode("utf-16-le")
    if len(body) < 255:
        return bytes([len(body) + 1]) + body
    if len(body) < 0x10000:
        return b"\x00" + len(body).to_bytes(2, "little") + body
    return b"\x00\x00\x00" + len(body).to_bytes(4, "little") + body


def _typed(kind: int, data: bytes) -> Any:
    if kind == STRING:
        return data.decode("latin-1")
    if kind == UNICODE:
        return data.decode("utf-16-le")
    if kind == POSITIVE:
        return int.from_bytes(data, "little")
    if kind == NEGATIVE:
        return -int.from_bytes(bytes(b ^ 0xFF for b in data), "little") - 1
    if kind == DOUBLE:
        return struct.unpack("<d", data.rjust(8, b"\0"))[0]
    if kind == OREF:
        return Oref(data.decode("ascii"))
    if kind in (6, 7):  # decimal: exponent byte, then the mantissa
        exponent = int.from_bytes(data[:1], "little", signed=True)
        mantissa = int.from_bytes(data[1:], "little", signed=kind == 7)
        return mantissa * 10 ** exponent if exponent >= 0 else mantissa / 10 ** -exponent
    return bytes(data)  # a type the stand-in has no use for: its bytes


def decode(payload: bytes) -> List[Item]:
    """Every item of a payload, in order."""
    items: List[Item] = []
    at = 0
    while at < len(payload):
        size, head = payload[at], 1
        if size == 0:
            size, head = int.from_bytes(payload[at + 1:at + 3], "little"), 3
            if size == 0:
                size, head = int.from_bytes(payload[at + 3:at + 7], "little"), 7
            body = payload[at + head:at + head + size]
            at += head + size
        else:
            body = payload[at + 1:at + size]
            at += size
        if not body:
            items.append(Item(None))
            continue
        kind, by_reference = body[0], False
        if BY_REFERENCE <= kind < 2 * BY_REFERENCE:
            kind, by_reference = kind - BY_REFERENCE, True
        items.append(Item(_typed(kind, body[1:]), by_reference))
    return items


@dataclass
class Message:
    code: bytes
    count: int
    statement: int
    payload: bytes = b""
    items: List[Item] = field(default_factory=list)


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the client closed the connection")
        data.extend(chunk)
    return bytes(data)


def read(sock: socket.socket) -> Message:
    """The next request, its continuations joined."""
    payload = bytearray()
    while True:
        length, count, statement, code = HEADER.unpack(_exactly(sock, HEADER.size))
        payload.extend(_exactly(sock, length))
        if not statement & MORE:
            break
    raw = code.to_bytes(2, "little")
    return Message(raw, count, statement, bytes(payload))


def write(sock: socket.socket, request: Message, code: int, values: Tuple[Any, ...] = (), raw: bytes = b"") -> None:
    """Reply to ``request`` with ``code`` and these values."""
    payload = raw + b"".join(encode(v) for v in values)
    sock.sendall(HEADER.pack(len(payload), request.count, request.statement & ~MORE, code) + payload)


def unscramble(data: str) -> str:
    """The user name and password as the client obscures them in the connect message, in clear."""
    raw = data.encode("latin-1")
    n = len(raw)
    out = bytearray(n)
    for i in range(n):
        position = n - 1 - i
        byte = raw[position]
        rotated = ((byte >> 5) | (byte << 3)) & 0xFF
        out[i] = ((rotated - position) & 0xFF) ^ 0xA7
    return out.decode("latin-1")
