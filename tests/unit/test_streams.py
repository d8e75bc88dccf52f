"""Pickle bodies go to the stream in few copies; large bodies decode with the collector paused."""

from __future__ import annotations

import gc
import hmac
import json
import math
import pickle
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intersystems_pyprod import JsonSerialize, PickleSerialize
from intersystems_pyprod.runtime import bodies, gcpause, irisapi, messages, sealing, streams
from intersystems_pyprod.testing.standin import ClassInfo, IrisStandIn


class Parcel(PickleSerialize):
    blob: object = None
    label: object = None
    items: object = None


class Sheet(JsonSerialize):
    rows: object = None


@pytest.fixture
def namespace():
    api = IrisStandIn(lambda *a: None)
    api.ensure_seal_key()
    api.define(ClassInfo(messages.register(Parcel), {}, {}, {"PickleBody": "%Stream.GlobalBinary"}))
    api.define(ClassInfo(messages.register(Sheet), {}, {}, {"JsonBody": "%Stream.GlobalCharacter"}))
    previous = irisapi.install(api)
    yield api
    irisapi.install(previous)


pieces_strategy = st.lists(st.one_of(st.binary(max_size=40), st.integers(0, 130).map(lambda n: bytes([n % 251]) * n)),
                           max_size=12)


@settings(max_examples=300, deadline=None)
@given(pieces=pieces_strategy, limit=st.integers(1, 64), alone=st.integers(1, 80))
def test_bounded_keeps_every_byte_in_order_within_the_limit(pieces, limit, alone):
    before = streams.WRITTEN_ALONE
    streams.WRITTEN_ALONE = alone
    try:
        chunks = list(streams.bounded(list(pieces), limit))
    finally:
        streams.WRITTEN_ALONE = before
    assert b"".join(chunks) == b"".join(pieces)
    assert all(type(c) is bytes and 0 < len(c) <= limit for c in chunks)
    handed_on = [p for p in pieces if alone <= len(p) <= limit]
    assert all(any(c is p for c in chunks) for p in handed_on)  # uncopied
    total = sum(map(len, pieces))
    assert len(chunks) <= math.ceil(total / limit) + 2 * len(handed_on) + 1


def test_a_long_bytes_field_is_handed_to_the_stream_uncopied(namespace, monkeypatch):
    monkeypatch.setattr(streams, "CHUNK", 400_000)
    blob = bytes(range(256)) * 1100  # 281,600 bytes: the pickler hands it over on its own
    assert streams.WRITTEN_ALONE <= len(blob) <= streams.CHUNK
    sent = Parcel(blob=blob, label="x" * 150_000)
    pieces, size = streams.pickle_pieces(sent)
    assert b"".join(pieces) == pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL) and size == len(b"".join(pieces))
    assert any(p is blob for p in pieces)
    obj = messages.to_iris(sent)
    chunks = obj.PickleBody._chunks
    assert any(c is blob for c in chunks) and all(len(c) <= 400_000 for c in chunks)
    back = messages.from_iris(obj)
    assert back.blob == blob and back.label == sent.label


def test_a_bytearray_or_pickle_buffer_field_is_copied_when_pickled(namespace, monkeypatch):
    monkeypatch.setattr(streams, "CHUNK", 100_000)
    field = bytearray(b"a" * 120_000)
    pieces, _ = streams.pickle_pieces(Parcel(blob=field))
    field[:3] = b"zzz"
    assert all(type(p) is bytes for p in pieces) and b"zzz" not in b"".join(pieces)
    buffer = bytearray(b"b" * 120_000)
    pieces, _ = streams.pickle_pieces(Parcel(blob=pickle.PickleBuffer(buffer), label="x" * 100_000))
    buffer[:3] = b"zzz"
    assert all(type(p) is bytes for p in pieces) and b"zzz" not in b"".join(pieces)


def test_a_body_longer_than_a_chunk_is_sealed_over_its_pieces(namespace, monkeypatch):
    monkeypatch.setattr(streams, "CHUNK", 150_000)
    sent = Parcel(blob=b"\x00" * 400_000, items=[{"n": i} for i in range(2000)])
    obj = messages.to_iris(sent)
    chunks = obj.PickleBody._chunks
    assert len(chunks) <= 5 and all(len(c) <= 150_000 for c in chunks)
    body = b"".join(chunks)
    assert body[-sealing.TRAILER_BYTES:-sealing.TAG_BYTES] == sealing.MARK
    key = sealing.current_key()
    assert key is not None
    assert body[-sealing.TAG_BYTES:] == hmac.digest(key, body[:-sealing.TRAILER_BYTES], "sha256")
    assert messages.from_iris(obj).items == sent.items


def test_a_short_body_is_one_write(namespace):
    obj = messages.to_iris(Parcel(label="short", items=[1, 2]))
    assert len(obj.PickleBody._chunks) == 1


@pytest.fixture
def collector_seen(monkeypatch):
    """Whether the collector ran while each body was decoded."""
    seen = []
    real_json, real_pickle = bodies.decode, sealing.loads

    def json_decode(text):
        seen.append(gc.isenabled())
        return real_json(text)

    def pickle_loads(data):
        seen.append(gc.isenabled())
        return real_pickle(data)
    monkeypatch.setattr(bodies, "decode", json_decode)
    monkeypatch.setattr(sealing, "loads", pickle_loads)
    return seen


