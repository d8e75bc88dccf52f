"""A fake of the IRIS interoperability engine's item control, for ``IrisNamespace.restart_items``.

It keeps what IRIS keeps apart: the production *definition* (each item's stored ``Enabled`` flag,
``Ens.Config.Production``/``Ens.Config.Item``) and the *running jobs* of each item, with the
version of the code each job imported when it started. The rules it follows (bug magnets 16, 28
and 33 of IRIS_REFERENCE.md):

* ``EnableConfigItem(item, enable, update)`` writes the stored flag; with ``update`` it starts or
  stops the item's jobs.
* ``TempStopConfigItem(item, stop, update)`` stops or starts the jobs and leaves the definition
  alone; ``tempstop_writes_flag`` models the other answer (it edits the flag like
  ``EnableConfigItem``), as that part is UNCONFIRMED.
* An item in the shared actor pool (``PoolSize`` 0) has no jobs of its own and cannot be stopped.
* ``ProductionNeedsUpdate`` is true after the production class changed; ``UpdateProduction``
  applies it.
* An open ``Ens.Config.Item`` is a snapshot: it shows the stored flag of when it was opened until
  ``%Reload``.

Any call can be made to fail (``fail``), before or after its effect (``fail_after_effect``).
"""

from __future__ import annotations

import itertools
from typing import Any, Dict, List, Optional, Set, Tuple


class Ref:
    def __init__(self) -> None:
        self.value: Any = None


class FakeItem:
    def __init__(self, engine: FakeEngine, name: str) -> None:
        self._engine, self.Name = engine, name
        self.ClassName = engine.definition[name]["ClassName"]
        self.PoolSize = engine.definition[name]["PoolSize"]
        self.Enabled = engine.definition[name]["Enabled"]

    def _Reload(self) -> int:
        self.Enabled = self._engine.definition[self.Name]["Enabled"]
        return 1


class FakeList:
    def __init__(self, items: List[FakeItem]) -> None:
        self._items = items

    def Count(self) -> int:
        return len(self._items)

    def GetAt(self, i: int) -> FakeItem:
        return self._items[i - 1]


class FakeProduction:
    def __init__(self, engine: FakeEngine) -> None:
        self.Items = FakeList([FakeItem(engine, n) for n in engine.definition])


