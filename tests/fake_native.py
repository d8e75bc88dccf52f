"""A fake of the Native SDK (``iris`` of intersystems-irispython) whose server side runs the real
Python half of the loader in-process, against a fake namespace (not shipped)."""

from __future__ import annotations

import json
import re
import time
from typing import Any, Dict, List, Optional

from intersystems_pyprod.errors import PyProdError
from intersystems_pyprod.loader import history, preview, results, service
from intersystems_pyprod.loader.globals import MemoryGlobals
from intersystems_pyprod.loader.store import SourceStore
from intersystems_pyprod.loader.upload import is_token, load_staged

from .fake_namespace import FakeNamespace
from .helpers import REPO

#: SDK members the fake implements; a test checks each exists in the installed SDK.
MODULE_MEMBERS = ("connect", "createIRIS", "IRISReference")
IRIS_MEMBERS = ("classMethodValue", "classMethodString", "set", "get", "kill")
#: The Requires keyword of each PyProd.Loader and PyProd.Graph method, read from the classes themselves.
LOADER_REQUIRES = {name: resource for cls in ("Loader", "Graph") for name, resource in re.findall(
    r'ClassMethod (\w+)\(.*\[ Requires = "([^"]+)" \]',
    (REPO / "src" / "cls" / "PyProd" / f"{cls}.cls").read_text(encoding="utf-8"))}


class FakeReference:
    def __init__(self, value: Any = None) -> None:
        self._value = value

    def getValue(self) -> Any:
        return self._value

    def setValue(self, value: Any) -> None:
        self._value = value


class FakeObject:
    """An ``IRISObject`` proxy of a business service made by CreateBusinessService."""

    def __init__(self, class_name: str) -> None:
        self.class_name = class_name
        self.props: Dict[str, Any] = {"TargetConfigName": ""}
        self.invoked: List[tuple] = []

    def invoke(self, method: str, *args: Any) -> Any:
        self.invoked.append((method, *args))
        if method == "%ClassName":
            return self.class_name
        if method == "ProcessInput":
            args[1].setValue(f"echo:{args[0]}")
            return 1
        return f"{method}{args}"

    def get(self, name: str) -> Any:
        return self.props[name]

    def set(self, name: str, value: Any) -> None:
        self.props[name] = value


class FakeServer:
    """One IRIS instance with one namespace."""

    def __init__(self, password: str = "s3cret!", namespace: str = "USER") -> None:
        self.password = password
        self.namespace_name = namespace
        self.reachable = True
        self.pyprod_installed = True
        self.interop = True
        self.server_version = "0.3.0"
        #: What Info says of the library: None means "served from the namespace's ^PyProd.Lib, the
        #: version the classes were installed with"; {} leaves it out (servers before 0.3.0).
        self.library: Optional[Dict[str, Any]] = None
        self.globals: Dict[str, MemoryGlobals] = {}
        self.namespace = FakeNamespace()
        self.store: SourceStore = self.namespace.store()
        self.job = "4242"
        #: The process the connection reports to the client ($JOB), when it differs from ``job``.
        self.client_job = ""
        self.username = "_SYSTEM"
        self.production = ("", 2)
        self.director_calls: List[tuple] = []
        self.connects: List[Dict[str, Any]] = []
        self.headers: List[Dict[str, Any]] = []
        self.log: List[Dict[str, Any]] = []
        self.bodies: Dict[tuple, str] = {}
        self.queries: List[tuple] = []
        self.missing_privileges: List[str] = []
        #: GetProductionSummary rows; members ("Class||Member") of compiled classes; services made.
        self.summary: Dict[str, List[Any]] = {}
        self.members: Dict[str, str] = {}
        self.services: List[FakeObject] = []
        #: IRIS memory of the connection's server job (tests.fake_hosts.Heap): when set, hosts made by
        #: CreateBusinessService follow IRIS's reference counting and job registration.
        self.heap: Any = None
        #: PyProd.Graph.Production documents by production name.
        self.graphs: Dict[str, Dict[str, Any]] = {}
        #: The server's clock (seconds), which the purge of stale uploads reads.
        self.clock = time.time
        #: The e2e suite's helper class PyProdE2E.Tools (tests/e2e/cls/Tools.cls), when a test serves
        #: it: an object whose ``call(method, *args)`` answers as the class does (a JSON document).
        self.e2e_tools: Any = None

    def g(self, name: str) -> MemoryGlobals:
        return self.globals.setdefault(name, MemoryGlobals())


