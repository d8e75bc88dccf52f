"""The HTML page of ``graph -o page.html`` opens offline in headless Chromium and shows the diagram:
each node's box is painted in its colour where the layout put it, and the arrows are drawn."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from intersystems_pyprod.graph import graph_from_script
from intersystems_pyprod.graph.svg import FILLS, layout, size

from .helpers import EXAMPLES, REPO
from .png_reader import read_png

MIXED = REPO / "tests" / "fixtures" / "mixed"


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install -y chromium); CI installs it")
    return found


def _hex(colour: str) -> tuple:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _screenshot(tmp_path, page, width, height):
    shot = tmp_path / "shot.png"
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},{height}",
                    f"--screenshot={shot}", page.as_uri()],
                   check=True, capture_output=True, timeout=120, cwd=tmp_path)
    return read_png(shot)


@pytest.mark.parametrize("script, production", [
    (EXAMPLES / "orders" / "orders.py", None),
    (MIXED / "Mixed.py", MIXED / "Production.cls"),
], ids=["orders", "mixed-cls"])
def test_page_shows_every_node_in_its_colour(tmp_path, script, production):
    from intersystems_pyprod_cli.main import main

    page = tmp_path / "page.html"
    assert main(["graph", str(script), *(["--production", str(production)] if production else []),
                 "-o", str(page)]) == 0
    graph = graph_from_script(str(script), str(production) if production else None)
    boxes = layout(graph)
    width, height = size(boxes)
    _, _, pixels = _screenshot(tmp_path, page, width + 40, height + 120)
    seen = set()
    for box in boxes:
        # bottom band of the box, below the label text
        x, y = box.x + box.w // 2, box.y + box.h - 8
        assert pixels[y][x] == _hex(box.fill), f"node {box.node.name} is not drawn at ({x}, {y})"
        seen.add(box.fill)
    assert len(seen) == len({b.style for b in boxes})
    # arrows: dark pixels in the gaps between columns
    columns = sorted({b.x for b in boxes})
    if len(columns) > 1 and graph.edges:
        gap_left = columns[0] + boxes[0].w
        dark = sum(1 for row in pixels[:height] for px in row[gap_left + 5:columns[1] - 5] if max(px) < 120)
        assert dark > 20, "no arrow drawn between the first two columns"
    # count the nodes: runs of each fill colour along the bottom band of every row of boxes
    found = 0
    for row_y in sorted({b.y + b.h - 8 for b in boxes}):
        line = pixels[row_y]
        inside = False
        for px in line:
            painted = px in {_hex(f) for f in FILLS.values()}
            if painted and not inside:
                found += 1
            inside = painted
    assert found == len(boxes)


ROUTES = REPO / "tests" / "fixtures" / "routes" / "Routes.py"


def _page_without(page, tmp_path, name, pattern):
    """A copy of the page with the SVG elements ``pattern`` matches removed."""
    import re

    text = re.sub(pattern, "", page.read_text(encoding="utf-8"), flags=re.S)
    copy = tmp_path / name
    copy.write_text(text, encoding="utf-8")
    return copy


def _routes_page(tmp_path):
    from intersystems_pyprod_cli.main import main

    page = tmp_path / "routes.html"
    assert main(["graph", str(ROUTES), "--production", "RoutesProduction", "-o", str(page)]) == 0
    graph = graph_from_script(str(ROUTES), "RoutesProduction")
    return page, graph, layout(graph)


def test_arrows_go_around_boxes(tmp_path):
    """The page drawn with its arrows alone (boxes removed) has nothing inside any box: no arrow
    or label crosses a box, whether it skips a column, stays in one or goes back."""
    page, _, boxes = _routes_page(tmp_path)
    kinds = {(b.node.name, b.node.kind) for b in boxes}
    assert {("Router", "process"), ("Checker", "process"), ("Archive", "operation")} <= kinds
    arrows_only = _page_without(page, tmp_path, "arrows.html", r'<g class="node">.*?</g>')
    _, _, pixels = _screenshot(tmp_path, arrows_only, 1400, 700)
    drawn = sum(1 for row in pixels for px in row if max(px) < 160)
    assert drawn > 200, "no arrow was drawn"
    for box in boxes:
        inside = [(x, y) for y in range(box.y + 3, box.y + box.h - 3) for x in range(box.x + 3, box.x + box.w - 3)
                  if pixels[y][x] != (255, 255, 255)]
        assert not inside, f"an arrow runs through {box.node.name} at {inside[:3]}"


def test_names_too_long_for_their_box_end_with_an_ellipsis(tmp_path):
    """Drawn without its arrows, the page paints nothing between the boxes of a row: every label
    fits its box, and a cut one ends with an ellipsis (its tooltip holds it whole)."""
    page, _, boxes = _routes_page(tmp_path)
    long_name = "AVeryLongServiceNameThatCannotPossiblyFitInsideItsBoxOnThePage"
    text = page.read_text(encoding="utf-8")
    assert f">{long_name}</text>" not in text
    assert "\u2026</text>" in text and f"<title>{long_name}" in text
    boxes_only = _page_without(page, tmp_path, "boxes.html", r'<(path|text) class="edge".*?(/>|</text>)')
    _, _, pixels = _screenshot(tmp_path, boxes_only, 1400, 700)
    for box in boxes:
        for y in range(box.y, box.y + box.h):
            spill = [x for x in (*range(box.x - 20, box.x - 1), *range(box.x + box.w + 2, box.x + box.w + 20))
                     if pixels[y][x] != (255, 255, 255)]
            assert not spill, f"the label of {box.node.name} runs out of its box at y={y}, x={spill[:3]}"
