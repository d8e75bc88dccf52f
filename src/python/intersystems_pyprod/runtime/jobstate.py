"""What a business process keeps for the life of its job.

A business process is persistent: IRIS makes a new process object for each new request (and
runs the ObjectScript ``OnInit`` of that object), reopens it for each response, possibly in
another job, and the bridge gives every callback a fresh Python object. The Python ``OnInit``
still runs once per job and item, as a host's does: the object it ran on is kept here (without
its IRIS host object) and every later callback of the same item in this job starts with a
reference to each attribute ``OnInit`` set. ``OnTearDown`` runs once on that object when the job
ends. State of one request belongs in ``IRISProperty`` values, which live in the persistent
process object.
"""

from __future__ import annotations

import atexit
from typing import Any, Callable, Dict, Optional, Tuple

#: (module, class, item name) -> the Python object the item's OnInit ran on in this job.
Key = Tuple[str, str, str]
_objects: Dict[Key, Any] = {}
_hook: Dict[str, Callable[[Key, Any], None]] = {}
#: Instance attributes that are not OnInit's to hand on.
_PRIVATE = ("iris_host_object", "_pyprod_values")


def key(module_name: str, class_name: str, config_name: Any) -> Key:
    return (module_name, class_name, "" if config_name is None else str(config_name))


def config_name(host: Any) -> Optional[str]:
    """The item name of a process object (``%ConfigName``), when Python can read it."""
    try:
        name = getattr(host, "_ConfigName", None)
    except Exception:
        return None
    return name if isinstance(name, str) and name else None


def get(job_key: Key) -> Optional[Any]:
    return _objects.get(job_key)


def find(host: Any, module_name: str, class_name: str) -> Optional[Any]:
    """The job object of the item ``host`` belongs to (by item name, else the only one of its class)."""
    name = config_name(host)
    if name is not None and (module_name, class_name, name) in _objects:
        return _objects[(module_name, class_name, name)]
    same = [obj for (module, cls, _), obj in _objects.items() if (module, cls) == (module_name, class_name)]
    return same[0] if len(same) == 1 else None


def remember(job_key: Key, component: Any, tear_down: Callable[[Key, Any], None]) -> None:
    """Keep the object OnInit ran on; ``tear_down`` runs for it when the job ends (once)."""
    component.__dict__["iris_host_object"] = None  # never hold a persistent process object open
    _objects[job_key] = component
    if not _hook:
        _hook["tear_down"] = tear_down
        atexit.register(_at_exit)


def forget(job_key: Key) -> Optional[Any]:
    return _objects.pop(job_key, None)


def inherit(fresh: Any, job_object: Optional[Any]) -> Any:
    """Give a callback's fresh object the attributes OnInit set (the same objects, not copies)."""
    if job_object is not None:
        for name, value in job_object.__dict__.items():
            if name not in _PRIVATE:
                fresh.__dict__[name] = value
    return fresh


def _at_exit() -> None:
    """The job ends: the Python OnTearDown of every process item that ran OnInit in it."""
    tear_down = _hook.get("tear_down")
    for job_key in list(_objects):
        component = _objects.pop(job_key)
        try:
            if tear_down is not None:
                tear_down(job_key, component)
        except Exception:  # the job is ending; nothing is left to report to
            pass
