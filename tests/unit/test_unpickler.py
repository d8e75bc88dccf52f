"""The closed unpickler: hand-built hostile pickles are refused, ordinary message pickles load."""

from __future__ import annotations

import collections
import datetime
import decimal
import enum
import fractions
import ipaddress
import os  # noqa: F401  (a module attribute of this module: a pickle must not reach it)
import pathlib
import pickle
import random
import struct
import sys
import types
import uuid
from typing import NamedTuple

import pytest

from intersystems_pyprod import BusinessOperation, PickleSerialize
from intersystems_pyprod.runtime import pickle_policy, unpickler
from intersystems_pyprod.runtime.display import bounded_repr
from intersystems_pyprod.runtime.unpickler import PickleRefused, loads

HERE = __name__


class Colour(enum.Enum):
    RED = 1
    BLUE = 2


class Point(NamedTuple):
    x: int
    y: int


class Plain:
    def greet(self) -> str:
        return "hello"


class Bag(PickleSerialize):
    payload: object = None


class Op(BusinessOperation):
    def on_message(self, request):
        return 1


def helper_function():
    return "called"


@pytest.fixture(autouse=True)
def allow_this_module():
    pickle_policy.allow_module(HERE)


# -- building pickles by hand -----------------------------------------------------------------------
def text(value: str) -> bytes:
    raw = value.encode()
    return b"\x8c" + bytes([len(raw)]) + raw if len(raw) < 256 else b"X" + struct.pack("<I", len(raw)) + raw


def stack_global(module: str, name: str) -> bytes:
    return text(module) + text(name) + b"\x93"


def proto4(body: bytes) -> bytes:
    return b"\x80\x04" + body + b"."


EVAL_EXPLOIT = proto4(stack_global(HERE, "__builtins__.get") + text("eval") + b"\x85R"
                      + text("6 * 7") + b"\x85R")


def test_the_eval_exploit_is_real_and_refused():
    assert len(EVAL_EXPLOIT) < 120
    assert pickle.loads(EVAL_EXPLOIT) == 42  # the standard unpickler runs eval
    with pytest.raises(PickleRefused, match="no dotted names"):
        loads(EVAL_EXPLOIT)


@pytest.mark.parametrize("module, name, why", [
    (HERE, "helper_function", "not a class"),
    (HERE, "os", "not a class"),
    (HERE, "Plain.greet", "no dotted names"),
    ("builtins", "eval", "may hold only"),
    ("builtins", "getattr", "may hold only"),
    ("builtins", "type", "may hold only"),
    ("os", "system", "may hold only"),
    ("subprocess", "Popen", "may hold only"),
    ("copyreg", "__newobj__", "may hold only"),
    (HERE, "Op", "production components"),
    (HERE, "pytest", "not a class"),
    (HERE, "BusinessOperation", "defined elsewhere"),
])
def test_globals_that_are_not_allowed_classes_are_refused(module, name, why):
    for payload in (proto4(stack_global(module, name)),
                    b"c" + module.encode() + b"\n" + name.encode() + b"\n."):
        with pytest.raises(PickleRefused, match=why):
            loads(payload)


def test_state_is_never_set_on_a_class():
    attack = proto4(stack_global(HERE, "Plain") + b"N}" + text("greet") + text("pwned") + b"s\x86b")
    original = Plain.greet
    try:
        pickle.loads(attack)  # the standard unpickler replaces the method
        assert Plain.greet == "pwned"
    finally:
        Plain.greet = original
    with pytest.raises(PickleRefused, match="set state on class"):
        loads(attack)
    assert Plain().greet() == "hello"


def test_dunder_attributes_are_never_set():
    new_plain = stack_global(HERE, "Plain") + b")\x81"
    for state in (b"}" + text("__class__") + stack_global(HERE, "Colour") + b"s",
                  b"N}" + text("__dict__") + b"}s\x86"):
        with pytest.raises(PickleRefused, match="refusing to set attribute"):
            loads(proto4(new_plain + state + b"b"))


