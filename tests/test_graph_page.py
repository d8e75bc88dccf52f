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
