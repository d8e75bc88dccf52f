"""Loader entry points and IRIS-side helpers, on fakes of the embedded ``iris`` module."""

from __future__ import annotations

import json

import pytest

from intersystems_pyprod.loader import server
from intersystems_pyprod.loader.globals import IrisGlobals, MemoryGlobals
from intersystems_pyprod.loader.iris_namespace import IrisNamespace, write_sources
from intersystems_pyprod.runtime import irisapi


class FakeGref:
    """``iris.gref``: get/set/kill/order on subscript lists."""

    def __init__(self, store: MemoryGlobals) -> None:
        self.store = store

    def get(self, subs):
        return self.store.get(tuple(subs))

    def set(self, subs, value):
        self.store.set(tuple(subs), value)

    def kill(self, subs):
        self.store.kill(tuple(subs))

    def order(self, subs):
        *parent, after = subs
        keys = self.store.children(tuple(parent))
        if after == "":
            return keys[0] if keys else ""
        later = [k for k in keys if str(k) > str(after)]
        return later[0] if later else ""


class FakeApi:
    def __init__(self):
        self.globals = {}

    def gref(self, name):
        return FakeGref(self.globals.setdefault(name, MemoryGlobals()))


@pytest.fixture
def api():
    fake = FakeApi()
    previous = irisapi.install(fake)
    yield fake
    irisapi.install(previous)


def test_iris_globals_walk_children_in_order(api):
    g = IrisGlobals("^T")
    for key in ("b", "a", "c"):
        g.set(("x", key), key.upper())
    assert g.children(("x",)) == ["a", "b", "c"] and g.get(("x", "b")) == "B"
    g.kill(("x", "b"))
    assert g.children(("x",)) == ["a", "c"]


def test_load_upload_reassembles_chunks_and_removes_the_upload(api, monkeypatch):
    upload = IrisGlobals(server.UPLOAD_GLOBAL)
    upload.set(("tok", "entry"), "main.py")
    upload.set(("tok", "f", "main.py", 1), "print(")
    upload.set(("tok", "f", "main.py", 2), "1)\n")
    upload.set(("tok", "f", "lib/util.py", 1), "X = 1\n")
    seen = {}

    def fake_load(files, entry, with_texts=False):
        seen.update(files=files, entry=entry)
        return {"ok": True}

    monkeypatch.setattr(server, "_load", fake_load)
    assert json.loads(server.load_upload("tok")) == {"ok": True}
    assert seen == {"files": {"lib/util.py": "X = 1\n", "main.py": "print(1)\n"}, "entry": "main.py"}
    assert upload.children(("tok",)) == []


def test_missing_upload_and_internal_errors_are_json(api, monkeypatch):
    assert json.loads(server.load_upload("nope"))["error"].startswith("no upload 'nope'")

    def boom(files, entry, with_texts=False):
        raise KeyError("x")

    IrisGlobals(server.UPLOAD_GLOBAL).set(("t2", "entry"), "a.py")
    monkeypatch.setattr(server, "_load", boom)
    document = json.loads(server.load_upload("t2"))
    assert document["ok"] is False and document["error"] == "internal error: KeyError: 'x'"
    assert "Traceback" in document["traceback"]


def test_list_scripts_is_json(api):
    assert json.loads(server.list_scripts()) == {"ok": True, "scripts": []}


def test_write_sources_replaces_the_folder(tmp_path):
    write_sources(tmp_path / "s", {"a.py": "1", "pkg/b.py": "2"})
    write_sources(tmp_path / "s", {"a.py": "3"})
    assert sorted(p.relative_to(tmp_path / "s").as_posix() for p in (tmp_path / "s").rglob("*.py")) == ["a.py"]
    assert (tmp_path / "s" / "a.py").read_text() == "3"


class CompileApi:
    """Just enough of ``iris`` for IrisNamespace.compile."""

    def __init__(self, compile_status):
        self.loaded = []
        self.compile_status = compile_status
        outer = self

        class Status:
            @staticmethod
            def GetErrorText(status):
                return str(status)[2:]

        class OBJ:
            @staticmethod
            def LoadStream(stream, flags):
                outer.loaded.append((stream.text, flags))
                return 1

            @staticmethod
            def Compile(names, flags):
                outer.compiled = (names, flags)
                return outer.compile_status

        class System:
            pass

        System.Status, System.OBJ = Status, OBJ
        self.system = System

    def cls(self, name):
        class Stream:
            def __init__(self):
                self.text = ""

            def Write(self, chunk):
                self.text += chunk

        class Proxy:
            def _New(self):
                return Stream()

            def NameSpace(self):
                return "USER"

        assert name in ("%Stream.TmpCharacter", "%SYSTEM.SYS"), name
        return Proxy()


def test_compile_loads_everything_then_compiles_once():
    fake = CompileApi(1)
    previous = irisapi.install(fake)
    try:
        ns = IrisNamespace(store=None)
        assert ns.compile({"P.A": "class a", "P.B": "class b"}) == {}
    finally:
        irisapi.install(previous)
    assert [flags for _text, flags in fake.loaded] == ["-d/compile=0", "-d/compile=0"]
    assert fake.compiled == ("P.A,P.B", "ck-d/multicompile=0")


def test_compile_errors_are_attributed_to_classes():
    fake = CompileApi("0 ERROR #5475: Error compiling routine: P.B.1\nERROR #5030: An error occurred in P.B")
    previous = irisapi.install(fake)
    try:
        errors = IrisNamespace(store=None).compile({"P.A": "a", "P.B": "b"})
    finally:
        irisapi.install(previous)
    assert list(errors) == ["P.B"] and len(errors["P.B"]) == 2
