"""The closed unpickler's fast paths and caches: same results and same refusals as the checked
path, and no remembered decision outlives the module or class it was made for."""

from __future__ import annotations

import datetime
import importlib
import pickle
import struct
import sys

import pytest

from intersystems_pyprod import BusinessOperation, PickleSerialize
from intersystems_pyprod.runtime import pickle_policy, unpickler
from intersystems_pyprod.runtime.unpickler import PickleRefused, loads

from .test_unpickler import proto4, text

HERE = __name__


class Bag(PickleSerialize):
    payload: object = None
    count: int = 0


class Plain:
    pass


class Hidden:
    """A class of a module pickles may not name."""


Hidden.__module__ = "argparse"  # instances look like they come from a module that is not allowed


class Smuggler:
    """An allowed class whose constructor hands back an object of a class that is not allowed."""

    def __new__(cls):
        return Hidden()


class TypeSmuggler:
    """An allowed class whose constructor hands back a class that is not allowed."""

    def __new__(cls):
        return Hidden


class Meta(type):
    pass


class WithMeta(metaclass=Meta):
    greeting = "hello"


class Op(BusinessOperation):
    def on_message(self, request):
        return 1


@pytest.fixture(autouse=True)
def allow_this_module():
    pickle_policy.allow_module(HERE)


def framed(body: bytes) -> bytes:
    """``body`` as protocol 5 writes it: in a FRAME (the form the one-step object start reads)."""
    return b"\x80\x05\x95" + struct.pack("<Q", len(body) + 1) + body + b"."


def new_object(module: str, name: str) -> bytes:
    """Create ``module.name`` without arguments, memoizing as protocol 4+ does."""
    return text(module) + b"\x94" + text(name) + b"\x94\x93\x94)\x81\x94"


def loop_only(monkeypatch) -> None:
    """Make every load go through the opcode loop alone (no one-step object start)."""
    monkeypatch.setattr(unpickler._Machine, "start", lambda self: 0)


def write_module(folder, name: str, source: str):
    (folder / f"{name}.py").write_text(source)
    importlib.invalidate_caches()


# -- same results as the opcode loop and as pickle ---------------------------------------------------
MESSAGES = [
    Bag(payload="x" * 1000, count=1),
    Bag(payload="x" * 10_000, count=-5),  # a text long enough to be read without a copy
    Bag(payload=[{"id": i, "name": f"item {i}", "ok": True, "price": i * 1.5} for i in range(40)], count=2),
    Bag(payload={f"k{i}": i for i in range(100)}, count=2 ** 40),  # SETITEMS of more than a few pairs
    Bag(payload=Bag.__module__, count=3),  # the module name again: read back from the object start's memo
    Bag(payload=(Plain, "t\u00e9xt", b"raw", None, False), count=0),
    Bag(),
]


@pytest.mark.parametrize("message", MESSAGES, ids=range(len(MESSAGES)))
@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_fast_paths_give_what_the_opcode_loop_and_pickle_give(message, protocol, monkeypatch):
    data = pickle.dumps(message, protocol=protocol)
    fast = loads(data)
    again = loads(bytearray(data))
    loop_only(monkeypatch)
    slow = loads(data)
    for back in (fast, again, slow):
        assert type(back) is Bag and back.__dict__ == message.__dict__ == pickle.loads(data).__dict__


def test_a_bytearray_body_is_released_after_loading():
    data = bytearray(pickle.dumps(Bag(payload="y" * 100_000)))
    assert loads(data).payload == "y" * 100_000
    data.extend(b"more")  # a memoryview still open on it would make this fail
    cut = data[:5000]  # inside the long text
    with pytest.raises(PickleRefused, match="exceeds"):
        loads(cut)
    cut.extend(b"more")


def test_every_truncation_of_a_message_is_refused():
    data = pickle.dumps(Bag(payload={"a": [1, 2.5, "three"]}, count=4))
    for end in range(len(data)):
        with pytest.raises(PickleRefused):
            loads(data[:end])


@pytest.mark.parametrize("wrap", [proto4, framed])
def test_attribute_names_follow_the_rule_on_both_paths(wrap):
    plain = new_object(HERE, "Plain")
    for state_names in (["_private", "ok"], ["__mangled"], ["a" * 300]):
        state = b"}\x94(" + b"".join(text(n) + b"K\x01" for n in state_names) + b"u"
        assert set(vars(loads(wrap(plain + state + b"b")))) == set(state_names)
    for bad in (b"}" + text("__class__") + b"K\x01s", b"}K\x01K\x02s", b"}\x94(" + text("__init__") + b"K\x01u"):
        for _ in range(2):
            with pytest.raises(PickleRefused, match="refusing to set attribute"):
                loads(wrap(plain + bad + b"b"))


def test_a_setstate_added_after_loading_is_used(monkeypatch):
    data = pickle.dumps(Plain(), protocol=5)[:-1] + b"}" + text("x") + b"K\x07sb."
    assert vars(loads(data)) == {"x": 7}
    calls = []
    monkeypatch.setattr(Plain, "__setstate__", lambda self, state: calls.append(state), raising=False)
    loads(data)
    assert calls == [{"x": 7}]


