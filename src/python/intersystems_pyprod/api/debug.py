"""``debug_host``: attach a component's process to a debugpy debugger."""

from __future__ import annotations

from . import engine


def debug_host(ip: str, port: int = 5547) -> bool:
    """Connect to a debugpy listener at ``ip:port`` and break; True when attached.

    When debugpy is not installed or the connection fails, a warning goes to the event log
    and the component carries on.

    Args:
        ip: The address of the machine where the debugger listens.
        port: The port the debugger listens on.

    Returns:
        True when the debugger is attached, False otherwise.

    Examples:
        ```python
        from intersystems_pyprod import BusinessOperation, debug_host

        class Printer(BusinessOperation):
            def OnInit(self):
                debug_host("192.168.1.20", 5678)   # a debugger listening there (VS Code: Remote Attach)

            def OnMessage(self, request):
                return None                        # breakpoints set in the debugger stop here
        ```
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
