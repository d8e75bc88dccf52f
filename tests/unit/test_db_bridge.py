"""The bridge with modules served from the database, as in an IRIS process: no files on disk."""

from __future__ import annotations

import sys

import pytest

from intersystems_pyprod.api import engine
from intersystems_pyprod.loader import paths
from intersystems_pyprod.loader.globals import MemoryGlobals
from intersystems_pyprod.loader.store import SourceStore
from intersystems_pyprod.runtime import bridge, pickle_policy

FLOW = '''
from intersystems_pyprod import *
iris_package_name = "TgFlow"

class Svc(BusinessService):
    target = IRISProperty("Op", target=True)
    audit_log = IRISProperty("Audit", settings="Basic:selector?context={Ens.ContextSearch/ProductionItems?targets=1}")
    label = IRISProperty("plain text", settings="Basic")

    def OnProcessInput(self, input):
        return Status.OK()
'''

APP = '''
from intersystems_pyprod import *
from tg_shapes import Point

class Op(BusinessOperation):
    def OnMessage(self, request):
        return Status.OK(), Point(1, 2)
'''


@pytest.fixture
def store(monkeypatch):
    """A source store standing in for the namespace's globals; no finder is installed yet, and
    the bridge installs one the way an IRIS process does."""
    s = SourceStore(MemoryGlobals(), MemoryGlobals(), MemoryGlobals())
    paths.uninstall()
    monkeypatch.setattr(paths, "ensure_sources", lambda: paths.install(s, "USER") if paths._finder is None else None)
    monkeypatch.setattr(engine, "_current", None)
    yield s
    paths.uninstall()
    for name in ("tg_flow", "tg_app", "tg_app.main", "tg_shapes"):
        sys.modules.pop(name, None)


def publish(store, script, files):
    store.activate(script, store.save(script, files, f"{script}.py", "dev", "now"), "pc:/p")


def test_target_settings_reach_a_script_served_from_the_database(store):
    publish(store, "tg_flow", {"tg_flow.py": FLOW})
    assert paths._finder is None and "tg_flow" not in sys.modules
    assert sorted(bridge.target_settings("tg_flow", "Svc")) == [["AuditLog", "Audit"], ["target", "Op"]]


def test_message_classes_of_a_database_project_may_be_unpickled(store):
    publish(store, "tg_app/main", {"tg_app/__init__.py": "", "tg_app/main.py": APP,
                                   "tg_shapes.py": "from intersystems_pyprod import *\n\n"
                                                   "class Point(PickleSerialize):\n    x = 0\n    y = 0\n"})
    paths.install(store, "USER")
    assert not pickle_policy._module_allowed("tg_shapes")
    bridge.load_class("tg_app.main", "Op")
    assert pickle_policy._module_allowed("tg_app.main") and pickle_policy._module_allowed("tg_shapes")
