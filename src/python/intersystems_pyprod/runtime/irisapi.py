"""The ``iris`` module the runtime talks to: Embedded Python's, or a stand-in.

Inside IRIS this is the embedded ``iris`` module. The in-process harness installs a stand-in
with the same surface (``ref``, ``cls``, ``system.Status``), so the runtime code it drives is
the code that runs in IRIS.
"""

from __future__ import annotations

from typing import Any, Optional

_installed: Optional[Any] = None


def get() -> Any:
    """The ``iris`` API in force."""
    if _installed is not None:
        return _installed
    import iris  # Embedded Python's module, present inside IRIS

    return iris


def install(api: Optional[Any]) -> Optional[Any]:
    """Use ``api`` instead of the embedded module (``None`` restores it); returns the previous one."""
    global _installed
    previous = _installed
    _installed = api
    return previous
