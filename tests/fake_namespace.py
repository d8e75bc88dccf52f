"""A fake IRIS namespace for loader tests (not shipped).

``FakeDatabase`` is what IRIS keeps: class definitions (case-insensitive names, as IRIS), the
loader's globals and the load lock. ``FakeNamespace`` is one process using it: every operation
is a numbered step, and a test can make step k raise (``fail_at``), or make every step from k
on raise, as a process killed at k (``crash_at``; ``revive()`` then ends that process the way
IRIS does: its open transaction rolls back and its lock is released).

Transactions nest as in IRIS: ``TSTART`` opens a level, ``TCOMMIT`` ends the innermost one (the
work becomes final only when the outermost ends), ``TROLLBACK 1`` undoes the innermost level's
work, and an argumentless ``TROLLBACK`` (``trollback_all``) undoes every level, a caller's
included. A lock released inside a transaction is held until the transaction ends.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Set, Tuple, Type

from intersystems_pyprod.classgen import grammar
from intersystems_pyprod.loader.globals import REFERENCE_LIMIT, MemoryGlobals, Subscripts, reference_length
from intersystems_pyprod.loader.plan import supers_of
from intersystems_pyprod.loader.store import SourceStore

from . import fake_storage

_ITEM = re.compile(r'<Item Name="([^"]*)"[^>]*? ClassName="([^"]*)"')


class Crashed(BaseException):
    """Raised by every step of a process that was killed."""


class FakeDatabase:
    def __init__(self) -> None:
        self.classes: Dict[str, str] = {}
        self.globals: Dict[str, MemoryGlobals] = {n: MemoryGlobals() for n in ("sources", "owners", "state", "seal",
                                                                              "upload")}
        self.lock_owner: Optional[FakeNamespace] = None
        self.lock_count = 0
        #: Last text of each class (lower-case name) that compiled.
        self.compiled: Dict[str, str] = {}
        #: For each compiled class, the compiled text of each class it extends at that time.
        self.built_on: Dict[str, Dict[str, Optional[str]]] = {}
        #: What identifies the installed PyProd base classes (an upgrade changes it).
        self.base_mark = "pyprod 0.3.0"
        #: The running production (its class name), or None.
        self.running_production: Optional[str] = None
        #: The definition the running production runs with (its XData when it started or last updated).
        self.running_definition: Optional[str] = None
        #: Body class names (lower case) message headers name: their bodies stay in the shared extent.
        self.headers: Set[str] = set()
        #: Business process classes (lower case) with instances that have not completed.
        self.in_flight: Set[str] = set()

    def items(self) -> List[Tuple[str, str, str]]:
        """``Ens.Config.Item`` rows: (production, item, class) of every production class's XData, as
        compiling a production class loads them (hand-written productions included)."""
        rows = []
        for name, text in self.classes.items():
            if "XData ProductionDefinition" in text:
                for item, cls in _ITEM.findall(text):
                    rows.append((name, item, cls))
        return rows

    def stale(self) -> List[str]:
        """Compiled classes that extend a class compiled again since (IRIS keeps running the
        subclass's old compiled form until it is recompiled itself)."""
        return sorted(name for name, supers in self.built_on.items()
                      if any(s in self.compiled and self.compiled[s] != text for s, text in supers.items()))

    def built(self, texts: Mapping[str, str]) -> None:
        """These class texts compiled: record them and what they were built on."""
        self.compiled.update({n.lower(): t for n, t in texts.items()})
        for name, text in texts.items():
            self.built_on[name.lower()] = {s: self.compiled.get(s) for s in supers_of(text)}

    def case_clash(self, name: str) -> Optional[str]:
        """IRIS's ERROR #5093 for a class whose name, or one of whose packages, differs only in case
        from an existing class or package; None when the name is free."""
        found = self.find(name)
        if found is not None and found != name:
            return f"ERROR #5093: Name conflict on class '{name}' because class '{found}' differs only in case"
        parts = name.split(".")[:-1]
        for i in range(1, len(parts) + 1):
            package = ".".join(parts[:i])
            for other in self.classes:
                spelled = ".".join(other.split(".")[:i])
                if other.count(".") >= i and spelled.lower() == package.lower() and spelled != package:
                    return (f"ERROR #5093: Name conflict on class '{name}' because package '{spelled}' has the "
                            "same name but differs in case")
        return None

    def find(self, name: str) -> Optional[str]:
        """The stored spelling of a class name, compared without case."""
        return next((n for n in self.classes if n.lower() == name.lower()), None)

    def ipm_uninstall(self, before_unconfigure: Callable[[], Optional[str]]) -> Optional[str]:
        """``zpm "uninstall pyprod"`` as IPM 0.10.9 runs it: the module's Invoke before the
        Unconfigure phase runs first; an error it returns ends the uninstall with nothing deleted.
        Otherwise IPM deletes the module's resources (the ``PyProd`` package) and nothing else:
        classes the loader generated are no resources, and globals are none either."""
        error = before_unconfigure()
        if error:
            return error
        for name in [n for n in self.classes if n.lower().startswith("pyprod.")]:
            del self.classes[name]
        return None

    def snapshot(self) -> Tuple[Dict[str, Any], ...]:
        return tuple(copy.deepcopy(g.data) for g in self.globals.values())

    def restore(self, saved: Tuple[Dict[str, Any], ...]) -> None:
        for g, data in zip(self.globals.values(), saved):
            g.data = data


#: The IRIS names of the database's globals.
GLOBAL_NAMES = {"sources": "^PyProd.Sources", "owners": "^PyProd.Owners", "state": "^PyProd.State",
                "seal": "^PyProd.Seal", "upload": "^PyProd.Upload"}


class StepGlobals:
    """One of the database's globals, seen through a process (each access is a step). A reference
    longer than IRIS allows fails with ``<SUBSCRIPT>``, as in IRIS."""

    def __init__(self, ns: FakeNamespace, name: str) -> None:
        self.ns, self.name = ns, name

    def _g(self, subs: Subscripts) -> MemoryGlobals:
        if reference_length(GLOBAL_NAMES[self.name], subs) > REFERENCE_LIMIT:
            raise RuntimeError(f"<SUBSCRIPT> {GLOBAL_NAMES[self.name]}({', '.join(map(repr, subs))[:60]}...")
        return self.ns.db.globals[self.name]

    def get(self, subs: Subscripts) -> Any:
        self.ns.step("get")
        return self._g(subs).get(subs)

    def set(self, subs: Subscripts, value: Any) -> None:
        self.ns.step("set")
        self._g(subs).set(subs, value)

    def kill(self, subs: Subscripts) -> None:
        self.ns.step("kill")
        self._g(subs).kill(subs)

    def children(self, subs: Subscripts) -> List[Any]:
        self.ns.step("children")
        return self._g((*subs, "")).children(subs)


class FakeNamespace:
    def __init__(self, db: Optional[FakeDatabase] = None, user: str = "_SYSTEM") -> None:
        self.db = db or FakeDatabase()
        self.username = user
        self.fail: Set[str] = set()
        self.running: Dict[str, List[str]] = {}
        #: Running items of a class with a pool of their own / in the shared actor pool.
        self.pooled: Dict[str, List[str]] = {}
        self.restart_problems: List[str] = []
        #: The class names of each restart_items call: a load that changed anything asks for one,
        #: even with no host class (its production class may need the running production updated).
        self.restart_calls: List[List[str]] = []
        self.compile_calls: List[List[str]] = []
        self.steps = 0
        self.fail_at: Optional[int] = None
        self.crash_at: Optional[int] = None
        self.error: Type[BaseException] = RuntimeError
        self.on_step: Optional[Callable[[str], None]] = None
        #: What the globals held when each open transaction level started (innermost last).
        self._levels: List[Tuple[Dict[str, Any], ...]] = []
        self._unlock_deferred = False
        self.held_lock_timeouts: List[int] = []
        #: Compile with IRIS's ``b`` flag: subclasses of a compiled class are compiled with it.
        self.with_subclasses = True

    @property
    def classes(self) -> Dict[str, str]:
        return self.db.classes

    def store(self) -> SourceStore:
        return SourceStore(StepGlobals(self, "sources"), StepGlobals(self, "owners"), StepGlobals(self, "state"),
                           StepGlobals(self, "seal"))

    # -- fault injection -----------------------------------------------------------------------
    def step(self, what: str) -> None:
        self.steps += 1
        if self.crash_at is not None and self.steps >= self.crash_at:
            raise Crashed(f"process killed at step {self.crash_at} ({what})")
        if self.steps == self.fail_at:
            raise self.error(f"injected fault at step {self.steps} ({what})")
        if self.on_step is not None:
            self.on_step(what)

    def revive(self) -> None:
        """The killed process is gone: IRIS rolls back its transaction and frees its lock."""
        if self._levels:
            self.db.restore(self._levels[0])
        self._levels = []
        self._unlock_deferred = False
        if self.db.lock_owner is self:
            self.db.lock_owner, self.db.lock_count = None, 0
        self.crash_at = self.fail_at = None

    # -- namespace -----------------------------------------------------------------------------
    def existing(self, names: List[str]) -> Set[str]:
        self.step("existing")
        have = {n.lower() for n in self.classes}
        return {n.lower() for n in names if n.lower() in have}

    def class_text(self, name: str) -> Optional[str]:
        self.step("class_text")
        found = self.db.find(name)
        return self.classes[found] if found else None

    def compile(self, texts: Mapping[str, str]) -> Dict[str, List[str]]:
        self.compile_calls.append(sorted(texts))
        errors: Dict[str, List[str]] = {}
        for name, text in texts.items():  # IRIS keeps loaded definitions even when compile fails
            self.step("load")
            clash = self.db.case_clash(name)
            if clash:
                errors[name] = [clash]
                continue
            found = self.db.find(name)
            if found:
                del self.classes[found]
            self.classes[name] = text
        if errors:
            return errors
        self.step("compile")
        for name, text in texts.items():
            problems = [str(p) for p in grammar.check(text)] + fake_storage.compile_problems(name, text, self.classes)
            if name in self.fail and self.db.compiled.get(name.lower()) != text:
                problems.append(f"ERROR #5000: {name} does not compile")
            if problems:
                errors[name] = problems
        if not errors:
            completed = {}
            for name, text in texts.items():  # the compiler writes the storage into the definition
                self.classes[name] = completed[name] = fake_storage.complete_storage(name, text, self.classes)
            self.db.built(completed)
            if self.with_subclasses:
                self.db.built(self._subclasses(completed))
        return errors

    def _subclasses(self, texts: Mapping[str, str]) -> Dict[str, str]:
        """Classes in the namespace that extend one of ``texts``, however indirectly (``b``)."""
        found: Dict[str, str] = {}
        done = {n.lower() for n in texts}
        grew = True
        while grew:
            grew = False
            for name, text in self.classes.items():
                if name.lower() not in done and any(s in done for s in supers_of(text)):
                    found[name], grew = text, True
                    done.add(name.lower())
        return found

    def uses(self, names: List[str]) -> Dict[str, Dict[str, Any]]:
        self.step("uses")
        rows = self.db.items()
        return {name: {"items": [[p, i] for p, i, c in rows if c.lower() == name.lower()],
                       "bodies": name.lower() in self.db.headers, "inflight": name.lower() in self.db.in_flight,
                       "running": self.db.running_production or ""} for name in names}

    def update_production(self, productions: List[str]) -> Tuple[List[str], List[str]]:
        """``UpdateProduction`` when the running production's class holds another definition than
        the one it runs with (``ProductionNeedsUpdate``)."""
        self.step("update_production")
        running = self.db.running_production
        if running is None or running.lower() not in {p.lower() for p in productions}:
            return [], []
        found = self.db.find(running)
        text = self.classes[found] if found else None
        if text == self.db.running_definition:
            return [], []
        self.db.running_definition = text
        return [running], []

    def base_mark(self) -> str:
        self.step("base_mark")
        return self.db.base_mark

    def delete(self, names: List[str]) -> List[str]:
        problems = []
        for name in names:
            self.step("delete")
            found = self.db.find(name)
            if found is None:
                problems.append(f"could not delete {name}: ERROR #5351: Class '{name}' does not exist")
            else:
                del self.classes[found]
        return problems

    def restart_items(self, class_names: List[str], dry: bool = False) -> Tuple[List[str], List[str], List[str]]:
        self.step("restart")
        if not dry:  # a plan only asks which items would restart
            self.restart_calls.append(list(class_names))
        restarted = sorted(item for name in class_names for item in self.running.get(name, []))
        shared = sorted(item for name in class_names for item in self.pooled.get(name, []))
        return restarted, shared, list(self.restart_problems)

    def lock(self, timeout: int) -> bool:
        self.step("lock")
        if self.db.lock_owner not in (None, self):
            self.held_lock_timeouts.append(timeout)
            return False
        self.db.lock_owner = self
        self.db.lock_count += 1
        return True

    def unlock(self) -> None:
        self.step("unlock")
        if self.db.lock_owner is self:
            self.db.lock_count -= 1
            if self.db.lock_count <= 0:
                if self._levels:  # IRIS holds a lock released in a transaction until it ends
                    self.db.lock_count, self._unlock_deferred = 0, True
                else:
                    self.db.lock_owner, self.db.lock_count = None, 0

    def tlevel(self) -> int:
        """``$TLEVEL``."""
        self.step("tlevel")
        return len(self._levels)

    def _ended(self) -> None:
        if not self._levels and self._unlock_deferred:
            self._unlock_deferred = False
            if self.db.lock_owner is self and self.db.lock_count <= 0:
                self.db.lock_owner, self.db.lock_count = None, 0

    def tstart(self) -> None:
        self.step("tstart")
        self._levels.append(self.db.snapshot())

    def tcommit(self, level: int = 0) -> None:
        """``TCOMMIT`` until ``$TLEVEL`` is ``level`` (IRIS: TCOMMIT with no transaction is an error)."""
        self.step("tcommit")
        while len(self._levels) > level:
            self._levels.pop()
        self._ended()

    def trollback(self, level: int = 0) -> None:
        """``TROLLBACK 1`` until ``$TLEVEL`` is ``level``: the levels below keep their work."""
        self.step("trollback")
        while len(self._levels) > level:
            self.db.restore(self._levels.pop())
        self._ended()

    def trollback_all(self) -> None:
        """An argumentless ``TROLLBACK``: every level, the caller's included."""
        if self._levels:
            self.db.restore(self._levels[0])
        self._levels = []
        self._ended()

    def user(self) -> str:
        self.step("user")
        return self.username

    def now(self) -> str:
        self.step("now")
        return "2026-11-23 12:00:00"
