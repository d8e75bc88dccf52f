"""Serialised, all-or-nothing changes to a namespace.

Every load, restore and unload runs under one lock per namespace. Globals change inside a
transaction; class definitions, which IRIS cannot roll back, change only after their intent is
recorded, so that a failure (any exception, ``KeyboardInterrupt`` included) is undone at once,
and a process killed half-way is completed or undone by the next call that takes the lock.
"""

from __future__ import annotations

import contextlib
from typing import Any, Dict, Iterator, List, Mapping, Optional, Protocol, Set, Tuple

from ..errors import PyProdError
from .store import SourceStore

#: Seconds a load waits for another one to finish.
LOCK_TIMEOUT = 30


class Namespace(Protocol):
    """What the loader needs from the IRIS namespace."""

    def existing(self, names: List[str]) -> Set[str]:
        """Lower-case names of those classes that exist."""

    def class_text(self, name: str) -> Optional[str]:
        """The current UDL text of a class (with its Storage), or None."""

    def compile(self, texts: Mapping[str, str]) -> Dict[str, List[str]]:
        """Load these class texts and compile them in one step: class name -> errors ({} = ok)."""

    def delete(self, names: List[str]) -> List[str]:
        """Delete classes; the errors."""

    def restart_items(self, class_names: List[str]) -> Tuple[List[str], List[str], List[str]]:
        """Restart running production items of these classes that have jobs of their own:
        (names restarted, names that pick up the new code at their next callback, warnings)."""

    def lock(self, timeout: int) -> bool:
        """Take the namespace's load lock within ``timeout`` seconds; False when another holds it."""

    def unlock(self) -> None: ...

    def tstart(self) -> None: ...

    def tcommit(self) -> None: ...

    def trollback(self) -> None:
        """Roll back every open transaction level (nothing when none is open)."""

    def user(self) -> str: ...

    def now(self) -> str: ...


def _twice(step: Any) -> None:
    """Run a clean-up step, once more if the first attempt failed; the second failure is raised."""
    try:
        step()
    except BaseException:
        step()


@contextlib.contextmanager
def transaction(ns: Namespace) -> Iterator[None]:
    """Globals set inside change together or not at all."""
    ns.tstart()
    try:
        yield
        ns.tcommit()
    except BaseException:
        _twice(ns.trollback)
        raise


@contextlib.contextmanager
def locked(ns: Namespace, store: SourceStore, what: str, timeout: int = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the namespace's load lock; the work of an earlier, interrupted call is settled first."""
    if not ns.lock(timeout):
        holder = store.holder() or {}
        raise PyProdError(f"a {holder.get('what', 'load')} by {holder.get('user', 'another user')} is in "
                          f"progress since {holder.get('time', 'an unknown time')}",
                          fix="try again when it has finished")
    try:
        _twice(ns.trollback)  # a transaction an earlier call left open in this process ends here
        store.set_holder({"what": what, "user": ns.user(), "time": ns.now()})
        settle(ns, store)
        yield
    finally:
        try:
            _twice(ns.trollback)
            _twice(lambda: store.set_holder(None))
        finally:
            _twice(ns.unlock)


def begin(ns: Namespace, store: SourceStore, intent: Mapping[str, Any], previous: Mapping[str, str]) -> None:
    """Record what is about to happen to class definitions."""
    with transaction(ns):
        store.set_intent({**intent, "phase": "changing"}, previous)


def settle(ns: Namespace, store: SourceStore) -> List[str]:
    """Complete or undo the recorded intent, if any: before its commit the old classes are put
    back, after it the classes that are gone are deleted. Returns the classes touched."""
    intent = store.intent()
    if intent is None:
        return []
    touched: List[str] = []
    if intent.get("phase") == "committed":
        gone = _present(ns, intent.get("delete", []))
        problems = ns.delete(gone) if gone else []
        if _present(ns, gone):
            raise PyProdError("classes of the last load could not be deleted: " + "; ".join(problems),
                              fix="check the classes are not open or locked, then load again")
        touched += gone
    else:
        previous = store.intent_previous()
        if previous:
            errors = ns.compile(previous)
            if any(errors.values()):
                failed = ", ".join(sorted(n for n, e in errors.items() if e))
                raise PyProdError(f"the previous definitions of {failed} could not be compiled again",
                                  fix="correct or delete those classes, then load again")
        created = _present(ns, intent.get("create", []))
        if created:
            ns.delete(created)
            if _present(ns, created):
                raise PyProdError("classes of an unfinished load could not be deleted: " + ", ".join(created),
                                  fix="delete them by hand, then load again")
        touched += sorted(previous) + created
    with transaction(ns):
        store.clear_intent()
    return touched


def _present(ns: Namespace, names: List[str]) -> List[str]:
    have = ns.existing(list(names)) if names else set()
    return [n for n in names if n.lower() in have]
