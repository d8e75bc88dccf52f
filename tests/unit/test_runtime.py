"""Runtime pieces: value conversion, message conversion, the IRIS engine, proxies, logging."""

from __future__ import annotations

import argparse
import datetime
import decimal
import logging
import pickle

import pytest

from intersystems_pyprod import IRISLog, JsonSerialize, PickleSerialize, Status, debug_host
from intersystems_pyprod.api import engine
from intersystems_pyprod.runtime import calls, irisapi, messages, streams, values
from intersystems_pyprod.runtime.engine_iris import LOG_TEXT_MAX, IrisEngine
from intersystems_pyprod.testing.standin import ClassInfo, IrisStandIn

from ..fake_iris import FakeIris
from ..helpers import build_source


@pytest.mark.parametrize("value, kind, iris", [
    (datetime.date(1840, 12, 31), datetime.date, 0), (datetime.date(2000, 1, 1), datetime.date, 58074),
    (datetime.datetime(2024, 1, 2, 3, 4, 5), datetime.datetime, "2024-01-02 03:04:05"),
    (datetime.time(1, 2, 3), datetime.time, 3723), (True, bool, 1), (False, bool, 0),
    (decimal.Decimal("1.50"), decimal.Decimal, "1.50"), (None, str, ""), (7, int, 7), ("x", str, "x"),
])
def test_values_round_trip(value, kind, iris):
    assert values.to_iris(value, kind) == iris
    assert values.to_python(iris, kind) == (value if value is not None else "")


@pytest.mark.parametrize("text, kind, expected", [
    ("2", int, 2), ("1", bool, True), ("0", bool, False), ("true", bool, True), ("2.5", float, 2.5),
    ("2024-01-02", datetime.date, datetime.date(2024, 1, 2)), ("", int, None), (5, str, "5"),
])
def test_setting_text_becomes_the_declared_type(text, kind, expected):
    assert values.to_python(text, kind) == expected


@pytest.fixture
def standin():
    api = IrisStandIn(lambda *a: None)
    previous = irisapi.install(api)
    yield api
    irisapi.install(previous)


class Event(JsonSerialize):
    when: datetime.date = None
    amount: decimal.Decimal = decimal.Decimal("0")
    tags: set = set()


class Secret(PickleSerialize):
    payload: object = None


def test_json_keeps_dates_and_decimals(standin):
    standin.define(ClassInfo(messages.register(Event), {}, {}, {"JsonBody": "%Stream.GlobalCharacter"}))
    event = Event(datetime.date(2024, 5, 1), decimal.Decimal("9.99"), {"a"})
    obj = messages.to_iris(event)
    assert obj.JsonBody.text() == '{"when": "2024-05-01", "amount": "9.99", "tags": ["a"]}'
    back = messages.from_iris(obj)
    assert back.when == datetime.date(2024, 5, 1) and back.amount == decimal.Decimal("9.99")


def test_non_json_values_are_a_clear_error(standin):
    standin.define(ClassInfo(messages.register(Event), {}, {}, {"JsonBody": "%Stream.GlobalCharacter"}))
    with pytest.raises(messages.MessageError, match="PickleSerialize"):
        messages.to_iris(Event(amount=object()))


def test_strings_crossing_into_iris_are_chunked(standin):
    standin.define(ClassInfo(messages.register(Event), {}, {}, {"JsonBody": "%Stream.GlobalCharacter"}))
    obj = messages.to_iris(Event(tags={"x" * (streams.CHUNK * 2 + 5)}))
    sizes = [len(c) for c in obj.JsonBody._chunks]
    assert max(sizes) <= streams.CHUNK and len(sizes) == 3


def test_unpickler_refuses_classes_outside_the_allow_list():
    data = pickle.dumps(Secret(payload=argparse.Namespace(a=1)))
    with pytest.raises(pickle.UnpicklingError, match=r"refusing to unpickle argparse\.Namespace"):
        messages.from_pickle(data)
    messages.allow_module(__name__)
    assert messages.from_pickle(pickle.dumps(Secret(payload=[1, {"a": datetime.date(2024, 1, 1)}]))).payload == [
        1, {"a": datetime.date(2024, 1, 1)}]


