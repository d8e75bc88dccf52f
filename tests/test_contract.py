"""Contract between the ObjectScript in src/cls and the Python runtime.

ObjectScript -> Python: every bridge function the PyProd classes call exists in the runtime and
accepts the arguments passed; calls whose result goes through ``..PyUnpack`` return a list.
Python -> ObjectScript: every PyProd member the runtime, the generated classes and the harness
rely on exists in src/cls with a compatible signature; every other IRIS member the runtime
uses is a documented Ens/%-class member (listed below with its reference section).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import typing
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, Set

import pytest

from .cls_reader import lookup, read_class, read_tree
from .helpers import REPO

SRC_CLS = REPO / "src" / "cls"
RUNTIME = REPO / "src" / "python" / "intersystems_pyprod" / "runtime"
LOADER = REPO / "src" / "python" / "intersystems_pyprod" / "loader"
CLASSES = read_tree(SRC_CLS)
HOSTS = ["PyProd.BusinessService", "PyProd.BusinessProcess", "PyProd.BusinessOperation", "PyProd.InboundAdapter",
         "PyProd.OutboundAdapter"]

#: IRIS members (not PyProd's) the runtime uses, with where IRIS_REFERENCE.md documents them.
IRIS_MEMBERS = {
    "SendRequestSync": "2.1/2.3/2.4 Ens.Host", "SendRequestAsync": "2.1/2.3/2.4 Ens.Host",
    "Reply": "2.3 Ens.BusinessProcess", "SetTimer": "2.3 Ens.BusinessProcess",
    "BusinessHost": "2.2/2.5 Ens.Adapter", "ProcessInput": "2.1 Ens.BusinessService",
    "Adapter": "2.4 Ens.Host", "Write": "1.9 %Stream", "Read": "1.9 %Stream", "Rewind": "1.9 %Stream",
    "AtEnd": "1.9 %Stream", "Clear": "%Stream.Object.Clear (empties a body stream that is rewritten)",
    "Size": "1.9 %Stream (%Stream.Object property)", "Error": "1.7 %SYSTEM.Status",
    "GetErrorText": "3.4 %SYSTEM.Status", "CallInterval": "2.2 Ens.InboundAdapter",
    "LoadStream": "3.1 $SYSTEM.OBJ", "Compile": "3.3 $SYSTEM.OBJ",
    "Delete": "3.7 $SYSTEM.OBJ", "GetProductionStatus": "4.3 Ens.Director", "EnableConfigItem": "4.3 Ens.Director",
    "Items": "4.2 Ens.Config.Production", "Count": "4.2 list of Ens.Config.Item", "GetAt": "4.2 list",
    "ClassName": "4.2 Ens.Config.Item", "Enabled": "4.2 Ens.Config.Item", "Name": "4.2 Ens.Config.Item",
    "ADAPTER": "2.1 host class parameter", "IsEnsembleNamespace": "7.3 %EnsembleMgr",
    "Check": "%SYSTEM.Security.Check",
    "GetTextAsString": "%Compiler.UDL.TextServices (UNCONFIRMED; the loader falls back to its own record)",
    "ManagerDirectory": "%Library.File (UNCONFIRMED)", "NameSpace": "%SYSTEM.SYS (UNCONFIRMED)",
    "UserName": "%SYSTEM.Process (UNCONFIRMED)", "ProcessID": "%SYSTEM.SYS, $JOB (UNCONFIRMED)",
    "PoolSize": "4.2 Ens.Config.Item; 8.16 PoolSize=0 runs in the shared actor pool",
    "TimeChanged": "%Dictionary.ClassDefinition (UNCONFIRMED; the base mark falls back to the library version)",
    "TempStopConfigItem": "8.28 Ens.Director (UNCONFIRMED that it keeps the definition; the loader checks the flag)",
    "UpdateProduction": "4.3 Ens.Director", "ProductionNeedsUpdate": "4.3 Ens.Director; 8.33",
}
#: Members defined by PyProd classes that Python code (runtime, harness) reads or writes.
PYPROD_MEMBERS = {"PyObject": "properties", "JsonBody": "properties", "PickleBody": "properties",
                  "JsonChunk": "methods", "JsonOpen": "methods", "JsonFieldList": "methods",
                  "PickleChunk": "methods", "PYMODULE": "parameters",
                  "PYCLASS": "parameters", "LockLoads": "methods", "UnlockLoads": "methods",
                  "IsMessageBody": "methods", "TransactionLevel": "methods", "TransactionStart": "methods",
                  "TransactionCommit": "methods", "TransactionRollback": "methods",
                  "PyDiscardBody": "methods", "ClassUses": "methods"}


def bridge_module():
    common = CLASSES["PyProd.Common"]
    return importlib.import_module(common.parameters["PYBRIDGE"])


def test_every_host_base_class_is_read():
    assert set(HOSTS) <= set(CLASSES)
    for host in HOSTS:
        assert "PyProd.Common" in CLASSES[host].supers


def test_pybridge_imports_the_module_named_by_the_parameter():
    common = CLASSES["PyProd.Common"]
    assert common.methods["PyBridge"].class_method
    source = (SRC_CLS / "PyProd" / "Common.cls").read_text(encoding="utf-8")
    assert "##class(PyProd.Library).Import(..#PYBRIDGE)" in source
    assert bridge_module().__name__ == "intersystems_pyprod.runtime.bridge"


BRIDGE_CALLS = sorted({(call, n, cls.name, caller, wrapped) for cls in CLASSES.values()
                       for call, n, caller, wrapped in cls.bridge_calls})


def test_classes_call_the_bridge():
    assert {c[0] for c in BRIDGE_CALLS} == {
        "start", "on_init", "on_tear_down", "on_process_input", "on_message", "dispatch_message", "bp_init",
        "on_request", "on_response", "on_complete", "on_task", "adapter_call", "on_error", "on_timeout",
        "target_settings"}


@pytest.mark.parametrize("call", BRIDGE_CALLS, ids=lambda c: f"{c[2]}.{c[3]}->{c[0]}")
def test_bridge_function_exists_with_compatible_signature(call):
    name, count, _cls, _caller, wrapped = call
    func = getattr(bridge_module(), name, None)
    assert inspect.isfunction(func), f"bridge has no function {name}"
    inspect.signature(func).bind(*([None] * count))
    if wrapped:
        assert typing.get_origin(typing.get_type_hints(func)["return"]) is list, f"{name} must return a list"


def test_loader_entry_points_exist_and_return_json_text():
    loader_class = CLASSES["PyProd.Loader"]
    module = importlib.import_module(loader_class.parameters["PYLOADER"])
    calls = {(name, n) for name, n, _caller in loader_class.loader_calls}
    assert {name for name, _ in calls} == {"load_file", "load_upload", "restore_version", "unload_script",
                                           "list_scripts", "info", "message_body", "production_summary",
                                           "before_uninstall", "script_history", "plan_upload", "result_chunk"}
    for name, count in calls:
        func = getattr(module, name)
        inspect.signature(func).bind(*([None] * count))
        assert typing.get_type_hints(func)["return"] is str
    source = (SRC_CLS / "PyProd" / "Loader.cls").read_text(encoding="utf-8")
    # writing needs %Development; reading needs only the interoperability resources an operator has;
    # ResultChunk needs none (it returns a stored result only to the user it was made for)
    requires = dict(re.findall(r'ClassMethod (\w+)\(.*\[ Requires = "([^"]+)" \]', source))
    assert requires == {"Load": "%Development:USE", "LoadUploaded": "%Development:USE",
                        "Restore": "%Development:USE", "Unload": "%Development:USE", "List": "%Ens_Portal:USE",
                        "Info": "%Ens_Portal:USE", "MessageBody": "%Ens_MessageContent:USE",
                        "ProductionSummary": "%Ens_Portal:USE", "BeforeUninstall": "%Development:USE",
                        "History": "%Ens_Portal:USE", "PlanUploaded": "%Development:USE"}
    graph = (SRC_CLS / "PyProd" / "Graph.cls").read_text(encoding="utf-8")
    assert re.findall(r'ClassMethod (\w+)\(.*\[ Requires = "([^"]+)" \]', graph) == [
        ("Production", "%Ens_ProductionConfig:READ")]


def test_module_xml_checks_for_loaded_scripts_before_ipm_deletes_anything():
    """``zpm "uninstall"`` runs Clean; the module lifecycle runs Unconfigure inside it before it
    deletes resources, and an error %Status of a Before invoke ends the uninstall there (IPM 0.10.9,
    see loader/uninstall.py). IPM checks the status only when the method returns %Status."""
    invokes = ET.parse(REPO / "module.xml").getroot().findall(".//Module/Invoke")
    assert [(i.get("Class"), i.get("Method"), i.get("Phase"), i.get("When")) for i in invokes
            if i.get("Method") == "BeforeUninstall"] == [("PyProd.Loader", "BeforeUninstall", "Unconfigure", "Before")]
    method = CLASSES["PyProd.Loader"].methods["BeforeUninstall"]
    assert method.class_method and method.args == 0  # IPM passes only the <Arg> elements, none here
    source = (SRC_CLS / "PyProd" / "Loader.cls").read_text(encoding="utf-8")
    assert re.search(r"^ClassMethod BeforeUninstall\(\) As %Status ", source, re.M)


def test_module_xml_puts_the_library_in_the_namespace_not_in_the_instance():
    """IPM's FileCopy into ``${mgrdir}python`` is one folder for every namespace (deleted before each
    copy, removed by any namespace's uninstall; IRIS_REFERENCE.md 8.27). The library folder ships
    as a path resource (copied into a package, otherwise left alone by IPM) and PyProd.Library.Install
    stores it in the namespace after the classes compiled: Activate runs on install, load and
    update, after Compile (%IPM.Lifecycle.Base; %IPM.Utils.Module.LoadModuleFromDirectory)."""
    module = ET.parse(REPO / "module.xml").getroot().find(".//Module")
    for element in module.iter():
        for value in element.attrib.values():
            assert "mgrdir" not in value.lower() and "python/" not in value.lower().replace("src/python/", "")
    assert module.findall("FileCopy") == []
    paths = [r.get("Name") for r in module.findall("Resource") if r.get("Name", "").startswith("/")]
    assert paths == ["/src/python/intersystems_pyprod/"]
    assert (REPO / paths[0].strip("/") / "__init__.py").is_file()
    installs = [i for i in module.findall("Invoke") if i.get("Class") == "PyProd.Library"]
    assert [(i.get("Method"), i.get("Phase"), i.get("When"), [a.text for a in i.findall("Arg")])
            for i in installs] == [("Install", "Activate", "After", ["${root}", "${version}"])]
    method = CLASSES["PyProd.Library"].methods["Install"]
    assert method.class_method and method.args == 2
    source = (SRC_CLS / "PyProd" / "Library.cls").read_text(encoding="utf-8")
    assert re.search(r"^ClassMethod Install\(pRoot As %String, pVersion As %String\) As %Status ", source, re.M)
    # the version IPM passes is the version the library reports (doctor compares them)
    import intersystems_pyprod

    assert module.findtext("Version") == intersystems_pyprod.__version__


def test_every_import_of_the_library_goes_through_pyprod_library():
    """Only PyProd.Library imports Python modules itself: everything else asks it, so the
    namespace's library is in place first (its finder, its version check)."""
    direct = {path.name for path in SRC_CLS.rglob("*.cls")
              if "%SYS.Python).Import(" in path.read_text(encoding="utf-8")}
    assert direct == {"Library.cls"}
    through = {path.name for path in SRC_CLS.rglob("*.cls")
               if "##class(PyProd.Library).Import(" in path.read_text(encoding="utf-8")}
    assert through == {"Common.cls", "JsonMessage.cls", "Loader.cls", "Message.cls"}
    assert CLASSES["PyProd.Library"].methods["Import"].args == 1
    assert CLASSES["PyProd.Library"].methods["Boot"].args == 0


