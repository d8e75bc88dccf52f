"""The graph as text: a Mermaid flowchart, a Graphviz DOT digraph, or JSON."""

from __future__ import annotations

import json
from typing import Dict, List

from .model import KINDS, Edge, Graph, Node

#: Mermaid node shapes per kind: service stadium, process rounded, operation box, other hexagon.
_SHAPES = {"service": ("([", "])"), "process": ("(", ")"), "operation": ("[", "]"), "host": ("{{", "}}"),
           "missing": ("[/", "/]")}
_DOT_SHAPES = {"service": "ellipse", "process": "box, style=\"rounded,filled\"", "operation": "box",
               "host": "hexagon", "missing": "note"}
_FILL = {True: "#dbeafe", False: "#fde68a"}
_CLASS_STYLES = {"python": "fill:#dbeafe,stroke:#1d4ed8", "objectscript": "fill:#fde68a,stroke:#b45309",
                 "disabled": "stroke-dasharray:4 3,opacity:0.6", "missing": "fill:#fee2e2,stroke:#b91c1c"}


def _ordered(graph: Graph) -> List[Node]:
    return sorted(graph.nodes, key=lambda n: KINDS.index(n.kind) if n.kind in KINDS else len(KINDS))


def _ids(graph: Graph) -> Dict[str, str]:
    return {node.name: f"n{i}" for i, node in enumerate(_ordered(graph))}


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: quotes and angle brackets as entities, one line."""
    out = text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    out = out.replace("|", "#124;").replace("`", "#96;")
    return " ".join(out.split())


def edge_label(edge: Edge) -> str:
    """``Setting: Msg.A, Msg.B`` (the setting, then the messages sent through it)."""
    label = edge.setting or "code"
    return f"{label}: {', '.join(edge.messages)}" if edge.messages else label


def node_label(node: Node) -> List[str]:
    """The lines of a node's label: name, class (and language), state."""
    lines = [node.name]
    if node.kind == "missing":
        return [*lines, "missing item"]
    lines.append(f"{node.class_name} ({'Python' if node.python else 'ObjectScript'})")
    if not node.enabled:
        lines.append("disabled")
    if node.problems:
        lines.append("names a missing target")
    return lines


def to_mermaid(graph: Graph) -> str:
    """A Mermaid ``flowchart LR``; classes ``python``, ``objectscript``, ``disabled`` and ``missing``."""
    ids = _ids(graph)
    lines = ["flowchart LR"]
    for node in _ordered(graph):
        start, end = _SHAPES.get(node.kind, _SHAPES["host"])
        label = "<br/>".join(_mermaid_text(line) for line in node_label(node))
        lines.append(f'    {ids[node.name]}{start}"{label}"{end}')
    for edge in graph.edges:
        arrow = "-.->" if edge.missing else "-->"
        lines.append(f'    {ids[edge.source]} {arrow}|"{_mermaid_text(edge_label(edge))}"| {ids[edge.target]}')
    groups: Dict[str, List[str]] = {}
    for node in _ordered(graph):
        group = "missing" if node.kind == "missing" else "python" if node.python else "objectscript"
        groups.setdefault(group, []).append(ids[node.name])
        if not node.enabled:
            groups.setdefault("disabled", []).append(ids[node.name])
    for group, members in groups.items():
        lines.append(f"    classDef {group} {_CLASS_STYLES[group]}")
        lines.append(f"    class {','.join(members)} {group}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def to_dot(graph: Graph) -> str:
    """A Graphviz ``digraph`` laid out left to right."""
    ids = _ids(graph)
    lines = [f'digraph "{_dot_text(graph.name)}" {{', "    rankdir=LR;",
             '    node [style=filled, fontname="sans-serif"];']
    for node in _ordered(graph):
        label = "\\n".join(_dot_text(line) for line in node_label(node))
        fill = "#fee2e2" if node.kind == "missing" else _FILL[node.python]
        extra = ", style=\"filled,dashed\"" if not node.enabled else ""
        lines.append(f'    {ids[node.name]} [label="{label}", shape={_DOT_SHAPES.get(node.kind, "box")}, '
                     f'fillcolor="{fill}"{extra}];')
    for edge in graph.edges:
        style = ", style=dashed, color=\"#b91c1c\"" if edge.missing else ""
        lines.append(f'    {ids[edge.source]} -> {ids[edge.target]} [label="{_dot_text(edge_label(edge))}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_json(graph: Graph) -> str:
    """``{"name", "nodes": [{"name", "kind", "class", "python", "enabled", "problems"}],
    "edges": [{"source", "target", "setting", "messages", "missing"}]}``."""
    return json.dumps({
        "name": graph.name,
        "nodes": [{"name": n.name, "kind": n.kind, "class": n.class_name, "python": n.python, "enabled": n.enabled,
                   "problems": n.problems} for n in _ordered(graph)],
        "edges": [{"source": e.source, "target": e.target, "setting": e.setting, "messages": list(e.messages),
                   "missing": e.missing} for e in graph.edges],
    }, indent=2) + "\n"
