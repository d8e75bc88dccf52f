"""What a pickle message may contain: which classes, which calls, which state assignments.

Allowed classes are

* classes defined in the project's own modules (registered when a component or message class
  is loaded), production components excepted;
* classes defined in modules a project module names in ``PYPROD_PICKLE_MODULES`` (a list of
  module or package names at module level, e.g. ``PYPROD_PICKLE_MODULES = ["shapes"]``);
* the standard-library value types in :data:`STDLIB_TYPES` and a few built-in types.

Only classes are ever resolved: a name with dots, a function, a module or a builtin function is
refused. Calls (REDUCE, NEWOBJ) are calls of allowed classes only; state (BUILD) is applied to
instances of allowed classes only, never to a class, and never to dunder attributes.
"""

from __future__ import annotations

import codecs
import collections
import copyreg
import datetime
import decimal
import fractions
import ipaddress
import pathlib
import pickle
import re
import sys
import types
import uuid
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

#: Module-level setting of a project module: more modules whose classes pickle messages may hold.
SETTING = "PYPROD_PICKLE_MODULES"


class PickleRefused(pickle.UnpicklingError):
    """A pickle body was refused (an unallowed class or call, a size bomb, a malformed stream)."""


STDLIB_TYPES: Tuple[type, ...] = (
    pathlib.PurePath, pathlib.PurePosixPath, pathlib.PureWindowsPath, pathlib.Path, pathlib.PosixPath,
    pathlib.WindowsPath,
    ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network, ipaddress.IPv6Network,
    ipaddress.IPv4Interface, ipaddress.IPv6Interface,
    uuid.UUID, uuid.SafeUUID, decimal.Decimal, fractions.Fraction,
    datetime.date, datetime.datetime, datetime.time, datetime.timedelta, datetime.timezone,
    collections.OrderedDict, collections.deque, collections.defaultdict, collections.Counter,
    collections.ChainMap,
)
#: Built-in types a pickle may name (as set/frozenset/bytearray constructors of older protocols,
#: a ``defaultdict`` factory, or the base of ``copyreg._reconstructor``).
BUILTIN_TYPES: Tuple[type, ...] = (list, dict, set, frozenset, tuple, str, bytes, bytearray, int, float, complex,
                                   bool, object)
#: Types whose construction iterates or sizes from its arguments: called only with plain arguments.
_CONTAINERS: Tuple[type, ...] = (list, dict, set, frozenset, tuple, str, bytes, bytearray, collections.deque,
                                 collections.ChainMap)
_PLAIN = (type(None), bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, set, frozenset, type)
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

_user_modules: Set[str] = set()
_extra_packages: Set[str] = set()
_by_name: Dict[Tuple[str, str], type] = {(t.__module__, t.__qualname__): t for t in STDLIB_TYPES + BUILTIN_TYPES}
_known: Set[type] = set(_by_name.values())
#: At most this many entries in each cache below; a full cache is emptied and refilled on demand.
CACHE_LIMIT = 10_000
#: Classes already found allowed. A class stays allowed (modules are only ever added to the
#: allow-list, and whether a class is a production component never changes), so membership here
#: is a final "yes"; a class not here is asked :func:`allowed_class`. The unpickler reads it.
allowed_classes: Set[type] = set(_known)
#: ``(module, name)`` -> ``(class, module object)`` for globals already resolved: the class is
#: returned again only while ``sys.modules[module]`` is that module object and still defines the
#: name as that class (a reloaded or replaced module is resolved afresh). Standard types have no
#: module object: they are what the name means whatever the module holds. The unpickler reads it.
found_classes: Dict[Tuple[str, str], Tuple[type, Optional[types.ModuleType]]] = {
    key: (cls, None) for key, cls in _by_name.items()}
_RECONSTRUCTOR = ("copyreg", "_reconstructor")
#: Protocols 0-2 write bytes as ``_codecs.encode(text, "latin1")``.
_ENCODE = ("_codecs", "encode")
#: Module names protocols 0-2 write for Python 2 compatibility.
_PY2_MODULES = {"copy_reg": "copyreg", "__builtin__": "builtins"}