@pytest.mark.parametrize("payload, why", [
    (proto4(text("abc") + b")R"), "refusing to call a str"),
    (proto4(stack_global(HERE, "Plain") + b")\x81)R"), "refusing to call a Plain"),
    (proto4(stack_global(HERE, "Plain") + b")R)R"), "refusing to call a Plain"),
    (proto4(text("x") + b")\x81"), "refusing to create a str"),
    (proto4(stack_global("copyreg", "_reconstructor") + stack_global("argparse", "Namespace")), "may hold only"),
    (proto4(stack_global("copyreg", "_reconstructor") + stack_global(HERE, "Plain")
            + stack_global("builtins", "dict") + b"N\x87R"), "refusing to reconstruct"),
    (proto4(stack_global(HERE, "Plain") + b"(" + text("x") + b"e"), "refusing to append to class"),
    (proto4(stack_global("_codecs", "encode") + text("x") + text("rot13") + b"\x86R"), "only as"),
    (proto4(stack_global(HERE, "Plain") + text("k") + text("v") + b"s"), "refusing to set items of class"),
])
def test_calls_and_changes_are_limited_to_allowed_classes_and_instances(payload, why):
    with pytest.raises(PickleRefused, match=why):
        loads(payload)


@pytest.mark.parametrize("payload", [
    b"\x80\x05\x8e" + struct.pack("<Q", 8 << 30) + b"x" * 20 + b".",   # BINBYTES8 of 8 GiB
    b"\x80\x05\x96" + struct.pack("<Q", 8 << 30) + b"x" * 20 + b".",   # BYTEARRAY8 of 8 GiB
    b"\x80\x05\x8d" + struct.pack("<Q", 8 << 30) + b"x" * 20 + b".",   # BINUNICODE8 of 8 GiB
    b"\x80\x05\x95" + struct.pack("<Q", 8 << 30) + b"N.",               # a FRAME of 8 GiB
    b"\x80\x05B" + struct.pack("<I", 1 << 31) + b"x.",                 # BINBYTES of 2 GiB
    b"\x80\x05\x8b" + struct.pack("<i", 1 << 30) + b"x.",              # LONG4 of 1 GiB
])
def test_declared_sizes_beyond_the_input_are_refused_before_allocating(payload):
    assert len(payload) <= 34
    with pytest.raises(PickleRefused, match="exceeds"):
        loads(payload)


@pytest.mark.parametrize("payload", [
    proto4(stack_global("builtins", "bytearray") + b"J\x00\x00\x00\x40\x85R"),        # bytearray(1 GiB)
    proto4(stack_global("builtins", "bytes") + b"J\x00\x00\x00\x40\x85\x81"),         # bytes.__new__(1 GiB)
    proto4(stack_global("collections", "deque") + stack_global("ipaddress", "IPv6Network") + text("::/0")
           + b"\x85R\x85R"),                                                          # deque of 2**128 addresses
    proto4(stack_global("builtins", "frozenset") + stack_global("ipaddress", "IPv4Network") + text("0.0.0.0/0")
           + b"\x85R\x85R"),
    proto4(stack_global("fractions", "Fraction") + text("1e100000000") + b"\x85R"),   # 10**100000000
])
def test_constructors_that_would_blow_up_are_refused(payload):
    with pytest.raises(PickleRefused, match=r"refusing to build|only from integers"):
        loads(payload)


def test_total_size_is_bounded(monkeypatch):
    monkeypatch.setattr(unpickler, "MAX_PICKLE_BYTES", 100)
    with pytest.raises(PickleRefused, match="limit is 100"):
        loads(pickle.dumps("x" * 200))


@pytest.mark.parametrize("payload, why", [
    (b"", "no STOP"), (b"\x80\x05", "no STOP"), (b"\x80\x05h\x07.", "memo entry 7"),
    (b"\x80\x05e.", "MARK is missing"), (b"\x80\x05P1\n.", "PERSID"), (b"\x80\x05\x82\x01.", "EXT1"),
    (b"\x80\x05\x97.", "NEXT_BUFFER"), (b"\x80\x05\xff.", "unknown opcode"), (b"\x80\x09N.", "newer"),
    (b"\x80\x05NN.", "malformed stack"), (b"\x80\x05L" + b"9" * 200_000 + b"\n.", "exceeds the limit"),
])
def test_malformed_pickles_are_refused_with_their_cause(payload, why):
    with pytest.raises(PickleRefused, match=why):
        loads(payload)


