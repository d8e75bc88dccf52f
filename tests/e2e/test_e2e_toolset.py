"""Python messages in the IRIS toolset, on a real IRIS (see toolset.py; its checks also run offline
in tests/test_e2e_toolset_offline.py): examples/routing loaded with a routing engine, its rule on
``Document.amount`` and ``Document.{lines(1).sku}``, DTLs both ways, a viewer search, the
Contents tab and the editors' property lists."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator

import pytest

from . import toolset
from .conftest import cli, last_log_id, log_texts, wait_for

TOOLS = "PyProdE2E.Tools"


class LiveTools:
    """The helper class PyProdE2E.Tools (cls/Tools.cls) over the connection."""

    def __init__(self, iris: Any) -> None:
        self.iris = iris

    def _call(self, method: str, *args: Any) -> Dict[str, Any]:
        return self.iris.call_json(TOOLS, method, *[str(a) for a in args])

    def load_text(self, text: str) -> Dict[str, Any]:
        return self._call("LoadText", text)

    def transform(self, dtl: str, source_class: str, source_id: Any, target_class: str = "",
                  target_id: Any = "") -> Dict[str, Any]:
        return self._call("Transform", dtl, source_class, source_id, target_class, target_id)

    def read(self, class_name: str, body_id: Any) -> Dict[str, Any]:
        return self._call("Read", class_name, body_id)

    def show(self, class_name: str, body_id: Any) -> Dict[str, Any]:
        return self._call("Show", class_name, body_id)

    def property_lists(self, class_name: str) -> Dict[str, Any]:
        return self._call("PropertyLists", class_name)


@pytest.fixture(scope="module")
def routed(iris: Any, tmp_path_factory: Any) -> Iterator[Dict[str, Any]]:
    """examples/routing/invoices.py loaded with a routing engine running InvoiceRules.cls, the
    example's DTL and the suite's DTLs compiled, the production running, and the three invoices
    of toolset.INVOICES sent through InvoiceService; yields {"tools", "after" (the last header
    before), "ids" (invoice id -> body ID of what the service sent)}."""
    from intersystems_pyprod import director

    assert iris.has_class("PyProd.Loader"), 'PyProd is not installed: zpm "load <this checkout>" (docs/e2e.md)'
    assert iris.has_class(TOOLS) and iris.has_class("PyProdE2E.Plain"), (
        "the e2e helper classes are missing: load tests/e2e/cls/Tools.cls and Plain.cls with "
        '$system.OBJ.Load("<checkout>/tests/e2e/cls/Tools.cls", "ck") (docs/e2e.md)')
    tools = LiveTools(iris)
    folder = tmp_path_factory.mktemp("routing")
    script = folder / "invoices.py"
    script.write_text(toolset.router_script((toolset.ROUTING / "invoices.py").read_text(encoding="utf-8")))
    result = cli(str(script))
    assert result.returncode == 0, result.stdout + result.stderr
    texts = [(toolset.ROUTING / "InvoiceRules.cls").read_text(encoding="utf-8"),
             (toolset.ROUTING / "MarkForReview.cls").read_text(encoding="utf-8"),
             *[toolset.class_text(name) for name in toolset.DTL_CLASSES]]
    for text in texts:
        loaded = tools.load_text(text)
        assert loaded.get("ok"), f"{text.splitlines()[2][:80]}: {loaded.get('error')}"
    last = iris.query("SELECT MAX(ID) AS Last FROM Ens.MessageHeader", [])
    after = int((last[0]["Last"] if last else 0) or 0)
    start = last_log_id(iris)
    iris.director("StartProduction", "Routing.RoutingProduction")
    director.use_connection(iris)
    try:
        status, service = director.create_business_service("InvoiceService")
        assert status == 1 and service is not None
        with service:
            for data, _, _ in toolset.INVOICES:
                assert service.process_input(json.dumps(data))[0] == 1
        for _, _, line in toolset.INVOICES:
            wait_for(lambda line=line: line in [r["Text"] for r in log_texts(iris, start)], line)
        sent = iris.query(toolset.VIEWER_SEARCH.format(condition="h.SourceConfigName = ?"), [after, "InvoiceService"])
        yield {"tools": tools, "after": after, "ids": {r["InvoiceId"]: str(r["BodyId"]) for r in sent}}
    finally:
        director.use_connection(None)
        iris.director("StopProduction", 30, 1)


def test_a_routing_rule_routes_on_a_field_and_on_a_path(routed, iris):
    """Document.amount>100 (a property) sends I-1 to Approvals through MarkForReview's copy,
    Document.{lines(1).sku}="GIFT" (GetValueAt) sends I-2 to GiftDesk, I-3 goes to the Ledger; the
    desks logged what Python read (the copy's status "review")."""
    toolset.check_routing(toolset.routed_rows(iris.query, routed["after"]))
    assert set(routed["ids"]) == {"I-1", "I-2", "I-3"}


def test_a_viewer_search_by_a_body_property(routed, iris):
    toolset.check_viewer_search(iris.query, routed["after"])


def test_dtls_both_ways_and_the_contents_tab(routed):
    done = toolset.check_dtls(routed["tools"], routed["ids"])
    toolset.check_contents(routed["tools"], done["InvoiceCopy"])


def test_the_editors_list_the_fields_not_the_storage(routed):
    toolset.check_property_lists(routed["tools"].property_lists("Routing.Invoice"))
