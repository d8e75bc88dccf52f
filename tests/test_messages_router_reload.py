"""A job that runs no Python callback picks up a newly loaded version of a script's messages.

A routing engine's job evaluates ``Document.{qty}`` (``GetValueAt``), a DTL in it writes
``target.{...}`` (``SetValueAt``) and the router saves the target (``%OnAddToSaveSet``); none
of these is a Python callback, and the loader restarts only the items whose Python classes
changed, so the router's job is never restarted. The job here is this test process with the
stand-in as its embedded ``iris`` module: the entry points set up the engine and the finder
that imports the scripts' modules from the namespace's globals, as in IRIS. The loader, in
another job, writes the new version into the same globals (``SourceStore.save`` +
``activate``, which raises the generation counter) after compiling the new class (``define``:
objects made or opened after it have its properties; IRIS converts no stored row).
"""

from __future__ import annotations

import json
import sys
import types

import pytest

from intersystems_pyprod.api import engine
from intersystems_pyprod.api.engine import is_error_value
from intersystems_pyprod.loader import paths as loader_paths
from intersystems_pyprod.loader.store import iris_store
from intersystems_pyprod.model.introspect import build_model
from intersystems_pyprod.runtime import identity, irisapi, jobversion, messages, values
from intersystems_pyprod.testing.standin import ClassInfo, IrisStandIn, Ref
from intersystems_pyprod.testing.standin import IrisObject as StandInObject

MODULE = "rl_shop"

V1 = '''
from dataclasses import dataclass
from intersystems_pyprod import JsonSerialize
iris_package_name = "RlShop"

@dataclass
class Order(JsonSerialize):
    order_id: str = ""
    qty: str = ""
'''

#: qty retyped, priority added
V2 = V1.replace('qty: str = ""', 'qty: int = 0\n    priority: str = "normal"')