VALUES = [
    pathlib.PurePosixPath("/a/b"), pathlib.PureWindowsPath("C:/x"), pathlib.Path("rel/p"),
    ipaddress.IPv4Address("10.1.2.3"), ipaddress.IPv6Address("::1"), ipaddress.IPv4Network("10.0.0.0/8"),
    ipaddress.IPv6Interface("fe80::1/64"), uuid.UUID("12345678-1234-5678-1234-567812345678"),
    decimal.Decimal("-1.50"), fractions.Fraction(1, 3), datetime.date(2024, 2, 29),
    datetime.datetime(2024, 1, 1, 12, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2), "X")),
    datetime.time(23, 59, 1), datetime.timedelta(days=-3, microseconds=7),
    collections.OrderedDict(b=1, a=2), collections.deque([1, 2], maxlen=5), collections.Counter("abca"),
    collections.defaultdict(list, {"k": [1]}), collections.ChainMap({"a": 1}, {"b": 2}),
    Colour.BLUE, Point(1, 2), {1, 2}, frozenset({"x"}), bytearray(b"ab"), 1 + 2j, 2 ** 200, -1, 1.5,
    b"raw", "t\u00e9xt", (1, (2,)), [None, True, False], {"nested": {"k": [1]}},
]


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_messages_with_standard_value_types_round_trip(protocol):
    message = Bag(payload=VALUES)
    back = loads(pickle.dumps(message, protocol=protocol))
    assert type(back) is Bag and back.payload == VALUES
    assert back.payload[17].default_factory is list


def test_shared_and_cyclic_references_survive():
    shared = [1]
    cyclic: list = []
    cyclic.append(cyclic)
    back = loads(pickle.dumps(Bag(payload=[shared, shared, cyclic])))
    assert back.payload[0] is back.payload[1] and back.payload[2][0] is back.payload[2]


def test_the_shared_reference_repr_bomb_is_shown_bounded():
    layer: list = ["x"]
    for _ in range(100):
        layer = [layer, layer]
    data = pickle.dumps(Bag(payload=layer))
    assert len(data) < 1000  # 2**100 list items when printed in full
    text = bounded_repr(loads(data))
    assert text.startswith("Bag(payload=[[[") and "..." in text and len(text) < 25_000


def test_unprintable_values_are_shown_by_size():
    assert bounded_repr([10 ** 5000]) == "[<int of 16610 bits>]"
    assert bounded_repr(fractions.Fraction(10 ** 5000, 3)).startswith("<Fraction")


def test_the_setting_allows_more_modules_and_is_checked(monkeypatch):
    extra = types.ModuleType("shapes_extra")
    exec("class Circle:\n    pass\n", extra.__dict__)
    monkeypatch.setitem(sys.modules, "shapes_extra", extra)
    payload = proto4(stack_global("shapes_extra", "Circle") + b")\x81")
    with pytest.raises(PickleRefused, match="PYPROD_PICKLE_MODULES"):
        loads(payload)
    project = types.ModuleType("project_with_setting")
    project.PYPROD_PICKLE_MODULES = ["shapes_extra"]
    monkeypatch.setitem(sys.modules, "project_with_setting", project)
    pickle_policy.allow_module("project_with_setting")
    assert type(loads(payload)).__name__ == "Circle"
    project.PYPROD_PICKLE_MODULES = "shapes_extra"
    with pytest.raises(ValueError, match="must be a list of module names"):
        pickle_policy.allow_module("project_with_setting")
    project.PYPROD_PICKLE_MODULES = ["os; rm"]
    with pytest.raises(ValueError, match="not a module name"):
        pickle_policy.allow_module("project_with_setting")


def test_mutated_pickles_fail_only_with_a_refusal():
    """Random corruption of a real message pickle: it loads or is refused, nothing else escapes."""
    good = pickle.dumps(Bag(payload=VALUES), protocol=5)
    rng = random.Random(20240501)
    outcomes = collections.Counter()
    for _ in range(3000):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            loads(bytes(data))
            outcomes["loaded"] += 1
        except PickleRefused:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 0
