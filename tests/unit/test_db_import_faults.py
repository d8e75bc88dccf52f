"""The database import hook inside IRIS: it never breaks an import, reads an undefined node as
undefined however ``gref.get`` reports it, and serves each namespace its own modules."""

from __future__ import annotations

import importlib
import logging
import sys

import pytest

from intersystems_pyprod.loader import paths
from intersystems_pyprod.loader.globals import IrisGlobals
from intersystems_pyprod.loader.store import iris_store
from intersystems_pyprod.runtime import irisapi, messages, sealing
from intersystems_pyprod.testing.standin import Namespaces

from ..fake_iris import FakeIris

NAMES = ("pp_ns", "pp_only_user", "pp_only_other", "pp_optional_user", "pp_missing")


class BreakableIris(FakeIris):
    """A process whose globals can become unreadable (a lost mapping, a privilege taken away)."""

    broken = False

    def gref(self, name):
        real = super().gref(name)
        outer = self

        class Ref:
            def __getattr__(self, method):
                if outer.broken:
                    def fail(*args):
                        raise RuntimeError(f"<PROTECT> {name}")
                    return fail
                return getattr(real, method)

        return Ref()


def _setup(fake):
    previous = irisapi.install(fake)
    paths.uninstall()
    sealing.forget()
    return previous


def _teardown(previous):
    paths.uninstall()
    irisapi.install(previous)
    sealing.forget()
    for name in NAMES:
        sys.modules.pop(name, None)


@pytest.fixture(params=["bound at creation", "bound at each access"])
def iris(request):
    fake = FakeIris(Namespaces("USER", binds_at_creation=request.param == "bound at creation"))
    previous = _setup(fake)
    yield fake
    _teardown(previous)


@pytest.fixture
def breakable():
    fake = BreakableIris(Namespaces("USER"))
    previous = _setup(fake)
    yield fake
    _teardown(previous)


def publish(fake, namespace, files, script="pp_ns"):
    """Load ``files`` into ``namespace`` as a load in that namespace would (and give it a seal key)."""
    here = fake.namespaces.current
    fake.namespaces.switch(namespace)
    try:
        store = iris_store()
        store.ensure_seal_key()
        store.activate(script, store.save(script, files, f"{script}.py", "dev", "now"), "pc:/p")
    finally:
        fake.namespaces.switch(here)


def module(where):
    return (f"from intersystems_pyprod import *\nWHERE = {where!r}\n\n"
            "class PpNsNote(JsonSerialize):\n    text: str = ''\n")


