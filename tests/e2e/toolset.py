"""The IRIS toolset on Python messages: a routing rule on a field and on a ``{path}``, DTLs in
both directions, a viewer search and the editors' property lists.

The checks live here so that they run twice: against IRIS in ``test_e2e_toolset.py`` (through
the helper class ``PyProdE2E.Tools`` of ``cls/Tools.cls``, which the e2e workflow loads), and
offline in ``tests/test_e2e_toolset_offline.py`` against the harness, which runs the same DTL
files and rule conditions as IRIS compiles them. Each tools object answers the helper class's
methods: ``load_text``, ``transform``, ``read``, ``show`` and ``property_lists``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

from intersystems_pyprod.testing import ensrules

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ROUTING = REPO / "examples" / "routing"
CLS = HERE / "cls"
#: Loaded by the e2e workflow, before the suite (they do not depend on a loaded script).
HELPER_CLASSES = ("Tools", "Plain")
#: Loaded by the suite once examples/routing/invoices.py is loaded (they name Routing.Invoice).
DTL_CLASSES = ("InvoiceNew", "InvoiceCopy", "InvoiceExisting", "InvoiceToPlain", "PlainToInvoice")
#: Routing.Invoice's fields that are IRIS properties, and its storage members.
FIELDS = ("InvoiceId", "customer", "amount", "status")
STORAGE = ("JsonBody", "JsonFields")

#: (what InvoiceService is given, where the rule sends it, what the desk then logs)
INVOICES: List[Tuple[Dict[str, Any], str, str]] = [
    ({"id": "I-1", "customer": "ACME", "amount": 250, "lines": {"A1": 2, "B2": 1}}, "Approvals",
     "invoice I-1 review 250.00 A1,B2"),
    ({"id": "I-2", "customer": "ACME", "amount": 40, "lines": {"GIFT": 1}}, "GiftDesk", "invoice I-2 new 40.00 GIFT"),
    ({"id": "I-3", "customer": "Beta", "amount": 40, "lines": {"C3": 1}}, "Ledger", "invoice I-3 new 40.00 C3"),
]

#: The routing engine as examples/routing/README.md tells users to add it.
_ROUTER = [
    ('ServiceItem("InvoiceService", InvoiceService)',
     'ServiceItem("InvoiceService", InvoiceService, host_settings={"target": "InvoiceRouter"})'),
    ('processes = [ProcessItem("InvoiceTriage", InvoiceTriage)]',
     'processes = [ProcessItem("InvoiceTriage", InvoiceTriage),\n'
     '                 ProcessItem("InvoiceRouter", "EnsLib.MsgRouter.RoutingEngine",\n'
     '                             host_settings={"BusinessRuleName": "Routing.InvoiceRules"})]'),
]


def router_script(text: str) -> str:
    """examples/routing/invoices.py with an ``InvoiceRouter`` item (``EnsLib.MsgRouter.RoutingEngine``
    running ``Routing.InvoiceRules``) that ``InvoiceService`` sends to."""
    for old, new in _ROUTER:
        if old not in text:
            raise AssertionError(f"examples/routing/invoices.py no longer has {old!r}: update tests/e2e/toolset.py")
        text = text.replace(old, new)
    return text


def class_text(name: str) -> str:
    """The text of a test class of cls/ (``Tools``, ``InvoiceNew``, ...)."""
    return (CLS / f"{name}.cls").read_text(encoding="utf-8")


def _xdata(text: str, block: str, where: str) -> ET.Element:
    match = re.search(r"XData " + block + r"\b[^{]*\{\s*(.*?)\s*\}\s*\}\s*$", text, re.S)
    assert match, f"{where} has no XData {block}"
    return ET.fromstring(match.group(1))


def dtl_of(text: str, where: str = "the class") -> Dict[str, Any]:
    """The transform of a DTL class's text: {"source", "target", "create", "assigns": its actions
    as :func:`intersystems_pyprod.testing.ensrules.dtl_actions` reads them (assignments and
    foreach loops)}."""
    transform = _xdata(text, "DTL", where)
    return {"source": transform.get("sourceClass"), "target": transform.get("targetClass"),
            "create": transform.get("create"), "assigns": ensrules.dtl_actions(transform)}


def dtl(name: str) -> Dict[str, Any]:
    """The transform of a DTL class of cls/ (:func:`dtl_of`)."""
    return dtl_of(class_text(name), f"{name}.cls")


def rules() -> List[Tuple[str, str, str]]:
    """(condition, target, transform) of each rule of examples/routing/InvoiceRules.cls, in order."""
    ruleset = _xdata((ROUTING / "InvoiceRules.cls").read_text(encoding="utf-8"), "RuleDefinition", "InvoiceRules.cls")
    found = []
    for rule in ruleset.iter("rule"):
        when = rule.find("when")
        send = when.find("send") if when is not None else None
        assert when is not None and send is not None, "InvoiceRules.cls: every rule has a when with a send"
        found.append((str(when.get("condition")), str(send.get("target")), str(send.get("transform") or "")))
    return found


def plain_properties() -> Dict[str, str]:
    """PyProdE2E.Plain's properties (name -> type), read from Plain.cls."""
    return dict(re.findall(r"^Property (\w+) As ([%\w.]+)", class_text("Plain"), re.M))