def test_viewer_entry_points_exist_and_return_what_objectscript_reads():
    """PyProd.Message calls the module its PYVIEWER parameter names: ``output_type`` answers a
    string, ``render`` a list it writes piece by piece."""
    message = CLASSES["PyProd.Message"]
    module = importlib.import_module(message.parameters["PYVIEWER"])
    calls = {(name, n) for cls in CLASSES.values() for name, n, _caller in cls.viewer_calls}
    assert calls == {("output_type", 2), ("render", 2)}
    for name, count in calls:
        func = getattr(module, name)
        inspect.signature(func).bind(*([None] * count))
    assert typing.get_type_hints(module.output_type)["return"] is str
    assert typing.get_origin(typing.get_type_hints(module.render)["return"]) is list
    source = (SRC_CLS / "PyProd" / "Message.cls").read_text(encoding="utf-8")
    assert "##class(PyProd.Library).Import(..#PYVIEWER)" in source


def test_path_entry_points_exist_and_answer_what_objectscript_reads():
    """PyProd.JsonMessage's GetValueAt and SetValueAt call the module its PYPATHS parameter names
    with the arguments the ObjectScript passes; get_value_at answers [status, value]."""
    message = CLASSES["PyProd.JsonMessage"]
    module = importlib.import_module(message.parameters["PYPATHS"])
    calls = {(name, n, caller) for name, n, caller in message.paths_calls}
    assert calls == {("get_value_at", 2, "GetValueAt"), ("set_value_at", 5, "SetValueAt"),
                     ("get_next_index", 3, "GetNextIndex"), ("on_save", 1, "%OnAddToSaveSet")}
    for name, count, _caller in calls:
        inspect.signature(getattr(module, name)).bind(*([None] * count))
    assert typing.get_origin(typing.get_type_hints(module.get_value_at)["return"]) is list
    # the signatures DTL and rule code call (Ens.VDoc.Interface)
    assert message.methods["GetValueAt"].args == 4 and message.methods["SetValueAt"].args == 4
    assert message.methods["GetNextIndex"].args == 3
    assert typing.get_origin(typing.get_type_hints(module.get_next_index)["return"]) is list


