"""``debug_host``: attach a component's process to a debugpy debugger."""

from __future__ import annotations

from . import engine


def debug_host(ip: str, port: int = 5547) -> bool:
    """Connect to a debugpy listener at ``ip:port`` and break; True when attached.

    When debugpy is not installed or the connection fails, a warning goes to the event log
    and the component carries on.
    """
    try:
        import debugpy
    except ImportError:
        engine.current().log("Warning", "debug_host", "debug_host",
                             "debugpy is not installed in this Python; install it to debug components")
        return False
    try:
        debugpy.connect((ip, port))
        debugpy.breakpoint()
    except Exception as exc:  # debugpy raises several kinds; report them all the same way
        engine.current().log("Warning", "debug_host", "debug_host",
                             f"could not attach to the debugger at {ip}:{port}: {exc}")
        return False
    return True
