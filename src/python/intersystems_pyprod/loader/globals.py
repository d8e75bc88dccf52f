"""Access to IRIS globals, and an in-memory stand-in with the same behaviour.

The loader keeps its state (source versions, which script generated which class) in globals of
the namespace database, so that a restart, a failover or another client loses nothing.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Protocol, Tuple

Subscripts = Tuple[Any, ...]


#: Most encoded characters IRIS allows in a whole global reference, name and subscripts included
#: (beyond it, ``<SUBSCRIPT>``).
REFERENCE_LIMIT = 511


def reference_length(name: str, subs: Subscripts) -> int:
    """A conservative length of the reference ``name(subs...)`` as IRIS counts it: the name, the
    parentheses and commas, a number as its digits, a string quoted with its quotes doubled and
    every character beyond ASCII counted as three."""
    length = len(name) + (2 + max(len(subs) - 1, 0) if subs else 0)
    for sub in subs:
        if isinstance(sub, (int, float)) and not isinstance(sub, bool):
            length += len(str(sub))
        else:
            text = str(sub)
            length += 2 + sum(1 if ord(c) < 128 else 3 for c in text) + text.count('"')
    return length


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
        """The node's value; None when it is undefined, whether ``gref.get`` returns None for it or
        raises (releases differ); any other failure (no privilege, ...) is raised."""
        key = list(subs)
        try:
            return self._ref.get(key)
        except Exception:
            if self._undefined(key):
                return None
            raise

    def _undefined(self, key: List[Any]) -> bool:
        """True when ``$DATA`` of the node says it holds no value (0 or 10); False when that cannot
        be told, so the caller's error stands."""
        try:
            return int(self._ref.data(key)) in (0, 10)
        except Exception:
            return False

    def set(self, subs: Subscripts, value: Any) -> None:
        self._ref.set(list(subs), value)

    def kill(self, subs: Subscripts) -> None:
        self._ref.kill(list(subs))

    def children(self, subs: Subscripts) -> List[Any]:
        """Subscripts below ``subs`` in collation order (``$ORDER`` ends with "" or None; it never
        fails on an undefined node)."""
        found = []
        key = self._ref.order([*subs, ""])
        while key is not None and key != "":
            found.append(key)
            key = self._ref.order([*subs, key])
        return found
