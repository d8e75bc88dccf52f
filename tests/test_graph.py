"""``graph``: nodes and edges of the examples, of ObjectScript production classes, of IRIS
(--remote against the fake SDK), flagged missing targets, and hostile names."""

from __future__ import annotations

import json
import re

import pytest

from intersystems_pyprod.director import connection
from intersystems_pyprod.graph import graph_from_document, graph_from_script, to_mermaid
from intersystems_pyprod_cli.main import main

from .fake_native import FakeSDK, FakeServer
from .helpers import EXAMPLES, REPO, write_script

ORDERS = str(EXAMPLES / "orders" / "orders.py")
HELLO = str(EXAMPLES / "hello_world" / "HelloWorld.py")
HELLO_CLS = str(EXAMPLES / "hello_world" / "HelloWorldProduction.cls")
MIXED = REPO / "tests" / "fixtures" / "mixed"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def edges(graph):
    return {(e.source, e.target, e.setting) for e in graph.edges}


def test_orders_production_nodes_edges_and_messages():
    graph = graph_from_script(ORDERS)
    assert {(n.name, n.kind, n.class_name, n.python) for n in graph.nodes} == {
        ("OrderService", "service", "Orders.OrderService", True),
        ("OrderRouter", "process", "Orders.OrderRouter", True),
        ("Warehouse", "operation", "Orders.Warehouse", True), ("Audit", "operation", "Orders.Warehouse", True)}
    assert edges(graph) == {("OrderService", "OrderRouter", "target"), ("OrderRouter", "Warehouse", "warehouse"),
                            ("OrderRouter", "Audit", "")}
    sent = {(e.source, e.target): e.messages for e in graph.edges}
    assert sent[("OrderService", "OrderRouter")] == ("Orders.Msg.OrderRequest",)
    assert sent[("OrderRouter", "Audit")] == ("Orders.Msg.AuditRecord",)
    assert not any(e.missing for e in graph.edges)


def test_hello_world_with_its_production_class():
    graph = graph_from_script(HELLO, HELLO_CLS)
    assert graph.name == "helloworld.HelloWorldProduction"
    assert edges(graph) == {("MyService", "MyProcess", "target"), ("MyProcess", "MyOperation", "target")}
    assert [n.kind for n in graph.nodes] == ["service", "process", "operation"]


def test_hello_world_without_a_production_draws_the_hosts_alone():
    graph = graph_from_script(HELLO)
    assert {n.name for n in graph.nodes} == {"MyService", "MyProcess", "MyOperation"}
    assert graph.edges == []


def test_objectscript_production_class_marks_languages_and_disabled_items():
    graph = graph_from_script(str(MIXED / "Mixed.py"), str(MIXED / "Production.cls"))
    nodes = {n.name: n for n in graph.nodes}
    assert nodes["Legacy.Sink"].python is False and nodes["Legacy.Sink"].kind == "operation"
    assert nodes["Legacy.Sink"].class_name == "EnsLib.File.PassthroughOperation"
    assert nodes["Mixed.Tick"].enabled is False and nodes["Mixed.LineService"].enabled is True
    assert ("Mixed.LineService", "Mixed.Writer", "TargetConfigName") in edges(graph)
    text = to_mermaid(graph)
    assert re.search(r"class [n0-9,]+ disabled", text) and "class n4 objectscript" in text


TARGETS = '''
from intersystems_pyprod import BusinessOperation, BusinessService, IRISProperty, JsonSerialize, Status

iris_package_name = "Fan"

class Ping(JsonSerialize):
    text: str = ""

class Fan(BusinessService):
    targets = IRISProperty("A, B ,Nowhere", target=True)
    def on_process_input(self, text):
        message = Ping(text)
        for name in self.targets.split(","):
            self.send_request_async(self.targets, message)
        self.SendRequestAsync("Ghost", Ping(text))
        return Status.OK()

class A(BusinessOperation):
    def on_message(self, request):
        return Status.OK()

class B(A):
    pass
'''