def test_large_bodies_decode_with_the_collector_paused_and_small_ones_without(namespace, collector_seen):
    assert gc.isenabled()
    rows = [{"id": i, "name": f"row {i}"} for i in range(5000)]
    assert len(json.dumps(rows)) > gcpause.LARGE_BODY
    assert messages.from_iris(messages.to_iris(Sheet(rows=rows))).rows == rows
    assert messages.from_iris(messages.to_iris(Parcel(items=rows))).items == rows
    assert messages.from_iris(messages.to_iris(Sheet(rows=rows[:3]))).rows == rows[:3]
    assert messages.from_iris(messages.to_iris(Parcel(items=rows[:3]))).items == rows[:3]
    assert collector_seen == [False, False, True, True]
    assert gc.isenabled()


def test_the_collector_resumes_when_decoding_fails(namespace):
    with pytest.raises(bodies.BodyError):
        gcpause.decode(gcpause.LARGE_BODY, bodies.decode, "[" + "1," * gcpause.LARGE_BODY)
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off():
    gc.disable()
    try:
        assert gcpause.decode(gcpause.LARGE_BODY * 2, gc.isenabled) is False
        assert not gc.isenabled()
    finally:
        gc.enable()


class _CountedJson:
    """An IRIS JSON message object that counts its JsonChunk calls (each one an IRIS call), or,
    with ``method=False``, a class compiled before JsonChunk existed (the stream is read)."""

    def __init__(self, inner, method=True):
        self._inner = inner
        self.JsonBody = inner.JsonBody
        self.calls = 0
        if method:
            self.JsonChunk = self._chunk

    def _ClassName(self, full=0):
        return self._inner._ClassName(full)

    def _chunk(self, iteration, size):
        self.calls += 1
        return self._inner.JsonChunk(iteration, size)


def test_a_short_json_body_takes_one_call(namespace):
    obj = _CountedJson(messages.to_iris(Sheet(rows=[{"id": 1, "text": "naïve ☃"}])))
    assert messages.from_iris(obj).rows == [{"id": 1, "text": "naïve ☃"}]
    assert obj.calls == 1


@pytest.mark.parametrize("method", [True, False])
def test_a_json_body_of_several_chunks_reads_to_its_end(namespace, method):
    rows = ["x" * streams.CHUNK, "y" * (streams.CHUNK - 9)]  # 2 chunks and a few characters
    obj = _CountedJson(messages.to_iris(Sheet(rows=rows)), method)
    assert len(obj.JsonBody._chunks) == 3
    assert messages.from_iris(obj).rows == rows
    assert obj.calls == (3 if method else 0)


def test_text_beyond_u_ffff_is_cut_within_the_iris_string_limit(namespace):
    rows = ["\U0001F600" * streams.CHUNK]  # twice the limit in UTF-16 units if cut by characters
    obj = messages.to_iris(Sheet(rows=rows))
    assert all(len(c.encode("utf-16-le")) // 2 <= streams.CHUNK for c in obj.JsonBody._chunks)
    assert messages.from_iris(obj).rows == rows


class _Utf16Chunks(_CountedJson):
    """JsonChunk as IRIS counts: a chunk of CHUNK UTF-16 units holds CHUNK // 2 characters above
    U+FFFF, so a full chunk can be shorter than CHUNK for Python."""

    def _chunk(self, iteration, size):
        self.calls += 1
        text = self._inner.JsonBody.text()
        per_chunk = size // 2
        return text[iteration * per_chunk:(iteration + 1) * per_chunk]


def test_a_full_chunk_of_characters_beyond_u_ffff_is_not_taken_for_the_last(namespace):
    rows = ["\U0001F600" * (streams.CHUNK // 2 + 5)]
    obj = _Utf16Chunks(messages.to_iris(Sheet(rows=rows)))
    assert messages.from_iris(obj).rows == rows
    assert obj.calls == 2


def test_a_json_body_past_the_limit_is_refused_before_it_is_joined(namespace, monkeypatch):
    monkeypatch.setattr(bodies, "MAX_JSON_CHARS", streams.CHUNK + 10)
    obj = _CountedJson(messages.to_iris(Sheet(rows=["y" * (2 * streams.CHUNK)])))
    with pytest.raises(bodies.BodyError, match=f"over {streams.CHUNK + 10} characters"):
        messages.from_iris(obj)
    assert obj.calls == 2


class _MethodMissing(_CountedJson):
    """An object of a class compiled before its chunk method existed: calling it fails in IRIS."""

    def _chunk(self, iteration, size):
        self.calls += 1
        raise RuntimeError("<METHOD DOES NOT EXIST> *JsonChunk")

    def PickleChunk(self, iteration, size):
        self.calls += 1
        raise RuntimeError("<METHOD DOES NOT EXIST> *PickleChunk")


def test_a_class_compiled_before_the_chunk_methods_reads_its_streams(namespace):
    rows = [{"id": i} for i in range(10)]
    obj = _MethodMissing(messages.to_iris(Sheet(rows=rows)))
    assert messages.from_iris(obj).rows == rows and obj.calls == 1
    pickled = messages.to_iris(Parcel(items=rows))
    obj = _MethodMissing(messages.to_iris(Sheet(rows=rows)))
    obj.PickleBody, obj._inner = pickled.PickleBody, pickled
    assert streams.read_pickle(obj) == b"".join(pickled.PickleBody._chunks) and obj.calls == 1


def test_a_failing_stream_is_not_read_twice(namespace):
    class Broken:
        rewinds = 0

        def Rewind(self):
            Broken.rewinds += 1
            raise RuntimeError("<PROTECT>")
    obj = types.SimpleNamespace(JsonBody=Broken())
    with pytest.raises(RuntimeError, match="PROTECT"):
        streams.read_json(obj)
    assert Broken.rewinds == 1
