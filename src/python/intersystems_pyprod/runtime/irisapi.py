"""The ``iris`` module the runtime talks to: Embedded Python's, or a stand-in.

Inside IRIS this is the embedded ``iris`` module. The in-process harness installs a stand-in
with the same surface (``ref``, ``cls``, ``gref``; ``%SYSTEM`` classes through ``cls``, as
``iris.system`` is not in every release), so the runtime code it drives is
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


def new_ref(initial: Any = None) -> Any:
    """An Output or ByRef argument: ``iris.ref()``, with ``.value`` set when there is an initial value.

    ``iris.ref()`` followed by ``.value`` is the only form pyprod 0.2.0 and IoP use
    (IRIS_REFERENCE.md 1.6 and bug magnet 18: ``iris.ref(initial)`` is unconfirmed), so the
    runtime never passes a value to ``ref`` itself; ``None`` leaves the value unset.
    """
    ref = get().ref()
    if initial is not None:
        ref.value = initial
    return ref


def take(ref: Any) -> Any:
    """The value a call left in ``ref``; the reference is emptied afterwards so that IRIS can
    release the object it held (as pyprod 0.2.0 does after every by-reference call)."""
    value = ref.value
    ref.value = None
    return value


def install(api: Optional[Any]) -> Optional[Any]:
    """Use ``api`` instead of the embedded module (``None`` restores it); returns the previous one."""
    global _installed
    previous = _installed
    _installed = api
    return previous
