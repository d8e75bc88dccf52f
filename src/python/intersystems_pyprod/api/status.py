"""``Status``: the IRIS ``%Status`` values a component returns."""

from __future__ import annotations

from typing import Any

from . import engine


class Status:
    """Build and inspect IRIS ``%Status`` values.

    ``Status.OK()`` is ``1``, as in IRIS. ``Status.ERROR(text)`` is an error status; inside IRIS
    it is a real ``%Status`` (general error 5001), elsewhere an equivalent value. Callbacks
    return these; ``SendRequestSync`` and the other engine calls return them.

    Examples:
        ```python
        from intersystems_pyprod import BusinessOperation, IRISLog, Status

        class Printer(BusinessOperation):
            def OnMessage(self, request):
                if not request.text:
                    return Status.ERROR("empty text")
                status = self.SendRequestAsync("Archive", request)
                if Status.is_error(status):
                    IRISLog.Error(Status.text(status))
                return Status.OK()
        ```
    """

    @staticmethod
    def OK() -> int:
        """The success status (``$$$OK``); also ``Status.ok()``.

        Returns:
            ``1``.

        Examples:
            ```python
            return Status.OK()
            ```
        """
        return 1

    @staticmethod
    def ERROR(text: str) -> Any:
        """An error status carrying ``text``; also ``Status.error(text)``.

        Args:
            text: The error text (any value; it is turned into text).

        Returns:
            A ``%Status`` inside IRIS; elsewhere a value that ``is_error`` and ``text`` read.

        Examples:
            ```python
            return Status.ERROR(f"no customer {request.customer_id}")
            ```
        """
        return engine.current().error_status(str(text))

    @staticmethod
    def is_ok(status: Any) -> bool:
        """True when ``status`` is a success status.

        Args:
            status: A status: ``1``, ``"1"``, ``True`` or ``None`` are success, anything else an error.

        Returns:
            Whether it is a success.

        Examples:
            ```python
            status, response = self.SendRequestSync("Pricing", request)
            if Status.is_ok(status):
                IRISLog.Info(f"price {response.price}")
            ```
        """
        return not engine.current().is_error(status)

    @staticmethod
    def is_error(status: Any) -> bool:
        """True when ``status`` is an error status.

        Args:
            status: A status, as ``is_ok`` reads it.

        Returns:
            Whether it is an error.

        Examples:
            ```python
            status = self.SendRequestAsync("Archive", request)
            if Status.is_error(status):
                return status
            ```
        """
        return engine.current().is_error(status)

    @staticmethod
    def text(status: Any) -> str:
        """The error text of ``status`` (empty for success).

        Args:
            status: A status.

        Returns:
            Its error text; ``""`` for a success status.

        Examples:
            ```python
            Status.text(Status.ERROR("disk full"))   # "disk full" (inside IRIS: IRIS's text of it)
            ```
        """
        return engine.current().status_text(status)

    ok = OK
    error = ERROR
