"""Every IRIS operation of a load, a restore and an unload fails in turn: the namespace then
holds the old or the new version whole, and the same call made again succeeds."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

import pytest

from intersystems_pyprod.loader.service import load_sources, restore, unload
from intersystems_pyprod.runtime.sealing import key_from_text

from ..fake_namespace import Crashed, FakeDatabase, FakeNamespace
from .flow_scripts import HELPERS, V1

V2 = V1.replace("class Old(", "class New(").replace('Column("")', 'Column("v2")')
ERRORS = (RuntimeError, KeyboardInterrupt, SystemExit)


def files(main: str) -> Dict[str, str]:
    return {"flow.py": main, "helpers.py": HELPERS}


def state(db: FakeDatabase) -> Tuple[Any, ...]:
    """Everything a load changes, without the job-refresh counter."""
    raw = {name: dict(g.data) for name, g in db.globals.items()}
    raw["state"] = {k: v for k, v in raw["state"].items() if k != ("generation",)}
    raw["seal"] = {k: key_from_text(v) is not None for k, v in raw["seal"].items()}  # random, but valid
    classes = {n.lower(): t for n, t in db.classes.items()}
    return classes, raw


def do_load(ns: FakeNamespace, main: str) -> Any:
    return load_sources(ns, ns.store(), files(main), "flow.py", project="dev:/p")


def do_restore(ns: FakeNamespace) -> Any:
    return restore(ns, ns.store(), "flow", 1)


def do_unload(ns: FakeNamespace) -> Any:
    return unload(ns, ns.store(), "flow")


def prepared(v2: bool) -> FakeDatabase:
    db = FakeDatabase()
    ns = FakeNamespace(db)
    assert do_load(ns, V1).ok
    if v2:
        assert do_load(ns, V2).ok
    return db


CASES: Dict[str, Tuple[bool, Callable[[FakeNamespace], Any]]] = {
    "load V1 -> V2": (False, lambda ns: do_load(ns, V2)),
    "restore V2 -> V1": (True, do_restore),
    "unload": (True, do_unload),
}


def expected(case: str) -> Tuple[Any, Any]:
    """(state before, state after) of a fault-free run."""
    needs_v2, run = CASES[case]
    db = prepared(needs_v2)
    before = state(db)
    assert run(FakeNamespace(db)).ok
    return before, state(db)


def steps_of(case: str) -> int:
    needs_v2, run = CASES[case]
    ns = FakeNamespace(prepared(needs_v2))
    ns.steps = 0
    assert run(ns).ok
    return ns.steps


def attempt(ns: FakeNamespace, run: Callable[[FakeNamespace], Any]) -> Optional[Any]:
    try:
        return run(ns)
    except BaseException as exc:  # the injected fault itself may escape; nothing else may
        assert "injected fault" in str(exc) or isinstance(exc, Crashed), exc
        return None


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_fault_at_any_step_leaves_the_old_or_the_new_version_whole(case):
    before, after = expected(case)
    needs_v2, run = CASES[case]
    total = steps_of(case)
    assert total > 20
    outcomes = set()
    for error in ERRORS:
        for k in range(1, total + 1):
            db = prepared(needs_v2)
            ns = FakeNamespace(db)
            ns.steps, ns.fail_at, ns.error = 0, k, error
            result = attempt(ns, run)
            ns.fail_at = None
            now = state(db)
            assert now in (before, after), f"{case}: {error.__name__} at step {k} left a mixed state"
            assert db.lock_owner is None and not ns._levels, f"{case}: step {k} kept the lock or a transaction"
            if result is not None and result.ok:
                assert now == after
            outcomes.add("new" if now == after else "old")
            if now == before:  # not done: the same call again must succeed
                retry = run(FakeNamespace(db))
                assert retry.ok, f"{case}: retry after {error.__name__} at step {k}: {retry.error}"
            assert state(db) == after
    assert outcomes == {"old", "new"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_process_killed_at_any_step_is_completed_or_undone_by_the_next_call(case):
    _before, after = expected(case)
    needs_v2, run = CASES[case]
    for k in range(1, steps_of(case) + 1):
        db = prepared(needs_v2)
        ns = FakeNamespace(db)
        ns.steps, ns.crash_at = 0, k
        assert attempt(ns, run) is None
        ns.revive()
        other = FakeNamespace(db)  # the next call, from another process, settles what the killed one left
        retry = run(other)
        assert state(db) == after, f"{case}: a kill at step {k} was not settled by the next call"
        finished_before = case == "unload" and "no script 'flow' is loaded" in str(retry.error)
        assert retry.ok or finished_before, f"{case}: retry after a kill at step {k}: {retry.error}"
        assert db.lock_owner is None and not other._levels


def test_a_kill_before_commit_is_undone_by_a_load_of_another_script():
    db = prepared(False)
    before = state(db)[0]
    ns = FakeNamespace(db)

    def kill_after_load(what: str) -> None:
        if what == "compile":
            ns.crash_at = ns.steps + 1

    ns.on_step = kill_after_load
    assert attempt(ns, lambda n: do_load(n, V2)) is None
    ns.revive()
    assert "flow.new" in state(db)[0]  # the killed load had loaded its new class
    other = FakeNamespace(db)
    result = load_sources(other, other.store(), {"billing.py": "from intersystems_pyprod import *\n"
                                                 "iris_package_name = 'Bill'\nclass Op(BusinessOperation):\n"
                                                 "    pass\n"}, "billing.py", project="dev:/p")
    assert result.ok, result.error
    classes = {n: t for n, t in state(db)[0].items() if not n.startswith("bill.")}
    assert classes == before


def test_the_first_load_gives_the_namespace_its_seal_key_with_its_first_version():
    """The key that seals pickle bodies is written in the first load's transaction: a fault at
    any step leaves either no version and no key, or both."""
    clean = FakeNamespace(FakeDatabase())
    clean.steps = 0
    assert do_load(clean, V1).ok
    total = clean.steps
    assert clean.db.globals["sources"].get(("flow", "active")) is not None
    outcomes = set()
    for k in range(1, total + 1):
        db = FakeDatabase()
        ns = FakeNamespace(db)
        ns.steps, ns.fail_at = 0, k
        result = attempt(ns, lambda n: do_load(n, V1))
        key = db.globals["seal"].get(("key",))
        loaded = db.globals["sources"].get(("flow", "active")) is not None
        assert (key is not None) == loaded, f"a fault at step {k} split the key from the first version"
        assert key is None or key_from_text(key) is not None
        outcomes.add(loaded)
        if result is not None and result.ok:
            assert loaded
    assert outcomes == {True, False}
    kept = clean.db.globals["seal"].get(("key",))
    assert do_load(FakeNamespace(clean.db), V2).ok
    assert clean.db.globals["seal"].get(("key",)) == kept  # later loads keep it
