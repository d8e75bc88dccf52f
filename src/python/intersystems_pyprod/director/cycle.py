"""The production as code, as module-level functions returning data: ``plan``, ``history``,
``rollback`` and ``export_production``. They use the connection the other module-level functions
use (:mod:`.backends`): inside IRIS the calling process, elsewhere one shared connection."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from . import backends
from .failures import USAGE, DirectorError


def _document(cls: str, method: str, *args: Any) -> Dict[str, Any]:
    text = backends.current().call(cls, method, *args)
    try:
        return dict(json.loads(str(text or "{}")))
    except ValueError:
        raise DirectorError(f"{cls}.{method} returned something that is not JSON: {str(text)[:200]!r}") from None


def history(script: str) -> Dict[str, Any]:
    """The stored versions of a loaded script, newest first (the document ``history --json`` prints).

    Args:
        script: The script's path or its loaded name.

    Returns:
        ``{"ok", "script", "active", "versions": [{"number", "time", "user", "project", "hash",
        "classes", "active"}], "error"}``.

    Examples:
        ```python
        for version in director.history("orders.py")["versions"]:
            print(version["number"], version["time"], "*" if version["active"] else "")
        ```
    """
    return _document("PyProd.Loader", "History", script)


def rollback(script: str, to: Optional[int] = None, *, overwrite_production: bool = False) -> Dict[str, Any]:
    """Make stored version ``to`` active again (None: the one before the active one), as a load.

    Args:
        script: The script's path or its loaded name.
        to: The version number ``history`` shows; ``None``: the one before the active one.
        overwrite_production: Restore even when it drops changes made in the portal to a
            production.

    Returns:
        The result of a load: ``{"ok", "version", "classes", ...}``.

    Raises:
        DirectorError: ``to`` is not a version number.

    Examples:
        ```python
        result = director.rollback("orders.py", to=3)
        print(result["ok"], result.get("error", ""))
        ```
    """
    if to is not None and (isinstance(to, bool) or not isinstance(to, int) or to < 1):
        raise DirectorError(f"version {to!r} is not a version number", "pass a number history shows", USAGE)
    return _document("PyProd.Loader", "Restore", script, to or 0, int(bool(overwrite_production)))


def export_production(production: str) -> Dict[str, Any]:
    """A production of the namespace as a Python declaration of this library.

    Args:
        production: The production's class name.

    Returns:
        ``{"ok", "production", "source", "notes", "error"}``: ``source`` is the Python text.

    Examples:
        ```python
        from pathlib import Path

        exported = director.export_production("Legacy.Production")
        if exported["ok"]:
            Path("legacy_production.py").write_text(exported["source"])
        ```
    """
    from .export import check_name, exported

    return exported(production, _document("PyProd.Graph", "Production", check_name(production)))


def plan(script: str, *, diff: bool = False, take_over: bool = False,
         overwrite_production: bool = False) -> Dict[str, Any]:
    """What loading a script would do, changing nothing (the document ``plan --json`` prints).
    It uploads the script's sources, so it needs a connection: inside IRIS it is refused.

    Args:
        script: The script's path.
        diff: Include the text differences of the classes that would change.
        take_over: Plan a load with ``--take-over``.
        overwrite_production: Plan a load with ``--overwrite-production``.

    Returns:
        ``{"ok", "script", "changed", "classes": [{"name", "kind", "action"}], "conflicts",
        "productions", "restarted", "refreshed", "diffs", "warnings", "error"}``.

    Raises:
        DirectorError: Called inside IRIS.

    Examples:
        ```python
        plan = director.plan("orders.py")
        for cls in plan["classes"]:
            print(cls["action"], cls["name"])
        ```
    """
    backend = backends.current()
    if not isinstance(backend, backends.RemoteBackend):
        raise DirectorError("plan uploads the script's sources and runs outside IRIS only",
                            "call it from a Python process outside IRIS, or run intersystems_pyprod plan", USAGE)
    return backend.director.plan_script(script, diff=diff, take_over=take_over,
                                        overwrite_production=overwrite_production)
