"""Test helpers: write scripts, build them, and read generated classes back with the grammar."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Tuple

import tree_sitter
import tree_sitter_objectscript_udl

from intersystems_pyprod.loader.build import BuildResult, build

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def write_script(folder: Path, name: str, source: str) -> Path:
    """Write a dedented script ``name`` into ``folder``."""
    path = folder / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def build_source(folder: Path, source: str, name: str = "demo.py") -> BuildResult:
    """Write ``source`` as a script and build it (grammar-checked)."""
    return build(str(write_script(folder, name, source)), validate=True)


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Run the installed command line in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "intersystems_pyprod_cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@lru_cache(maxsize=1)
def _parser() -> Any:
    language = tree_sitter.Language(tree_sitter_objectscript_udl.language_objectscript_udl())
    return tree_sitter.Parser(language)


_NAME_NODES = {"parameter": "parameter_name", "property": "property_name", "index": "index_name",
               "xdata": "xdata_name", "method": "method_name", "classmethod": "method_name"}


def members(text: str) -> List[Tuple[str, str]]:
    """(kind, name) of every member of the class in ``text``, as the grammar sees them."""
    tree = _parser().parse(text.encode("utf-8"))
    found: List[Tuple[str, str]] = []

    def name_of(node: Any, wanted: str) -> str:
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type == wanted:
                return current.text.decode("utf-8")
            stack.extend(reversed(current.children))
        return ""

    def walk(node: Any) -> None:
        if node.type == "class_statement":
            for child in node.named_children:
                if child.type in _NAME_NODES:
                    found.append((child.type, name_of(child, _NAME_NODES[child.type])))
            return
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return found


def class_header(text: str) -> str:
    """The ``Class ...`` line of a class text."""
    return next(line for line in text.splitlines() if line.startswith("Class "))
