"""The graph of a production: plain data, independent of how it is drawn."""

from __future__ import annotations

import dataclasses
from typing import List, Tuple

#: Node kinds, in the left-to-right order of the diagram.
KINDS = ("service", "process", "operation", "host", "missing")


@dataclasses.dataclass
class Node:
    """An item of the production (or, with kind ``missing``, a target no item has)."""

    name: str
    kind: str
    class_name: str
    python: bool
    enabled: bool = True
    problems: List[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Edge:
    """An item names another in a setting (``setting`` is ``""`` for a target written in the code)."""

    source: str
    target: str
    setting: str
    messages: Tuple[str, ...] = ()
    missing: bool = False


@dataclasses.dataclass
class Graph:
    """A production's items and the arrows between them."""

    name: str
    nodes: List[Node]
    edges: List[Edge]

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)