def test_target_lists_defaults_and_missing_targets_are_flagged(tmp_path, capsys):
    script = write_script(tmp_path, "fan.py", TARGETS)
    graph = graph_from_script(str(script))
    assert edges(graph) == {("Fan", "A", "targets"), ("Fan", "B", "targets"), ("Fan", "Nowhere", "targets"),
                            ("Fan", "Ghost", "")}
    missing = {e.target for e in graph.edges if e.missing}
    assert missing == {"Nowhere", "Ghost"}
    assert {n.name for n in graph.nodes if n.kind == "missing"} == {"Nowhere", "Ghost"}
    assert any("'Nowhere'" in p for p in graph.node("Fan").problems)
    assert all(e.messages == ("Fan.Ping",) for e in graph.edges)
    code, out, err = run(capsys, "graph", str(script), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert set(document) == {"name", "nodes", "edges"}
    assert set(document["nodes"][0]) >= {"name", "kind", "class", "python", "enabled"}
    assert set(document["edges"][0]) >= {"source", "target", "setting"}
    assert "warning: item Fan: setting targets names 'Nowhere', which is no item of the production" in err
    code, out, _ = run(capsys, "graph", str(script))
    assert "-.->" in out  # a missing target is drawn dashed


def test_target_flag_declares_the_portal_selector(tmp_path):
    from intersystems_pyprod.loader.build import build

    script = write_script(tmp_path, "fan.py", TARGETS)
    fan = next(c for c in build(str(script), validate=True).classes if c.name == "Fan.Fan")
    assert "targets:Basic:selector?multiSelect=1&context={Ens.ContextSearch/ProductionItems?targets=1" in fan.text


def test_hostile_item_names_are_escaped(tmp_path):
    cls = (MIXED / "Production.cls").read_text().replace('Name="Legacy.Sink"', 'Name="a&quot;b&lt;script&gt;|x"')
    path = tmp_path / "Production.cls"
    path.write_text(cls)
    graph = graph_from_script(str(MIXED / "Mixed.py"), str(path))
    text = to_mermaid(graph)
    line = next(li for li in text.splitlines() if "script" in li)
    assert "<script>" not in text and line.count('"') == 2 and "#quot;" in line
    from intersystems_pyprod.graph import html_page

    page = html_page(graph)
    assert "<script" not in page and "&lt;script&gt;" in page


def test_output_file_formats_and_usage_errors(tmp_path, capsys):
    page = tmp_path / "page.html"
    code, out, _ = run(capsys, "graph", ORDERS, "-o", str(page))
    assert code == 0 and out.startswith(f"Wrote {page} (4 nodes, 3 arrows)")
    text = page.read_text()
    assert "<svg" in text and "http-equiv=\"Content-Security-Policy\"" in text
    assert not re.search(r"(src|href)=\"(https?:)?//", text)
    code, _, _ = run(capsys, "graph", ORDERS, "-o", str(tmp_path / "g.dot"))
    assert code == 0 and (tmp_path / "g.dot").read_text().startswith('digraph "Orders.OrdersProduction"')
    assert run(capsys, "graph")[0] == 2
    assert run(capsys, "graph", ORDERS, "--remote", "X")[0] == 2
    code, _, err = run(capsys, "graph", ORDERS, "-o", str(tmp_path / "no" / "page.html"))
    assert code == 2 and "does not exist" in err
    code, _, err = run(capsys, "graph", ORDERS, "--production", "Nope")
    assert code == 1 and "no Production class named 'Nope'" in err


DOCUMENT = {"ok": True, "name": "Demo.Prod", "items": [
    {"name": "In", "class": "Demo.In", "kind": "service", "python": True, "enabled": True,
     "settings": [{"target": "Host", "name": "target", "value": "Route"}], "connections": ["Route"]},
    {"name": "Route", "class": "EnsLib.MsgRouter.RoutingEngine", "kind": "process", "python": False,
     "enabled": True, "settings": [], "connections": ["Out", "Gone"]},
    {"name": "Out", "class": "Demo.Out", "kind": "operation", "python": True, "enabled": False,
     "settings": [{"target": "Adapter", "name": "FilePath", "value": "In"}], "connections": []}]}


def test_graph_from_a_document_read_in_iris():
    graph = graph_from_document(DOCUMENT)
    assert edges(graph) == {("In", "Route", "target"), ("Route", "Out", ""), ("Route", "Gone", "")}
    assert graph.node("Out").enabled is False and graph.node("Route").python is False
    assert {e.target for e in graph.edges if e.missing} == {"Gone"}


def test_remote_graph_over_the_fake_sdk(monkeypatch, capsys):
    fake = FakeServer()
    fake.graphs["Demo.Prod"] = DOCUMENT
    monkeypatch.setattr(connection, "native_sdk", lambda: FakeSDK(fake))
    login = ("--username", "_SYSTEM", "--password", "s3cret!")
    code, out, _ = run(capsys, "graph", "--remote", "Demo.Prod", "--format", "json", *login)
    assert code == 0
    assert {(e["source"], e["target"]) for e in json.loads(out)["edges"]} == {("In", "Route"), ("Route", "Out"),
                                                                               ("Route", "Gone")}
    code, _, err = run(capsys, "graph", "--remote", "Other", *login)
    assert code == 1 and "no production named Other" in err
    fake.missing_privileges = ["%Ens_ProductionConfig"]  # setting values are configuration
    code, out, err = run(capsys, "graph", "--remote", "Demo.Prod", *login)
    assert code != 0 and "%Ens_ProductionConfig:READ" in err and "In" not in out
    fake.missing_privileges = []
    fake.pyprod_installed = False
    code, _, err = run(capsys, "graph", "--remote", "Demo.Prod", *login)
    assert code != 0 and "PyProd.Graph is not installed" in err and 'zpm "load /path/to/pyprod"' in err


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "json"])
def test_every_format_names_every_node(fmt, capsys):
    code, out, _ = run(capsys, "graph", ORDERS, "--format", fmt)
    assert code == 0
    for name in ("OrderService", "OrderRouter", "Warehouse", "Audit"):
        assert name in out


