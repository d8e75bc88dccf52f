"""Where a user's class or declaration was written (file and line), found cheaply.

Reading a frame's line number decodes the code object's line table from its start, so on
Python 3.10+ a module-level declaration would cost time in proportion to the module. The
location keeps the code object and the instruction offset instead, and works out the line
only when something (an error, a sort) asks for it.
"""

from __future__ import annotations

import bisect
import os
import sys
from types import CodeType
from typing import Dict, List, Optional, Tuple

from ..errors import Location

_API_DIR = os.path.dirname(os.path.abspath(__file__))
_PKG_DIR = os.path.dirname(_API_DIR)
_PREFIX = _PKG_DIR + os.sep
_LAZY = sys.version_info >= (3, 10)

#: co_filename -> whether it lies inside this package
_inside: Dict[str, bool] = {}
#: id(code object) -> (the code object, start offsets, lines)
_tables: Dict[int, Tuple[CodeType, List[int], List[Optional[int]]]] = {}


class CodeLocation(Location):
    """A location whose line is resolved from (code object, instruction offset) on first use."""

    def __init__(self, code: CodeType, offset: int) -> None:
        object.__setattr__(self, "file", code.co_filename)
        object.__setattr__(self, "_code", code)
        object.__setattr__(self, "_offset", offset)

    @property
    def line(self) -> Optional[int]:
        cached = self.__dict__.get("_line", -1)
        if cached == -1:
            cached = _line_of(self.__dict__["_code"], self.__dict__["_offset"])
            object.__setattr__(self, "_line", cached)
            object.__setattr__(self, "_code", None)  # the code object is no longer needed
        return cached

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return (self.file, self.line) == (other.file, other.line)

    def __hash__(self) -> int:
        return hash((self.file, self.line))

    def __repr__(self) -> str:
        return f"Location(file={self.file!r}, line={self.line!r})"


def _line_table(code: CodeType) -> Tuple[List[int], List[Optional[int]]]:
    """Start offsets and their lines, sorted, for bisecting (built once per code object; keyed by
    identity, because hashing a code object reads all of it)."""
    found = _tables.get(id(code))
    if found is not None and found[0] is code:
        return found[1], found[2]
    starts: List[int] = []
    lines: List[Optional[int]] = []
    for start, _end, line in code.co_lines():
        starts.append(start)
        lines.append(line)
    if len(_tables) >= 64:
        _tables.clear()
    _tables[id(code)] = (code, starts, lines)
    return starts, lines


def _line_of(code: CodeType, offset: int) -> Optional[int]:
    starts, lines = _line_table(code)
    index = bisect.bisect_right(starts, offset) - 1
    while index >= 0 and lines[index] is None:  # an offset without a line takes the previous one
        index -= 1
    return lines[index] if index >= 0 else code.co_firstlineno


def _is_inside(filename: str) -> bool:
    found = _inside.get(filename)
    if found is None:
        # both sides normalised: a library served from the namespace (PyProd.Library) has
        # "/pyprod-lib/..." file names, which Windows makes "C:\\pyprod-lib\\..." in _PREFIX
        absolute = os.path.abspath(filename)
        found = _inside[filename] = absolute.startswith(_PREFIX)
    return found


def caller_location() -> Optional[Location]:
    """The first frame outside this package: the user's line that declared something."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if not _is_inside(code.co_filename):
            if _LAZY:
                return CodeLocation(code, frame.f_lasti)
            return Location(code.co_filename, frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return None
