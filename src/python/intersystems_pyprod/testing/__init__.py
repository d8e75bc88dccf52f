"""Test tools: run a script's production in-process with ``Harness``.

A pytest fixture ``pyprod_harness`` is registered by the library's pytest plugin.
"""

from .harness import Harness
from .records import NO_REPLY, HarnessError, LogEntry, TraceEntry

__all__ = ["NO_REPLY", "Harness", "HarnessError", "LogEntry", "TraceEntry"]