# -- refusals stay refusals --------------------------------------------------------------------------
REFUSED = [
    (new_object(HERE, "Op"), "production components"),
    (new_object("argparse", "Namespace"), "may hold only"),
    (new_object(HERE, "Smuggler") + b"}" + text("x") + b"K\x01sb", "refusing to set state on a Hidden"),
    (new_object(HERE, "TypeSmuggler") + b")\x81", "refusing to create class argparse.Hidden"),
    (new_object(HERE, "Bag") + b"}(" + text("__dict__") + b"}u" + b"b", "refusing to set attribute"),
    (new_object(HERE, "Bag") + b"}\x94(" + text("__dict__") + b"}u" + b"b", "refusing to set attribute"),
    (text(HERE) + text("Plain") + b"\x93N}" + text("greet") + text("pwned") + b"s\x86b", "set state on class"),
    (text(HERE) + text("WithMeta") + b"\x93}" + text("greeting") + text("pwned") + b"sb", "set state on class"),
    (new_object("copyreg", "_reconstructor"), "refusing to create function"),
    (text("builtins") + text("bytes") + b"\x93J\x00\x00\x00\x40\x85\x81", "refusing to build bytes"),
]


@pytest.mark.parametrize("body, why", REFUSED, ids=[why for _, why in REFUSED])
def test_a_refusal_is_not_turned_into_acceptance_by_what_was_loaded_before(body, why):
    loads(pickle.dumps(Bag(payload=Plain())))  # the fast paths are warm for Bag and Plain
    assert pickle_policy.allowed_class(Meta) and pickle_policy.allowed_class(TypeSmuggler)  # as if seen before
    for payload in (proto4(body), framed(body)):
        for _ in range(2):
            with pytest.raises(PickleRefused, match=why):
                loads(payload)
    assert WithMeta.greeting == "hello"


def test_an_accepted_class_is_still_checked_when_its_pickle_is_refused_elsewhere():
    good = pickle.dumps(Bag(payload=1), protocol=5)
    loads(good)
    assert Bag in pickle_policy.allowed_classes
    bad = good.replace(b"\x8c\x07payload", b"\x8c\x07__doc__")
    with pytest.raises(PickleRefused, match="refusing to set attribute '__doc__'"):
        loads(bad)
    assert type(loads(good)) is Bag


# -- cached decisions do not outlive what they depend on -------------------------------------------------
def test_a_class_replaced_by_a_reload_of_its_module_is_resolved_and_checked_again(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    write_module(tmp_path, "reload_shapes", "class Shape:\n    pass\n")
    module = importlib.import_module("reload_shapes")
    pickle_policy.allow_module("reload_shapes")
    data = pickle.dumps(module.Shape(), protocol=5)
    first = module.Shape
    assert type(loads(data)) is first

    write_module(tmp_path, "reload_shapes", "class Shape:\n    sides = 4\n")
    importlib.reload(module)
    assert module.Shape is not first
    assert type(loads(data)) is module.Shape  # not the class the cache first held

    write_module(tmp_path, "reload_shapes", "def Shape():\n    return 'called'\n")
    importlib.reload(module)
    for _ in range(2):
        with pytest.raises(PickleRefused, match="not a class"):
            loads(data)

    write_module(tmp_path, "reload_shapes", "from intersystems_pyprod import BusinessOperation\n"
                                            "class Shape(BusinessOperation):\n    pass\n")
    importlib.reload(module)
    with pytest.raises(PickleRefused, match="production components"):
        loads(data)


def test_a_module_replaced_in_sys_modules_is_resolved_afresh(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    write_module(tmp_path, "swap_shapes", "class Shape:\n    pass\n")
    old = importlib.import_module("swap_shapes")
    pickle_policy.allow_module("swap_shapes")
    data = pickle.dumps(old.Shape(), protocol=5)
    assert type(loads(data)) is old.Shape
    del sys.modules["swap_shapes"]
    new = importlib.import_module("swap_shapes")  # a new module object, with a new class
    assert new is not old and type(loads(data)) is new.Shape


def test_full_caches_are_emptied_and_loads_stay_correct(monkeypatch):
    monkeypatch.setattr(pickle_policy, "CACHE_LIMIT", 2)
    pickle_policy.allowed_classes.clear()  # both caches refill on demand
    pickle_policy.found_classes.clear()
    messages = [Bag(payload=[1, "a"]), Bag(payload=datetime.date(2024, 1, 2)), Bag(payload=Bag), Bag(payload=Plain)]
    for _ in range(3):
        for message in messages:
            assert vars(loads(pickle.dumps(message, protocol=5))) == vars(message)
        assert type(loads(pickle.dumps(Plain(), protocol=5))) is Plain
        assert len(pickle_policy.allowed_classes) <= 2 and len(pickle_policy.found_classes) <= 2
    with pytest.raises(PickleRefused, match="production components"):
        loads(proto4(new_object(HERE, "Op")))
