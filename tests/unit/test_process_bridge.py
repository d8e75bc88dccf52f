"""The bridge's business process entry points: OnInit once per job and item, timers to one
Python callback whichever ObjectScript callback IRIS uses, adapter calls from ObjectScript."""

from __future__ import annotations

import sys
import textwrap

import pytest

from intersystems_pyprod.api import engine
from intersystems_pyprod.runtime import bridge
from intersystems_pyprod.testing.standin import IrisObject


class Recorder(engine.OfflineEngine):
    def __init__(self) -> None:
        self.entries: list = []

    def log(self, level: str, source_class: str, source_method: str, text: str) -> None:
        self.entries.append((level, source_class, source_method, text))


SOURCE = '''
from intersystems_pyprod import *

calls = []

class Flow(BusinessProcess):
    def on_init(self):
        calls.append("init")

    def on_timeout(self, request, response, call_request, completion_key):
        calls.append(("timeout", call_request, completion_key))

class Plain(BusinessProcess):
    def on_response(self, request, response, call_request, call_response, completion_key):
        calls.append(("response", call_request, call_response, completion_key))

class Out(OutboundAdapter):
    def nothing(self):
        pass

    def refuse(self, text):
        return Status.ERROR(f"refused {text}")

    def fetch(self, key):
        return Status.OK(), f"value of {key}", None

    def broken(self):
        raise ValueError("no line")

    def count(self):
        return 3
'''


@pytest.fixture
def module(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "procbridge.py").write_text(textwrap.dedent(SOURCE), encoding="utf-8")
    recorder = Recorder()
    previous = engine.install(recorder)
    import procbridge
    yield procbridge, recorder
    engine.install(previous)
    for item in ("Item A", "Item B"):
        getattr(bridge, "bp_tear_down", lambda *a: None)("procbridge", "Flow", item)
    sys.modules.pop("procbridge", None)


def test_python_on_init_runs_once_per_job_and_item_though_iris_calls_it_per_process_object(module):
    procbridge, _ = module
    for _ in range(3):  # IRIS runs OnInit for each new process object
        assert bridge.bp_init(object(), "procbridge", "Flow", "Item A") == 1
    assert bridge.bp_init(object(), "procbridge", "Flow", "Item B") == 1
    assert procbridge.calls == ["init", "init"]
    assert bridge.bp_tear_down("procbridge", "Flow", "Item A") == 1
    assert bridge.bp_init(object(), "procbridge", "Flow", "Item A") == 1  # a new job of the item
    assert procbridge.calls == ["init", "init", "init"]


def test_a_timer_answer_in_on_response_goes_to_the_python_on_timeout(module):
    procbridge, _ = module
    alarm = IrisObject("Ens.AlarmRequest")
    status, _ = bridge.on_response(object(), "procbridge", "Flow", "", "", alarm, IrisObject("Ens.AlarmResponse"), "t1")
    assert status == 1 and procbridge.calls == [("timeout", None, "t1")]


def test_iris_on_timeout_reaches_a_process_that_defines_only_on_response(module):
    procbridge, _ = module
    status, _ = bridge.on_timeout(object(), "procbridge", "Plain", "", "", IrisObject("Ens.AlarmRequest"), "t2")
    assert status == 1 and procbridge.calls == [("response", None, None, "t2")]


def test_an_objectscript_caller_gets_statuses_values_and_outputs_from_a_python_adapter(module):
    procbridge, _ = module
    adapter = procbridge.Out(object())
    assert bridge.adapter_call(adapter, "Nothing", []) == [1, []]
    status, outputs = bridge.adapter_call(adapter, "Refuse", ["x"])
    assert engine.is_error_value(status) and "refused x" in status.text and outputs == []
    assert bridge.adapter_call(adapter, "Fetch", ["k", "", ""]) == [1, ["value of k", ""]]
    assert bridge.adapter_call(adapter, "Fetch", ["k"]) == [1, []]
    assert bridge.adapter_call(adapter, "Count", []) == [3, []]


def test_a_failing_or_missing_adapter_method_is_an_error_status_not_an_exception(module):
    procbridge, recorder = module
    adapter = procbridge.Out(object())
    status, outputs = bridge.adapter_call(adapter, "Broken", [])
    assert engine.is_error_value(status) and "ValueError: no line" in status.text and outputs == []
    assert any("Traceback" in text and "no line" in text for _l, _c, _m, text in recorder.entries)
    status, _ = bridge.adapter_call(adapter, "Missing", [])
    assert engine.is_error_value(status) and "no method Missing" in status.text
    status, _ = bridge.adapter_call(adapter, "Nothing", ["too", "many"])  # extra arguments are output slots
    assert status == 1
