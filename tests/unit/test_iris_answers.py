"""Where IRIS_REFERENCE.md marks an IRIS behaviour UNCONFIRMED, the code works with either answer
(docs/iris-assumptions.md). Each test drives both answers through the fakes."""

from __future__ import annotations

from typing import Any

import pytest

from intersystems_pyprod.api import engine
from intersystems_pyprod.runtime import bridge, irisapi
from intersystems_pyprod.runtime.engine_iris import IrisEngine

from ..fake_iris import PYTHON_TO_OBJECTSCRIPT, FakeIris, objectscript_is_error, to_objectscript


@pytest.fixture
def in_iris():
    api = FakeIris()
    previous_api, previous_engine = irisapi.install(api), engine.install(IrisEngine())
    yield api
    irisapi.install(previous_api)
    engine.install(previous_engine)


class Operation:
    _pyprod_kind = "BusinessOperation"

    def __init__(self, status: Any) -> None:
        self.status = status

    def on_message(self, request: Any) -> Any:
        return self.status

    def on_init(self) -> Any:
        return self.status


@pytest.mark.parametrize("mode", PYTHON_TO_OBJECTSCRIPT)
@pytest.mark.parametrize("returned", [False, 0])
def test_a_false_status_reaches_objectscript_as_an_error_with_text(in_iris, mode, returned):
    """A callback returning False or 0: ObjectScript gets a real error %Status, whether IRIS would
    turn a Python False into 0 or hand it over as an object (which $$$ISERR reads as success)."""
    status, output = bridge.on_message(Operation(returned), "")
    for seen in (to_objectscript(status, mode), to_objectscript(bridge.on_init(Operation(returned)), mode)):
        assert objectscript_is_error(seen)
        assert "Operation.OnMessage returned" in seen or "Operation.OnInit returned" in seen
    assert to_objectscript(output, mode) == ""


@pytest.mark.parametrize("mode", PYTHON_TO_OBJECTSCRIPT)
@pytest.mark.parametrize("returned", [True, None, 1, "1"])
def test_an_ok_status_reaches_objectscript_as_1(in_iris, mode, returned):
    status, output = bridge.on_message(Operation(returned), "")
    assert status == 1 and type(status) is int and not objectscript_is_error(to_objectscript(status, mode))
    assert output == ""