def test_target_flag_keeps_a_category_and_an_explicit_control():
    from intersystems_pyprod import IRISProperty
    from intersystems_pyprod.errors import PyProdError
    from intersystems_pyprod.model.targets import TARGET_CONTROL, is_target_entry

    assert IRISProperty(settings="Routing", target=True).settings == f"Routing:{TARGET_CONTROL}"
    assert IRISProperty(target=True).settings == f"Basic:{TARGET_CONTROL}"
    with pytest.raises(PyProdError, match="cannot be combined with target=True") as caught:
        IRISProperty(settings="Basic:fileSelector", target=True)
    assert caught.value.where is not None and caught.value.where.file == __file__
    assert IRISProperty(settings="Routing").settings == "Routing"
    assert is_target_entry(f"Out:Basic:{TARGET_CONTROL}") and not is_target_entry("Out:Basic")


# -o FILE writes what the file's name says, or refuses it naming the formats graph writes.
# (file name, extra arguments, exit code, what the file starts with or the error says)
OUTPUT_CASES = [
    ("g.png", [], 2, "does not draw PNG files"),
    ("g.PDF", [], 2, "does not draw PDF files"),
    ("g.jpg", ["--format", "dot"], 2, "does not draw JPG files"),
    ("graph", [], 2, "cannot tell which format"),
    ("g.txt", [], 2, "cannot tell which format"),
    ("g.json", ["--format", "dot"], 2, "names a json file but --format is dot"),
    ("page.html", ["--format", "mermaid"], 2, "names a html file but --format is mermaid"),
    ("g.txt", ["--format", "dot"], 0, "digraph"),
    ("g.mmd", [], 0, "flowchart LR"),
    ("g.gv", [], 0, "digraph"),
    ("g.svg", [], 0, "<svg"),
    ("g.json", [], 0, "{"),
    ("page.htm", [], 0, "<!DOCTYPE html>"),
]


@pytest.mark.parametrize("name, extra, code, said", OUTPUT_CASES)
def test_output_is_what_its_name_says(capsys, tmp_path, name, extra, code, said):
    target = tmp_path / name
    got, _, err = run(capsys, "graph", ORDERS, "-o", str(target), *extra)
    assert got == code, err
    if code:
        assert said in err and "Traceback" not in err
        assert "names a" in said or (".html" in err and ".svg" in err and ".dot" in err)  # the formats it writes
        assert not target.exists() and list(tmp_path.iterdir()) == []
    else:
        assert target.read_text(encoding="utf-8").lstrip().startswith(said)
