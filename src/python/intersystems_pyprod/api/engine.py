"""The engine a component talks to: IRIS inside a production, a stand-in elsewhere.

Status values and event-log entries go through the current engine, so the same user code
runs inside IRIS (where the runtime bridge installs the IRIS engine), in the in-process test
harness, and in a plain interpreter (the offline engine below, which logs through ``logging``).
"""

from __future__ import annotations

import logging
from typing import Any, Optional, Protocol

LEVELS = ("Info", "Warning", "Error", "Alert", "Assert", "Trace")


class Engine(Protocol):
    """What the authoring API needs from whatever runs the components."""

    def error_status(self, text: str) -> Any: ...

    def is_error(self, status: Any) -> bool: ...

    def status_text(self, status: Any) -> str: ...

    def log(self, level: str, source_class: str, source_method: str, text: str) -> None: ...


class OfflineErrorStatus(str):
    """An error status outside IRIS: a string starting with ``0``, like a ``%Status``."""

    text: str

    def __new__(cls, text: str) -> OfflineErrorStatus:
        value = super().__new__(cls, "0 " + text)
        value.text = text
        return value


class OfflineEngine:
    """Used when no production is running: statuses are plain values, the log is ``logging``."""

    logger = logging.getLogger("intersystems_pyprod")

    def error_status(self, text: str) -> Any:
        return OfflineErrorStatus(text)

    def is_error(self, status: Any) -> bool:
        return is_error_value(status)

    def status_text(self, status: Any) -> str:
        if not self.is_error(status):
            return ""
        if isinstance(status, OfflineErrorStatus):
            return status.text
        return str(status)[2:] if str(status).startswith("0 ") else str(status)

    def log(self, level: str, source_class: str, source_method: str, text: str) -> None:
        py_level = {"Error": logging.ERROR, "Warning": logging.WARNING, "Alert": logging.CRITICAL}
        self.logger.log(py_level.get(level, logging.INFO), "[%s.%s] %s", source_class, source_method, text)


def is_error_value(status: Any) -> bool:
    """True unless ``status`` is OK: ``1`` (or ``"1"``, ``True``), or ``None`` (no status given).

    Anything else is an error, including text that merely starts with ``1``.
    """
    if status is None:
        return False
    if isinstance(status, bool):
        return not status
    if isinstance(status, int):
        return status != 1
    return str(status) != "1"


_current: Optional[Engine] = None
_offline = OfflineEngine()


def current() -> Engine:
    """The engine in force for this process."""
    return _current if _current is not None else _offline


def install(engine: Optional[Engine]) -> Optional[Engine]:
    """Make ``engine`` current (``None`` restores the offline engine); returns the previous one."""
    global _current
    previous = _current
    _current = engine
    return previous


_runtime: Any = None


def install_runtime(calls: Any) -> None:
    """The runtime hands over the module that carries components' engine calls (sending,
    settings, the adapter) when it is imported; the authoring API never imports the runtime."""
    global _runtime
    _runtime = calls


def runtime() -> Any:
    """The installed runtime calls; only components attached to a host (by the runtime bridge or
    the test harness, both of which import the runtime) reach this."""
    if _runtime is None:
        raise RuntimeError("the intersystems_pyprod runtime is not loaded: components run through "
                           "intersystems_pyprod.runtime.bridge or intersystems_pyprod.testing")
    return _runtime
