"""Test tools: run a script's production in-process with ``Harness``.

A pytest fixture ``pyprod_harness`` is registered by the library's pytest plugin.
"""

from .ensrules import ForEach, dtl_actions
from .harness import Harness
from .records import NO_REPLY, HarnessError, LogEntry, TraceEntry

__all__ = ["NO_REPLY", "ForEach", "Harness", "HarnessError", "LogEntry", "TraceEntry", "dtl_actions"]
