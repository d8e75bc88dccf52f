"""Diagrams of a production: items as nodes, target settings as arrows (Mermaid, DOT, JSON, SVG)."""

from .build import graph_from_document, graph_from_script
from .model import Edge, Graph, Node
from .svg import html_page, svg_diagram
from .text import to_dot, to_json, to_mermaid

__all__ = ["Edge", "Graph", "Node", "graph_from_document", "graph_from_script", "html_page", "svg_diagram",
           "to_dot", "to_json", "to_mermaid"]