def test_message_created_in_iris_is_rebuilt_from_its_columns(tmp_path, standin):
    result = build_source(tmp_path, """
from datetime import date
from intersystems_pyprod import *
iris_package_name = "Cols"
class Order(JsonSerialize):
    order_id: int = Column(0, index=True)
    day: date = Column(None)
    express: bool = Column(False)
    note: str = "body only"
""")
    model = result.model.classes[0]
    standin.define(ClassInfo(model.iris_name, {"PYMODULE": model.py_module, "PYCLASS": model.py_class},
                             {}, {"JsonBody": "%Stream.GlobalCharacter"}))
    obj = standin.cls("Cols.Order")._New()
    obj.OrderId, obj.day, obj.express = "42", 58074, 1
    order = messages.from_iris(obj)
    assert (order.order_id, order.day, order.express, order.note) == (42, datetime.date(2000, 1, 1), True, "body only")
    back = messages.to_iris(order)
    assert (back.OrderId, back.day, back.express) == (42, 58074, 1)


def test_iris_engine_uses_status_and_event_log():
    fake = FakeIris()
    previous = irisapi.install(fake)
    try:
        eng = IrisEngine()
        status = eng.error_status("boom")
        assert eng.is_error(status) and eng.status_text(status) == "ERROR #5001: boom"
        assert not eng.is_error(1) and not eng.is_error("1") and eng.status_text(1) == ""
        eng.log("Warning", "Cls", "meth", "x" * (LOG_TEXT_MAX + 10))
        kind, method, cls, meth, text = fake.calls[-1]
        assert (kind, method, cls, meth) == ("Ens.Util.Log", "LogWarning", "Cls", "meth")
        assert len(text) < LOG_TEXT_MAX + 40 and text.endswith("(10 more characters)")
    finally:
        irisapi.install(previous)


class _ObjectScriptAdapter:
    def PutLine(self, name, line):
        return f"{name}:{line}"


def test_objectscript_adapter_proxy_maps_snake_case():
    proxy = calls.ObjectScriptProxy(_ObjectScriptAdapter())
    assert proxy.put_line("f", "x") == "f:x" and proxy.PutLine("f", "y") == "f:y"


class _Recorder:
    def __init__(self):
        self.entries = []

    def error_status(self, text):
        return engine.OfflineErrorStatus(text)

    def is_error(self, status):
        return engine.is_error_value(status)

    def status_text(self, status):
        return status.text

    def log(self, *entry):
        self.entries.append(entry)


@pytest.fixture
def recorder():
    rec = _Recorder()
    previous = engine.install(rec)
    yield rec
    engine.install(previous)


def test_irislog_names_the_calling_class_and_method(recorder):
    class Op:
        def handle(self):
            IRISLog.Warning("careful")
            IRISLog.Status(Status.ERROR("bad"))
            IRISLog.Status(Status.OK())

    Op().handle()
    assert recorder.entries == [("Warning", "Op", "handle", "careful"), ("Error", "Op", "handle", "bad"),
                                ("Info", "Op", "handle", "OK")]


def test_python_logging_can_go_to_the_event_log(recorder):
    logger = logging.getLogger("pyprod.test.routing")
    handler = IRISLog.route_logging(logger)
    try:
        assert IRISLog.route_logging(logger) is handler
        logger.warning("disk %s", "full")
        logger.error("failed")
    finally:
        logger.removeHandler(handler)
    assert [(e[0], e[3]) for e in recorder.entries] == [("Warning", "disk full"), ("Error", "failed")]


def test_debug_host_without_debugpy_warns(recorder, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "debugpy", None)
    assert debug_host("127.0.0.1", 5678) is False
    assert recorder.entries[0][0] == "Warning" and "debugpy is not installed" in recorder.entries[0][3]


def test_status_offline():
    assert Status.OK() == 1 and Status.is_ok(1) and not Status.is_error("1")
    error = Status.ERROR("nope")
    assert Status.is_error(error) and Status.text(error) == "nope"
