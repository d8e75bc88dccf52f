"""The stand-in's globals: ``iris.gref`` on in-memory globals, one set per namespace, with the
process's ``$NAMESPACE`` and both answers IRIS might give where its behaviour is not known."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Union

from ..loader.globals import MemoryGlobals


class GlobalRef:
    """``iris.gref(name)``: get/set/kill/order/data on subscript lists, kept in memory.

    ``store`` is the global itself, or a function giving it at each access (a reference that
    follows the process's namespace). With ``undefined_raises``, ``get`` of an undefined node
    raises ``<UNDEFINED>`` instead of returning None: which of the two IRIS does is not known,
    so code must cope with both (and ask ``data`` where the difference matters).
    """

    def __init__(self, store: Union[MemoryGlobals, Callable[[], MemoryGlobals]],
                 undefined_raises: bool = False) -> None:
        self._store = store
        self.undefined_raises = undefined_raises

    @property
    def store(self) -> MemoryGlobals:
        return self._store if isinstance(self._store, MemoryGlobals) else self._store()

    def get(self, subs: List[Any]) -> Any:
        value = self.store.get(tuple(subs))
        if value is None and self.undefined_raises:
            raise RuntimeError(f"<UNDEFINED> {subs!r}")
        return value

    def data(self, subs: List[Any]) -> int:
        """``$DATA``: 1 when the node has a value, +10 when it has nodes below it."""
        store, key = self.store, tuple(subs)
        below = any(len(k) > len(key) and k[:len(key)] == key for k in store.data)
        return (1 if key in store.data else 0) + (10 if below else 0)

    def set(self, subs: List[Any], value: Any) -> None:
        self.store.set(tuple(subs), value)

    def kill(self, subs: List[Any]) -> None:
        self.store.kill(tuple(subs))

    def order(self, subs: List[Any]) -> Any:
        """The next subscript after the last one at that level ("" starts; "" when there is none)."""
        *parent, after = subs
        keys = self.store.children(tuple(parent))
        if after == "":
            return keys[0] if keys else ""
        position = next((i for i, k in enumerate(keys) if k == after), None)
        if position is None:
            later = [k for k in keys if str(k) > str(after)]
            return later[0] if later else ""
        return keys[position + 1] if position + 1 < len(keys) else ""


class Namespaces:
    """The globals of every namespace, and the one a process is in (``$NAMESPACE``).

    ``switch`` is ``SET $NAMESPACE``. Whether a global reference keeps the namespace it was made
    in (``binds_at_creation``) or follows the process at each access is not known for IRIS, so
    both can be had; ``undefined_raises`` makes ``get`` of an undefined node raise.
    """

    def __init__(self, namespace: str = "USER", binds_at_creation: bool = False,
                 undefined_raises: bool = False) -> None:
        self.current = namespace.upper()
        self.binds_at_creation = binds_at_creation
        self.undefined_raises = undefined_raises
        self.spaces: Dict[str, Dict[str, MemoryGlobals]] = {}

    def switch(self, namespace: str) -> None:
        self.current = namespace.upper()

    def globals(self, namespace: Optional[str] = None) -> Dict[str, MemoryGlobals]:
        """Name -> global of a namespace (the current one by default)."""
        return self.spaces.setdefault((namespace or self.current).upper(), {})

    def global_(self, name: str, namespace: Optional[str] = None) -> MemoryGlobals:
        return self.globals(namespace).setdefault(name, MemoryGlobals())

    def gref(self, name: str) -> GlobalRef:
        if self.binds_at_creation:
            return GlobalRef(self.global_(name), self.undefined_raises)
        return GlobalRef(lambda: self.global_(name), self.undefined_raises)
