"""Every IRIS call of ``GetValueAt``, ``SetValueAt``, ``GetNextIndex``, the save hook and a
receipt of a dataclass message fails in turn: the caller gets an error status naming the cause
(never a Python exception), a read changes nothing, and a failed write leaves the message as it
was (body, properties and ``JsonFields`` still agree)."""

from __future__ import annotations

import json
from typing import Any, Callable, List, Optional

import pytest

from intersystems_pyprod.api.engine import is_error_value
from intersystems_pyprod.runtime import bodies, messages, paths

from .helpers import write_script

SCRIPT = '''
from dataclasses import dataclass, field
from typing import List
from intersystems_pyprod import Column, JsonSerialize

iris_package_name = "Shop"

@dataclass
class Order(JsonSerialize):
    order_id: str = Column("", index=True)
    amount: float = 0.0
    qty: int = 1
    status: str = "new"
    lines: List[str] = field(default_factory=list)
'''


class Injected(RuntimeError):
    """The failure an IRIS call raises here (as Embedded Python raises an ObjectScript error)."""


class Counter:
    """Counts IRIS calls and fails call number ``fail_at`` (0: none fails)."""

    def __init__(self, fail_at: int = 0) -> None:
        self.fail_at = fail_at
        self.calls: List[str] = []

    def step(self, what: str) -> None:
        self.calls.append(what)
        if len(self.calls) == self.fail_at:
            raise Injected(f"<INJECTED> call {self.fail_at}: {what}")


_PASS = {"__class__", "__dict__"}


class Faulty:
    """An IRIS object (or stream) whose every property read, property write and method call is
    an IRIS call that may fail."""

    def __init__(self, target: Any, counter: Counter) -> None:
        object.__setattr__(self, "_t", target)
        object.__setattr__(self, "_c", counter)

    def __getattr__(self, name: str) -> Any:
        target, counter = object.__getattribute__(self, "_t"), object.__getattribute__(self, "_c")
        value = getattr(target, name)
        if callable(value) and not isinstance(value, type):
            def call(*args: Any, **kwargs: Any) -> Any:
                counter.step(f"{name}()")
                result = value(*args, **kwargs)
                return Faulty(result, counter) if hasattr(result, "Write") else result
            return call
        counter.step(f"get {name}")
        return Faulty(value, counter) if hasattr(value, "Write") else value

    def __setattr__(self, name: str, value: Any) -> None:
        counter = object.__getattribute__(self, "_c")
        counter.step(f"set {name}")
        setattr(object.__getattribute__(self, "_t"), name, value)


PYDANTIC = SCRIPT.replace("from dataclasses import dataclass, field", "from pydantic import BaseModel, Field").replace(
    "@dataclass\nclass Order(JsonSerialize):", "class Order(JsonSerialize, BaseModel):").replace(
    "field(default_factory=list)", "Field(default_factory=list)")


@pytest.fixture(params=["dataclass", "pydantic"])
def harness(tmp_path, pyprod_harness, request):
    if request.param == "pydantic":
        pytest.importorskip("pydantic")
    return pyprod_harness(str(write_script(tmp_path, "shop.py", SCRIPT if request.param == "dataclass" else PYDANTIC)))


def _snapshot(obj: Any) -> Any:
    """What the stored row would hold: body text, JsonFields and every property."""
    props = {k: v for k, v in obj.__dict__.items() if not k.startswith("_") and k not in ("JsonBody", "JsonFields")}
    return obj.JsonBody.text(), obj.__dict__.get("JsonFields"), props


def _read(obj: Any) -> Any:
    message = messages.from_iris(obj)
    return json.loads(messages.to_json(message))


def _made(h: Any, saved: Any) -> Any:
    """A message as a DTL leaves it (``saved``: True/"stored" also gives it an ID; "unchanged":
    as Python wrote it; "no body": made in IRIS, its properties only)."""
    if saved == "no body":
        obj = h._standin.cls("Shop.Order")._New()
        obj.amount, obj.qty, obj.status = 5.5, 2, "made"
        return obj
    obj = h.iris_message(h.module.Order(order_id="A1", amount=150.5, qty=3, lines=["S1", "S2"]))
    if saved != "unchanged":
        obj.qty = 7  # a DTL changed a property: the save hook has work to do
    if saved in (True, "stored"):
        obj.__dict__["_id"] = "12"
    return obj


def _status_of(result: Any) -> Any:
    return result[0] if isinstance(result, list) else result


ENTRIES: List[tuple] = [
    ("GetValueAt", lambda o: paths.get_value_at(o, "lines(2)"), False),
    ("GetValueAt qty", lambda o: paths.get_value_at(o, "qty"), False),
    ("GetNextIndex", lambda o: paths.get_next_index(o, "lines()", "1"), False),
    ("SetValueAt", lambda o: paths.set_value_at(o, "9", "qty"), True),
    ("SetValueAt path", lambda o: paths.set_value_at(o, "S9", "lines(1)"), True),
    ("on_save", lambda o: paths.on_save(o), True),
]