def _kind(classes: Dict[str, str], name: str) -> str:
    """service, process, operation or host, as PyProd.Graph.Kind says (from the class's Extends chain)."""
    bases = {"Ens.BusinessService": "service", "PyProd.BusinessService": "service", "Ens.BusinessProcess": "process",
             "PyProd.BusinessProcess": "process", "Ens.BusinessOperation": "operation",
             "PyProd.BusinessOperation": "operation", "EnsLib.File.PassthroughOperation": "operation",
             "EnsLib.File.PassthroughService": "service"}
    seen = set()
    while name not in bases and name.lower() not in seen:
        seen.add(name.lower())
        text = next((t for n, t in classes.items() if n.lower() == name.lower()), "")
        found = re.search(r"^Class\s+\S+\s+Extends\s+\(?([\w.%]+)", text, re.M)
        if not found:
            return "host"
        name = found.group(1)
    return bases.get(name, "host")


def production_document(classes: Dict[str, str], name: str) -> Optional[Dict[str, Any]]:
    """PyProd.Graph.Production of a production class in the namespace: the Ens.Config.Production and
    Ens.Config.Item rows compiling its XData ProductionDefinition makes."""
    import xml.etree.ElementTree as ET

    text = next((t for n, t in classes.items() if n.lower() == name.lower()), None)
    found = re.search(r"XData ProductionDefinition\s*\{\s*(<Production\b.*?</Production>)", text or "", re.S)
    if not found:
        return None
    root = ET.fromstring(found.group(1))

    def settings(element: Any) -> List[Dict[str, str]]:
        return [{"target": s.get("Target", ""), "name": s.get("Name", ""), "value": (s.text or "").strip()}
                for s in element.findall("Setting")]

    def flag(value: Optional[str]) -> bool:
        return str(value).lower() in ("1", "true")

    items = []
    for item in root.findall("Item"):
        class_name = item.get("ClassName", "")
        source = next((t for n, t in classes.items() if n.lower() == class_name.lower()), "")
        module = re.search(r'Parameter PYMODULE = "([^"]*)"', source)
        pyclass = re.search(r'Parameter PYCLASS = "([^"]*)"', source)
        items.append({"name": item.get("Name"), "class": class_name, "kind": _kind(classes, class_name),
                      "python": bool(module), "pymodule": module.group(1) if module else None,
                      "pyclass": pyclass.group(1) if pyclass else None, "enabled": flag(item.get("Enabled", "1")),
                      "poolSize": int(item.get("PoolSize") or 0), "category": item.get("Category", ""),
                      "comment": item.get("Comment", ""), "foreground": flag(item.get("Foreground")),
                      "logTraceEvents": flag(item.get("LogTraceEvents")), "schedule": item.get("Schedule", ""),
                      "settings": settings(item), "connections": []})
    return {"ok": True, "name": name, "description": (root.findtext("Description") or "").strip(),
            "actorPoolSize": int(root.findtext("ActorPoolSize") or 0),
            "testingEnabled": flag(root.get("TestingEnabled")),
            "logGeneralTraceEvents": flag(root.get("LogGeneralTraceEvents")), "settings": settings(root),
            "items": items}


