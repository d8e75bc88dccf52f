"""Output the server writes to a Native SDK connection (``write`` in a server-side method): it goes
to stderr, so that nothing the server prints can land in a result printed on stdout (``--json``)."""

from __future__ import annotations

import sys
from typing import Any


class ServerOutput:
    """Where what the server writes to this connection goes: stderr, never stdout (where results
    such as ``--json`` are printed). Without a handler the client prints it to stdout."""

    @staticmethod
    def write(data: Any) -> None:
        sys.stderr.write("" if data is None else str(data))
        sys.stderr.flush()


def redirect_output(connection: Any) -> None:
    """Send the server's output on ``connection`` to :class:`ServerOutput` (the client finds the
    handler by class and method name)."""
    setter = getattr(connection, "setOutputRedirectHandler", None)
    if setter is None:
        return
    try:
        setter(f"{ServerOutput.__module__}.{ServerOutput.__qualname__}", "write")
    except Exception:  # a client version without redirection: its default (stdout) stays
        pass
