"""``IRISLog``: write to the Interoperability event log from Python."""

from __future__ import annotations

import logging
import sys
from typing import Any, Optional, Tuple

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

    @staticmethod
    def route_logging(logger: Optional[logging.Logger] = None, level: int = logging.INFO) -> EventLogHandler:
        """Send Python ``logging`` records to the event log as well."""
        return route_logging(logger, level)


class EventLogHandler(logging.Handler):
    """A ``logging`` handler that writes records to the event log (Error, Warning or Info)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            level = "Error" if record.levelno >= logging.ERROR else (
                "Warning" if record.levelno >= logging.WARNING else "Info")
            engine.current().log(level, record.name, record.funcName or "log", text)
        except Exception:  # logging handlers must not raise
            self.handleError(record)


def route_logging(logger: Optional[logging.Logger] = None, level: int = logging.INFO) -> EventLogHandler:
    """Send records of ``logger`` (the root logger by default) to the event log; returns the handler."""
    target = logger if logger is not None else logging.getLogger()
    for existing in target.handlers:
        if isinstance(existing, EventLogHandler):
            return existing
    handler = EventLogHandler(level)
    target.addHandler(handler)
    if target.level == logging.NOTSET or target.level > level:
        target.setLevel(level)
    return handler