def _ok(answer: Dict[str, Any], what: str) -> Dict[str, Any]:
    assert answer.get("ok"), f"{what}: {answer.get('error') or answer}"
    return answer


def _python(answer: Dict[str, Any]) -> Dict[str, Any]:
    return dict(json.loads(answer["python"]))


def check_routing(routed: Iterable[Tuple[str, str, str]]) -> None:
    """``routed``: (target, invoice id, status) of each invoice the router sent on. The rule sent
    each invoice where its conditions say, and the large one through MarkForReview's copy."""
    expected = {(target, data["id"], "review" if target == "Approvals" else "new") for data, target, _ in INVOICES}
    assert set(routed) == expected


def check_dtls(tools: Any, ids: Dict[str, str]) -> Dict[str, Dict[str, Any]]:
    """Run the DTLs of cls/ on the stored invoices ``ids`` (invoice id -> body ID) and check what
    Python reads from each target; returns the answers by DTL name."""
    done: Dict[str, Dict[str, Any]] = {}
    # create="new": properties written, lines made through {path} writes into an empty list
    new = done["InvoiceNew"] = _ok(tools.transform("PyProdE2E.InvoiceNew", "Routing.Invoice", ids["I-1"]),
                                   "InvoiceNew")
    assert _python(new) == {"invoice_id": "I-1-N", "customer": "ACME", "amount": 500.0, "status": "new",
                            "lines": [{"sku": "B2", "qty": 3}], "items": 0}
    assert "Line(sku='B2', qty=3)" in new["repr"]  # typed nesting: a Line, not a dict
    # create="copy": a property write and a {path} write on a copy; the source is unchanged
    copy = done["InvoiceCopy"] = _ok(tools.transform("PyProdE2E.InvoiceCopy", "Routing.Invoice", ids["I-1"]),
                                     "InvoiceCopy")
    assert _python(copy) == {"invoice_id": "I-1", "customer": "ACME", "amount": 250.0, "status": "copied",
                             "lines": [{"sku": "A1", "qty": 7}, {"sku": "B2", "qty": 1}], "items": 0}
    assert str(copy["id"]) != str(ids["I-1"])
    source = _python(_ok(tools.read("Routing.Invoice", ids["I-1"]), "the source"))
    assert (source["status"], source["lines"][0]["qty"]) == ("new", 2)
    # create="existing": the target passed to Transform is changed and saved as itself
    existing = done["InvoiceExisting"] = _ok(
        tools.transform("PyProdE2E.InvoiceExisting", "Routing.Invoice", ids["I-1"], "Routing.Invoice", ids["I-3"]),
        "InvoiceExisting")
    assert str(existing["id"]) == str(ids["I-3"])
    assert _python(existing) == {"invoice_id": "I-3", "customer": "ACME", "amount": 40.0, "status": "new",
                                 "lines": [{"sku": "A1", "qty": 1}], "items": 0}
    # Python message -> ObjectScript request -> Python message
    plain = done["InvoiceToPlain"] = _ok(tools.transform("PyProdE2E.InvoiceToPlain", "Routing.Invoice", ids["I-1"]),
                                         "InvoiceToPlain")
    exported = json.loads(plain["json"])
    assert (exported["Customer"], float(exported["Amount"]), exported["FirstSku"], int(exported["LineCount"])) \
        == ("ACME", 250.0, "A1", 2)
    back = done["PlainToInvoice"] = _ok(tools.transform("PyProdE2E.PlainToInvoice", "PyProdE2E.Plain", plain["id"]),
                                        "PlainToInvoice")
    assert _python(back) == {"invoice_id": "P-A1", "customer": "ACME", "amount": 250.0, "status": "new",
                             "lines": [{"sku": "A1", "qty": 2}], "items": 0}
    assert "Line(sku='A1', qty=2)" in back["repr"]
    return done