def test_message_storage_members_are_private_and_python_writes_through_methods():
    """The rule editor lists non-private properties: the body and its field list are Private, and
    the runtime reaches them through PyProd.JsonMessage's methods (JsonChunk, JsonOpen, JsonFieldList)."""
    source = (SRC_CLS / "PyProd" / "JsonMessage.cls").read_text(encoding="utf-8")
    assert "Property JsonBody As %Stream.GlobalCharacter [ Private ];" in source
    assert "Property JsonFields As %String(MAXLEN = \"\") [ Private ];" in source


@pytest.mark.parametrize("cls", sorted(CLASSES), ids=str)
def test_calls_on_self_resolve(cls):
    """``..Method(args)`` inside PyProd classes names a PyProd method with room for the arguments
    (or an inherited Ens/% method, which cannot be checked here and is listed)."""
    inherited = {"AsStatus", "DisplayString", "%ToJSON"}
    for name, count, caller in CLASSES[cls].self_calls:
        method = lookup(CLASSES, cls, name, "methods")
        if method is None:
            assert name in inherited, f"{cls}.{caller} calls ..{name}(), defined nowhere in src/cls"
            continue
        assert count <= method.args or method.varargs, f"{cls}.{caller} passes {count} args to {name}"


def test_generated_entry_points_call_an_existing_method():
    for path in (REPO / "tests" / "golden").rglob("*.cls"):
        info = read_class(path.read_text(encoding="utf-8"))
        for name, count, caller in info.self_calls:
            base = info.supers[0]
            method = lookup(CLASSES, base, name, "methods")
            assert method is not None, f"{info.name}.{caller} calls ..{name}, missing in {base}"
            assert count == method.args, f"{info.name}.{caller}: {count} args for {name}({method.args})"


