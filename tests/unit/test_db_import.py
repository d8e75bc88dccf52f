"""Modules served from the source store: no files, tracebacks with lines, new versions picked up."""

from __future__ import annotations

import importlib
import sys
import traceback

import pytest

from intersystems_pyprod.loader import paths
from intersystems_pyprod.loader.globals import MemoryGlobals
from intersystems_pyprod.loader.store import SourceStore
from intersystems_pyprod.runtime import messages

MAIN = '''
from intersystems_pyprod import *
from pp_helpers import VALUE

class PpNote(JsonSerialize):
    text: str = ""

def fail():
    raise ValueError("from the database")  # marker line
'''


@pytest.fixture
def store():
    s = SourceStore(MemoryGlobals(), MemoryGlobals(), MemoryGlobals())
    yield s
    paths.uninstall()
    for name in ("pp_orders", "pp_helpers", "pp_pkg", "pp_pkg.sub"):
        sys.modules.pop(name, None)


def publish(store, script, files):
    number = store.save(script, files, f"{script}.py", "dev", "now")
    store.activate(script, number, "pc:/p")
    return number


def test_modules_import_from_the_store_with_lines_in_tracebacks(store):
    publish(store, "pp_orders", {"pp_orders.py": MAIN, "pp_helpers.py": "VALUE = 1\n",
                                 "pp_pkg/__init__.py": "", "pp_pkg/sub.py": "Y = 2\n"})
    paths.install(store, "USER")
    module = importlib.import_module("pp_orders")
    assert module.VALUE == 1 and importlib.import_module("pp_pkg.sub").Y == 2
    assert module.__file__ == "/pyprod-sources/USER/pp_orders/v1/pp_orders.py"
    with pytest.raises(ValueError) as caught:
        module.fail()
    text = "".join(traceback.format_exception(caught.type, caught.value, caught.tb))
    assert 'raise ValueError("from the database")  # marker line' in text


def test_a_new_version_is_picked_up_at_the_next_refresh_only(store):
    publish(store, "pp_orders", {"pp_orders.py": MAIN, "pp_helpers.py": "VALUE = 1\n"})
    finder = paths.install(store)
    first = importlib.import_module("pp_orders")
    messages.register(first.PpNote)
    assert finder.refresh() == []  # generation unchanged: nothing dropped
    publish(store, "pp_orders", {"pp_orders.py": MAIN, "pp_helpers.py": "VALUE = 2\n"})
    assert importlib.import_module("pp_orders") is first  # until the next callback
    assert finder.refresh() == ["pp_helpers", "pp_orders"]
    assert messages._registry.get("user.ppnote") is None or messages._registry.get("user.ppnote") is not first.PpNote
    assert all(cls.__module__ != "pp_orders" for cls in messages._registry.values())
    assert importlib.import_module("pp_orders").VALUE == 2


def test_the_standard_library_and_unloaded_scripts_are_never_served(store):
    store.activate("other", publish(store, "other", {"colorsys.py": "HIJACKED = 1\n", "pp_helpers.py": ""}))
    paths.install(store)
    sys.modules.pop("colorsys", None)
    assert not hasattr(importlib.import_module("colorsys"), "HIJACKED")
    store.forget("other")
    paths.refresh()
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("pp_helpers")
