"""Message bodies in IRIS streams: written in pieces an IRIS string can hold, read back whole.

A JSON body is text in a character stream. A pickle body is bytes in a binary stream: the
pickler writes its output piece by piece (a long ``str`` or ``bytes`` value comes as a piece of
its own), and those pieces go to the stream with as few copies as the 3 MB limit on IRIS
strings allows; they come back through ``PyProd.PickleMessage.PickleChunk`` as
``%SYS.Python.Bytes``.
"""

from __future__ import annotations

import pickle
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence, Tuple

from . import bodies, unpickler

#: Characters (bytes) per string crossing into IRIS (IRIS strings hold 3,641,144; 3 MB is the proven size).
CHUNK = 3_000_000
#: A piece of the pickler's output at least this long is written as it is, uncopied; shorter
#: ones are joined with their neighbours so that a body takes few IRIS calls.
WRITTEN_ALONE = 256 * 1024
#: Field values the pickler may hand over as pieces of their own.
_LONG_TYPES = (str, bytes, bytearray)


class _Pieces(List[bytes]):
    """The pickler's output, kept as the pieces it writes (the file it is given)."""

    __slots__ = ()

    def write(self, piece: Any) -> None:
        """Keep one piece; a ``bytearray`` or ``PickleBuffer`` payload is copied, as it may change."""
        self.append(piece if type(piece) is bytes else bytes(piece))