class FakeIRIS:
    def __init__(self, server: FakeServer) -> None:
        self.server = server

    # -- globals (value first in set, as the SDK) ----------------------------------------------
    def set(self, value: Any, global_name: str, *subs: Any) -> None:
        self.server.g(global_name).set(subs, value)

    def get(self, global_name: str, *subs: Any) -> Any:
        return self.server.g(global_name).get(subs)

    def kill(self, global_name: str, *subs: Any) -> None:
        self.server.g(global_name).kill(subs)

    # -- class methods -------------------------------------------------------------------------
    def classMethodValue(self, cls: str, method: str, *args: Any) -> Any:
        server = self.server
        if (cls, method) == ("%Dictionary.CompiledClass", "%ExistsId"):
            return int(args[0] in ("PyProd.Loader", "PyProd.Graph") and server.pyprod_installed)
        if (cls, method) == ("%SYSTEM.Security", "Check"):
            return int(args[0] not in server.missing_privileges)
        if (cls, method) == ("%SYSTEM.SYS", "ProcessID"):
            return int(server.client_job or server.job)
        if (cls, method) == ("%SYSTEM.Process", "UserName"):
            return server.username
        if (cls, method) == ("%EnsembleMgr", "IsEnsembleNamespace"):
            return int(server.interop)
        if cls in ("%Dictionary.CompiledProperty", "%Dictionary.CompiledMethod") and method == "%ExistsId":
            return int(server.members.get(args[0]) == cls.rsplit("Compiled", 1)[1])
        if (cls, method) == ("Ens.Job", "UnRegister") and server.heap is not None:
            return server.heap.unregister(*args)
        if cls in ("PyProd.Loader", "PyProd.Graph"):  # %String methods: the SDK returns the text either way
            return self.classMethodString(cls, method, *args)
        if cls == "Ens.Director":
            server.director_calls.append((method, *args))
            if method == "CreateBusinessService" and server.heap is not None:
                made = server.heap.create_business_service(args[0], embedded=False)
                args[1].setValue(made)
                return 1 if made is not None else "0 ERROR #5001: no item " + args[0]
            if method == "CreateBusinessService":
                if args[0] != "Demo.Service":
                    return "0 ERROR #5001: no item " + args[0]
                service = FakeObject("Demo.ServiceClass")
                server.services.append(service)
                args[1].setValue(service)
                return 1
            if method == "GetProductionStatus":
                args[0].setValue(server.production[0] or None)
                args[1].setValue(server.production[1])
                return 1
            if method == "StartProduction":
                if server.production[1] == 1:
                    return "0 ERROR <Ens>ErrProductionAlreadyRunning"
                server.production = (args[0] if args else "Demo.Prod", 1)
                return 1
            if method == "StopProduction":
                server.production = (server.production[0], 2)
                return 1
            return 1
        raise RuntimeError(f"<CLASS DOES NOT EXIST> {cls}.{method}")

    def _staged(self, token: str, digest: str, then: Any) -> str:
        """What loader/server.py's ``_staged`` does, on the fake namespace: the shared upload checks
        (``upload.load_staged``), then ``then(files, entry, project)``; a long result is chunked."""
        server = self.server
        try:
            document = load_staged(server.g("PyProd.Upload"), token, digest, server.username, then,
                                   int(server.clock()))
        except PyProdError as exc:
            return json.dumps({"ok": False, "error": str(exc)})
        return self.reply(json.dumps(document), token)

    def classMethodString(self, cls: str, method: str, *args: Any) -> Optional[str]:
        server = self.server
        if (cls, method) == ("%SYSTEM.Status", "GetErrorText"):
            return str(args[0])[2:]
        if cls == "PyProdE2E.Tools" and server.e2e_tools is not None:  # %String methods returning JSON
            return json.dumps(server.e2e_tools.call(method, *args))
        if cls not in ("PyProd.Loader", "PyProd.Graph") or not server.pyprod_installed:
            raise RuntimeError(f"<CLASS DOES NOT EXIST> {cls}")
        resource = LOADER_REQUIRES.get(method, ":").split(":")[0]
        if resource in server.missing_privileges:  # what the method's Requires keyword does in IRIS
            raise RuntimeError(f"<PROTECT> {cls}.{method} requires {LOADER_REQUIRES[method]}")
        if (cls, method) == ("PyProd.Graph", "Production"):
            found = server.graphs.get(args[0]) or production_document(server.namespace.classes, args[0])
            return json.dumps(found or {"ok": False, "error": f"no production named {args[0]} in this namespace"})
        if method == "LoadUploaded":  # what loader/server.py does, on the fake namespace
            token, with_texts, digest, take_over, overwrite = [*args, 0, "", 0, 0][:5]
            return self._staged(token, digest, lambda files, entry, project: service.load_sources(
                server.namespace, server.store, files, entry, bool(with_texts), take_over=bool(take_over),
                project=project, overwrite_production=bool(overwrite)).as_dict())
        if method == "PlanUploaded":
            token, digest, take_over, overwrite, diff = [*args, "", 0, 0, 0][:5]
            return self._staged(token, digest, lambda files, entry, project: preview.plan_sources(
                server.namespace, server.store, files, entry, bool(diff), take_over=bool(take_over),
                project=project, overwrite_production=bool(overwrite)).as_dict())
        if method == "ResultChunk":
            try:
                part = results.part(server.g("PyProd.Upload"), args[0], int(args[1]), server.username)
            except PyProdError as exc:
                return json.dumps({"ok": False, "error": str(exc)})
            return json.dumps(part)
        if method == "Unload":
            return json.dumps(service.unload(server.namespace, server.store, args[0]).as_dict())
        if method == "List":
            return self.reply(json.dumps({"ok": True, "scripts": service.listing(server.store)}))
        if method == "History":  # what loader/server.py does
            try:
                return self.reply(json.dumps(history.history(server.store, args[0])))
            except PyProdError as exc:
                return json.dumps({"ok": False, "error": str(exc)})
        if method == "Restore":
            script, version, overwrite = [*args, 0, 0][:3]
            result = service.restore(server.namespace, server.store, script, int(version or 0) or None,
                                     overwrite_production=bool(overwrite))
            return self.reply(json.dumps(result.as_dict()))
        if method == "MessageBody":
            return json.dumps({"ok": True, "body": server.bodies[(args[0], args[1])]})
        if method == "ProductionSummary":
            return json.dumps({"ok": True, "status": 1, "productions": server.summary})
        if method == "Info":
            document = {"ok": True, "version": server.server_version, "python": "3.12.3"}
            if server.library is None:
                document["library"] = {"stored": server.server_version, "file": f"/pyprod-lib/{server.namespace_name}"
                                       f"/{server.server_version}/intersystems_pyprod/__init__.py"}
            elif server.library:
                document["library"] = server.library
            return json.dumps(document)
        raise RuntimeError(f"<METHOD DOES NOT EXIST> {cls}.{method}")


    def reply(self, text: str, token: str = "") -> str:
        """What loader/server.py's ``_json`` returns: the text, or a pointer to it stored in parts."""
        return results.reply(self.server.g("PyProd.Upload"), text, token if is_token(token) else results.new_token(),
                             self.server.username)