def test_a_store_that_fails_never_breaks_an_import(breakable, caplog, tmp_path, monkeypatch):
    publish(breakable, "USER", {"pp_ns.py": module("user")})
    paths.ensure_sources()
    paths.refresh()
    assert importlib.import_module("pp_ns").WHERE == "user"
    breakable.broken = True
    # the json-style optional import: the fallback runs when the optional module is missing
    (tmp_path / "pp_optional_user.py").write_text(
        "try:\n    import pp_missing as json\nexcept ImportError:\n    import json\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with caplog.at_level(logging.WARNING, logger="intersystems_pyprod"):
        assert importlib.import_module("pp_optional_user").json is importlib.import_module("json")
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module("pp_only_user")
        for _ in range(3):
            paths.refresh()  # the callback goes on with the modules it has
    assert sys.modules["pp_ns"].WHERE == "user"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([w for w in warnings if "checked for new versions" in w]) == 1, warnings
    assert any("<PROTECT>" in w and "namespace USER" in w for w in warnings), warnings
    breakable.broken = False
    publish(breakable, "USER", {"pp_ns.py": module("user, version 2")})
    paths.refresh()  # readable again: the new version is picked up
    assert importlib.import_module("pp_ns").WHERE == "user, version 2"


def test_a_store_that_cannot_be_read_from_the_start_breaks_nothing(breakable):
    breakable.broken = True
    paths.ensure_sources()
    paths.refresh()
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("pp_missing")
    assert importlib.import_module("colorsys").rgb_to_hsv(0, 0, 0) == (0, 0, 0)


def test_an_undefined_node_reads_as_none_whether_get_returns_none_or_raises():
    for raises in (False, True):
        fake = FakeIris(Namespaces("USER", undefined_raises=raises))
        previous = irisapi.install(fake)
        try:
            g = IrisGlobals("^T")
            g.set(("a", 1), "one")
            assert g.get(("a", 2)) is None and g.get(("nothing",)) is None and g.get(("a",)) is None
            assert g.get(("a", 1)) == "one" and g.children(("a",)) == [1] and g.children(("b",)) == []
        finally:
            irisapi.install(previous)


def test_a_failure_that_is_not_an_undefined_node_is_raised():
    class Protected:
        def get(self, key):
            raise RuntimeError("<PROTECT> ^T")

        def data(self, key):
            return 1

    fake = FakeIris()
    fake.gref = lambda name: Protected()  # type: ignore[method-assign]
    previous = irisapi.install(fake)
    try:
        with pytest.raises(RuntimeError, match="PROTECT"):
            IrisGlobals("^T").get(("a",))
    finally:
        irisapi.install(previous)


def test_modules_import_from_the_database_when_undefined_nodes_raise():
    fake = FakeIris(Namespaces("USER", undefined_raises=True))
    previous = _setup(fake)
    try:
        publish(fake, "USER", {"pp_ns.py": module("user")})
        paths.ensure_sources()
        paths.refresh()
        assert importlib.import_module("pp_ns").WHERE == "user"
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module("pp_missing")
        assert paths._finder is not None and paths._finder.refresh() == []
    finally:
        _teardown(previous)


def test_each_namespace_imports_its_own_modules(iris):
    publish(iris, "USER", {"pp_ns.py": module("user"), "pp_only_user.py": "X = 1\n"})
    publish(iris, "OTHER", {"pp_ns.py": module("other"), "pp_only_other.py": "X = 2\n"})
    paths.ensure_sources()
    paths.refresh()
    user = importlib.import_module("pp_ns")
    assert user.WHERE == "user" and "/USER/" in user.__file__
    messages.register(user.PpNsNote)
    user_key = sealing.current_key()
    assert user_key is not None

    iris.namespaces.switch("OTHER")  # a CSP process serving another namespace, or SET $NAMESPACE
    assert importlib.import_module("pp_only_other").X == 2  # asked before any callback: OTHER's store
    paths.refresh()
    assert "pp_ns" not in sys.modules and "pp_only_user" not in sys.modules
    assert user.PpNsNote not in messages._registry.values()
    other = importlib.import_module("pp_ns")
    assert other.WHERE == "other" and "/OTHER/" in other.__file__
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("pp_only_user")
    assert sealing.current_key() not in (None, user_key)
    assert paths.served_root("pp_ns") == "/pyprod-sources/OTHER/pp_ns/v1"

    iris.namespaces.switch("user")  # names compare without case
    paths.refresh()
    assert importlib.import_module("pp_ns").WHERE == "user" and sealing.current_key() == user_key
    assert "pp_only_other" not in sys.modules
    assert paths._finder is not None and paths._finder.refresh() == []  # nothing changed: nothing dropped


def test_a_new_version_in_one_namespace_leaves_the_other_alone(iris):
    publish(iris, "USER", {"pp_ns.py": module("user")})
    publish(iris, "OTHER", {"pp_ns.py": module("other")})
    paths.ensure_sources()
    paths.refresh()
    assert importlib.import_module("pp_ns").WHERE == "user"
    publish(iris, "OTHER", {"pp_ns.py": module("other, version 2")})
    paths.refresh()
    assert importlib.import_module("pp_ns").WHERE == "user"
    iris.namespaces.switch("OTHER")
    paths.refresh()
    assert importlib.import_module("pp_ns").WHERE == "other, version 2"