def check_contents(tools: Any, copied: Dict[str, Any]) -> None:
    """The Contents tab of the DTL's copy: JSON, equal to what Python reads (the changed status,
    not the stale stored text)."""
    shown = _ok(tools.show("Routing.Invoice", copied["id"]), "%ShowContents")
    assert shown["type"] == "application/json"
    assert json.loads(shown["text"]) == _python(copied)


def _words(text: str) -> set:
    return set(re.findall(r"[A-Za-z_%][A-Za-z0-9_]*", text or ""))


def check_property_lists(lists: Dict[str, Any]) -> None:
    """The rule editor's and the DTL editor's lists show Routing.Invoice's fields, never its
    storage; the Message Viewer's body-property list too, when the call answered."""
    listed = {key: _words(lists[key]) for key in ("ruleAssist", "classList", "infoArray", "docContents",
                                                  "viewerSearch") if key in lists}
    for key, words in listed.items():
        assert not words & set(STORAGE), f"{key} lists the storage: {lists[key]!r}"
    rule = [key for key in ("ruleAssist", "classList") if set(FIELDS) <= listed.get(key, set())]
    assert rule, f"no rule-editor list names every field {FIELDS}: {lists}"
    tree = [key for key in ("infoArray", "docContents") if set(FIELDS) <= listed.get(key, set())]
    assert tree, f"no DTL-editor list names every field {FIELDS}: {lists}"
    if "viewerSearch" in listed:
        assert set(FIELDS) <= listed["viewerSearch"], lists


#: The Message Viewer's body-property search, as SQL: headers joined to the body class's table.
VIEWER_SEARCH = ("SELECT h.ID AS HeaderId, h.MessageBodyId AS BodyId, h.SourceConfigName AS Source, "
                 "h.TargetConfigName AS Target, "
                 "b.InvoiceId AS InvoiceId, b.amount AS Amount, b.status AS Status "
                 "FROM Ens.MessageHeader h, Routing.Invoice b "
                 "WHERE h.MessageBodyClassName = 'Routing.Invoice' AND h.MessageBodyId = b.ID AND h.ID > ? "
                 "AND {condition} ORDER BY h.ID")


def check_viewer_search(query: Any, after: int) -> None:
    """``query(sql, params)`` runs SQL. A search by a body property finds the messages whose
    field holds the value: amount > 100 finds I-1 (sent to the router, then its copy to
    Approvals), status = 'review' finds the copy only."""
    large = query(VIEWER_SEARCH.format(condition="b.amount > ?"), [after, 100])
    assert {(r["Source"], r["Target"], r["InvoiceId"], float(r["Amount"])) for r in large} == {
        ("InvoiceService", "InvoiceRouter", "I-1", 250.0), ("InvoiceRouter", "Approvals", "I-1", 250.0)}
    review = query(VIEWER_SEARCH.format(condition="b.status = ?"), [after, "review"])
    assert [(r["Target"], r["InvoiceId"]) for r in review] == [("Approvals", "I-1")]


def routed_rows(query: Any, after: int) -> List[Tuple[str, str, str]]:
    """(target, invoice id, status) of every invoice the router sent on since header ``after``."""
    rows = query(VIEWER_SEARCH.format(condition="h.SourceConfigName = ?"), [after, "InvoiceRouter"])
    return [(r["Target"], r["InvoiceId"], r["Status"]) for r in rows]