def allow_module(name: str) -> None:
    """Classes defined in module ``name`` may be unpickled; reads the module's ``PYPROD_PICKLE_MODULES``."""
    _user_modules.add(name)
    module = sys.modules.get(name)
    extra = getattr(module, SETTING, None) if module is not None else None
    if extra is None:
        return
    where = getattr(module, "__file__", name)
    if isinstance(extra, str) or not isinstance(extra, (list, tuple, set, frozenset)):
        raise ValueError(f"{where}: {SETTING} must be a list of module names, e.g. {SETTING} = [\"shapes\"]")
    for entry in extra:
        if not (isinstance(entry, str) and _DOTTED.match(entry)):
            raise ValueError(f"{where}: {SETTING} holds {entry!r}, which is not a module name; list module or "
                             "package names such as \"shapes\" or \"mypkg.models\"")
        _extra_packages.add(entry)


def _module_allowed(module: str) -> bool:
    if module in _user_modules:
        return True
    return any(module == p or module.startswith(p + ".") for p in _extra_packages)


def _is_component(cls: type) -> bool:
    from ..api.hosts import Component

    return issubclass(cls, Component)


def allowed_class(cls: Any) -> bool:
    """``cls`` is a class a pickle message may create."""
    if not isinstance(cls, type):
        return False
    if cls in allowed_classes:
        return True
    module = getattr(cls, "__module__", None)
    if cls in _known or (isinstance(module, str) and _module_allowed(module) and not _is_component(cls)):
        if len(allowed_classes) >= CACHE_LIMIT:
            allowed_classes.clear()
        allowed_classes.add(cls)
        return True
    return False


def find_class(module: str, name: str) -> Any:
    """Resolve a pickle global: a top-level class of an allowed module, nothing else."""
    cached = found_classes.get((module, name)) if type(module) is str and type(name) is str else None
    if cached is not None:
        cls, defined_in = cached
        if defined_in is None or (sys.modules.get(module) is defined_in and defined_in.__dict__.get(name) is cls):
            return cls
    shown = f"{module}.{name}"[:200]
    if not (_DOTTED.match(module) and name.isidentifier()):
        raise PickleRefused(f"refusing to unpickle {shown}: only top-level class names are resolved "
                            "(no dotted names or attribute paths)")
    module = _PY2_MODULES.get(module, module)
    if (module, name) == _RECONSTRUCTOR:
        return copyreg._reconstructor  # type: ignore[attr-defined]  # checked in call()
    if (module, name) == _ENCODE:
        return codecs.encode  # checked in call()
    known = _by_name.get((module, name))
    if known is not None:
        _remember((module, name), known, None)
        return known
    if not _module_allowed(module):
        raise PickleRefused(f"refusing to unpickle {shown}: pickle messages may hold only classes of the "
                            f"project's modules, of modules listed in {SETTING}, and standard value types")
    loaded = sys.modules.get(module)
    if loaded is None and module not in _user_modules:
        import importlib

        loaded = importlib.import_module(module)
    found = vars(loaded).get(name) if isinstance(loaded, types.ModuleType) else None
    if not isinstance(found, type):
        raise PickleRefused(f"refusing to unpickle {shown}: it is not a class "
                            f"({type(found).__name__ if found is not None else 'not found'})")
    if found.__module__ != module or found.__qualname__ != name:
        raise PickleRefused(f"refusing to unpickle {shown}: that name refers to "
                            f"{found.__module__}.{found.__qualname__}, defined elsewhere")
    if _is_component(found):
        raise PickleRefused(f"refusing to unpickle {shown}: production components are not message data")
    _remember((module, name), found, loaded)
    return found


def _remember(key: Tuple[str, str], cls: type, defined_in: Optional[types.ModuleType]) -> None:
    if len(found_classes) >= CACHE_LIMIT:
        found_classes.clear()
    found_classes[key] = (cls, defined_in)


def _check_args(cls: type, args: Any, kwargs: Any) -> Tuple[Tuple[Any, ...], Dict[str, Any]]:
    if not isinstance(args, tuple):
        raise PickleRefused(f"the arguments for {cls.__qualname__} are a {type(args).__name__}, not a tuple")
    if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
        raise PickleRefused(f"the keyword arguments for {cls.__qualname__} are malformed")
    values = list(args) + list(kwargs.values())
    if issubclass(cls, _CONTAINERS) and _builtin_construction(cls):
        for value in values:
            if not isinstance(value, _PLAIN) or (issubclass(cls, (bytes, bytearray)) and isinstance(value, int)):
                raise PickleRefused(f"refusing to build {cls.__qualname__} from a {type(value).__name__}")
    if cls is fractions.Fraction:
        for value in values:
            if not (isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"-?\d+(/\d+)?", value))):
                raise PickleRefused("a Fraction is rebuilt only from integers")
    return args, kwargs


