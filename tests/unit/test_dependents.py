"""A change to a class recompiles the classes that extend it, and an upgrade of the PyProd base
classes recompiles a script's classes at its next load (IRIS_REFERENCE bug magnet 32: with ``ck``
IRIS leaves subclasses of a changed class compiled against the old one)."""

from __future__ import annotations

from pathlib import Path

from intersystems_pyprod.loader import iris_namespace
from intersystems_pyprod.loader.plan import make_plan, supers_of, text_hash
from intersystems_pyprod.loader.service import load_sources

from ..fake_namespace import FakeDatabase, FakeNamespace

BASE = '''
from intersystems_pyprod import *
iris_package_name = "Flow"

class Base(JsonSerialize):
    a: str = Column("")

class Sub(Base):
    b: str = Column("")

class Leaf(Sub):
    c: str = Column("")

class Op(BusinessOperation):
    def on_message(self, request):
        return Status.OK()
'''
BASE_CHANGED = BASE.replace('a: str = Column("")', 'a: str = Column("")\n    added: str = Column("")')
HAND_WRITTEN = "Class User.Hand Extends Flow.Base\n{\n\n}\n"


def load(ns: FakeNamespace, text: str):
    result = load_sources(ns, ns.store(), {"flow.py": text}, "flow.py", project="dev:/p")
    assert result.ok, result.error
    return {c["name"]: c["action"] for c in result.classes}


def test_supers_are_read_from_a_generated_class_text():
    assert supers_of("/// x\nClass A.B Extends (PyProd.JsonMessage, A.C) [ Final ]\n{\n}\n") == [
        "pyprod.jsonmessage", "a.c"]
    assert supers_of("Class A.B Extends A.Base\n{\n}\n") == ["a.base"]
    assert supers_of("Class A.B\n{\n}\n") == []


def test_the_plan_recompiles_unchanged_classes_that_extend_a_changed_one():
    texts = {"P.Base": "Class P.Base Extends PyProd.JsonMessage\n", "P.Sub": "Class P.Sub Extends P.Base\n",
             "P.Leaf": "Class P.Leaf Extends P.Sub\n", "P.Other": "Class P.Other Extends PyProd.JsonMessage\n"}
    recorded = {n: text_hash(t) for n, t in texts.items()}
    recorded["P.Base"] = "older"
    owners = {n.lower(): "s" for n in texts}
    plan = make_plan("s", texts, recorded, owners, set(owners))
    assert plan.update == ["P.Base"] and plan.recompile == ["P.Leaf", "P.Sub"] and plan.unchanged == ["P.Other"]
    assert plan.action("P.Sub") == "recompiled" and plan.to_compile == ["P.Base", "P.Leaf", "P.Sub"]
    assert make_plan("s", texts, recorded, owners, set(owners), rebuild=True).recompile == [
        "P.Leaf", "P.Other", "P.Sub"]


def test_a_changed_base_message_recompiles_its_subclasses():
    db = FakeDatabase()
    ns = FakeNamespace(db)
    ns.with_subclasses = False  # what IRIS does without ``b``: only the listed classes compile
    load(ns, BASE)
    actions = load(ns, BASE_CHANGED)
    assert actions["Flow.Base"] == "updated"
    assert actions["Flow.Sub"] == actions["Flow.Leaf"] == "recompiled" and actions["Flow.Op"] == "unchanged"
    assert db.stale() == [], "a subclass still runs on the old compiled parent"
    assert load(ns, BASE_CHANGED)["Flow.Sub"] == "unchanged"


def test_a_hand_written_subclass_is_recompiled_with_its_generated_parent():
    db = FakeDatabase()
    ns = FakeNamespace(db)
    load(ns, BASE)
    db.classes["User.Hand"] = HAND_WRITTEN
    db.built({"User.Hand": HAND_WRITTEN})
    load(ns, BASE_CHANGED)
    assert db.stale() == []
    assert "b" in iris_namespace.COMPILE_FLAGS.split("-")[0], "IRIS compiles subclasses only with b"


def test_an_upgrade_of_the_base_classes_recompiles_every_class_at_the_next_load():
    db = FakeDatabase()
    ns = FakeNamespace(db)
    first = load(ns, BASE)
    assert set(first.values()) == {"created"}
    db.base_mark = "pyprod 0.4.0"
    ns.compile_calls.clear()
    again = load(ns, BASE)
    assert set(again.values()) == {"recompiled"} and ns.compile_calls == [sorted(again)]
    assert set(load(ns, BASE).values()) == {"unchanged"}


def test_the_base_mark_covers_every_class_a_generated_class_can_extend():
    folder = Path(__file__).resolve().parents[2] / "src" / "cls" / "PyProd"
    shipped = {f"PyProd.{p.stem}" for p in folder.glob("*.cls")} - {"PyProd.Loader", "PyProd.Graph", "PyProd.Library"}
    assert set(iris_namespace.BASE_CLASSES) == shipped
