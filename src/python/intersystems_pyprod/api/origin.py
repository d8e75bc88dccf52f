"""Where a user's class or declaration was written (file and line), found cheaply."""

from __future__ import annotations

import os
import sys
from typing import Optional

from ..errors import Location

_API_DIR = os.path.dirname(os.path.abspath(__file__))
_PKG_DIR = os.path.dirname(_API_DIR)
_PREFIX = _PKG_DIR + os.sep


def caller_location() -> Optional[Location]:
    """The first frame outside this package: the user's line that declared something."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        absolute = filename if os.path.isabs(filename) else os.path.abspath(filename)
        if not absolute.startswith(_PREFIX):
            return Location(filename, frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return None
