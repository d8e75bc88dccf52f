"""The graph drawn as SVG by a small layered layout (services left, processes in the middle,
operations right), and a self-contained HTML page around it: no script, no network."""

from __future__ import annotations

import dataclasses
from html import escape
from typing import Dict, List

from .model import Graph, Node
from .text import edge_label, node_label, to_mermaid

#: Columns of the layout, by node kind.
COLUMNS = (("service",), ("process", "host"), ("operation",), ("missing",))
NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN, TOP = 240, 70, 210, 30, 30, 60
#: Node fills: Python items, ObjectScript items, disabled items, targets that are no item.
FILLS = {"python": "#bfdbfe", "objectscript": "#fde68a", "disabled": "#d1d5db", "missing": "#fecaca"}
_STROKES = {"python": "#1d4ed8", "objectscript": "#b45309", "disabled": "#6b7280", "missing": "#b91c1c"}


@dataclasses.dataclass(frozen=True)
class Box:
    """Where a node is drawn, and its fill."""

    node: Node
    x: int
    y: int
    w: int
    h: int
    style: str

    @property
    def fill(self) -> str:
        return FILLS[self.style]


def _style(node: Node) -> str:
    if node.kind == "missing":
        return "missing"
    if not node.enabled:
        return "disabled"
    return "python" if node.python else "objectscript"


def layout(graph: Graph) -> List[Box]:
    """One box per node: a column per kind (empty columns dropped), nodes stacked in each."""
    boxes: List[Box] = []
    column = 0
    for kinds in COLUMNS:
        members = [n for n in graph.nodes if n.kind in kinds]
        if not members:
            continue
        for row, node in enumerate(members):
            boxes.append(Box(node, MARGIN + column * (NODE_W + GAP_X), TOP + row * (NODE_H + GAP_Y), NODE_W, NODE_H,
                             _style(node)))
        column += 1
    return boxes


def size(boxes: List[Box]) -> tuple:
    """Width and height of the drawing."""
    width = max((b.x + b.w for b in boxes), default=MARGIN) + MARGIN
    height = max((b.y + b.h for b in boxes), default=TOP) + MARGIN
    return width, height


def _shape(box: Box) -> str:
    kind = box.node.kind
    radius = {"service": box.h // 2, "process": 14}.get(kind, 0)
    dash = ' stroke-dasharray="6 4"' if box.style in ("disabled", "missing") else ""
    return (f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" rx="{radius}" fill="{box.fill}" '
            f'stroke="{_STROKES[box.style]}" stroke-width="2"{dash}/>')


def _texts(box: Box) -> str:
    lines = node_label(box.node)
    out = []
    for i, line in enumerate(lines[:3]):
        weight = ' font-weight="bold"' if i == 0 else ""
        out.append(f'<text x="{box.x + box.w // 2}" y="{box.y + 20 + i * 16}" text-anchor="middle" '
                   f'font-size="{13 if i == 0 else 11}"{weight}>{escape(line[:40])}</text>')
    return "".join(out)


def _edge(source: Box, target: Box, label: str, missing: bool, index: int) -> str:
    x1, y1 = source.x + source.w, source.y + source.h // 2
    x2, y2 = target.x, target.y + target.h // 2
    if x2 <= x1:  # same column or backwards: loop below the boxes
        low = max(source.y + source.h, target.y + target.h) + 12 + 6 * (index % 3)
        path = f"M{x1},{y1} C{x1 + 60},{low} {x2 - 60},{low} {x2},{y2}"
        mid_x, mid_y = (x1 + x2) // 2, low - 4
    else:
        bend = (x2 - x1) // 2
        path = f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"
        mid_x, mid_y = (x1 + x2) // 2, (y1 + y2) // 2 - 4 + 12 * (index % 2)
    colour = "#b91c1c" if missing else "#374151"
    dash = ' stroke-dasharray="5 4"' if missing else ""
    return (f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.6"{dash} marker-end="url(#arrow)"/>'
            f'<text x="{mid_x}" y="{mid_y}" text-anchor="middle" font-size="10" fill="{colour}" '
            f'paint-order="stroke" stroke="#ffffff" stroke-width="3">{escape(label[:60])}</text>')


def svg_diagram(graph: Graph) -> str:
    """The diagram as one ``<svg>`` element."""
    boxes = layout(graph)
    by_name: Dict[str, Box] = {b.node.name: b for b in boxes}
    width, height = size(boxes)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" role="img" '
             f'aria-label="{escape(graph.name)}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#374151"/></marker></defs>',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
             f'<text x="{MARGIN}" y="32" font-size="18" font-weight="bold">{escape(graph.name)}</text>']
    for i, edge in enumerate(graph.edges):
        if edge.source in by_name and edge.target in by_name:
            parts.append(_edge(by_name[edge.source], by_name[edge.target], edge_label(edge), edge.missing, i))
    for box in boxes:
        parts.append(_shape(box) + _texts(box))
    parts.append("</svg>")
    return "\n".join(parts)


def html_page(graph: Graph) -> str:
    """A page that shows the diagram with nothing to fetch (a content policy forbids any request)."""
    legend = "".join(f'<span class="key" style="background:{fill}"></span>{escape(name)} '
                     for name, fill in FILLS.items())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{escape(graph.name)}</title>
<style>
body {{ margin: 0; font-family: sans-serif; background: #ffffff; }}
.key {{ display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; border: 1px solid #555; }}
p, details {{ margin: 8px 30px; font-size: 12px; }}
</style>
</head>
<body>
{svg_diagram(graph)}
<p>{legend}</p>
<details><summary>Mermaid source</summary><pre>{escape(to_mermaid(graph))}</pre></details>
</body>
</html>
"""
