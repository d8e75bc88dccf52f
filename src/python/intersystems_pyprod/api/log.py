"""``IRISLog``: write to the Interoperability event log from Python."""

from __future__ import annotations

import sys
from typing import Any, Tuple

from . import engine


def _caller(skip: int = 2) -> Tuple[str, str]:
    """(class name, method name) of the code that called an ``IRISLog`` method."""
    frame = sys._getframe(skip)
    method = frame.f_code.co_name
    owner = frame.f_locals.get("self")
    if owner is not None:
        return type(owner).__name__, method
    cls = frame.f_locals.get("cls")
    if isinstance(cls, type):
        return cls.__name__, method
    return str(frame.f_globals.get("__name__", "<module>")), method


class IRISLog:
    """Event-log entries, attributed to the calling class and method."""

    @staticmethod
    def Info(message: Any) -> None:
        """An Info entry."""
        engine.current().log("Info", *_caller(), str(message))

    @staticmethod
    def Warning(message: Any) -> None:
        """A Warning entry."""
        engine.current().log("Warning", *_caller(), str(message))

    @staticmethod
    def Error(message: Any) -> None:
        """An Error entry."""
        engine.current().log("Error", *_caller(), str(message))

    @staticmethod
    def Alert(message: Any) -> None:
        """An Alert entry."""
        engine.current().log("Alert", *_caller(), str(message))

    @staticmethod
    def Assert(message: Any) -> None:
        """An Assert entry."""
        engine.current().log("Assert", *_caller(), str(message))

    @staticmethod
    def Status(status: Any) -> None:
        """Log a ``%Status``: an Error entry with its text when it is an error, else an Info entry."""
        eng = engine.current()
        if eng.is_error(status):
            eng.log("Error", *_caller(), eng.status_text(status))
        else:
            eng.log("Info", *_caller(), "OK")

    info = Info
    warning = Warning
    error = Error
    alert = Alert
