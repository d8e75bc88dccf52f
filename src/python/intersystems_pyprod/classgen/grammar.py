"""The grammar gate: parse UDL class text with InterSystems' tree-sitter grammar.

Needs the pinned ``tree-sitter`` and ``tree-sitter-objectscript`` packages (the ``validate``
extra of the CLI, or the test extras). Any ERROR or MISSING node is a failure.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any, List

REQUIREMENT = "tree-sitter==0.25.2 tree-sitter-objectscript==1.11.0"


class GrammarUnavailable(RuntimeError):
    """The tree-sitter grammar packages are not installed."""


@dataclasses.dataclass(frozen=True)
class Problem:
    """A place where the class text does not parse."""

    line: int
    column: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.kind} near {self.text!r}"


@lru_cache(maxsize=1)
def _parser() -> Any:
    try:
        import tree_sitter
        import tree_sitter_objectscript_udl as udl_grammar
    except ImportError as exc:
        raise GrammarUnavailable(
            f"the ObjectScript grammar is not installed ({exc}); install it with: pip install {REQUIREMENT}"
        ) from exc
    return tree_sitter.Parser(tree_sitter.Language(udl_grammar.language_objectscript_udl()))


def available() -> bool:
    """True when the grammar can be loaded."""
    try:
        _parser()
    except GrammarUnavailable:
        return False
    return True


def check(text: str) -> List[Problem]:
    """Every ERROR or MISSING node in ``text`` (empty when it parses cleanly)."""
    data = text.encode("utf-8")
    tree = _parser().parse(data)
    problems: List[Problem] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            row, col = node.start_point
            snippet = data[node.start_byte:node.end_byte][:40].decode("utf-8", "replace")
            problems.append(Problem(row + 1, col + 1, "MISSING" if node.is_missing else "ERROR", snippet))
            if node.is_missing:
                continue
        if node.has_error:
            stack.extend(reversed(node.children))
    problems.sort(key=lambda p: (p.line, p.column))
    return problems
