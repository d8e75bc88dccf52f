"""Sealed pickle bodies: only bodies this namespace's runtime wrote reach the C unpickler."""

from __future__ import annotations

import pickle
import struct
import tracemalloc
import types

import pytest

from intersystems_pyprod import PickleSerialize
from intersystems_pyprod.loader.globals import MemoryGlobals
from intersystems_pyprod.runtime import bodies, irisapi, messages, pickle_policy, sealing, unpickler
from intersystems_pyprod.runtime.pickle_policy import PickleRefused
from intersystems_pyprod.testing.standin import ClassInfo, IrisStandIn

from .test_unpickler import EVAL_EXPLOIT


class Order(PickleSerialize):
    lines: object = None
    note: str = ""


def _namespace(with_key: bool = True) -> IrisStandIn:
    api = IrisStandIn(lambda *a: None)
    if with_key:
        api.ensure_seal_key()
    api.define(ClassInfo(messages.register(Order), {}, {}, {"PickleBody": "%Stream.GlobalBinary"}))
    return api


@pytest.fixture
def namespace():
    api = _namespace()
    previous = irisapi.install(api)
    yield api
    irisapi.install(previous)


@pytest.fixture
def closed_calls(monkeypatch):
    """How many bodies went through the closed unpickler."""
    calls = []
    real = unpickler.loads

    def counting(data):
        calls.append(len(data))
        return real(data)
    monkeypatch.setattr(unpickler, "loads", counting)
    return calls


def _body(obj) -> bytes:
    return obj.PickleBody.text().encode("latin-1")


def _stored(body: bytes):
    obj = irisapi.get().cls(messages.register(Order))._New()
    stream = irisapi.get().cls("%Stream.GlobalBinary")._New()
    stream.Write(body)
    obj.PickleBody = stream
    return obj


def test_a_sealed_body_is_read_by_the_c_unpickler(namespace, closed_calls):
    sent = Order(lines=[{"sku": f"A{i}", "qty": i, "price": i * 1.5} for i in range(500)], note="rush")
    obj = messages.to_iris(sent)
    body = _body(obj)
    assert body[-sealing.TRAILER_BYTES:-sealing.TAG_BYTES] == sealing.MARK
    back = messages.from_iris(obj)
    assert closed_calls == []
    assert isinstance(back, Order) and back.lines == sent.lines and back.note == "rush"
    assert pickle.loads(body).lines == sent.lines  # any other reader ignores the seal


def test_without_a_key_nothing_is_sealed_and_the_closed_unpickler_reads(closed_calls):
    previous = irisapi.install(_namespace(with_key=False))
    try:
        obj = messages.to_iris(Order(lines=[1, 2, 3]))
        assert sealing.MARK not in _body(obj)
        assert messages.from_iris(obj).lines == [1, 2, 3]
    finally:
        irisapi.install(previous)
    assert len(closed_calls) == 1


def test_only_bodies_the_closed_unpickler_reads_slowly_are_sealed(namespace):
    small = _body(messages.to_iris(Order(note="x" * 100)))
    long_text = _body(messages.to_iris(Order(note="x" * 100_000)))
    long_records = _body(messages.to_iris(Order(lines=[{"n": i} for i in range(10_000)])))
    assert small.endswith(small[-sealing.TAG_BYTES:]) and sealing.MARK in small[-sealing.TRAILER_BYTES:]
    assert sealing.MARK not in long_text[-sealing.TRAILER_BYTES:]
    assert sealing.MARK in long_records[-sealing.TRAILER_BYTES:]


def test_an_edited_sealed_body_goes_to_the_closed_unpickler(namespace, closed_calls):
    body = _body(messages.to_iris(Order(lines=["aaaa"], note="bbbb")))
    edited = body.replace(b"aaaa", b"cccc")
    assert messages.from_iris(_stored(edited)).lines == ["cccc"]
    assert len(closed_calls) == 1


def test_a_hostile_pickle_under_a_stolen_trailer_is_refused(namespace, closed_calls):
    trailer = _body(messages.to_iris(Order(lines=[1])))[-sealing.TRAILER_BYTES:]
    with pytest.raises(bodies.BodyError, match="no dotted names"):
        messages.from_iris(_stored(EVAL_EXPLOIT + trailer))
    assert len(closed_calls) == 1


def test_a_memo_bomb_with_a_forged_seal_allocates_nothing(closed_calls):
    """An explicit memo index makes the C unpickler allocate 16 bytes per index up to it (2**31:
    32 GiB); a forged seal must never get a body there. 2**21 (32 MiB) shows it harmlessly."""
    bomb = b"\x80\x04N" + b"r" + struct.pack("<I", 2 ** 21) + b"0N."
    previous = irisapi.install(_namespace())
    try:
        forged = bomb + sealing.MARK + bytes(sealing.TAG_BYTES)
        tracemalloc.start()
        try:
            sealing.loads(forged)
        except PickleRefused:
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        irisapi.install(previous)
    assert closed_calls == [len(forged)]
    assert peak < 1_000_000


