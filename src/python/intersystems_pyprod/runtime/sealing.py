"""Sealed pickle bodies: the C unpickler for bodies this namespace's runtime wrote itself.

Decoding a pickle with Python's C unpickler is many times faster than the closed unpickler
(:mod:`.unpickler`), but it is safe only for bytes that a pickler made from real objects: a
crafted body can make it allocate gigabytes (an explicit memo index) or set attributes on a
class. So the runtime seals what it writes: after the pickle it appends ``MARK`` and an
HMAC-SHA256 of the pickle under a key kept in the namespace database (``^PyProd.Seal``, created
by the loader next to the sources it serves). Reading, a body whose seal checks goes to the C
unpickler, which still resolves classes through :mod:`.pickle_policy`; every other body (no
seal, another namespace's key, a body edited after it was written) goes through the closed
unpickler, which is safe for anything. Stdlib ``pickle.loads`` ignores the bytes after a
pickle, so a sealed body is still a plain pickle to any other reader.

Sealing costs two HMAC passes over the body; it pays where the closed unpickler is slow (many
small objects) and is skipped where it is not (a body of plain scalar fields past
:data:`SMALL_BODY` bytes: one long text or bytes value reads as fast either way).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import pickle
import secrets
from typing import Any, Optional, Sequence, Tuple

from . import irisapi, pickle_policy, unpickler

#: Global of the namespace that holds the key: ("key") = 64 hexadecimal digits.
KEY_GLOBAL = "^PyProd.Seal"
KEY_SUBSCRIPT = "key"
#: Appended after the pickle, before the tag.
MARK = b"\x00PySeal1"
TAG_BYTES = 32
TRAILER_BYTES = len(MARK) + TAG_BYTES
#: Bodies up to this size are sealed whatever they hold (the closed unpickler's fixed cost
#: exceeds two HMAC passes there).
SMALL_BODY = 4096
#: Sealed bodies from this size on are unpickled from slices of the body, not from a copying
#: ``io.BytesIO`` (whose C reads cost less on a short body).
_READ_IN_PLACE = 64 * 1024
#: Field values that cost the closed unpickler no more than the C one (one opcode each).
_SCALARS = (str, bytes, bytearray, int, float, bool, type(None), complex)



class _Hmac:
    """HMAC-SHA256 under one key, its padded-key blocks hashed once (RFC 2104), so that a small
    body costs two hash copies instead of a whole HMAC set-up."""

    def __init__(self, key: bytes) -> None:
        block = key.ljust(64, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digest(self, *pieces: Any) -> bytes:
        """The HMAC of the concatenation of ``pieces``."""
        inner = self.inner.copy()
        for piece in pieces:
            inner.update(piece)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.digest()


# (api object, key or None, its HMAC) of the last read, so a process reads the global once per
# namespace: the import hook (loader.paths) calls forget() when a callback finds the process in
# another namespace than the last one, and the key is read again there (through a new global
# reference, made in that namespace)
_cached: Optional[Tuple[Any, Optional[bytes], Optional[_Hmac]]] = None


def key_from_text(value: Any) -> Optional[bytes]:
    """The key a stored value holds, or None when it is missing or not 64 hexadecimal digits."""
    if not isinstance(value, str) or len(value) != 2 * TAG_BYTES:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def ensure_key(store: Any) -> bool:
    """Give the namespace a key unless it has a valid one (``store`` has ``get``/``set`` of subscript
    tuples, as the loader's globals do); True when a key was written."""
    if key_from_text(store.get((KEY_SUBSCRIPT,))) is not None:
        return False
    store.set((KEY_SUBSCRIPT,), secrets.token_hex(TAG_BYTES))
    return True


def current_key() -> Optional[bytes]:
    """This namespace's key, read once per process and namespace (and again after :func:`forget`);
    None when the namespace has none or it cannot be read (an undefined node, however ``gref.get``
    reports it), and then nothing is sealed."""
    return _state()[1]


def _mac() -> Optional[_Hmac]:
    return _state()[2]


def _state() -> Tuple[Any, Optional[bytes], Optional[_Hmac]]:
    global _cached
    api = irisapi.get()
    cached = _cached
    if cached is not None and cached[0] is api:
        return cached
    try:
        key = key_from_text(api.gref(KEY_GLOBAL).get([KEY_SUBSCRIPT]))
    except Exception:  # no such global, no privilege, or an ``iris`` without globals: no seals
        key = None
    _cached = (api, key, _Hmac(key) if key is not None else None)
    return _cached


def forget() -> None:
    """Read the key again at the next use (a load may have created or replaced it)."""
    global _cached
    _cached = None


def _worth_sealing(message: Any, size: int) -> bool:
    if size <= SMALL_BODY:
        return True
    state = getattr(message, "__dict__", None)
    if not isinstance(state, dict):
        return True
    for value in state.values():
        if type(value) not in _SCALARS:
            return True
    return False


def trailer(message: Any, pieces: Sequence[Any], size: int) -> bytes:
    """What to write after the pickle of ``message`` (``pieces`` of ``size`` bytes in all): the
    seal, or nothing."""
    mac = _mac()
    if mac is None or not _worth_sealing(message, size):
        return b""
    return MARK + mac.digest(*pieces)


def _sealed(data: Any) -> bool:
    """``data`` ends with a seal that this namespace's key checks."""
    size = len(data) - TRAILER_BYTES
    if size <= 0 or not data.startswith(MARK, size):
        return False
    mac = _mac()
    if mac is None:
        return False
    if size <= SMALL_BODY:  # a copy of a short body costs less than a memoryview
        expected = mac.digest(data[:size])
    else:
        with memoryview(data) as view:
            expected = mac.digest(view[:size])
    return hmac.compare_digest(expected, data[size + len(MARK):])


class _PolicyUnpickler(pickle.Unpickler):
    """The C unpickler, resolving classes through the pickle policy (never anything else)."""

    def find_class(self, module: str, name: str) -> Any:
        return pickle_policy.find_class(module, name)


class _BodyReader:
    """The file the C unpickler reads a long body from: each read is a slice of one memoryview,
    so frames and long values are not copied (``io.BytesIO`` copies every read)."""

    __slots__ = ("data", "pos", "view")

    def __init__(self, data: Any) -> None:
        self.data = data
        self.view = memoryview(data)
        self.pos = 0

    def read(self, size: int) -> memoryview:
        start = self.pos
        self.pos = end = min(start + size, len(self.data))
        return self.view[start:end]

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` (the object a long ``bytes`` value becomes): its one copy."""
        with memoryview(buffer) as target:
            part = self.read(target.nbytes)
            target[:len(part)] = part
            return len(part)

    def readline(self) -> memoryview:
        start = self.pos
        found = self.data.find(b"\n", start)
        self.pos = end = len(self.data) if found < 0 else found + 1
        return self.view[start:end]


def loads(data: Any) -> Any:
    """The object a message body holds: through the C unpickler when the body is sealed with this
    namespace's key, else through the closed unpickler."""
    if not isinstance(data, (bytes, bytearray)):
        data = bytes(data)
    if not _sealed(data):
        return unpickler.loads(data)
    source: Any = io.BytesIO(data) if len(data) < _READ_IN_PLACE else _BodyReader(data)  # reads give buffers
    try:
        return _PolicyUnpickler(source).load()
    except pickle_policy.PickleRefused:
        raise
    except Exception as exc:  # e.g. a class whose constructor changed since the body was written
        raise pickle_policy.PickleRefused(f"malformed pickle: {type(exc).__name__}: {exc}") from None


__all__ = ["KEY_GLOBAL", "MARK", "current_key", "ensure_key", "forget", "key_from_text", "loads", "trailer"]
