"""Pickle bodies cross as bytes: written as bytes chunks, read back through PickleChunk."""

from __future__ import annotations

import pytest

from intersystems_pyprod import PickleSerialize
from intersystems_pyprod.runtime import bodies, irisapi, messages, streams
from intersystems_pyprod.testing.standin import ClassInfo, IrisStandIn, Stream, python_bytes

ALL_BYTES = bytes(range(256))


class Blob(PickleSerialize):
    payload: object = None


@pytest.fixture
def standin():
    api = IrisStandIn(lambda *a: None)
    previous = irisapi.install(api)
    api.define(ClassInfo(messages.register(Blob), {}, {}, {"PickleBody": "%Stream.GlobalBinary"}))
    yield api
    irisapi.install(previous)


def test_a_large_body_travels_as_bytes_chunks_and_comes_back_whole(standin):
    payload = ALL_BYTES * (streams.CHUNK // 256 * 2 + 7)  # three chunks, every byte value, NUL included
    obj = messages.to_iris(Blob(payload))
    chunks = obj.PickleBody._chunks
    assert len(chunks) == 3 and all(type(c) is bytes and len(c) <= streams.CHUNK for c in chunks)
    back = messages.from_iris(obj)
    assert type(back) is Blob and back.payload == payload


def test_a_small_body_is_one_chunk(standin):
    obj = messages.to_iris(Blob(ALL_BYTES))
    assert len(obj.PickleBody._chunks) == 1
    assert messages.from_iris(obj).payload == ALL_BYTES


def test_text_payloads_of_any_script_survive(standin):
    text = "naïve ☃ \x00 \U0001F600 " * 200_000
    assert messages.from_iris(messages.to_iris(Blob(text))).payload == text


class _TextChunks:
    """An IRIS object whose PickleChunk hands back text of 8-bit characters instead of bytes."""

    def __init__(self, inner):
        self._inner = inner
        self.PickleBody = inner.PickleBody

    def _ClassName(self, full=0):
        return self._inner._ClassName(full)

    def PickleChunk(self, iteration, size):
        return self._inner.PickleChunk(iteration, size).decode("latin-1")


def test_chunks_that_arrive_as_text_read_the_same(standin):
    payload = ALL_BYTES * 30_000
    obj = _TextChunks(messages.to_iris(Blob(payload)))
    assert messages.from_iris(obj).payload == payload


class _NoChunkMethod:
    """An IRIS object of a class without PickleChunk: the stream is read as text."""

    def __init__(self, inner):
        self._inner = inner
        self.PickleBody = inner.PickleBody

    def _ClassName(self, full=0):
        return self._inner._ClassName(full)


def test_a_class_without_the_chunk_method_still_reads(standin):
    payload = ALL_BYTES * 30_000
    assert messages.from_iris(_NoChunkMethod(messages.to_iris(Blob(payload)))).payload == payload


class _SizeSays:
    """A stream whose reported Size is wrong: the reader trusts the chunks, not the size."""

    def __init__(self, inner, size):
        self._inner, self._size = inner, size

    def __getattr__(self, name):
        return self._size if name == "Size" else getattr(self._inner, name)


@pytest.mark.parametrize("reported", [0, 5, 10**9 // 10**3])
def test_a_wrong_stream_size_does_not_corrupt_the_body(standin, reported):
    payload = ALL_BYTES * (streams.CHUNK // 256 + 3000)
    obj = messages.to_iris(Blob(payload))
    obj.__dict__["PickleBody"] = _SizeSays(obj.PickleBody, reported)
    assert messages.from_iris(obj).payload == payload


def test_a_body_over_the_limit_is_refused_before_it_is_read(standin, monkeypatch):
    monkeypatch.setattr(messages.unpickler, "MAX_PICKLE_BYTES", streams.CHUNK + 10)
    obj = messages.to_iris(Blob(b"x" * (streams.CHUNK * 2)))
    with pytest.raises(bodies.BodyError, match="limit"):
        messages.from_iris(obj)


def test_the_standin_binary_stream_models_8_bit_strings():
    stream = Stream("%Stream.GlobalBinary")
    stream.Write(b"\x00\xff")
    stream.Write("\xe9")
    assert stream.Size == 3 and stream.Read(10) == "\x00\xff\xe9"
    with pytest.raises(ValueError, match="8-bit"):
        stream.Write("\u2603")
    with pytest.raises(TypeError):
        Stream("%Stream.GlobalCharacter").Write(b"bytes")
    assert python_bytes("\xff\x00") == b"\xff\x00"
    with pytest.raises(ValueError, match="wide characters"):
        python_bytes("\u2603")


class _CountedChunks(_TextChunks):
    """Counts PickleChunk calls (each one an IRIS call)."""

    def __init__(self, inner):
        super().__init__(inner)
        self.calls = 0

    def PickleChunk(self, iteration, size):
        self.calls += 1
        return self._inner.PickleChunk(iteration, size)


def test_a_body_shorter_than_one_chunk_takes_one_call(standin):
    obj = _CountedChunks(messages.to_iris(Blob(ALL_BYTES * 100)))
    assert messages.from_iris(obj).payload == ALL_BYTES * 100
    assert obj.calls == 1


@pytest.mark.parametrize("extra", [0, 1, 1000])
def test_a_body_of_whole_chunks_reads_to_its_end(standin, extra):
    payload = b"z" * (streams.CHUNK * 2 + extra - 200)  # the pickle adds its opcodes around it
    obj = _CountedChunks(messages.to_iris(Blob(payload)))
    assert messages.from_iris(obj).payload == payload
    assert obj.calls <= 4


class _ShortReads:
    """A stream whose Read returns at most 1,000 bytes, whatever is asked (PickleChunk absent)."""

    def __init__(self, inner):
        self._inner = inner

    def Read(self, length):
        return self._inner.Read(min(length, 1000))

    def __getattr__(self, name):
        return getattr(self._inner, name)


def test_short_reads_of_a_stream_never_cut_the_body(standin):
    payload = ALL_BYTES * 40
    inner = messages.to_iris(Blob(payload))
    obj = _NoChunkMethod(inner)
    obj.PickleBody = _ShortReads(inner.PickleBody)
    assert messages.from_iris(obj).payload == payload
