"""The graph drawn as SVG by a small layered layout (services left, processes in the middle,
operations right), and a self-contained HTML page around it: no script, no network."""

from __future__ import annotations

import dataclasses
from collections import Counter
from html import escape
from typing import Dict, List

from .model import Graph, Node
from .route import Grid, fit, ports, route, spread
from .text import edge_label, node_label, to_mermaid

#: Columns of the layout, by node kind.
COLUMNS = (("service",), ("process", "host"), ("operation",), ("missing",))
NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN, TOP = 240, 70, 210, 30, 40, 60

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


def size(boxes: List[Box], label_room: bool = False) -> tuple:
    """Width and height of the drawing; ``label_room`` leaves a gap's width right of the last
    column for the labels of arrows that leave it."""
    right = max((b.x + b.w for b in boxes), default=MARGIN)
    width = right + (GAP_X if label_room else MARGIN)
    height = max((b.y + b.h for b in boxes), default=TOP) + MARGIN
    return width, height


def _shape(box: Box) -> str:
    kind = box.node.kind
    radius = {"service": box.h // 2, "process": 14}.get(kind, 0)
    dash = ' stroke-dasharray="6 4"' if box.style in ("disabled", "missing") else ""
    return (f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" rx="{radius}" fill="{box.fill}" '
            f'stroke="{_STROKES[box.style]}" stroke-width="2"{dash}/>')


def _texts(box: Box) -> str:
    """The label's lines, each cut with an ellipsis to the box's width; the box's tooltip holds
    them whole."""
    lines = node_label(box.node)
    out = [f"<title>{escape(chr(10).join(lines))}</title>"]
    for i, line in enumerate(lines[:3]):
        size, bold = (13, True) if i == 0 else (11, False)
        weight = ' font-weight="bold"' if bold else ""
        out.append(f'<text x="{box.x + box.w // 2}" y="{box.y + 20 + i * 16}" text-anchor="middle" '
                   f'font-size="{size}"{weight}>{escape(fit(line, box.w - 16, size, bold))}</text>')
    return "".join(out)


def _edge(points: List[tuple], label: str, missing: bool) -> tuple:
    """An arrow along ``points`` (see :func:`.route.route`) and its label, written just after it
    leaves its source, cut to the gap's width (its tooltip holds it whole)."""
    path = "M" + " L".join(f"{x},{y}" for x, y in points)
    x1, y1 = points[0]
    colour = "#b91c1c" if missing else "#374151"
    dash = ' stroke-dasharray="5 4"' if missing else ""
    return (f'<path class="edge" d="{path}" fill="none" stroke="{colour}" stroke-width="1.6" '
            f'stroke-linejoin="round"{dash} marker-end="url(#arrow)"/>',
            f'<text class="edge" x="{x1 + 6}" y="{y1 - 4}" font-size="10" fill="{colour}" paint-order="stroke" '
            f'stroke="#ffffff" stroke-width="3"><title>{escape(label)}</title>{escape(fit(label, GAP_X - 14, 10))}'
            '</text>')


def _edges(graph: Graph, by_name: Dict[str, Box]) -> List[str]:
    """Every arrow between drawn nodes, then their labels (so that no line crosses a label)."""
    drawn = [e for e in graph.edges if e.source in by_name and e.target in by_name]
    pairs = [(e.source, e.target) for e in drawn]
    out_index, in_index = spread(pairs)
    out_count, in_count = Counter(s for s, _ in pairs), Counter(t for _, t in pairs)
    paths, labels = [], []
    grid = Grid(MARGIN, TOP, NODE_W, NODE_H, GAP_X, GAP_Y)
    for i, edge in enumerate(drawn):
        source, target = by_name[edge.source], by_name[edge.target]
        # arrows leave a box a little above its middle and enter it a little below, so that an arrow
        # passing between two boxes of a row never looks like one that connects them
        start = (source.x + source.w, ports(out_count[edge.source], source.y, source.h - 16)[out_index[i]])
        end = (target.x, ports(in_count[edge.target], target.y + 16, target.h - 16)[in_index[i]])
        path, label = _edge(route(grid, start, end), edge_label(edge), edge.missing)
        paths.append(path)
        labels.append(label)
    return paths + labels


def svg_diagram(graph: Graph) -> str:
    """The diagram as one ``<svg>`` element."""
    boxes = layout(graph)
    by_name: Dict[str, Box] = {b.node.name: b for b in boxes}
    last = max((b.x for b in boxes), default=0)
    width, height = size(boxes, any(e.source in by_name and e.target in by_name and by_name[e.source].x == last
                                    for e in graph.edges))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" role="img" '
             f'aria-label="{escape(graph.name)}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#374151"/></marker></defs>',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
             f'<text x="{MARGIN}" y="32" font-size="18" font-weight="bold">{escape(graph.name)}</text>']
    parts.extend(_edges(graph, by_name))
    for box in boxes:
        parts.append(f'<g class="node">{_shape(box)}{_texts(box)}</g>')
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
