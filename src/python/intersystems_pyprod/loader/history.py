"""The stored versions of a loaded script, and which one a rollback goes back to.

Every load stores the script's sources as a numbered version (``store``); one of them is
active. ``history`` lists them newest first; ``version_before`` chooses what a rollback without
a version number restores: the newest stored version older than the active one.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..errors import PyProdError
from .names import check_script
from .store import SourceStore


def known_script(store: SourceStore, script: Any) -> str:
    """``script`` when it is a loaded script of this namespace; else an error listing them."""
    name = check_script(script)
    scripts = store.scripts()
    if name not in scripts:
        listed = ", ".join(repr(s) for s in sorted(scripts)) or "none"
        raise PyProdError(f"no script {name!r} is loaded in this namespace (loaded scripts: {listed})",
                          fix="pass a script name from that list (the entry path without .py, relative to the "
                              "project's source root), or load the script first")
    return name


def history(store: SourceStore, script: Any) -> Dict[str, Any]:
    """{"ok", "script", "project", "active", "versions": [{"number", "time", "user", "project",
    "hash", "entry", "classes", "active"}]} of a loaded script, newest version first. A version
    stored before versions recorded their classes and project shows those of the script when it
    is the active one, else ``classes`` None and ``project`` ""."""
    name = known_script(store, script)
    active = store.active(name)
    project = store.project(name)
    versions: List[Dict[str, Any]] = []
    for version in sorted(store.versions(name), key=lambda v: v.number, reverse=True):
        classes: Optional[List[str]] = version.classes
        if classes is None and version.number == active:
            classes = sorted(store.recorded(name))
        versions.append({"number": version.number, "time": version.time, "user": version.user,
                         "project": version.project or (project if version.number == active else ""),
                         "hash": version.hash, "entry": version.entry, "classes": classes,
                         "active": version.number == active})
    return {"ok": True, "script": name, "project": project, "active": active, "versions": versions}


def version_before(store: SourceStore, script: str) -> int:
    """The version a rollback restores when given none: the newest one older than the active one."""
    active = store.active(script)
    numbers = sorted(v.number for v in store.versions(script))
    older = [n for n in numbers if active is not None and n < active]
    if not older:
        listed = ", ".join(str(n) for n in numbers) or "none"
        raise PyProdError(f"script {script!r} has no version before its active version {active} "
                          f"(versions: {listed})", fix="name the version to restore (--to N)")
    return older[-1]
