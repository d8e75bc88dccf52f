"""The loader ends only the transaction levels it opened (IRIS_REFERENCE bug magnet 21).

A caller may run a load inside a transaction of its own (an IPM install, an application): the
load must leave that transaction open at its level, with the caller's work intact, whether the
load succeeds, fails, or fails at any IRIS step.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from intersystems_pyprod.loader.globals import MemoryGlobals
from intersystems_pyprod.loader.service import load_sources, unload

from ..fake_namespace import FakeDatabase, FakeNamespace
from .flow_scripts import HELPERS, V1
from .test_load_faults import ERRORS, attempt, do_load, state

LOADER_CLS = Path(__file__).resolve().parents[2] / "src" / "cls" / "PyProd" / "Loader.cls"
def method_body(text: str, name: str) -> str:
    """The body of ``ClassMethod name`` in a class text."""
    found = re.search(rf"^ClassMethod {name}\(.*?^\{{\n(.*?)^\}}", text, re.MULTILINE | re.DOTALL)
    assert found, f"{name} is missing"
    return found.group(1)




def caller_in_transaction(db: FakeDatabase) -> FakeNamespace:
    """A process that opened a transaction and wrote ^App(1) before it calls the loader."""
    db.globals.setdefault("app", MemoryGlobals())
    ns = FakeNamespace(db)
    ns.tstart()
    db.globals["app"].set((1,), "caller's work")
    return ns


def loader_state(db: FakeDatabase) -> tuple:
    """What a load changes (the classes and the loader's globals), without the caller's global."""
    classes, raw = state(db)
    return classes, {name: data for name, data in raw.items() if name != "app"}


# -- the fake follows IRIS ------------------------------------------------------------------------

def test_the_fake_nests_levels_as_iris_does():
    db = FakeDatabase()
    ns = caller_in_transaction(db)
    ns.tstart()
    db.globals["app"].set((2,), "inner")
    ns.trollback(1)  # TROLLBACK 1: the inner level only
    assert ns.tlevel() == 1 and db.globals["app"].get((1,)) == "caller's work" and db.globals["app"].get((2,)) is None
    ns.tstart()
    db.globals["app"].set((3,), "inner, committed")
    ns.tcommit(1)
    assert ns.tlevel() == 1
    ns.trollback_all()  # an argumentless TROLLBACK undoes the caller's level and the committed inner one
    assert ns.tlevel() == 0 and db.globals["app"].get((1,)) is None and db.globals["app"].get((3,)) is None


def test_the_fake_holds_a_lock_released_inside_a_transaction_until_it_ends():
    db = FakeDatabase()
    ns = caller_in_transaction(db)
    assert ns.lock(0)
    ns.unlock()
    assert not FakeNamespace(db).lock(0), "IRIS keeps the lock until the transaction ends"
    ns.tcommit(0)
    assert db.lock_owner is None and FakeNamespace(db).lock(0)


# -- the loader ------------------------------------------------------------------------------------

def test_a_load_inside_a_callers_transaction_leaves_it_open_with_its_work():
    db = FakeDatabase()
    ns = caller_in_transaction(db)
    result = load_sources(ns, ns.store(), {"flow.py": V1, "helpers.py": HELPERS}, "flow.py", project="dev:/p")
    assert result.ok, result.error
    assert ns.tlevel() == 1
    assert db.globals["app"].get((1,)) == "caller's work"
    assert ns.store().active("flow") == 1
    assert any("transaction" in w and "level 1" in w for w in result.warnings), result.warnings
    ns.tcommit(0)
    assert db.lock_owner is None


def test_a_failed_load_inside_a_callers_transaction_undoes_only_its_own_work():
    db = FakeDatabase()
    FakeNamespace(db)  # nothing loaded yet
    ns = caller_in_transaction(db)
    ns.fail = {"Flow.Old"}  # does not compile
    result = load_sources(ns, ns.store(), {"flow.py": V1, "helpers.py": HELPERS}, "flow.py", project="dev:/p")
    assert not result.ok and "compilation failed" in str(result.error)
    assert ns.tlevel() == 1
    assert db.globals["app"].get((1,)) == "caller's work"
    assert ns.store().active("flow") is None


def test_an_unload_inside_a_callers_transaction_leaves_it_open():
    db = FakeDatabase()
    assert do_load(FakeNamespace(db), V1).ok
    ns = caller_in_transaction(db)
    assert unload(ns, ns.store(), "flow").ok
    assert ns.tlevel() == 1 and db.globals["app"].get((1,)) == "caller's work"


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.__name__)
def test_a_fault_at_any_step_inside_a_callers_transaction_keeps_the_callers_level(error):
    reference = FakeDatabase()
    before = loader_state(reference)
    counter = caller_in_transaction(reference)
    counter.steps = 0
    assert do_load(counter, V1).ok
    total, after = counter.steps, loader_state(reference)
    for k in range(1, total + 1):
        db = FakeDatabase()
        ns = caller_in_transaction(db)
        ns.steps, ns.fail_at, ns.error = 0, k, error
        attempt(ns, lambda n: do_load(n, V1))
        ns.fail_at = None
        assert ns.tlevel() == 1, f"{error.__name__} at step {k} ended the caller's transaction"
        assert db.globals["app"].get((1,)) == "caller's work", f"step {k} undid the caller's work"
        assert loader_state(db) in (before, after), f"{error.__name__} at step {k} left a mixed state"


# -- the ObjectScript ------------------------------------------------------------------------------

def test_the_loader_class_never_rolls_back_or_commits_below_the_recorded_level():
    text = LOADER_CLS.read_text(encoding="utf-8")
    code = [line.split("//")[0] for line in text.splitlines() if not line.lstrip().startswith("///")]
    for line in code:
        assert not re.search(r"\btro(llback)?\s*($|[};])", line, re.IGNORECASE), f"argumentless TROLLBACK: {line}"
    rollback = method_body(text, "TransactionRollback")
    commit = method_body(text, "TransactionCommit")
    assert re.search(r"while\s+\$tlevel\s*>\s*pLevel", rollback, re.IGNORECASE) and "trollback 1" in rollback.lower()
    assert re.search(r"while\s+\$tlevel\s*>\s*pLevel", commit, re.IGNORECASE)
    assert "quit $tlevel" in method_body(text, "TransactionLevel").lower()
