"""Build the graph of a script's production (or of a production document read from IRIS)."""

from __future__ import annotations

import sys
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from .. import naming
from ..loader.importer import import_script
from ..model.introspect import build_model
from ..model.targets import is_conventional_target, split_targets, target_names
from ..model.types import ClassModel, ScriptModel
from ..testing.items import ItemBuilder
from ..testing.production_cls import is_production_file, read_production
from .model import Edge, Graph, Node
from .sends import sends_of

KIND_OF = {"BusinessService": "service", "BusinessProcess": "process", "BusinessOperation": "operation"}
#: Class-name endings that tell an ObjectScript host's kind when only its name is known.
_NAME_HINTS = (("Service", "service"), ("Operation", "operation"), ("Process", "process"),
               ("RoutingEngine", "process"), ("Router", "process"))


def objectscript_kind(class_name: str) -> str:
    """The kind of an ObjectScript host guessed from its class name (``host`` when unclear)."""
    short = class_name.rsplit(".", 1)[-1]
    return next((kind for end, kind in _NAME_HINTS if short.endswith(end)), "host")


class _Edges:
    """Collects nodes' arrows, flagging targets that are no item."""

    def __init__(self, items: Iterable[str]) -> None:
        self.items = set(items)
        self.edges: Dict[Tuple[str, str, str], Edge] = {}
        self.problems: Dict[str, List[str]] = {}

    def add(self, source: str, target: str, setting: str, messages: Tuple[str, ...] = ()) -> None:
        key = (source, target, setting)
        edge = self.edges.get(key)
        if edge is None:
            edge = self.edges[key] = Edge(source, target, setting, (), target not in self.items)
            if edge.missing:
                what = f"setting {setting}" if setting else "its code"
                self.problems.setdefault(source, []).append(
                    f"{what} names {target!r}, which is no item of the production")
        edge.messages = tuple(dict.fromkeys(edge.messages + messages))

    def settings(self, source: str, values: Mapping[str, str], targets: Iterable[str]) -> None:
        """Arrows for target settings (every name) and for other settings whose value lists only items."""
        targets = set(targets)
        for setting, value in values.items():
            parts = split_targets(value)
            if setting in targets or is_conventional_target(setting):
                for part in parts:
                    self.add(source, part, setting)
            elif parts and all(p in self.items and p != source for p in parts):
                for part in parts:
                    self.add(source, part, setting)

    def graph(self, name: str, nodes: List[Node]) -> Graph:
        known = {n.name for n in nodes}
        for node in nodes:
            node.problems = self.problems.get(node.name, [])
        missing = sorted({e.target for e in self.edges.values() if e.missing and e.target not in known})
        nodes = nodes + [Node(m, "missing", "", False, True, ["no item of this name"]) for m in missing]
        return Graph(name, nodes, list(self.edges.values()))


def _all_settings(model: ClassModel, classes: Dict[str, ClassModel]) -> Tuple[List[str], Dict[str, str]]:
    """SETTINGS entries and defaults (as text) of a host class and the user classes it extends."""
    entries: List[str] = []
    defaults: Dict[str, str] = {}
    chain: Optional[ClassModel] = model
    while chain is not None:
        entries += chain.settings
        for prop in chain.properties:
            if prop.default is not None:
                defaults.setdefault(prop.iris_name, str(prop.default))
        chain = classes.get(chain.extends) if chain.extends else None
    return entries, defaults


def _python_class(model: ClassModel) -> Optional[type]:
    module = sys.modules.get(model.py_module)
    value = getattr(module, model.py_class, None) if module is not None else None
    return value if isinstance(value, type) else None


def _message_names(script: ScriptModel) -> Dict[str, str]:
    return {c.py_class: c.iris_name for c in script.classes if c.kind in ("JsonMessage", "PickleMessage")}


def graph_from_script(script: str, production: Optional[str] = None) -> Graph:
    """The graph of ``script``'s production: a Python ``Production`` class (by name when there are
    several), an ObjectScript production class file (``.cls``), or, with neither, one item per host
    named after its Python class."""
    imported = import_script(script)
    model = build_model(str(imported.path), imported.module_name, imported.local_modules)
    items = ItemBuilder(script, model).build(production)
    classes = {c.iris_name: c for c in model.classes}
    messages = _message_names(model)
    edges = _Edges(items)
    nodes: List[Node] = []
    for item in items.values():
        host = item.model
        if host is None:
            nodes.append(Node(item.name, objectscript_kind(item.class_name), item.class_name, False, item.enabled))
            edges.settings(item.name, item.settings, ())
            continue
        nodes.append(Node(item.name, KIND_OF.get(host.kind, "host"), host.iris_name, True, item.enabled))
        entries, defaults = _all_settings(host, classes)
        targets = target_names(entries)
        values = {name: defaults[name] for name in targets if name in defaults}
        values.update(item.settings)
        edges.settings(item.name, values, targets)
        cls = _python_class(host)
        for send in sends_of(cls) if cls is not None else []:
            sent = (messages.get(send.message, send.message),) if send.message else ()
            kind, name = send.via
            if kind == "item":
                edges.add(item.name, name, "", sent)
                continue
            setting = naming.iris_name(name)
            for part in split_targets(values.get(setting, "")):
                edges.add(item.name, part, setting, sent)
    if is_production_file(production):
        title = read_production(str(production)).name
    else:
        title = production or next((c.iris_name for c in model.classes if c.kind == "Production"),
                                   imported.path.name)
    return edges.graph(title, nodes)


def graph_from_document(document: Mapping[str, Any]) -> Graph:
    """The graph of a production read from IRIS: ``{"name", "items": [{"name", "class", "kind",
    "python", "enabled", "settings": [{"target", "name", "value"}], "connections": [...]}]}``."""
    raw_items = [i for i in document.get("items") or [] if isinstance(i, Mapping)]
    edges = _Edges(str(i.get("name", "")) for i in raw_items)
    nodes: List[Node] = []
    for raw in raw_items:
        name = str(raw.get("name", ""))
        kind = str(raw.get("kind") or "host")
        nodes.append(Node(name, kind if kind in KIND_OF.values() else "host", str(raw.get("class", "")),
                          bool(raw.get("python")), bool(raw.get("enabled", True))))
        host = {str(s.get("name", "")): str(s.get("value", "")) for s in raw.get("settings") or []
                if isinstance(s, Mapping) and s.get("target", "Host") == "Host"}
        edges.settings(name, host, ())
        for target in raw.get("connections") or []:
            target = str(target)
            setting = next((s for s, v in host.items() if target in split_targets(v)), "")
            if not any(e.source == name and e.target == target for e in edges.edges.values()):
                edges.add(name, target, setting)
    return edges.graph(str(document.get("name", "")), nodes)
