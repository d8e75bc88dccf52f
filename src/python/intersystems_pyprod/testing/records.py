"""What a harness run records: event-log entries, trace entries, and its own error type."""

from __future__ import annotations

import dataclasses
from typing import Any


class HarnessError(Exception):
    """The harness cannot run this production as asked.

    Examples:
        ```python
        with pytest.raises(HarnessError, match="no item"):
            h.send("NoSuchService", "x")
        ```
    """


@dataclasses.dataclass(frozen=True)
class LogEntry:
    """One event-log entry: its ``level`` (Info, Warning, Error, Alert, Assert, Trace), the item
    it came from (``source``), the class and method that logged it, and its ``text``.

    Examples:
        ```python
        assert any("best price" in e.text for e in h.log if e.level == "Info")
        ```
    """

    level: str
    source: str
    class_name: str
    method: str
    text: str


@dataclasses.dataclass(frozen=True)
class TraceEntry:
    """One message in the trace (``kind`` is request, response or adapter call): a message header,
    with its ID and the ID of the body it points at, as the Message Viewer shows them (an adapter
    call has neither).

    Examples:
        ```python
        hops = [(t.source, t.target, t.message_class) for t in h.trace if t.kind == "request"]
        ```
    """

    source: str
    target: str
    message_class: str
    body: str
    kind: str
    header_id: int = 0
    body_id: Any = ""


class _NoReply:
    """What a stub returns to leave a request unanswered (a target that never replies)."""

    def __repr__(self) -> str:
        return "NO_REPLY"


NO_REPLY = _NoReply()
"""Return this from a stub to leave the request unanswered: a process's ``SetTimer`` timer then
runs out and ``OnTimeout`` is called; a synchronous caller gets an error status.

Examples:
    ```python
    h = Harness("approvals.py", stubs={"Approver": lambda request: NO_REPLY})
    ```
"""