def pickle_pieces(value: Any) -> Tuple[List[bytes], int]:
    """The pickle of ``value`` (``pickle.dumps`` at the highest protocol) as pieces, and its size.

    A message whose text and bytes fields come to a chunk or more is pickled piece by piece: the
    pickler hands each long value over on its own (a ``bytes`` field as the very object the message
    holds) instead of copying it into one growing buffer first, and :func:`bounded` then copies each
    byte once into the chunks. Any other value is one ``pickle.dumps``, written without a copy when
    it fits in a chunk.
    """
    if _long_values(value) < CHUNK:
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return [body], len(body)
    pieces = _Pieces()
    pickle.Pickler(pieces, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return pieces, sum(map(len, pieces))


def _long_values(value: Any) -> int:
    """How many characters and bytes the text and bytes fields of ``value`` hold."""
    state = getattr(value, "__dict__", None)
    if type(state) is not dict:
        return 0
    total = 0
    for field in state.values():
        if type(field) in _LONG_TYPES:
            total += len(field)
    return total


def bounded(pieces: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """The same bytes, in order, as ``bytes`` of at most ``limit`` each.

    A piece of :data:`WRITTEN_ALONE` to ``limit`` bytes is handed on as it is; the rest is packed
    into joins of up to ``limit`` bytes, each byte copied once (a piece longer than ``limit`` is
    cut through a memoryview, not sliced and then joined).
    """
    pending: List[Any] = []
    room = limit
    for piece in pieces:
        size = len(piece)
        if WRITTEN_ALONE <= size <= limit:
            if pending:
                yield b"".join(pending)
                pending, room = [], limit
            yield piece
            continue
        view: Any = memoryview(piece) if size > room else piece
        start = 0
        while size - start >= room:
            pending.append(view[start:start + room])
            start += room
            yield b"".join(pending)
            pending, room = [], limit
        if start < size:
            pending.append(view[start:] if start else view)
            room -= size - start
    if pending:
        yield b"".join(pending)


def write(stream: Any, text: str) -> None:
    """Write text (a JSON body) in chunks IRIS strings can hold; a body that fits is written in
    one call, uncopied. IRIS counts a character above U+FFFF as two, so text that is not ASCII
    is cut every ``CHUNK // 2`` characters."""
    size = CHUNK if text.isascii() else CHUNK // 2
    if len(text) <= size:
        if text:
            stream.Write(text)
        return
    for start in range(0, len(text), size):
        stream.Write(text[start:start + size])


def write_pickle(stream: Any, value: Any, trailer: Callable[[Any, Sequence[bytes], int], bytes],
                 pickled: Optional[Tuple[List[bytes], int]] = None) -> None:
    """Pickle ``value`` to a binary stream, followed by ``trailer(value, pieces, size)``.

    A short body and its trailer are one write, as one string; a longer one goes in the chunks
    :func:`bounded` makes from :func:`pickle_pieces` (or from ``pickled``, its result made already).
    """
    pieces, size = pickle_pieces(value) if pickled is None else (list(pickled[0]), pickled[1])
    tail = trailer(value, pieces, size)
    if len(pieces) == 1 and size + len(tail) <= CHUNK and (size < WRITTEN_ALONE or not tail):
        stream.Write(pieces[0] + tail if tail else pieces[0])
        return
    if tail:
        pieces.append(tail)
    for chunk in bounded(pieces, CHUNK):
        stream.Write(chunk)


def _as_text(chunk: Any) -> str:
    """A chunk of a character stream as text (a bytes chunk holds 8-bit characters)."""
    if chunk is None:
        return ""
    return chunk.decode("latin-1") if isinstance(chunk, bytes) else chunk


def _chunk_reader(method: Any, stream_of: Callable[[], Any], convert: Callable[[Any], Any],
                  empty: Any) -> Tuple[Callable[[int], Any], bool]:
    """A function giving chunk ``i`` of a body, and whether every chunk but the last is full:
    through the message class's chunk ``method`` (exactly the size asked, fewer at the end) when
    there is one, else by reading the stream ``stream_of()`` gives (``Read`` may return less)."""
    if callable(method):
        return (lambda iteration: convert(method(iteration, CHUNK))), True
    stream = stream_of()
    if stream is None or stream == "":
        return (lambda iteration: empty), False

    def read_chunk(iteration: int) -> Any:
        if iteration == 0:
            stream.Rewind()
        return empty if stream.AtEnd else convert(stream.Read(CHUNK))
    return read_chunk, False


def _json_chunks(obj: Any, use_method: bool = True) -> Tuple[Callable[[int], str], bool]:
    """The JSON body's chunks: ``JsonChunk``, else the ``JsonBody`` stream."""
    method = getattr(obj, "JsonChunk", None) if use_method else None
    return _chunk_reader(method, lambda: obj.JsonBody, _as_text, "")


def read_json(obj: Any) -> str:
    """The JSON body of ``obj`` as one text: the single chunk itself (one IRIS call when it is
    short), or the chunks joined once; refused as soon as it passes the size limit."""
    return _read_either_way(obj, _json_chunks, bodies.MAX_JSON_CHARS, "the JSON body has over {} characters, the limit")


def _read_either_way(obj: Any, readers: Callable[..., Tuple[Callable[[int], Any], bool]], limit: int,
                     refusal: str) -> Any:
    """The body through the message class's chunk method; when that call fails (an IRIS class
    compiled before the method existed), through its stream."""
    chunk_at, through_method = readers(obj)
    try:
        return _read_all(chunk_at, through_method, limit, refusal)
    except bodies.BodyError:
        raise
    except Exception:
        if not through_method:  # the stream itself failed
            raise
        return _read_all(*readers(obj, use_method=False), limit, refusal)


def _read_all(chunk_at: Callable[[int], Any], full_chunks: bool, limit: int, refusal: str) -> Any:
    """Every chunk ``chunk_at`` gives, up to the first empty (or, with ``full_chunks``, short) one,
    joined once; a single chunk is returned as it is. Past ``limit`` in all, ``refusal`` (a
    template for the limit) is raised.

    A full chunk of bytes is ``CHUNK`` long. A full chunk of text is ``CHUNK`` characters for
    IRIS, which counts a character above U+FFFF as two, so at least ``CHUNK // 2`` for Python:
    only a text chunk shorter than that is surely the last.
    """
    first = chunk_at(0)
    short = CHUNK if type(first) is bytes else CHUNK // 2
    if not first or (full_chunks and len(first) < short):
        return first
    parts, total, iteration = [first], len(first), 1
    while True:
        chunk = chunk_at(iteration)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise bodies.BodyError(refusal.format(limit))
        parts.append(chunk)
        if full_chunks and len(chunk) < short:
            break
        iteration += 1
    return parts[0] if len(parts) == 1 else first[:0].join(parts)


def _as_bytes(chunk: Any) -> bytes:
    """A chunk of a binary stream as bytes: ``%SYS.Python.Bytes`` gives bytes; text (8-bit
    characters) is accepted too, so either conversion at the boundary reads the same body."""
    if chunk is None or isinstance(chunk, bytes):
        return chunk or b""
    if isinstance(chunk, str):
        try:
            return chunk.encode("latin-1")
        except UnicodeEncodeError:
            raise bodies.BodyError("the pickle body holds characters that are not bytes") from None
    return bytes(chunk)


def _pickle_chunks(obj: Any, use_method: bool = True) -> Tuple[Callable[[int], bytes], bool]:
    """The pickle body's chunks as bytes: ``PickleChunk`` (``%SYS.Python.Bytes``), else the
    ``PickleBody`` stream read as text."""
    method = getattr(obj, "PickleChunk", None) if use_method else None
    return _chunk_reader(method, lambda: obj.PickleBody, _as_bytes, b"")


def read_pickle(obj: Any) -> bytes:
    """The pickle body of ``obj`` as one ``bytes``: the single chunk itself (one IRIS call when it
    is short), or the chunks joined once (no zero-filled buffer, no text conversion); refused as
    soon as it passes the size limit."""
    body: bytes = _read_either_way(obj, _pickle_chunks, unpickler.MAX_PICKLE_BYTES,
                                   "the pickle is over {} bytes, the limit")
    return body


__all__ = ["CHUNK", "bounded", "pickle_pieces", "read_json", "read_pickle", "write", "write_pickle"]
