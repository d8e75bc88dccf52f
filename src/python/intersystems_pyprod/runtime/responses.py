"""The response of a business process, which ``OnResponse``, ``OnComplete``, ``OnError`` and
``OnTimeout`` get by reference.

IRIS hands these callbacks the process's response object itself: ObjectScript that changes it
changes the response the caller gets. Python gets a message read from that object, so after the
callback the bridge settles what the response is:

* the callback returned no response: the Python response, with the changes made to it in place,
  saved into the same body (unchanged, the body is left alone);
* it returned a response: that one (a new body, or the body of a received message returned
  unchanged), and the body it replaced is deleted unless a message header points at it, so that
  no body is left that a purge would never remove.
"""

from __future__ import annotations

from typing import Any, List

from ..api import engine
from . import identity, messages


class Slot:
    """The response passed by reference to one callback of a process ``host``."""

    def __init__(self, host: Any, response: Any) -> None:
        self.host = host
        self.iris = None if response == "" else response
        self.python: Any = None

    def take(self, inputs: List[Any]) -> List[Any]:
        """The callback's inputs; the second is the response, whose changes go back to IRIS."""
        self.python = inputs[1]
        identity.by_reference(self.python)
        return inputs

    def settle(self, result: List[Any]) -> List[Any]:
        """``[status, response]`` as the callback left them (see the module comment)."""
        if (result[1] is None or result[1] == "") and self.python is not None:
            result[1] = messages.to_iris(self.python)
        output = result[1]
        if self.iris is not None and output is not None and output != "" and not same_body(output, self.iris):
            discard(self.host, self.iris)
        return result


def same_body(one: Any, other: Any) -> bool:
    """The two IRIS objects are one body (the same object, or the same class and stored ID)."""
    if one is other:
        return True
    try:
        first, second = one._Id(), other._Id()
        return first not in (None, "") and first == second and one._ClassName(1) == other._ClassName(1)
    except Exception:  # not persistent objects: different bodies
        return False


def discard(host: Any, body: Any) -> None:
    """Delete a replaced response body that no message header points at (IRIS does it:
    ``PyProd.BusinessProcess.PyDiscardBody``); a failure is logged as a warning."""
    if not callable(getattr(body, "_ClassName", None)) or not hasattr(host, "PyDiscardBody"):
        return
    try:
        status = host.PyDiscardBody(body)
    except Exception as exc:
        status = engine.current().error_status(f"{type(exc).__name__}: {exc}")
    current = engine.current()
    if current.is_error(status):
        current.log("Warning", body._ClassName(1), "OnResponse", "the replaced response body could not be "
                    f"deleted and stays without a message header: {current.status_text(status)}")
