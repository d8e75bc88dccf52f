"""Where the SVG diagram's arrows run and how its texts are cut to fit.

The layout puts every box on one grid (a column per kind, rows of equal height), so the gaps
between columns and the gaps between rows hold no box. An arrow leaves its source to the right,
turns in the gap after the source's column, runs along a row gap past any columns in between
(also back to the left), turns in the gap before the target's column and enters the target from
the left: it never crosses a box.
"""

from __future__ import annotations

import unicodedata
from typing import Dict, List, Sequence, Tuple

Point = Tuple[int, int]

#: Approximate advance of a character, in ems, for a sans-serif face (generous, so that a text
#: estimated to fit does fit).
_NARROW, _WIDE = set("iljtfrI.,:;'!|()[] -"), set("mwMW@%&")
ELLIPSIS = "\u2026"


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width in pixels of ``text`` at font ``size``."""
    ems = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            ems += 1.0
        elif char in _NARROW:
            ems += 0.36
        elif char in _WIDE:
            ems += 0.92
        elif char.isupper():
            ems += 0.74
        else:
            ems += 0.62
    return ems * size * (1.1 if bold else 1.0)


def fit(text: str, width: float, size: float, bold: bool = False) -> str:
    """``text`` if it fits ``width``, else its longest beginning that fits with an ellipsis."""
    if text_width(text, size, bold) <= width:
        return text
    end = len(text)
    while end > 0 and text_width(text[:end].rstrip() + ELLIPSIS, size, bold) > width:
        end -= 1
    return text[:end].rstrip() + ELLIPSIS


def _offset(taken: int, step: int, reach: int) -> int:
    """0, +step, -step, +2 step, ... within +-reach, then round again."""
    slots = [0] + [sign * k * step for k in range(1, reach // step + 1) for sign in (1, -1)]
    return slots[taken % len(slots)]


class Grid:
    """The layout's grid: column and row of each box, and the free lanes between them. Each lane
    taken in a gap is placed beside the ones taken before, so arrows do not run on top of each
    other."""

    def __init__(self, left: int, top: int, width: int, height: int, gap_x: int, gap_y: int) -> None:
        self.left, self.top, self.width, self.height, self.gap_x, self.gap_y = left, top, width, height, gap_x, gap_y
        self.taken: Dict[Tuple[str, int], int] = {}

    def _take(self, key: Tuple[str, int]) -> int:
        self.taken[key] = self.taken.get(key, -1) + 1
        return self.taken[key]

    def column(self, x: int) -> int:
        return (x - self.left) // (self.width + self.gap_x)

    def row(self, y: int) -> int:
        return (y - self.top) // (self.height + self.gap_y)

    def after(self, column: int) -> int:
        """x of a free vertical lane in the gap right of ``column``."""
        start = self.left + column * (self.width + self.gap_x) + self.width
        return start + self.gap_x // 2 + _offset(self._take(("v", column)), 9, self.gap_x // 2 - 30)

    def before(self, column: int) -> int:
        """x of a free vertical lane in the gap left of ``column`` (the margin, for the first one)."""
        if column == 0:
            return self.left - 12 - 4 * (self._take(("v", -1)) % 5)
        return self.after(column - 1)

    def between_rows(self, row: int, below: bool) -> int:
        """y of a free horizontal lane in the row gap above (or below) ``row``."""
        gap = row + 1 if below else row
        middle = self.top + gap * (self.height + self.gap_y) - self.gap_y // 2
        return middle + _offset(self._take(("h", gap)), 5, self.gap_y // 2 - 5)


def route(grid: Grid, start: Point, end: Point) -> List[Point]:
    """The corners of an arrow from ``start`` (a source's right side) to ``end`` (a target's left
    side), in lanes that hold no box."""
    (x1, y1), (x2, y2) = start, end
    source_column, target_column = grid.column(x1 - 1), grid.column(x2)
    out_x = grid.after(source_column)
    if target_column == source_column + 1:
        return [start, (out_x, y1), (out_x, y2), end]
    source_row, target_row = grid.row(y1), grid.row(y2)
    lane_y = grid.between_rows(source_row, target_row >= source_row)
    in_x = grid.before(target_column)
    return [start, (out_x, y1), (out_x, lane_y), (in_x, lane_y), (in_x, y2), end]


def ports(count: int, top: int, height: int) -> List[int]:
    """y of ``count`` arrow ends spread along a box side of ``height`` starting at ``top``."""
    return [top + height * (i + 1) // (count + 1) for i in range(count)]


def spread(pairs: Sequence[Tuple[str, str]]) -> Tuple[Dict[int, int], Dict[int, int]]:
    """For arrows given as (source, target): the position of each among its source's arrows and
    among its target's, so that each arrow leaves and enters a box at a point of its own."""
    out_index: Dict[int, int] = {}
    in_index: Dict[int, int] = {}
    out_seen: Dict[str, int] = {}
    in_seen: Dict[str, int] = {}
    for i, (source, target) in enumerate(pairs):
        out_index[i] = out_seen.get(source, 0)
        out_seen[source] = out_index[i] + 1
        in_index[i] = in_seen.get(target, 0)
        in_seen[target] = in_index[i] + 1
    return out_index, in_index