def test_a_body_sealed_in_another_namespace_is_not_trusted(closed_calls):
    previous = irisapi.install(_namespace())
    try:
        body = _body(messages.to_iris(Order(lines=[1, 2])))
    finally:
        irisapi.install(previous)
    previous = irisapi.install(_namespace())  # another key
    try:
        assert sealing.loads(body).lines == [1, 2]
    finally:
        irisapi.install(previous)
    assert len(closed_calls) == 1


def test_sealed_bodies_still_resolve_classes_through_the_policy(namespace, closed_calls):
    obj = messages.to_iris(Order(lines=[types.SimpleNamespace(a=1)]))
    assert sealing.MARK in _body(obj)[-sealing.TRAILER_BYTES:]
    with pytest.raises(bodies.BodyError, match=r"types\.SimpleNamespace"):
        messages.from_iris(obj)
    assert closed_calls == []


def test_a_sealed_body_whose_class_changed_fails_with_a_refusal(namespace, monkeypatch):
    obj = messages.to_iris(Order(lines=[1]))
    monkeypatch.setattr(pickle_policy, "find_class", lambda module, name: (_ for _ in ()).throw(
        AttributeError(f"{module} has no {name}")))
    with pytest.raises(bodies.BodyError, match="malformed pickle: AttributeError"):
        messages.from_iris(obj)


def test_ensure_key_writes_a_key_once_and_replaces_a_broken_one():
    store = MemoryGlobals()
    assert sealing.ensure_key(store) is True
    key = store.get(("key",))
    assert sealing.key_from_text(key) is not None and len(key) == 64
    assert sealing.ensure_key(store) is False and store.get(("key",)) == key
    store.set(("key",), "not hex at all")
    assert sealing.ensure_key(store) is True and store.get(("key",)) != key


def test_the_key_is_read_once_per_process_and_again_after_forget():
    api = _namespace()
    reads = []
    real_gref = api.gref
    api.gref = lambda name: reads.append(name) or real_gref(name)  # type: ignore[method-assign]
    previous = irisapi.install(api)
    try:
        sealing.forget()
        first = sealing.current_key()
        assert first is not None and sealing.current_key() == first and reads == [sealing.KEY_GLOBAL]
        api.globals[sealing.KEY_GLOBAL].set(("key",), "ab" * 32)
        assert sealing.current_key() == first
        sealing.forget()
        assert sealing.current_key() == bytes.fromhex("ab" * 32) and len(reads) == 2
    finally:
        irisapi.install(previous)


def test_an_iris_without_globals_seals_nothing():
    class NoGlobals:
        def gref(self, name):
            raise RuntimeError("<PROTECT> ^PyProd.Seal")
    previous = irisapi.install(NoGlobals())
    try:
        assert sealing.current_key() is None
        assert sealing.trailer(Order(lines=[1]), [b"\x80\x05N."], 4) == b""
    finally:
        irisapi.install(previous)


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 1000, 100_000])
def test_the_seal_is_hmac_sha256_of_the_pickle(size):
    import hmac
    import os

    key = os.urandom(32)
    data = os.urandom(size)
    assert sealing._Hmac(key).digest(data) == hmac.digest(key, data, "sha256")


def _seal(body: bytes) -> bytes:
    key = sealing.current_key()
    assert key is not None
    return body + sealing.MARK + sealing._Hmac(key).digest(body)


@pytest.fixture
def readers(monkeypatch):
    """The in-place readers the C unpickler was given."""
    made = []
    real = sealing._BodyReader

    def counting(data):
        made.append(real(data))
        return made[-1]
    monkeypatch.setattr(sealing, "_BodyReader", counting)
    return made


def test_a_long_sealed_body_is_unpickled_in_place(namespace, closed_calls, readers):
    sent = Order(lines=[{"sku": f"A{i}", "blob": bytes([i % 256]) * 70_000 if i % 50 == 0 else b""}
                        for i in range(2000)], note="n" * 80_000)
    back = messages.from_iris(messages.to_iris(sent))
    assert back.lines == sent.lines and back.note == sent.note
    assert closed_calls == [] and len(readers) == 1 and readers[0].pos > sealing._READ_IN_PLACE
    small = messages.from_iris(messages.to_iris(Order(lines=[1])))
    assert small.lines == [1] and len(readers) == 1  # a short body goes through io.BytesIO


def test_a_truncated_long_body_under_a_valid_seal_is_refused(namespace, readers):
    body = pickle.dumps([{"n": i} for i in range(20_000)], protocol=pickle.HIGHEST_PROTOCOL)
    with pytest.raises(PickleRefused, match="malformed pickle"):
        sealing.loads(_seal(body[:len(body) // 2]))
    assert len(readers) == 1


def test_a_long_text_protocol_pickle_under_a_valid_seal_reads_its_lines(namespace, readers):
    value = [list(range(i, i + 10)) for i in range(3000)]
    body = pickle.dumps(value, protocol=0)
    assert len(body) > sealing._READ_IN_PLACE and b"\n" in body
    assert sealing.loads(_seal(body)) == value
    assert len(readers) == 1
