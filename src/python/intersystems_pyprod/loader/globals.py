"""Access to IRIS globals, and an in-memory stand-in with the same behaviour.

The loader keeps its state (source versions, which script generated which class) in globals of
the namespace database, so that a restart, a failover or another client loses nothing.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Protocol, Tuple

Subscripts = Tuple[Any, ...]


class Globals(Protocol):
    """One global: values at subscript tuples."""

    def get(self, subs: Subscripts) -> Optional[Any]: ...

    def set(self, subs: Subscripts, value: Any) -> None: ...

    def kill(self, subs: Subscripts) -> None: ...

    def children(self, subs: Subscripts) -> List[Any]: ...


def _key(value: Any) -> Tuple[int, Any]:
    """IRIS collation: numbers before strings, numbers by value, strings by text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


class MemoryGlobals:
    """A global kept in a dict (tests, and anything that runs outside IRIS)."""

    def __init__(self) -> None:
        self.data: Dict[Subscripts, Any] = {}

    def get(self, subs: Subscripts) -> Optional[Any]:
        return self.data.get(tuple(subs))

    def set(self, subs: Subscripts, value: Any) -> None:
        self.data[tuple(subs)] = value

    def kill(self, subs: Subscripts) -> None:
        n = len(subs)
        for key in [k for k in self.data if k[:n] == tuple(subs)]:
            del self.data[key]

    def children(self, subs: Subscripts) -> List[Any]:
        n = len(subs)
        found = {k[n] for k in self.data if len(k) > n and k[:n] == tuple(subs)}
        return sorted(found, key=_key)


class IrisGlobals:
    """A global of the namespace through Embedded Python's ``iris.gref``."""

    def __init__(self, name: str) -> None:
        from ..runtime import irisapi

        self._ref = irisapi.get().gref(name)

    def get(self, subs: Subscripts) -> Optional[Any]:
        """The node's value, None when it has none. Whether ``gref.get`` of an undefined node
        returns None or raises is unconfirmed (IRIS_REFERENCE.md bug magnet 26): a raise counts
        as "undefined" only when ``data`` says the node holds no value."""
        try:
            return self._ref.get(list(subs))
        except Exception:
            try:
                holds_value = int(self._ref.data(list(subs)) or 0) % 10 == 1
            except Exception:
                holds_value = True  # cannot tell: the first error stands
            if holds_value:
                raise
            return None

    def set(self, subs: Subscripts, value: Any) -> None:
        self._ref.set(list(subs), value)

    def kill(self, subs: Subscripts) -> None:
        self._ref.kill(list(subs))

    def children(self, subs: Subscripts) -> List[Any]:
        found = []
        key = self._ref.order([*subs, ""])
        while key is not None and key != "":
            found.append(key)
            key = self._ref.order([*subs, key])
        return found
