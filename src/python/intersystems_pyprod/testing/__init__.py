"""Test tools: run a script's production in-process with :class:`Harness`.

A pytest fixture ``pyprod_harness`` is registered by the library's pytest plugin.
"""

from .harness import Harness
from .records import HarnessError, LogEntry, TraceEntry

__all__ = ["Harness", "HarnessError", "LogEntry", "TraceEntry"]
