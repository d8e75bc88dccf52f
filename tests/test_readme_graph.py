"""The README's diagram is what ``graph`` draws for the example it names."""

from __future__ import annotations

import re

from intersystems_pyprod.graph import graph_from_script, to_mermaid

from .helpers import REPO

MARKER = re.compile(r"<!-- graph: (\S+) (\S+) -->\n```mermaid\n(.*?)```", re.DOTALL)


def test_readme_diagram_matches_the_example():
    found = MARKER.findall((REPO / "README.md").read_text(encoding="utf-8"))
    assert found, "the README has no generated diagram"
    for script, production, diagram in found:
        expected = to_mermaid(graph_from_script(str(REPO / script), str(REPO / production)))
        assert diagram == expected, f"regenerate the README diagram: intersystems_pyprod graph {script} " \
                                    f"--production {production}"
    assert "MyService" in found[0][2] and "-->" in found[0][2]
