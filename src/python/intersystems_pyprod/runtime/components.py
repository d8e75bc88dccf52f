"""The Python object of a host or adapter: its class imported (with its project's messages
registered), made, and bound to the IRIS object; a failure is logged with file:line."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any, List

from ..api import engine
from ..api.hosts import Component
from ..api.messages import ProductionMessage
from ..loader import paths
from ..loader.importer import is_local, module_name_for
from . import messages
from .engine_iris import IrisEngine
from .invoke import CALLBACK_ERRORS, OK
from .tracebacks import user_traceback


def ensure_engine() -> None:
    """Inside IRIS, status values and log entries go to IRIS (unless a harness installed its own),
    and the loaded scripts' sources are importable."""
    if engine._current is None:
        engine.install(IrisEngine())
        paths.ensure_sources()


def allow_project(module: Any) -> None:
    """Register the message classes of the component's project and allow them in pickles."""
    file = getattr(module, "__file__", None)
    if not file:
        return
    served = paths.served_root(module.__name__)
    root = Path(served) if served is not None else module_name_for(Path(file).resolve())[0]
    for other in list(sys.modules.values()):
        if other is module or is_local(other, root):
            messages.allow_module(other.__name__)
            for value in list(vars(other).values()):
                if isinstance(value, type) and issubclass(value, ProductionMessage) and value.__module__ == \
                        other.__name__ and value._pyprod_serializer:
                    messages.register(value)


def load_class(module_name: str, class_name: str) -> type:
    """The Python class that implements a generated class."""
    module = sys.modules.get(module_name) or importlib.import_module(module_name)
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Component)):
        raise LookupError(f"{module_name}.{class_name} is not a production component class")
    if "_pyprod_project_allowed" not in module.__dict__:
        allow_project(module)
        module.__dict__["_pyprod_project_allowed"] = True
    return cls


def create(host: Any, module_name: str, class_name: str) -> Component:
    """A new Python component bound to its IRIS host (or adapter) object."""
    ensure_engine()
    paths.refresh()  # one global read: a new active version of a loaded script is imported afresh
    return load_class(module_name, class_name)(host)


def start_failed(module_name: str, class_name: str, exc: BaseException) -> Any:
    """Log why the Python object of a host could not be made (the traceback names file:line of an
    import or syntax error); the error status for the caller."""
    text = user_traceback(exc)
    current = engine.current()
    current.log("Error", class_name, "OnInit", f"could not create {module_name}.{class_name}:\n{text}")
    return current.error_status(f"could not create the Python object {module_name}.{class_name}: "
                                f"{type(exc).__name__}: {exc}; fix the script and load it again (the "
                                "item's jobs must restart to import it anew)")


def start(host: Any, module_name: str, class_name: str) -> List[Any]:
    """``[status, component]``: the host's Python object, or an error status (traceback logged)
    when the module cannot be imported or the object cannot be made."""
    try:
        return [OK, create(host, module_name, class_name)]
    except CALLBACK_ERRORS as exc:
        return [start_failed(module_name, class_name, exc), ""]


