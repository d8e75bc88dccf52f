"""The documentation's diagrams are what ``graph`` draws for the example each names (README.md and
every page under docs/)."""

from __future__ import annotations

import re

from intersystems_pyprod.graph import graph_from_script, to_mermaid

from .helpers import REPO

MARKER = re.compile(r"<!-- graph: (\S+) (\S+) -->\n```mermaid\n(.*?)```", re.DOTALL)
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def test_readme_diagram_matches_the_example():
    found = [(page, *match) for page in PAGES for match in MARKER.findall(page.read_text(encoding="utf-8"))]
    assert found, "neither README.md nor docs/ has a generated diagram"
    for page, script, production, diagram in found:
        expected = to_mermaid(graph_from_script(str(REPO / script), str(REPO / production)))
        assert diagram == expected, f"regenerate the diagram in {page.relative_to(REPO)}: intersystems_pyprod " \
                                    f"graph {script} --production {production}"
    assert "MyService" in found[0][3] and "-->" in found[0][3]
