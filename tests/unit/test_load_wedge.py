"""A previous definition that no longer compiles cannot wedge the namespace (issue 29, point 2):
an unload compiles nothing, a settle that cannot restore a class reports it and lets later
calls go on, and a failed load reports its own compile errors."""

from __future__ import annotations

from intersystems_pyprod.loader.service import load_sources, unload

from ..fake_namespace import Crashed, FakeDatabase, FakeNamespace
from .flow_scripts import HELPERS, V1

V2 = V1.replace("class Old(", "class New(").replace('Column("")', 'Column("v2")')
BILLING = ("from intersystems_pyprod import *\niris_package_name = 'Bill'\nclass Op(BusinessOperation):\n"
           "    pass\n")


def load(ns: FakeNamespace, main: str, entry: str = "flow.py"):
    files = {entry: main, "helpers.py": HELPERS} if entry == "flow.py" else {entry: main}
    return load_sources(ns, ns.store(), files, entry, project="dev:/p")


def broken(text: str) -> str:
    """A hand edit that never compiled (an unclosed method)."""
    return text.replace("{\n", "{\nMethod Broken(\n", 1)


def interrupted(db: FakeDatabase, hand_edited: str) -> None:
    """V1 loaded, ``hand_edited`` edited by hand so that it no longer compiles, then a load of V2
    killed right after it loaded its classes: its intent holds the broken text to put back."""
    ns = FakeNamespace(db)
    assert load(ns, V1).ok
    found = db.find(hand_edited)
    db.classes[found] = broken(db.classes[found])
    ns.on_step = lambda what: setattr(ns, "crash_at", ns.steps + 1) if what == "compile" else None
    try:
        load(ns, V2)
    except Crashed:
        pass
    ns.revive()
    assert db.globals["state"].get(("intent",)) is not None


def test_an_unload_after_an_interrupted_load_compiles_nothing_and_completes():
    db = FakeDatabase()
    interrupted(db, "Flow.Req")
    ns = FakeNamespace(db)
    result = unload(ns, ns.store(), "flow")
    assert result.ok, result.error
    assert ns.compile_calls == [] and db.classes == {}
    assert ns.store().intent() is None and ns.store().scripts() == []


def test_a_settle_that_cannot_restore_a_class_reports_it_and_lets_other_loads_go_on():
    db = FakeDatabase()
    interrupted(db, "Flow.Req")
    ns = FakeNamespace(db)
    other = load(ns, BILLING, "billing.py")
    assert other.ok, other.error
    assert any("Flow.Req could not be compiled again" in w for w in other.warnings), other.warnings
    assert ns.store().intent() is None and "Flow.New" not in db.classes
    # deleting the class by hand now sticks: nothing recreates it
    del db.classes[db.find("Flow.Req")]
    assert load(FakeNamespace(db), BILLING, "billing.py").ok and db.find("Flow.Req") is None
    # the same script loaded again compiles its classes afresh
    again = FakeNamespace(db)
    result = load(again, V1)
    assert result.ok, result.error
    assert db.compiled["flow.req"] == db.classes["Flow.Req"] and again.store().uncompiled() == []


def test_the_class_put_back_uncompiled_is_compiled_by_the_next_load_of_its_script():
    db = FakeDatabase()
    interrupted(db, "Flow.Req")
    ns = FakeNamespace(db)
    assert load(ns, BILLING, "billing.py").ok
    result = load(ns, V1)  # V1's text of Flow.Req is the recorded one: compiled although "unchanged"
    assert result.ok, result.error
    assert {c["name"]: c["action"] for c in result.classes}["Flow.Req"] == "recompiled"
    assert db.compiled["flow.req"] == db.classes["Flow.Req"] and "Broken" not in db.classes["Flow.Req"]


def test_a_failed_load_reports_the_compile_errors_of_its_own_classes():
    db = FakeDatabase()
    ns = FakeNamespace(db)
    assert load(ns, V1).ok
    db.classes["Flow.Req"] = broken(db.classes["Flow.Req"])
    ns.fail = {"Flow.New"}
    result = load(ns, V2)
    assert not result.ok and result.error.startswith("compilation failed")
    failed = {c["name"]: c for c in result.classes if c["action"] == "failed"}
    assert list(failed) == ["Flow.New"] and "does not compile" in failed["Flow.New"]["errors"][0]
    assert any("Flow.Req could not be compiled again" in w for w in result.warnings)
    assert ns.store().intent() is None
    ns.fail = set()
    assert load(ns, V2).ok  # running the same command again succeeds
