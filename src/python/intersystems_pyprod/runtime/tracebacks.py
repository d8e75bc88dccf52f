"""Tracebacks for the event log: the user's frames and the final message, without the frames of
intersystems_pyprod itself (the bridge that called the callback, the runtime, the harness)."""

from __future__ import annotations

import os
import traceback
from typing import Optional

#: The folder of the intersystems_pyprod package; frames of files under it are internal.
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _internal(filename: str) -> bool:
    return os.path.abspath(filename).startswith(PACKAGE_DIR)


def _trim(summary: Optional[traceback.TracebackException]) -> None:
    seen = set()
    pending = [summary]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        own = [frame for frame in current.stack if not _internal(frame.filename)]
        if own:  # only library frames: a library error, shown whole
            current.stack = traceback.StackSummary.from_list(own)
        pending += [current.__cause__, current.__context__]


def user_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` as text, without intersystems_pyprod's own frames when the user's
    code is among them."""
    summary = traceback.TracebackException.from_exception(exc)
    _trim(summary)
    return "".join(summary.format()).rstrip()