class FakeEngine:
    """One namespace's running production."""

    def __init__(self, items: Dict[str, Tuple[str, int]], processes: Set[str] = frozenset(),
                 adapters: Optional[Dict[str, str]] = None) -> None:
        self.production = "Demo.Production"
        self.state = 1
        self.definition: Dict[str, Dict[str, Any]] = {
            name: {"ClassName": cls, "PoolSize": pool, "Enabled": 1} for name, (cls, pool) in items.items()}
        self.processes = set(processes)
        self.adapters = dict(adapters or {})
        self.code = 1
        self.jobs = itertools.count(100)
        #: item -> [(job id, code version it imported)]
        self.running: Dict[str, List[Tuple[int, int]]] = {}
        self.temp_stopped: Set[str] = set()
        self.tempstop_writes_flag = False
        self.fail: Dict[Tuple[Any, ...], int] = {}
        self.fail_after_effect = False
        #: (item, n): the n-th call (from 1) that names that item fails, whatever the method.
        self.fail_nth: Optional[Tuple[str, int]] = None
        self._named: Dict[str, int] = {}
        #: How many times a call wrote the production definition.
        self.definition_writes = 0
        self.needs_update = ""
        self.running_definition = "old"
        self.calls: List[Tuple[Any, ...]] = []
        for name in self.definition:
            self._start(name)

    # -- what the tests look at --------------------------------------------------------------
    def new_code(self) -> None:
        """A load changed the Python code: jobs started from now on import it."""
        self.code += 1

    def runs_new_code(self, name: str) -> bool:
        return bool(self.running.get(name)) and all(code == self.code for _job, code in self.running[name])

    def stored_enabled(self, name: str) -> int:
        return int(self.definition[name]["Enabled"])

    # -- the engine --------------------------------------------------------------------------
    def _start(self, name: str) -> None:
        item = self.definition[name]
        if item["Enabled"] and item["PoolSize"] and name not in self.temp_stopped and name not in self.running:
            self.running[name] = [(next(self.jobs), self.code) for _ in range(int(item["PoolSize"]))]

    def _stop(self, name: str) -> None:
        self.running.pop(name, None)

    def _failing(self, key: Tuple[Any, ...]) -> bool:
        for pattern in list(self.fail):
            if key[:len(pattern)] == pattern and self.fail[pattern] > 0:
                self.fail[pattern] -= 1
                return True
        return False

    def call(self, method: str, *args: Any) -> Any:
        key = (method, *[a for a in args if not isinstance(a, Ref)])
        self.calls.append(key)
        failing = self._failing(key)
        if args and isinstance(args[0], str) and args[0] in self.definition:
            self._named[args[0]] = self._named.get(args[0], 0) + 1
            failing = failing or self.fail_nth == (args[0], self._named[args[0]])
        if failing and not self.fail_after_effect:
            return f"0 ERROR #5001: {method} failed"
        status = getattr(self, "_" + method)(*args)
        return f"0 ERROR #5001: {method} failed" if failing else status

    def _GetProductionStatus(self, name: Ref, state: Ref, timeout: int, skip: int) -> int:
        name.value, state.value = self.production, self.state
        return 1

    def _ProductionNeedsUpdate(self, reason: Ref) -> int:
        reason.value = self.needs_update
        return int(bool(self.needs_update))

    def _UpdateProduction(self, timeout: int = 10, force: int = 0, by_schedule: int = 0) -> int:
        self.needs_update, self.running_definition = "", "new"
        return 1

    def _item(self, name: str) -> Any:
        if name not in self.definition:
            return f"0 ERROR <Ens>ErrConfigItemNotFound: Item {name} not found in Production {self.production}"
        return None

    def _EnableConfigItem(self, name: str, enable: int = 1, update: int = 1) -> Any:
        missing = self._item(name)
        if missing:
            return missing
        self.definition[name]["Enabled"] = int(enable)
        self.definition_writes += 1
        if update:
            self._stop(name) if not enable else self._start(name)
        return 1

    def _TempStopConfigItem(self, name: str, stop: int = 1, update: int = 1) -> Any:
        missing = self._item(name)
        if missing:
            return missing
        if not self.definition[name]["PoolSize"]:
            return f"0 ERROR <Ens>ErrGeneral: {name} runs in the actor pool and cannot be stopped on its own"
        if self.tempstop_writes_flag:
            self.definition[name]["Enabled"] = int(not stop)
            self.definition_writes += 1
        if stop:
            self.temp_stopped.add(name)
            if update:
                self._stop(name)
        else:
            self.temp_stopped.discard(name)
            if update:
                self._start(name)
        return 1


class FakeEnsApi:
    """Just enough of Embedded Python's ``iris`` for ``IrisNamespace.restart_items``."""

    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine

    def ref(self) -> Ref:
        return Ref()

    def cls(self, name: str) -> Any:
        engine = self.engine

        class Proxy:
            def __getattr__(self, method: str) -> Any:
                if name == "Ens.Director":
                    return lambda *args: engine.call(method, *args)
                if name == "Ens.Config.Production" and method == "_OpenId":
                    return lambda pid, *rest: FakeProduction(engine) if pid == engine.production else ""
                if name == "%SYSTEM.Status" and method == "GetErrorText":
                    return lambda status: str(status)[2:]
                if name == "%SYSTEM.SYS" and method == "NameSpace":
                    return lambda: "USER"
                if method == "_GetParameter":
                    return lambda parameter: engine.adapters.get(name, "") if parameter == "ADAPTER" else ""
                if method == "_Extends":
                    return lambda other: int(other == "Ens.BusinessProcess" and name in engine.processes)
                raise AttributeError(f"{name}.{method}")

        return Proxy()
