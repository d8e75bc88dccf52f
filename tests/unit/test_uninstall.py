"""Uninstalling PyProd with IPM: refused while scripts are loaded, and nothing of PyProd left after."""

from __future__ import annotations

import json

import pytest

from intersystems_pyprod.loader import server
from intersystems_pyprod.loader.globals import IrisGlobals, MemoryGlobals
from intersystems_pyprod.loader.service import load_sources, unload
from intersystems_pyprod.loader.store import LIBRARY_GLOBAL
from intersystems_pyprod.loader.uninstall import before_uninstall
from intersystems_pyprod.loader.upload import UPLOAD_GLOBAL
from intersystems_pyprod.runtime import irisapi
from intersystems_pyprod.testing.standin import GlobalRef

from ..fake_namespace import Crashed, FakeNamespace, StepGlobals
from .flow_scripts import HELPERS, V1

HELLO = '''
from intersystems_pyprod import *
iris_package_name = "Hello"

class Op(BusinessOperation):
    def on_message(self, request):
        return Status.OK()
'''


def hook(ns: FakeNamespace):
    """PyProd.Loader.BeforeUninstall on the fake: the error text of its status, or None."""
    def run():
        try:
            before_uninstall(ns, ns.store(), [StepGlobals(ns, "upload")])
        except Exception as exc:
            return str(exc)
        return None
    return run


def installed() -> FakeNamespace:
    """A namespace with PyProd's classes, where scripts were loaded and a client staged an upload."""
    ns = FakeNamespace()
    ns.classes.update({"PyProd.Loader": "Class PyProd.Loader {}", "PyProd.Message": "Class PyProd.Message {}"})
    assert load_sources(ns, ns.store(), {"flow.py": V1, "helpers.py": HELPERS}, "flow.py").ok
    assert load_sources(ns, ns.store(), {"hello.py": HELLO}, "hello.py").ok
    ns.db.globals["upload"].set(("0123456789abcdef0123456789abcdef", "entry"), "main.py")
    return ns


def test_uninstall_is_refused_while_scripts_are_loaded_and_changes_nothing():
    ns = installed()
    classes, saved = dict(ns.classes), ns.db.snapshot()
    error = ns.db.ipm_uninstall(hook(ns))
    assert error is not None and ns.classes == classes and ns.db.snapshot() == saved
    first = error.splitlines()[0]
    assert "PyProd was not uninstalled" in first and "flow (4 classes), hello (1 class)" in first
    for script in ("flow", "hello"):
        assert f"intersystems_pyprod unload {script}" in error
        assert f'##class(PyProd.Loader).Unload("{script}")' in error
    assert ns.db.lock_owner is None  # the load lock is free again


def test_uninstall_after_every_script_is_unloaded_leaves_nothing_of_pyprod():
    ns = installed()
    for script in ("flow", "hello"):
        assert unload(ns, ns.store(), script).ok
    assert any(g.data for g in ns.db.globals.values())  # the seal key, the generation, the upload
    assert ns.db.ipm_uninstall(hook(ns)) is None
    assert ns.classes == {}  # IPM deleted PyProd's classes; the scripts' classes were unloaded
    assert {name: g.data for name, g in ns.db.globals.items() if g.data} == {}
    assert ns.db.lock_owner is None and ns.tlevel() == 0


def test_without_the_hook_ipm_leaves_the_generated_classes_and_the_globals_behind():
    """The IRIS rule the hook exists for: generated classes are no module resources."""
    ns = installed()
    assert ns.db.ipm_uninstall(lambda: None) is None
    assert "Flow.Op" in ns.classes and "PyProd.Loader" not in ns.classes and ns.db.globals["sources"].data


def test_an_interrupted_unload_is_completed_before_the_uninstall_goes_on():
    ns = installed()
    assert unload(ns, ns.store(), "hello").ok

    def killed_at_delete(what):
        if what == "delete":
            raise Crashed("process killed before it deleted the classes")

    ns.on_step = killed_at_delete  # the unload of flow committed, then its process was killed
    with pytest.raises(Crashed):
        unload(ns, ns.store(), "flow")
    ns.on_step = None
    ns.revive()
    assert ns.db.globals["sources"].data == {} and "Flow.Op" in ns.classes  # forgotten, not yet deleted
    assert ns.db.ipm_uninstall(hook(ns)) is None
    assert ns.classes == {} and not any(g.data for g in ns.db.globals.values())


def test_a_load_in_progress_makes_the_uninstall_wait_and_name_it():
    ns = installed()
    other = FakeNamespace(ns.db, user="dev")
    assert other.lock(30)
    other.store().set_holder({"what": "load of flow", "user": "dev", "time": "12:00"})
    error = ns.db.ipm_uninstall(hook(ns))
    assert error is not None and "a load of flow by dev is in progress" in error
    assert "Flow.Op" in ns.classes and ns.db.globals["sources"].data


class FakeApi:
    def __init__(self):
        self.globals = {}

    def gref(self, name):
        return GlobalRef(self.globals.setdefault(name, MemoryGlobals()))


def test_the_loader_entry_point_answers_json_and_empties_the_upload_global(monkeypatch):
    api = FakeApi()
    previous = irisapi.install(api)
    try:
        ns = installed()
        monkeypatch.setattr(server, "_namespace", lambda: ns)
        monkeypatch.setattr(server, "iris_store", ns.store)
        IrisGlobals(UPLOAD_GLOBAL).set(("0123456789abcdef0123456789abcdef", "entry"), "main.py")
        library = IrisGlobals(LIBRARY_GLOBAL)  # the namespace's copy of the library (PyProd.Library)
        library.set(("active",), "0.3.0")
        library.set(("v", "0.3.0", "intersystems_pyprod/__init__.py", 1), "")
        refused = json.loads(server.before_uninstall())
        assert refused["ok"] is False and "intersystems_pyprod unload flow" in refused["error"]
        assert api.globals[UPLOAD_GLOBAL].data and api.globals[LIBRARY_GLOBAL].data
        for script in ("flow", "hello"):
            assert unload(ns, ns.store(), script).ok
        assert json.loads(server.before_uninstall()) == {"ok": True}
        assert not api.globals[UPLOAD_GLOBAL].data and not any(g.data for g in ns.db.globals.values()
                                                               if g is not ns.db.globals["upload"])
        assert not api.globals[LIBRARY_GLOBAL].data
    finally:
        irisapi.install(previous)
