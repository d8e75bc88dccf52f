"""The checks of the live toolset tests (tests/e2e/toolset.py) run offline: the suite's DTL classes
and the example's rule run on the example's messages in the harness, as IRIS compiles them, and
the helper classes parse. What only IRIS can answer (SQL, the editors' own methods) is derived
here by IRIS's criteria, so a wrong expectation in the live tests shows up in every run."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict

import pytest

from intersystems_pyprod.api.engine import is_error_value
from intersystems_pyprod.classgen import grammar
from intersystems_pyprod.loader.build import build
from intersystems_pyprod.runtime import messages
from intersystems_pyprod.testing import ensrules, portal
from intersystems_pyprod.testing.standin import ClassInfo

from .e2e import toolset
from .helpers import REPO
from .test_messages_in_iris import _compiled_properties


class HarnessTools:
    """PyProdE2E.Tools (tests/e2e/cls/Tools.cls) in the harness: stored messages are kept by ID,
    DTLs run through ``ensrules`` (property reads and writes, GetValueAt and SetValueAt),
    PyProdE2E.Plain is declared from Plain.cls."""

    def __init__(self, harness: Any, texts: Dict[str, str]) -> None:
        self.harness = harness
        self.texts = texts
        self.stored: Dict[str, Any] = {}
        harness._standin.define(ClassInfo("PyProdE2E.Plain", properties=toolset.plain_properties()))

    def call(self, method: str, *args: Any) -> Dict[str, Any]:
        """A class method of PyProdE2E.Tools by its ObjectScript name (what the fake server serves)."""
        return {"LoadText": self.load_text, "Transform": self.transform, "Read": self.read, "Show": self.show,
                "PropertyLists": self.property_lists}[method](*args)

    def save(self, obj: Any) -> str:
        key = str(len(self.stored) + 1)
        self.stored[key] = obj
        return key

    def load_text(self, text: str) -> Dict[str, Any]:
        problems = grammar.check(text)
        return {"ok": int(not problems), "error": "; ".join(map(str, problems))}

    def transform(self, dtl: str, source_class: str, source_id: Any, target_class: str = "",
                  target_id: Any = "") -> Dict[str, Any]:
        spec = toolset.dtl(dtl.rsplit(".", 1)[-1])
        source = self.stored[str(source_id)]
        assert source._ClassName(1) == spec["source"] == source_class
        if target_id:
            target = self.stored[str(target_id)]
            assert spec["create"] == "existing" and target._ClassName(1) == spec["target"] == target_class
        elif spec["create"] == "copy":
            target = ensrules.clone(source)
        else:
            assert spec["create"] == "new"
            target = self.harness._standin.cls(spec["target"])._New()
        status = ensrules.transform(source, target, spec["assigns"])
        if is_error_value(status):
            return {"ok": 0, "error": str(status)}
        return self.view(target, str(target_id) if target_id else self.save(target))

    def view(self, obj: Any, key: str) -> Dict[str, Any]:
        answer: Dict[str, Any] = {"ok": 1, "class": obj._ClassName(1), "id": key}
        if messages.python_class(obj._ClassName(1)) is not None:
            message = messages.from_iris(obj)
            answer.update(python=messages.to_json(message), repr=repr(message))
        else:  # %JSON export of the declared properties
            answer["json"] = json.dumps({p: getattr(obj, p) for p in toolset.plain_properties()})
        return answer

    def read(self, class_name: str, body_id: Any) -> Dict[str, Any]:
        return self.view(self.stored[str(body_id)], str(body_id))

    def show(self, class_name: str, body_id: Any) -> Dict[str, Any]:
        shown = portal.show(self.stored[str(body_id)])
        return {"ok": 1, "type": shown.declared, "text": shown.text}

    def property_lists(self, class_name: str) -> Dict[str, Any]:
        """The rule editor's and DTL editor's lists by IRIS's criteria: compiled properties not
        starting with % and not Private."""
        compiled = _compiled_properties(class_name, self.texts)
        listed = ",".join(p for p, keywords in compiled.items() if not p.startswith("%") and "Private" not in keywords)
        return {"ruleAssist": listed, "classList": listed, "infoArray": listed, "docContents": listed}


@pytest.fixture
def router(tmp_path: Path) -> Path:
    script = tmp_path / "invoices.py"
    script.write_text(toolset.router_script((toolset.ROUTING / "invoices.py").read_text(encoding="utf-8")))
    return script


@pytest.fixture
def tools(router: Path, pyprod_harness: Any) -> HarnessTools:
    texts = {c.name: c.text for c in build(str(router), validate=True).classes}
    for path in (REPO / "src" / "cls" / "PyProd").glob("*.cls"):
        texts[f"PyProd.{path.stem}"] = path.read_text(encoding="utf-8")
    return HarnessTools(pyprod_harness(str(toolset.ROUTING / "invoices.py")), texts)


def _sent(tools: HarnessTools) -> Dict[str, str]:
    """Each invoice of toolset.INVOICES as InvoiceService makes it, stored: invoice id -> ID."""
    m = tools.harness.module
    ids = {}
    for data, _, _ in toolset.INVOICES:
        invoice = m.Invoice(data["id"], data["customer"], float(data["amount"]),
                            lines=[m.Line(sku, qty) for sku, qty in data["lines"].items()])
        ids[data["id"]] = tools.save(tools.harness.iris_message(invoice))
    return ids


def test_the_router_script_adds_a_routing_engine_running_the_rule(router):
    result = build(str(router), validate=True)
    production = next(c for c in result.classes if c.name == "Routing.RoutingProduction").text
    assert 'Item Name="InvoiceRouter" Category="" ClassName="EnsLib.MsgRouter.RoutingEngine"' in production
    assert '<Setting Target="Host" Name="BusinessRuleName">Routing.InvoiceRules</Setting>' in production
    assert '<Setting Target="Host" Name="target">InvoiceRouter</Setting>' in production


def test_the_router_script_refuses_a_changed_example():
    with pytest.raises(AssertionError, match=r"update tests/e2e/toolset\.py"):
        toolset.router_script("class RoutingProduction(Production): pass")


def test_the_rule_routes_the_invoices_as_the_live_test_expects(tools):
    """What the routing engine does with InvoiceRules.cls and MarkForReview.cls, offline: the
    rows the live test reads from Ens.MessageHeader."""
    routed = []
    for key in _sent(tools).values():
        obj = tools.stored[key]
        _, target, transform = next(r for r in toolset.rules() if ensrules.condition(obj, r[0]))
        if transform:
            spec = toolset.dtl_of((toolset.ROUTING / f"{transform.rsplit('.', 1)[-1]}.cls").read_text(encoding="utf-8"))
            assert spec["create"] == "copy"
            twin = ensrules.clone(obj)
            assert ensrules.transform(obj, twin, spec["assigns"]) == 1
            obj = twin
        message = messages.from_iris(obj)
        routed.append((target, message.invoice_id, message.status))
    toolset.check_routing(routed)


def test_the_dtls_both_ways_and_the_contents_tab(tools):
    done = toolset.check_dtls(tools, _sent(tools))
    toolset.check_contents(tools, done["InvoiceCopy"])


def test_the_editors_lists_by_iris_criteria(tools):
    toolset.check_property_lists(tools.property_lists("Routing.Invoice"))


def test_the_property_check_fails_on_a_listed_storage_member():
    lists = {"ruleAssist": "InvoiceId,customer,amount,status,JsonBody", "infoArray": "InvoiceId,customer,amount,status"}
    with pytest.raises(AssertionError, match="ruleAssist lists the storage"):
        toolset.check_property_lists(lists)


def test_the_helper_and_dtl_classes_load_where_the_live_suite_loads_them(tools):
    for name in (*toolset.HELPER_CLASSES, *toolset.DTL_CLASSES):
        assert tools.load_text(toolset.class_text(name))["ok"], name
    assert {toolset.dtl(n)["create"] for n in toolset.DTL_CLASSES} == {"new", "copy", "existing"}
    workflow = (REPO / ".github" / "workflows" / "e2e.yml").read_text(encoding="utf-8")
    for name in toolset.HELPER_CLASSES:
        assert f"/opt/pyprod/tests/e2e/cls/{name}.cls" in workflow


def test_the_live_tools_through_the_real_native_sdk_client(tools, wire):
    """The live suite's client side (LiveTools, Director.call_json, the real Native SDK client)
    against the stand-in superserver, which answers PyProdE2E.Tools with the harness: the same
    checks pass through the wire."""
    from intersystems_pyprod import director

    from .e2e.test_e2e_toolset import TOOLS, LiveTools

    wire.fake.e2e_tools = tools
    with director.connect() as iris:
        live = LiveTools(iris)
        done = toolset.check_dtls(live, _sent(tools))
        toolset.check_contents(live, done["InvoiceCopy"])
        toolset.check_property_lists(live.property_lists("Routing.Invoice"))
        assert live.load_text(toolset.class_text("Tools"))["ok"]
    methods = set(re.findall(r"^ClassMethod (\w+)\(", toolset.class_text("Tools"), re.M))
    assert {"LoadText", "Transform", "Read", "Show", "PropertyLists"} <= methods and TOOLS == "PyProdE2E.Tools"