def _builtin_construction(cls: type) -> bool:
    """``cls`` constructs itself with its built-in base's ``__new__``/``__init__`` (no Python override)."""
    return not any(isinstance(klass.__dict__.get(n), (types.FunctionType, staticmethod))
                   for klass in cls.__mro__ for n in ("__new__", "__init__"))


def call(func: Any, args: Any) -> Any:
    """REDUCE: ``func(*args)`` where ``func`` is an allowed class (or copyreg's reconstructor)."""
    if func is copyreg._reconstructor:  # type: ignore[attr-defined]
        return _reconstruct(args)
    if func is codecs.encode:
        if not (isinstance(args, tuple) and len(args) == 2 and isinstance(args[0], str) and args[1] == "latin1"):
            raise PickleRefused("_codecs.encode is accepted only as (text, 'latin1'), the bytes of old protocols")
        return codecs.encode(args[0], "latin1")
    if not allowed_class(func):
        raise PickleRefused(f"refusing to call {_name(func)}: only allowed classes are called")
    args, _ = _check_args(func, args, {})
    return func(*args)


def _reconstruct(args: Any) -> Any:
    """``copyreg._reconstructor(cls, base, state)``, which protocols 0 and 1 use for plain classes."""
    if not (isinstance(args, tuple) and len(args) == 3):
        raise PickleRefused("copyreg._reconstructor needs (class, base, state)")
    cls, base, state = args
    if not allowed_class(cls) or base not in BUILTIN_TYPES or not issubclass(cls, base):
        raise PickleRefused(f"refusing to reconstruct {_name(cls)} on {_name(base)}")
    if base is object:
        return object.__new__(cls)
    _check_args(base, (state,), {})
    return base.__new__(cls, state)


def new(cls: Any, args: Any, kwargs: Any) -> Any:
    """NEWOBJ: ``cls.__new__(cls, *args, **kwargs)`` for an allowed class."""
    if not allowed_class(cls):
        raise PickleRefused(f"refusing to create {_name(cls)}: only allowed classes are created")
    args, kwargs = _check_args(cls, args, kwargs)
    return cls.__new__(cls, *args, **kwargs)


def _instance_check(target: Any, what: str) -> None:
    if isinstance(target, type) or not allowed_class(type(target)):
        raise PickleRefused(f"refusing to {what} {_name(target)}: only instances of allowed classes are changed")


def _attribute_names(state: Any) -> Dict[str, Any]:
    if not isinstance(state, dict):
        raise PickleRefused(f"object state is a {type(state).__name__}, not a dict")
    for key in state:
        if not isinstance(key, str) or (key.startswith("__") and key.endswith("__")):
            raise PickleRefused(f"refusing to set attribute {str(key)[:100]!r} from a pickle")
    return state


def build(target: Any, state: Any) -> None:
    """BUILD: apply ``state`` to an instance (``__setstate__``, its ``__dict__``, or its slots)."""
    _instance_check(target, "set state on")
    setstate = getattr(type(target), "__setstate__", None)
    if setstate is not None:
        setstate(target, state)
        return
    slots: Optional[Dict[str, Any]] = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    if state:
        target.__dict__.update(_attribute_names(state))
    for key, value in _attribute_names(slots or {}).items():
        setattr(target, key, value)


def extend(target: Any, items: List[Any]) -> None:
    """APPEND/APPENDS."""
    if type(target) is list:
        target.extend(items)
        return
    _instance_check(target, "append to")
    extend_method = getattr(target, "extend", None)
    if extend_method is not None:
        extend_method(items)
    else:
        for item in items:
            target.append(item)


def set_items(target: Any, items: List[Any]) -> None:
    """SETITEM/SETITEMS/DICT: key, value pairs."""
    if len(items) % 2:
        raise PickleRefused("a dictionary has a key without a value")
    if type(target) is not dict:
        _instance_check(target, "set items of")
    for index in range(0, len(items), 2):
        target[items[index]] = items[index + 1]


def add_items(target: Any, items: Iterable[Any]) -> None:
    """ADDITEMS."""
    if type(target) is set:
        target.update(items)
        return
    _instance_check(target, "add items to")
    for item in items:
        target.add(item)


def _name(value: Any) -> str:
    if isinstance(value, type):
        return f"class {value.__module__}.{value.__qualname__}"
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return f"function {getattr(value, '__qualname__', '?')}"
    if isinstance(value, types.ModuleType):
        return f"module {value.__name__}"
    return f"a {type(value).__name__}"


__all__ = [
    "SETTING",
    "STDLIB_TYPES",
    "PickleRefused",
    "allow_module",
    "allowed_class",
    "build",
    "call",
    "find_class",
    "new",
]
