"""``Status``: the IRIS ``%Status`` values a component returns."""

from __future__ import annotations

from typing import Any

from . import engine


class Status:
    """Build and inspect IRIS ``%Status`` values.

    ``Status.OK()`` is ``1``, as in IRIS. ``Status.ERROR(text)`` is an error status; inside IRIS
    it is a real ``%Status`` (general error 5001), elsewhere an equivalent value.
    """

    @staticmethod
    def OK() -> int:
        """The success status (``$$$OK``)."""
        return 1

    @staticmethod
    def ERROR(text: str) -> Any:
        """An error status carrying ``text``."""
        return engine.current().error_status(str(text))

    @staticmethod
    def is_ok(status: Any) -> bool:
        """True when ``status`` is a success status."""
        return not engine.current().is_error(status)

    @staticmethod
    def is_error(status: Any) -> bool:
        """True when ``status`` is an error status."""
        return engine.current().is_error(status)

    @staticmethod
    def text(status: Any) -> str:
        """The error text of ``status`` (empty for success)."""
        return engine.current().status_text(status)

    ok = OK
    error = ERROR
