"""Pydantic messages: ``class Order(JsonSerialize, BaseModel)``, without importing pydantic here.

Python refuses a class whose bases have unrelated metaclasses (``JsonSerialize``'s, which keeps
the source order of a message body, and pydantic's ``ModelMetaclass``) before any code of either
runs. So once the user's script has imported pydantic (it is in ``sys.modules``, or a one-time
import watch sees ``pydantic.main`` load), the message base classes get a metaclass deriving from
both: a class with a pydantic base is built by pydantic (its fields, validation, ``__init__``),
any other message exactly as before. Nothing here imports pydantic; without it nothing changes.
"""

from __future__ import annotations

import copy
import importlib.machinery
import importlib.util
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .fields import Column
from .messages import _MUTABLE, JsonSerialize, PickleSerialize, ProductionMessage, _MessageMeta

_WATCHED = "pydantic.main"
#: the ModelMetaclass the message base classes' metaclass derives from
_adopted: List[type] = []


def is_model_bases(bases: Tuple[type, ...]) -> bool:
    """Some base is a pydantic model class (so pydantic builds the class)."""
    return any(k.__name__ == "BaseModel" and k.__module__ == _WATCHED for b in bases for k in getattr(b, "__mro__", ()))


def _columns_to_fields(namespace: Dict[str, Any]) -> Dict[str, Column]:
    """Annotated ``Column``s of a pydantic message body become pydantic fields with the column's
    default; the columns are returned (kept on the class as ``_pyprod_model_columns``)."""
    field = sys.modules["pydantic"].Field
    found = {name: value for name, value in namespace.items() if isinstance(value, Column)}
    for name, column in found.items():
        if isinstance(column.default, _MUTABLE):
            namespace[name] = field(default_factory=lambda d=column.default: copy.copy(d))
        else:
            namespace[name] = field(default=column.default)
    return found


def _combined(model_meta: Any) -> type:
    base_model = sys.modules[_WATCHED].BaseModel

    class PydanticMessageMeta(_MessageMeta, model_meta):
        """The metaclass of message classes once pydantic is loaded."""

        __instancecheck__ = type.__instancecheck__
        __subclasscheck__ = type.__subclasscheck__

        @classmethod
        def __prepare__(mcs, name: str, bases: Tuple[type, ...], /, **kwargs: Any) -> Any:
            if is_model_bases(bases):
                return model_meta.__prepare__(name, bases, **kwargs)
            return _MessageMeta.__prepare__(name, bases, **kwargs)

        def __new__(mcs, name: str, bases: Tuple[type, ...], namespace: Dict[str, Any], **kwargs: Any) -> Any:
            if not is_model_bases(bases):
                return _MessageMeta.__new__(mcs, name, bases, namespace, **kwargs)
            columns = _columns_to_fields(namespace)
            for member in ("__init__", "__repr__"):  # pydantic's, not the message base classes'
                if member not in namespace and _first(bases, member) is getattr(ProductionMessage, member):
                    namespace[member] = getattr(base_model, member)
            cls = model_meta.__new__(mcs, name, bases, namespace, **kwargs)
            type.__setattr__(cls, "_pyprod_model_columns", columns)
            return cls

    return PydanticMessageMeta


def _first(bases: Tuple[type, ...], member: str) -> Any:
    """The ``member`` the class with ``bases`` inherits (its bases searched in order)."""
    for base in bases:
        for klass in base.__mro__:
            if member in klass.__dict__:
                return klass.__dict__[member]
    return None


def adopt() -> bool:
    """Give the message base classes the combined metaclass for the loaded pydantic (again when
    pydantic was imported anew); True when it is in place."""
    construction = sys.modules.get("pydantic._internal._model_construction")
    model_meta = getattr(construction, "ModelMetaclass", None)
    if model_meta is None or _WATCHED not in sys.modules:
        return False
    if not _adopted or _adopted[0] is not model_meta:
        meta = _combined(model_meta)
        for klass in (ProductionMessage, JsonSerialize, PickleSerialize):
            setattr(klass, "__class__", meta)  # a class's metaclass, changed in place
        _adopted[:] = [model_meta]
    return True


class _Loader:
    """Runs the real loader of ``pydantic.main``, then adopts the combined metaclass."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        sys.modules.setdefault(_WATCHED, module)
        adopt()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _Watch:
    """A ``sys.meta_path`` entry that notices ``pydantic.main`` loading (one string comparison
    for any other import)."""

    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None, target: Any = None) -> Any:
        if fullname != _WATCHED:
            return None
        _unwatch()
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            _watch_again()
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)  # type: ignore[assignment]
        return spec

    def invalidate_caches(self) -> None:
        return None


_watch = _Watch()


def _unwatch() -> None:
    if _watch in sys.meta_path:
        sys.meta_path.remove(_watch)


def _watch_again() -> None:
    """Put the watch just before the finder of installed packages (finders placed before it,
    such as the namespace's library finder, stay first)."""
    if _watch not in sys.meta_path:
        path_finder = importlib.machinery.PathFinder
        found = [i for i, f in enumerate(sys.meta_path) if f is path_finder]
        sys.meta_path.insert(found[0] if found else len(sys.meta_path), _watch)


def install() -> None:
    """Adopt now when the script's pydantic is loaded already, and watch for it (re)loading."""
    adopt()
    _watch_again()
