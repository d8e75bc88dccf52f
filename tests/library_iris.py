"""A stand-alone fake of the embedded ``iris`` module, for running PyProd.Library's Python methods
in a fresh interpreter where the library itself is not importable (not shipped).

It imports nothing of intersystems_pyprod, so whatever of the library a test process imports came
through the finder under test. The IRIS rules it keeps:

* globals belong to a namespace; ``gref`` follows the namespace the process is in at each access
  (``switch`` is ``SET $NAMESPACE``), and every process sees the same databases: the globals are
  kept in the file named by ``FAKE_IRIS_DB`` and written back when the process ends;
* ``get`` of an undefined node returns None, or raises ``<UNDEFINED>`` with ``UNDEFINED_RAISES``
  (which of the two IRIS does is not known); ``$DATA`` says 0, 1, 10 or 11;
* ``$ORDER`` collates numbers before strings and ends with "";
* a global named in ``PROTECTED`` (namespace, name) raises ``<PROTECT>`` at every access, like a
  global the process has no privilege on.
"""

from __future__ import annotations

import atexit
import os
import pickle
from typing import Any, Dict, List, Set, Tuple

Key = Tuple[Any, ...]

#: namespace -> global name -> {subscripts: value}
DATABASES: Dict[str, Dict[str, Dict[Key, Any]]] = {}
CURRENT = ["USER"]
UNDEFINED_RAISES = [False]
PROTECTED: Set[Tuple[str, str]] = set()
#: Classes reached with cls(name) (a test puts PyProd.Library's methods here).
CLASSES: Dict[str, Any] = {}

_FILE = os.environ.get("FAKE_IRIS_DB", "")
if _FILE and os.path.exists(_FILE):
    with open(_FILE, "rb") as _handle:
        DATABASES.update(pickle.load(_handle))


def save() -> None:
    if _FILE:
        with open(_FILE, "wb") as handle:
            pickle.dump(DATABASES, handle)


atexit.register(save)


def switch(namespace: str) -> None:
    CURRENT[0] = namespace.upper()


def _collate(value: Any) -> Tuple[int, Any]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


class _Global:
    def __init__(self, name: str) -> None:
        self.name = name

    def _nodes(self) -> Dict[Key, Any]:
        if (CURRENT[0], self.name) in PROTECTED:
            raise RuntimeError(f"<PROTECT> {self.name}")
        return DATABASES.setdefault(CURRENT[0], {}).setdefault(self.name, {})

    def get(self, subs: List[Any]) -> Any:
        value = self._nodes().get(tuple(subs))
        if value is None and UNDEFINED_RAISES[0]:
            raise RuntimeError(f"<UNDEFINED> {self.name}{tuple(subs)!r}")
        return value

    def data(self, subs: List[Any]) -> int:
        nodes, key = self._nodes(), tuple(subs)
        below = any(len(k) > len(key) and k[:len(key)] == key for k in nodes)
        return (1 if key in nodes else 0) + (10 if below else 0)

    def set(self, subs: List[Any], value: Any) -> None:
        if not isinstance(value, (str, int, float)):
            raise TypeError(f"a global holds strings and numbers, not {type(value).__name__}")
        if isinstance(value, str) and len(value) > 3_641_144:
            raise ValueError("<MAXSTRING>")
        self._nodes()[tuple(subs)] = value

    def kill(self, subs: List[Any]) -> None:
        nodes, key = self._nodes(), tuple(subs)
        for k in [k for k in nodes if k[:len(key)] == key]:
            del nodes[k]

    def order(self, subs: List[Any]) -> Any:
        *parent, after = subs
        n = len(parent)
        keys = sorted({k[n] for k in self._nodes() if len(k) > n and list(k[:n]) == parent}, key=_collate)
        later = keys if after == "" else [k for k in keys if _collate(k) > _collate(after)]
        return later[0] if later else ""


def gref(name: str) -> _Global:
    return _Global(name)


class _Sys:
    @staticmethod
    def NameSpace() -> str:
        return CURRENT[0]


def cls(name: str) -> Any:
    if name == "%SYSTEM.SYS":
        return _Sys
    if name in CLASSES:
        return CLASSES[name]
    raise RuntimeError(f"<CLASS DOES NOT EXIST> {name}")