#: Module names of the library (``from . import sealing`` makes ``sealing.X`` a Python name).
PACKAGE_MODULES = {path.stem for path in RUNTIME.parent.rglob("*.py")} - {"__init__"}


def _runtime_attributes() -> Dict[str, Set[str]]:
    """PascalCase attributes and _GetParameter names used by the runtime and the harness."""
    used: Dict[str, Set[str]] = {}
    files = [*RUNTIME.glob("*.py"), *LOADER.glob("*.py"),
             *(RUNTIME.parent / "testing" / name for name in ("harness.py", "hostobj.py", "items.py"))]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                   for alias in node.names}
        modules |= {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    for alias in node.names if alias.name in PACKAGE_MODULES}
        for node in ast.walk(tree):
            on_module = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.value.id in modules
            if isinstance(node, ast.Attribute) and node.attr[:1].isupper() and not on_module:
                used.setdefault(node.attr, set()).add(path.name)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr == "_GetParameter" and node.args and isinstance(node.args[0], ast.Constant):
                used.setdefault(node.args[0].value, set()).add(path.name)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" and \
                    len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and \
                    str(node.args[1].value)[:1].isupper():
                used.setdefault(str(node.args[1].value), set()).add(path.name)
    return used


def test_every_iris_member_python_uses_is_known():
    used = _runtime_attributes()
    python_only = {"Harness", "LogEntry", "TraceEntry", "OK", "HostObject", "Item", "BodyError", "MAX_PICKLE_BYTES"}
    unknown = {name: files for name, files in used.items()
               if name not in IRIS_MEMBERS and name not in PYPROD_MEMBERS and name not in python_only}
    assert unknown == {}, "runtime uses IRIS members not checked by this contract: add them to IRIS_MEMBERS " \
                          "(with a reference) or define them in src/cls"
    for name in PYPROD_MEMBERS:
        assert name in used, f"{name} is listed but no longer used: remove it"


def test_system_classes_are_reached_through_cls():
    """``iris.system`` is not in every supported release's ``iris`` module (bug magnet 22): every
    ``%SYSTEM`` class is reached with ``iris.cls``, and the stand-ins have no ``system`` to lean on."""
    from intersystems_pyprod.testing.standin import IrisStandIn

    from .fake_iris import FakeIris

    found = []
    for root in (REPO / "src" / "python" / "intersystems_pyprod", REPO / "cli" / "intersystems_pyprod_cli"):
        for path in root.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(REPO)}:{node.lineno}" for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute) and node.attr == "system"]
    assert found == [], "use iris.cls(\"%SYSTEM.<Class>\") instead of iris.system.<Class>"
    assert not hasattr(IrisStandIn(lambda *a: None), "system") and not hasattr(FakeIris(), "system")