def _clean_run(h: Any, run: Callable[[Any], Any], saved: bool) -> Any:
    """(the calls a fault-free run makes, its result, what Python reads afterwards)."""
    obj = _made(h, saved)
    counter = Counter()
    result = run(Faulty(obj, counter))
    assert _status_of(result) == 1
    return counter.calls, result, _read(obj)


@pytest.mark.parametrize("saved", ["new", "stored", "unchanged", "no body"])
@pytest.mark.parametrize("entry", ENTRIES, ids=[e[0] for e in ENTRIES])
def test_each_iris_call_failing_gives_an_error_status_and_leaves_the_message_whole(harness, entry, saved):
    _, run, writes = entry
    calls, expected, read_after = _clean_run(harness, run, saved)
    total = len(calls)
    assert total >= 3
    for fail_at in range(1, total + 1):
        obj = _made(harness, saved)
        before, read_before = _snapshot(obj), _read(obj)
        counter = Counter(fail_at)
        try:
            result = run(Faulty(obj, counter))
        except Exception as exc:  # what ObjectScript would get as <PYTHON EXCEPTION>
            pytest.fail(f"call {fail_at} ({counter.calls[-1]}) failing let {type(exc).__name__}: {exc} escape")
        status = _status_of(result)
        failed_call = counter.calls[fail_at - 1] if len(counter.calls) >= fail_at else None
        if failed_call is None:
            continue
        if status == 1:  # a failure the code works around (JsonChunk: the stream is read instead)
            assert result == expected and _read(obj) == read_after, f"{failed_call} failing changed the answer"
            continue
        assert is_error_value(status), f"call {fail_at} ({failed_call}) failed, yet the status is {status!r}"
        assert "<INJECTED>" in status.text, status.text
        if not writes:
            assert _snapshot(obj) == before, f"a read changed the message when {failed_call} failed"
        assert _read(obj) == read_before, f"{failed_call} failing changed what Python reads"
        assert obj._Save() == 1 and _read(obj) == read_before


def test_a_receipt_whose_iris_calls_fail_is_an_error_naming_the_message(harness):
    obj = _made(harness, True)
    expected = _read(obj)
    counter = Counter()
    messages.from_iris(Faulty(obj, counter))
    for fail_at in range(1, len(counter.calls) + 1):
        faulty = Faulty(obj, Counter(fail_at))
        try:
            found: Optional[Any] = messages.from_iris(faulty)
        except bodies.BodyError as exc:  # the receipt's error status names the message and the cause
            assert "Shop.Order (ID 12)" in str(exc) and "<INJECTED>" in str(exc), str(exc)
            continue
        except Injected:  # the class name itself could not be asked: the callback's guard reports it
            assert counter.calls[fail_at - 1] == "_ClassName()"
            continue
        assert json.loads(messages.to_json(found)) == expected, counter.calls[fail_at - 1]


def test_a_failing_version_check_leaves_the_call_answering_with_the_version_in_use(monkeypatch):
    """The load counter's global read fails in a job that runs no callback: the call goes on with
    the modules it has, and the failure is logged as a warning."""
    from intersystems_pyprod.loader import paths as loader_paths
    from intersystems_pyprod.loader.store import SourceStore

    from .test_messages_router_reload import MODULE, V1, V2, Job

    job = Job(monkeypatch)
    try:
        job.load(V1)
        obj = job.stored(order_id="A1", qty="2")
        assert job.value(obj, "qty") == "2"
        job.load(V2)

        def unreadable(self):
            raise Injected("<INJECTED> ^PyProd.State cannot be read")

        monkeypatch.setattr(SourceStore, "generation", unreadable)
        assert job.value(obj, "qty") == "2"  # the version in use: qty still a str
        assert paths.set_value_at(obj, "3", "qty") == 1 and paths.on_save(obj) == 1
        assert job.value(obj, "qty") == "3" and paths.get_next_index(obj, "qty", "")[0] != 1
        assert any("<INJECTED>" in str(entry) for entry in job.log), job.log
    finally:
        loader_paths.uninstall()
        import sys
        sys.modules.pop(MODULE, None)
        messages.forget_modules([MODULE])


def test_an_object_whose_class_has_no_json_field_list_is_still_written(harness, monkeypatch):
    """A class compiled before JsonFieldList existed: IRIS raises <METHOD DOES NOT EXIST> when it is
    called (the method name may still resolve); SetValueAt and the save work without it."""
    obj = _made(harness, True)

    def missing():
        raise RuntimeError("<METHOD DOES NOT EXIST> *JsonFieldList,Shop.Order")

    obj.__dict__["JsonFieldList"] = missing
    assert paths.set_value_at(obj, "S9", "lines(1)") == 1
    assert paths.on_save(obj) == 1
    assert _read(obj)["lines"] == ["S9", "S2"] and _read(obj)["qty"] == 7
