"""Nothing is deleted while it is in use (issue 29, point 3): a class a production item names, a
running production, process instances in flight stop the load or unload with what uses it; a
message class with stored bodies is kept."""

from __future__ import annotations

from intersystems_pyprod.loader.service import load_sources, unload

from ..fake_namespace import FakeDatabase, FakeNamespace

SCRIPT = '''
from intersystems_pyprod import *
iris_package_name = "Flow"

class Msg(JsonSerialize):
    text: str = Column("")

class Op(BusinessOperation):
    def on_message(self, request):
        return Status.OK()

class Gone(BusinessOperation):
    def on_message(self, request):
        return Status.OK()

class Proc(BusinessProcess):
    def on_request(self, request):
        return Status.OK()

class Prod(Production):
    operations = [OperationItem("Op", Op), OperationItem("Gone", Gone)]
    processes = [ProcessItem("Proc", Proc)]
'''
WITHOUT_GONE = SCRIPT.replace('class Gone(', 'class Unused(').replace(', OperationItem("Gone", Gone)', '')
WITHOUT_MSG = SCRIPT.replace("class Msg(JsonSerialize):\n    text: str = Column(\"\")\n", "")
WITHOUT_PROC = SCRIPT.replace("class Proc(BusinessProcess):", "class Other(BusinessProcess):").replace(
    'processes = [ProcessItem("Proc", Proc)]', 'processes = []')
HAND_PRODUCTION = '''Class User.Hand Extends Ens.Production
{
XData ProductionDefinition
{
<Production Name="User.Hand">
  <Item Name="HandGone" Category="" ClassName="Flow.Gone" PoolSize="1" Enabled="true">
  </Item>
</Production>
}
}
'''


def load(ns: FakeNamespace, text: str):
    return load_sources(ns, ns.store(), {"flow.py": text}, "flow.py", project="dev:/p")


def loaded() -> FakeNamespace:
    ns = FakeNamespace(FakeDatabase())
    first = load(ns, SCRIPT)
    assert first.ok, first.error
    return ns


def test_dropping_a_component_its_own_stopped_production_drops_too_deletes_it():
    ns = loaded()
    result = load(ns, WITHOUT_GONE)
    assert result.ok, result.error
    assert ns.db.find("Flow.Gone") is None


def test_a_class_an_item_of_another_production_names_is_not_deleted():
    ns = loaded()
    ns.classes["User.Hand"] = HAND_PRODUCTION
    for result in (load(ns, WITHOUT_GONE), unload(ns, ns.store(), "flow")):
        assert not result.ok
        assert "Flow.Gone is the class of item HandGone of production User.Hand" in result.error, result.error
        assert ns.db.find("Flow.Gone") is not None and ns.store().active("flow") == 1


def test_items_of_the_running_production_are_not_deleted_under_it():
    ns = loaded()
    ns.db.running_production = "Flow.Prod"
    result = load(ns, WITHOUT_GONE)
    assert not result.ok and "item Gone of the running production Flow.Prod" in result.error
    assert "stop the production" in result.error and ns.db.find("Flow.Gone") is not None
    gone = unload(ns, ns.store(), "flow")
    assert not gone.ok and "production Flow.Prod is running" in gone.error and ns.db.find("Flow.Prod")
    ns.db.running_production = None
    assert load(ns, WITHOUT_GONE).ok and ns.db.find("Flow.Gone") is None


def test_a_process_class_with_instances_in_flight_is_not_deleted():
    ns = loaded()
    ns.db.in_flight = {"flow.proc"}
    result = load(ns, WITHOUT_PROC)
    assert not result.ok and "Flow.Proc has business process instances that have not completed" in result.error
    assert ns.db.find("Flow.Proc") is not None
    ns.db.in_flight = set()
    assert load(ns, WITHOUT_PROC).ok and ns.db.find("Flow.Proc") is None


def test_a_message_class_with_stored_bodies_is_kept_and_adopted_again():
    ns = loaded()
    ns.db.headers = {"flow.msg"}
    result = load(ns, WITHOUT_MSG)
    assert result.ok, result.error
    assert {c["name"]: c["action"] for c in result.classes}["Flow.Msg"] == "kept"
    assert any(w.startswith("kept Flow.Msg: stored messages") for w in result.warnings)
    assert ns.db.find("Flow.Msg") is not None and "Flow.Msg" not in ns.store().recorded("flow")
    assert ns.store().owners()["flow.msg"] == "flow"  # no other script takes it by mistake
    again = load(ns, SCRIPT)  # the script generates it again: it is updated, not created
    assert again.ok and {c["name"]: c["action"] for c in again.classes}["Flow.Msg"] == "updated"
    gone = unload(ns, ns.store(), "flow")
    assert gone.ok and list(ns.classes) == ["Flow.Msg"] and ns.store().scripts() == []
