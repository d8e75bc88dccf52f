"""A production read from IRIS (``PyProd.Graph.Production``) as a Python production declaration of
this library, which ``--dry-run`` accepts and whose generated production has the same items and
settings. Python hosts become references to their classes (their modules are imported);
ObjectScript hosts keep their IRIS class names."""

from __future__ import annotations

import keyword
from typing import Any, Dict, List, Mapping, Tuple

from ..api.production import PRODUCTION_SETTINGS, Production
from ..naming import iris_name

_ITEM_TYPES = {"service": ("services", "ServiceItem"), "process": ("processes", "ProcessItem"),
               "operation": ("operations", "OperationItem")}
_PRODUCTION_SETTINGS = {iris_name(name): name for name in PRODUCTION_SETTINGS}


def _value(text: Any) -> Any:
    """A setting value as Python: the text, or a whole number when it is one (as written back)."""
    value = "" if text is None else str(text)
    return int(value) if value.isdigit() and str(int(value)) == value else value


def _settings(entries: List[Mapping[str, Any]], target: str) -> Dict[str, Any]:
    return {str(s["name"]): str(s.get("value") or "") for s in entries or []
            if str(s.get("target") or "").lower() == target}


def _host_reference(item: Mapping[str, Any], imports: Dict[str, str]) -> str:
    """The Python expression naming an item's class."""
    module, qualname = str(item.get("pymodule") or ""), str(item.get("pyclass") or "")
    parts = [*module.split("."), *qualname.split(".")]
    if item.get("python") and module and qualname and all(p.isidentifier() and not keyword.iskeyword(p)
                                                           for p in parts):
        imports[module] = module
        return f"{module}.{qualname}"
    return repr(str(item["class"]))


def declaration(document: Mapping[str, Any]) -> Tuple[str, List[str]]:
    """(the Python source, notes on what could not be carried over) of a production document."""
    name = str(document["name"])
    package, _, class_name = name.rpartition(".")
    if not class_name.isidentifier() or keyword.iskeyword(class_name):
        class_name = "ExportedProduction"
    notes: List[str] = []
    imports: Dict[str, str] = {}
    groups: Dict[str, List[str]] = {"services": [], "processes": [], "operations": []}
    for item in document.get("items") or []:
        kind = str(item.get("kind") or "")
        if kind not in _ITEM_TYPES:
            notes.append(f"item {item['name']}: class {item['class']} is not a compiled service, process or "
                         "operation here; it is declared as an operation")
            kind = "operation"
        attr, item_type = _ITEM_TYPES[kind]
        args = [repr(str(item["name"])), _host_reference(item, imports)]
        pool = item.get("poolSize")
        options: List[Tuple[str, Any]] = [("pool_size", int(pool))] if pool not in (None, "") else []
        options += [
            ("enabled", bool(item.get("enabled", True))),
            ("category", str(item.get("category") or "")), ("comment", str(item.get("comment") or "")),
            ("foreground", bool(item.get("foreground"))), ("log_trace_events", bool(item.get("logTraceEvents"))),
            ("schedule", str(item.get("schedule") or ""))]
        host = _settings(item.get("settings"), "host")
        adapter = _settings(item.get("settings"), "adapter")
        options += [("host_settings", host)] if host else []
        options += [("adapter_settings", adapter)] if adapter else []
        kept = [f"{k}={v!r}" for k, v in options if k in ("pool_size", "enabled") or v]
        shown = ",\n            ".join([*args, *kept])
        groups[attr].append(f"        {item_type}(\n            {shown}),")
    used = sorted(["Production", *(_ITEM_TYPES[k][1] for k in _ITEM_TYPES if groups[_ITEM_TYPES[k][0]])])
    lines = [f'"""Production {name}, exported from IRIS by intersystems_pyprod export."""', "",
             f"from intersystems_pyprod import {', '.join(used)}", ""]
    lines += [f"import {module}" for module in sorted(imports)]
    lines += ["", f"iris_package_name = {package!r}"] if package else []
    lines += ["", "", f"class {class_name}(Production):"]
    body: List[str] = []
    if document.get("description"):
        body.append(f"    description = {str(document['description'])!r}")
    if document.get("actorPoolSize") not in (None, "", Production.actor_pool_size):
        body.append(f"    actor_pool_size = {int(document['actorPoolSize'])}")
    for field, attr in (("testingEnabled", "testing_enabled"), ("logGeneralTraceEvents", "log_general_trace_events")):
        if document.get(field):
            body.append(f"    {attr} = True")
    for setting in document.get("settings") or []:
        known = _PRODUCTION_SETTINGS.get(str(setting.get("name")))
        if known is None:
            notes.append(f"production setting {setting.get('name')} has no production attribute here; add it to the "
                         "production class by hand")
            continue
        body.append(f"    {known} = {_value(setting.get('value'))!r}")
    for attr, entries in groups.items():
        if entries:
            body += [f"    {attr} = [", *entries, "    ]"]
    lines += body or ["    pass"]
    return "\n".join(lines) + "\n", notes


def check_name(production: Any) -> str:
    """A production name a caller passed, or a usage error."""
    from .failures import USAGE, DirectorError

    if not isinstance(production, str) or not production.strip():
        raise DirectorError(f"production name {production!r} is empty", "pass the production's class name", USAGE)
    return production


def exported(production: str, document: Mapping[str, Any]) -> Dict[str, Any]:
    """The result of an export: {"ok", "production", "source", "notes", "error"}, from what
    ``PyProd.Graph.Production`` answered."""
    if not document.get("ok"):
        return {"ok": False, "production": production, "error": document.get("error") or "unknown error"}
    source, notes = declaration(document)
    return {"ok": True, "production": production, "source": source, "notes": notes, "error": None}
