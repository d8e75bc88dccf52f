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


# -- MessageMap: does MessageType match subclasses? (IRIS_REFERENCE.md 2.4: unconfirmed) -------------
MAP_SCRIPT = '''
from intersystems_pyprod import *
iris_package_name = "Maps"
class Base(JsonSerialize):
    x: int = 0
class Sub(Base):
    pass
class SubSub(Sub):
    pass
class Other(Base):
    pass
class Op(BusinessOperation):
    def handle_base(self, request):
        pass
    def handle_subsub(self, request):
        pass
    MessageMap = {Base: "handle_base", SubSub: "handle_subsub"}
'''


def _map_items(text: str) -> list:
    import re

    return re.findall(r'<MapItem MessageType="([^"]+)"><Method>(\w+)</Method>', text)


def _iris_dispatch(items: list, ancestry: list, exact_only: bool) -> str:
    """The method IRIS would call for a message whose class and ancestors (nearest first) are
    ``ancestry``: the first MapItem, in order, naming the class itself or (if IRIS matches
    subclasses) any of its ancestors; OnMessage when none does."""
    for message_type, method in items:
        if message_type == ancestry[0] or (not exact_only and message_type in ancestry):
            return method
    return "OnMessage"


@pytest.mark.parametrize("exact_only", [True, False])
def test_every_message_class_of_the_load_reaches_one_method_whichever_way_iris_matches(tmp_path, exact_only):
    from ..helpers import build_source

    result = build_source(tmp_path, MAP_SCRIPT)
    text = next(c.text for c in result.classes if c.name == "Maps.Op")
    items = _map_items(text)
    ancestry = {"Maps.Base": ["Maps.Base"], "Maps.Sub": ["Maps.Sub", "Maps.Base"],
                "Maps.SubSub": ["Maps.SubSub", "Maps.Sub", "Maps.Base"], "Maps.Other": ["Maps.Other", "Maps.Base"]}
    expected = {"Maps.Base": "HandleBase", "Maps.Sub": "HandleBase", "Maps.SubSub": "HandleSubsub",
                "Maps.Other": "HandleBase"}
    assert {name: _iris_dispatch(items, chain, exact_only) for name, chain in ancestry.items()} == expected


# -- ObjectScript %Boolean arguments arriving in Python (IRIS_REFERENCE.md 1.3) -------------------------
@pytest.mark.parametrize("arrives, meant", [(1, True), (0, False), ("1", True), ("0", False), ("", False),
                                            (None, False), (True, True), (False, False)])
def test_loader_flags_read_a_boolean_however_it_arrives(arrives, meant):
    """``pTakeOver``/``pWithTexts`` as an int, a numeric string, "" (an omitted argument) or a Python bool."""
    from intersystems_pyprod.loader import server

    assert server._flag(arrives) is meant


# -- iris.gref(...).get of an undefined node: None, or an error? (IRIS_REFERENCE.md bug magnet 26) --------
class FakeGref:
    """``iris.gref``: ``get`` of an undefined node returns None or raises <UNDEFINED>, as told."""

    def __init__(self, raises: bool) -> None:
        self.raises = raises
        self.nodes = {("tok", "user"): "alice"}

    def get(self, subs):
        if tuple(subs) not in self.nodes:
            if self.raises:
                raise RuntimeError("<UNDEFINED> ^PyProd.Upload")
            return None
        return self.nodes[tuple(subs)]

    def data(self, subs):
        return 1 if tuple(subs) in self.nodes else 0


@pytest.mark.parametrize("raises", [False, True])
def test_an_undefined_global_node_reads_as_none_either_way(raises):
    from intersystems_pyprod.loader.globals import IrisGlobals

    api = FakeIris()
    api.gref = lambda name: FakeGref(raises)
    previous = irisapi.install(api)
    try:
        g = IrisGlobals("PyProd.Upload")
        assert g.get(("tok", "user")) == "alice"
        assert g.get(("tok", "seen")) is None
    finally:
        irisapi.install(previous)


def test_a_global_read_error_on_a_defined_node_still_raises():
    from intersystems_pyprod.loader.globals import IrisGlobals

    class Protected(FakeGref):
        def get(self, subs):
            raise RuntimeError("<PROTECT> ^PyProd.Upload")

    api = FakeIris()
    api.gref = lambda name: Protected(True)
    previous = irisapi.install(api)
    try:
        with pytest.raises(RuntimeError, match="PROTECT"):
            IrisGlobals("PyProd.Upload").get(("tok", "user"))
    finally:
        irisapi.install(previous)