@pytest.mark.parametrize("member, kind", sorted(PYPROD_MEMBERS.items()))
def test_pyprod_members_python_relies_on_exist(member, kind):
    owners = {"PyObject": HOSTS, "JsonBody": ["PyProd.JsonMessage"], "PickleBody": ["PyProd.PickleMessage"],
              "PickleChunk": ["PyProd.PickleMessage"], "JsonChunk": ["PyProd.JsonMessage"],
              "JsonOpen": ["PyProd.JsonMessage"], "JsonFieldList": ["PyProd.JsonMessage"],
              "PYMODULE": [*HOSTS, "PyProd.JsonMessage", "PyProd.PickleMessage"],
              "PYCLASS": [*HOSTS, "PyProd.JsonMessage", "PyProd.PickleMessage"],
              "PyDiscardBody": ["PyProd.BusinessProcess"]}.get(member, ["PyProd.Loader"])
    for owner in owners:
        assert lookup(CLASSES, owner, member, kind) is not None, f"{owner} has no {kind[:-1]} {member}"


def test_message_streams_have_the_types_the_runtime_writes():
    assert CLASSES["PyProd.JsonMessage"].properties["JsonBody"] == "%Stream.GlobalCharacter"
    assert CLASSES["PyProd.PickleMessage"].properties["PickleBody"] == "%Stream.GlobalBinary"
    source = Path(RUNTIME / "messages.py").read_text(encoding="utf-8")
    assert '"%Stream.GlobalCharacter"' in source and '"%Stream.GlobalBinary"' in source


def test_callback_signatures_match_the_engine():
    """The overrides keep the signatures IRIS_REFERENCE.md section 2 gives (argument counts)."""
    expected = {
        ("PyProd.BusinessService", "OnProcessInput"): 3, ("PyProd.BusinessProcess", "OnRequest"): 2,
        ("PyProd.BusinessProcess", "OnResponse"): 5, ("PyProd.BusinessProcess", "OnComplete"): 2,
        ("PyProd.BusinessOperation", "OnMessage"): 2, ("PyProd.InboundAdapter", "OnTask"): 0,
        ("PyProd.BusinessProcess", "OnError"): 5, ("PyProd.BusinessProcess", "OnTimeout"): 4,
    }
    for (cls, method), count in expected.items():
        assert CLASSES[cls].methods[method].args == count, f"{cls}.{method}"
    for host in HOSTS:
        assert "OnInit" in CLASSES[host].methods


def test_bridge_never_hands_python_none_to_objectscript(tmp_path):
    """Outputs go back as IRIS values: no output is "", never None (whose conversion is unconfirmed)."""
    from intersystems_pyprod.runtime import bridge

    class Dummy:
        def on_message(self, request):
            return None

        def on_task(self):
            raise RuntimeError("x")

    assert bridge.on_message(Dummy(), "") == [1, ""]
    status = bridge.on_task(Dummy())
    assert str(status).startswith("0")


@pytest.mark.parametrize("host", ["PyProd.BusinessService", "PyProd.BusinessProcess", "PyProd.BusinessOperation"])
def test_hosts_draw_their_python_connections(host):
    """``OnGetConnections(Output pArray, pItem)`` (IRIS_REFERENCE.md 4.2) keeps IRIS's arrows and adds the
    Python target settings through the bridge."""
    method = CLASSES[host].methods["OnGetConnections"]
    assert method.class_method and method.args == 2
    source = (SRC_CLS / "PyProd" / f"{host.split('.')[1]}.cls").read_text(encoding="utf-8")
    assert "do ##super(.pArray, pItem)" in source and "do ..PyConnections(.pArray, pItem)" in source
    helper = CLASSES["PyProd.Common"].methods["PyConnections"]
    assert helper.class_method and helper.args == 2


def test_target_settings_bridge_answers_pairs_and_survives_a_missing_class(monkeypatch):
    from intersystems_pyprod.api import engine
    from intersystems_pyprod.loader import paths
    from intersystems_pyprod.runtime import bridge

    monkeypatch.setattr(engine, "_current", None)  # as in a process that never ran a callback
    monkeypatch.setattr(paths, "ensure_sources", lambda: None)
    assert bridge.target_settings("no_such_module_here", "Nothing") == []
    pairs = bridge.target_settings("intersystems_pyprod.api.hosts", "BusinessService")
    assert pairs == []