class FakeCursor:
    """DB-API cursor over the server's message headers and event log."""

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.description: List[tuple] = []
        self._rows: List[tuple] = []

    def execute(self, sql: str, params: List[Any]) -> None:
        self.server.queries.append((sql, list(params)))
        if "FROM Ens.MessageHeader" in sql and "SourceConfigName = ?" in sql:  # a host's messages
            columns = ["ID", "TimeCreated", "SourceConfigName", "TargetConfigName", "Status", "SessionId",
                       "MessageBodyClassName", "MessageBodyId"]
            rows = [r for r in self.server.headers if params[1] in (r["SourceConfigName"], r["TargetConfigName"])]
            rows = sorted(rows, key=lambda r: r["TimeCreated"], reverse=True)[: params[0]]
            self.description = [(n,) for n in columns]
            self._rows = [tuple(r[n] for n in columns) for r in rows]
            return
        if "FROM Ens.MessageHeader" in sql:
            rows = self.server.headers
            if "WHERE SessionId = ?" in sql:
                rows = [r for r in rows if r["SessionId"] == params[1]]
        elif "FROM Ens_Util.Log" in sql:
            rows = [r for r in self.server.log if r["ID"] > params[1]]
        else:
            raise RuntimeError(f"unexpected SQL {sql}")
        rows = sorted(rows, key=lambda r: -r["ID"])[: params[0]]
        names = list(rows[0]) if rows else []
        self.description = [(n,) for n in names]
        self._rows = [tuple(r[n] for n in names) for r in rows]

    def fetchall(self) -> List[tuple]:
        return self._rows

    def close(self) -> None:
        pass


class FakeConnection:
    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.closed = False

    def cursor(self) -> FakeCursor:
        return FakeCursor(self.server)

    def close(self) -> None:
        self.closed = True


class FakeSDK:
    """Stands for the ``iris`` package: ``connect``, ``createIRIS``, ``IRISReference``."""

    IRISReference = FakeReference

    def __init__(self, server: FakeServer) -> None:
        self.server = server

    def connect(self, **options: Any) -> FakeConnection:
        server = self.server
        server.connects.append(options)
        if not server.reachable:
            raise RuntimeError("<COMMUNICATION LINK ERROR> Failed to connect to server; Details: Error code: -1")
        # The real client wraps each refusal at connect time so (5.1 to 5.4); the server's own text
        # after it is a guess, and this one even repeats the password, to test scrubbing.
        refused = ("<COMMUNICATION LINK ERROR> Failed to connect to server; Details: <COMMUNICATION ERROR> Invalid "
                   "Message received; Details: ")
        if options["password"] != server.password:
            raise RuntimeError(f"{refused}Access Denied for {options['username']} with password {options['password']}")
        if options["namespace"] != server.namespace_name:
            raise RuntimeError(f"{refused}<NAMESPACE> {options['namespace']} does not exist")
        return FakeConnection(server)

    def createIRIS(self, connection: FakeConnection) -> FakeIRIS:
        return FakeIRIS(self.server)
