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
    """Event-log entries, attributed to the calling class and method.

    Inside IRIS the entries go to the Interoperability event log (``Ens.Util.Log``); in the test
    harness to ``Harness.log``; in a plain interpreter to the ``logging`` logger
    ``intersystems_pyprod``. Each method takes any value and logs its text. ``info``,
    ``warning``, ``error`` and ``alert`` are snake_case names of the same methods.

    Examples:
        ```python
        from intersystems_pyprod import BusinessOperation, IRISLog

        class Printer(BusinessOperation):
            def OnMessage(self, request):
                IRISLog.Info(f"printing {request.text!r}")   # source: Printer.OnMessage
        ```
    """

    @staticmethod
    def Info(message: Any) -> None:
        """An Info entry.

        Args:
            message: What to log (turned into text).

        Examples:
            ```python
            IRISLog.Info("order 7 received")
            ```
        """
        engine.current().log("Info", *_caller(), str(message))

    @staticmethod
    def Warning(message: Any) -> None:
        """A Warning entry.

        Args:
            message: What to log.

        Examples:
            ```python
            IRISLog.Warning("retrying the warehouse")
            ```
        """
        engine.current().log("Warning", *_caller(), str(message))

    @staticmethod
    def Error(message: Any) -> None:
        """An Error entry.

        Args:
            message: What to log.

        Examples:
            ```python
            IRISLog.Error(f"order {request.order_id} refused")
            ```
        """
        engine.current().log("Error", *_caller(), str(message))

    @staticmethod
    def Alert(message: Any) -> None:
        """An Alert entry (``Ens.Util.Log.LogAlert`` inside IRIS).

        Args:
            message: What to log.

        Examples:
            ```python
            IRISLog.Alert("the warehouse is down")
            ```
        """
        engine.current().log("Alert", *_caller(), str(message))

    @staticmethod
    def Assert(message: Any) -> None:
        """An Assert entry.

        Args:
            message: What to log.

        Examples:
            ```python
            IRISLog.Assert("a request without an order id")
            ```
        """
        engine.current().log("Assert", *_caller(), str(message))

    @staticmethod
    def Status(status: Any) -> None:
        """Log a ``%Status``: an Error entry with its text when it is an error, else an Info entry.

        Args:
            status: A status, as callbacks and ``SendRequestSync`` return them.

        Examples:
            ```python
            IRISLog.Status(self.SendRequestAsync("Archive", request))
            ```
        """
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
        """Send Python ``logging`` records to the event log as well.

        Args:
            logger: The logger whose records to send; the root logger by default.
            level: The lowest level sent (and the logger's level when it is higher or unset).

        Returns:
            The handler (added once; a second call returns the same one).

        Examples:
            ```python
            import logging

            IRISLog.route_logging(logging.getLogger("myapp"))
            logging.getLogger("myapp").warning("slow answer")   # a Warning entry
            ```
        """
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