class Job:
    """This process as an IRIS job that never ran a Python callback (a routing engine's)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.log: list = []
        self.api = IrisStandIn(lambda *entry: self.log.append(entry))
        monkeypatch.setitem(sys.modules, "iris", self.api)  # Embedded Python's module in this job
        monkeypatch.setattr(engine, "_current", None)
        monkeypatch.setattr(irisapi, "_installed", None)
        monkeypatch.setattr(jobversion, "_held_since", None)
        loader_paths.uninstall()
        self.store = iris_store()  # the loader's view of the same namespace's globals

    def load(self, source: str, compiled_here: bool = True) -> None:
        """What a load in another job leaves behind: the class compiled, then the version active.
        ``compiled_here=False``: this job goes on making objects of the class it had (whether a job
        that was not restarted sees a recompiled class is UNCONFIRMED)."""
        scratch = types.ModuleType(MODULE)  # the loader's own import, not this job's
        mine = sys.modules.get(MODULE)
        sys.modules[MODULE] = scratch
        try:
            exec(compile(source, f"{MODULE}.py", "exec"), scratch.__dict__)
            model = build_model(f"{MODULE}.py", MODULE, [scratch])
        finally:
            if mine is None:
                sys.modules.pop(MODULE, None)
            else:
                sys.modules[MODULE] = mine
        self.sender = scratch
        for cls in model.classes:
            if cls.kind == "JsonMessage" and compiled_here:
                properties = {c.iris_name: c.iris_type.name for c in cls.columns}
                properties["JsonFields"] = "%String"
                defaults = {c.iris_name: values.initial_value(c.default, c.iris_type) for c in cls.columns
                            if c.default is not None}
                self.api.define(ClassInfo(cls.iris_name, {"PYMODULE": cls.py_module, "PYCLASS": cls.py_class},
                                          defaults, {"JsonBody": "%Stream.GlobalCharacter"}, properties))
        number = self.store.save(MODULE, {f"{MODULE}.py": source}, f"{MODULE}.py", "dev", "now")
        self.store.activate(MODULE, number, "pc:/p")

    def stored(self, **fields: object) -> object:
        """A message a Python service sent in another job with the version last loaded."""
        known = dict(messages._registry)
        try:
            obj = messages.to_iris(self.sender.Order(**fields))
        finally:  # what the sending job registered is not this job's
            messages._registry.clear()
            messages._registry.update(known)
        return obj

    def value(self, obj: object, path: str) -> object:
        """``obj.GetValueAt(path, , .status)``: the value, or the status text when it failed."""
        status = Ref()
        value = obj.GetValueAt(path, "", status)
        return f"error: {status.value}" if is_error_value(status.value) else value


@pytest.fixture
def job(monkeypatch):
    yield Job(monkeypatch)
    loader_paths.uninstall()
    sys.modules.pop(MODULE, None)
    messages.forget_modules([MODULE])


def test_a_router_job_reads_a_message_with_the_newly_loaded_class_at_its_next_call(job):
    job.load(V1)
    order = job.stored(order_id="A1", qty="12")
    assert job.value(order, "qty") == "12"
    assert "no field 'priority'" in job.value(order, "priority")
    job.load(V2)
    reopened = job.api.reopen(order)  # the router opens the next message under the new class
    assert job.value(reopened, "priority") == "normal"
    assert job.value(reopened, "qty") == 12  # the retyped field converted the new way
    assert sys.modules[MODULE].__file__.endswith("/v2/rl_shop.py")


def test_a_dtl_target_is_written_and_saved_in_the_new_shape(job):
    job.load(V1)
    assert job.value(job.stored(order_id="A1", qty="3"), "qty") == "3"  # v1 imported in the job
    job.load(V2)
    target = job.api.cls("RlShop.Order")._New()  # a DTL's create="new"
    assert target.SetValueAt("A2", "order_id") == 1
    target.qty = "7"  # a DTL's plain target.qty, a property write
    assert target._Save() == 1  # %OnAddToSaveSet brings the body in line with the properties
    assert json.loads(target.JsonBody.text()) == {"order_id": "A2", "qty": 7, "priority": "normal"}


def test_a_message_being_built_keeps_its_version_until_it_is_saved(job, monkeypatch):
    job.load(V1)
    target = job.api.cls("RlShop.Order")._New()
    assert target.SetValueAt("A3", "order_id") == 1  # a DTL run starts writing its target
    job.load(V2)  # ... while another job loads the new version
    assert target.SetValueAt("5", "qty") == 1
    assert job.value(target, "qty") == "5"  # the run goes on with the version it started with
    assert target._Save() == 1
    assert json.loads(target.JsonBody.text()) == {"order_id": "A3", "qty": "5"}
    assert job.value(job.api.reopen(target), "qty") == 5  # saved: the next call takes the new version


def test_a_message_being_built_holds_the_version_for_a_few_seconds_at_most(job, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(jobversion, "_clock", lambda: clock[0])
    job.load(V1)
    target = job.api.cls("RlShop.Order")._New()
    assert target.SetValueAt("A4", "order_id") == 1  # written, never saved (a DTL that failed)
    job.load(V2)
    clock[0] += jobversion.HOLD_SECONDS - 0.5
    assert job.value(target, "qty") == ""
    clock[0] += 1
    assert job.value(job.api.reopen(target), "priority") == "normal"


def test_calls_inside_a_python_callback_keep_the_version_the_callback_started_with(job):
    job.load(V1)
    order = job.stored(order_id="A5", qty="9")
    assert job.value(order, "qty") == "9"
    job.load(V2)
    with identity.callback():  # a Python process's callback runs a DTL: its calls come back here
        assert job.value(order, "qty") == "9"
    assert job.value(job.api.reopen(order), "qty") == 9


def test_a_namespace_switch_is_seen_while_a_message_is_being_built(job):
    job.load(V1)
    target = job.api.cls("RlShop.Order")._New()
    assert target.SetValueAt("A6", "order_id") == 1
    job.api.namespaces.switch("OTHER")  # the job moves to a namespace where nothing is loaded
    assert "ModuleNotFoundError" in job.value(target, "qty")
    assert MODULE not in sys.modules


def test_a_job_still_on_the_earlier_compiled_class_writes_what_its_objects_hold(job):
    job.load(V1)
    assert job.value(job.stored(order_id="A7", qty="1"), "qty") == "1"
    job.load(V2, compiled_here=False)  # its objects have no property priority
    target = job.api.cls("RlShop.Order")._New()
    assert target.SetValueAt("A7", "order_id") == 1
    assert "priority" not in target.JsonFields  # the body alone holds it
    assert target._Save() == 1
    assert json.loads(target.JsonBody.text()) == {"order_id": "A7", "qty": 0, "priority": "normal"}
    assert job.value(target, "priority") == "normal"


@pytest.mark.parametrize("missing", [AttributeError, RuntimeError])
def test_a_property_the_object_lacks_reads_as_unset_whatever_iris_raises(job, monkeypatch, missing):
    """Which exception reading a property the object's class does not have raises in Embedded
    Python is not documented: either one leaves the body as the field's value."""
    job.load(V1)
    assert job.value(job.stored(order_id="A8", qty="2"), "qty") == "2"
    job.load(V2, compiled_here=False)
    target = job.api.cls("RlShop.Order")._New()
    assert target.SetValueAt("high", "priority") == 1
    lookup = StandInObject.__getattr__

    def strict(self, name):
        try:
            return lookup(self, name)
        except AttributeError:
            raise missing(f"<PROPERTY DOES NOT EXIST> *{name},RlShop.Order") from None

    monkeypatch.setattr(StandInObject, "__getattr__", strict)
    assert job.value(target, "priority") == "high"
    target.qty = "4"  # a DTL's property write
    assert target._Save() == 1
    assert json.loads(target.JsonBody.text()) == {"order_id": "", "qty": 4, "priority": "high"}


def test_the_contents_tab_shows_a_message_as_the_newly_loaded_class_reads_it(job, capsys):
    job.load(V1)
    order = job.stored(order_id="A9", qty="12")
    order._ShowContents()  # the portal's job shows the message with the version it imported
    assert '"12"' in capsys.readouterr().out
    job.load(V2)
    job.api.reopen(order)._ShowContents()
    shown = capsys.readouterr().out
    assert '"qty": 12' in shown.replace("&quot;", '"') and '"12"' not in shown.replace("&quot;", '"')
