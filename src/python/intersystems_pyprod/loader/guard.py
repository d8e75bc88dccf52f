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
from ..troubleshooting import see
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
        """Load these class texts and compile them in one step, with every class that extends
        them: class name -> errors ({} = ok)."""

    def base_mark(self) -> str:
        """What identifies the installed PyProd base classes: it changes when they are upgraded."""

    def delete(self, names: List[str]) -> List[str]:
        """Delete classes; the errors."""

    def uses(self, names: List[str]) -> Dict[str, Dict[str, Any]]:
        """For each class: {"items": [[production, item], ...] of every production item naming it,
        "bodies": whether a message header names it as body class, "inflight": whether business
        process instances of it have not completed, "running": the running production or ""}."""

    def update_production(self, productions: List[str]) -> Tuple[List[str], List[str]]:
        """When one of these production classes is the running production and its definition
        changed, apply it (``UpdateProduction``): (productions updated, warnings)."""

    def restart_items(self, class_names: List[str], dry: bool = False) -> Tuple[List[str], List[str], List[str]]:
        """Restart running production items of these classes that have jobs of their own:
        (names restarted, names that pick up the new code at their next callback, warnings);
        ``dry``: restart none, only name them."""

    def lock(self, timeout: int) -> bool:
        """Take the namespace's load lock within ``timeout`` seconds; False when another holds it."""

    def unlock(self) -> None: ...

    def tlevel(self) -> int:
        """The process's transaction level (``$TLEVEL``)."""

    def tstart(self) -> None:
        """Open one transaction level."""

    def tcommit(self, level: int) -> None:
        """Commit the levels above ``level``; the levels below stay open."""

    def trollback(self, level: int) -> None:
        """Roll back the levels above ``level``, one at a time; the levels below and their work stay."""

    def user(self) -> str: ...

    def now(self) -> str: ...


def _twice(step: Any) -> None:
    """Run a clean-up step, once more if the first attempt failed; the second failure is raised."""
    try:
        step()
    except BaseException:
        step()


#: The transaction level this process was at when the loader last opened a level, while that
#: level may still be open (a rollback that failed twice); the next call ends it.
_opened_above: Optional[int] = None


@contextlib.contextmanager
def transaction(ns: Namespace) -> Iterator[None]:
    """Globals set inside change together or not at all. Only the level opened here is committed
    or rolled back: a transaction the caller opened around the load stays open, its work intact."""
    global _opened_above
    level = ns.tlevel()
    _opened_above = level
    ns.tstart()
    try:
        yield
        ns.tcommit(level)
    except BaseException:
        _twice(lambda: ns.trollback(level))
        raise
    _opened_above = None


def _end_left_open(ns: Namespace) -> None:
    """Roll back a level an earlier call of this process opened and could not end."""
    global _opened_above
    if _opened_above is not None and ns.tlevel() > _opened_above:
        ns.trollback(_opened_above)
    _opened_above = None


@contextlib.contextmanager
def locked(ns: Namespace, store: SourceStore, what: str, timeout: int = LOCK_TIMEOUT,
           unloading: Optional[str] = None) -> Iterator[List[str]]:
    """Hold the namespace's load lock; the work of an earlier, interrupted call is settled first
    (see ``settle``; ``unloading``: the script an unload removes). Yields the warnings the
    caller's situation calls for (a transaction of its own is open, a settle that could not
    restore everything)."""
    caller_level = ns.tlevel()
    if not ns.lock(timeout):
        holder = store.holder() or {}
        raise PyProdError(f"a {holder.get('what', 'load')} by {holder.get('user', 'another user')} is in "
                          f"progress since {holder.get('time', 'an unknown time')}",
                          fix="try again when it has finished; " + see("load-in-progress"))
    try:
        _twice(lambda: _end_left_open(ns))
        store.set_holder({"what": what, "user": ns.user(), "time": ns.now()})
        notes = settle(ns, store, unloading)
        yield notes + ([f"the {what} ran inside a transaction the caller opened (level {caller_level}): its "
                        "records become final when that transaction commits, and the load lock is held until "
                        "then; rolling it back undoes the records but not the compiled classes; "
                        + see("load-inside-a-transaction")]
                       if caller_level else [])
    finally:
        try:
            _twice(lambda: _end_left_open(ns))
            _twice(lambda: store.set_holder(None))
        finally:
            _twice(ns.unlock)


def begin(ns: Namespace, store: SourceStore, intent: Mapping[str, Any], previous: Mapping[str, str]) -> None:
    """Record what is about to happen to class definitions."""
    with transaction(ns):
        store.set_intent({**intent, "phase": "changing"}, previous)


def settle(ns: Namespace, store: SourceStore, unloading: Optional[str] = None) -> List[str]:
    """Complete or undo the recorded intent, if any: before its commit the old classes are put
    back, after it the classes that are gone are deleted. Returns warnings.

    A previous definition that no longer compiles (a base class changed, a hand edit that never
    compiled) does not stop the settle: it stays in place uncompiled, is reported, and is marked
    so that the next load of its script compiles it again. An unload of the script whose change
    was interrupted compiles nothing of that script: it leaves the intent to the unload, which
    replaces it and deletes the script's classes, the ones that change created included."""
    intent = store.intent()
    if intent is None:
        return []
    warnings: List[str] = []
    broken: List[str] = []
    if intent.get("phase") == "committed":
        gone = _present(ns, intent.get("delete", []))
        problems = ns.delete(gone) if gone else []
        if _present(ns, gone):
            raise PyProdError("classes of the last load could not be deleted: " + "; ".join(problems),
                              fix="check the classes are not open or locked, then load again")
    else:
        previous = store.intent_previous()
        superseded = unloading is not None and intent.get("script") == unloading
        if superseded:  # the unload deletes the script's own classes: no need to compile them
            mine = {n.lower() for n in store.recorded(str(unloading))}
            previous = {n: t for n, t in previous.items() if n.lower() not in mine}
        if previous:
            errors = ns.compile(previous)
            broken = sorted(n for n, e in errors.items() if e)
            if broken:
                detail = "; ".join(f"{n}: {errors[n][0]}" for n in broken)
                warnings.append(f"an interrupted load of script {intent.get('script')!r} was undone, but the previous "
                                f"definitions of {', '.join(broken)} could not be compiled again ({detail}); they "
                                "are in place uncompiled: the next load of their script compiles them afresh, "
                                "or correct or delete them by hand")
        if superseded:
            return warnings
        created = _present(ns, intent.get("create", []))
        if created:
            ns.delete(created)
            if _present(ns, created):
                raise PyProdError("classes of an unfinished load could not be deleted: " + ", ".join(created),
                                  fix="delete them by hand, then load again")
    with transaction(ns):
        store.mark_uncompiled(broken)
        store.clear_intent()
    return warnings


def _present(ns: Namespace, names: List[str]) -> List[str]:
    have = ns.existing(list(names)) if names else set()
    return [n for n in names if n.lower() in have]
