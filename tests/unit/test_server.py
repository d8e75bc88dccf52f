"""Loader entry points and IRIS-side helpers, on fakes of the embedded ``iris`` module."""

from __future__ import annotations

import json

import pytest

from intersystems_pyprod.loader import server
from intersystems_pyprod.loader.globals import IrisGlobals, MemoryGlobals
from intersystems_pyprod.loader.iris_namespace import IrisNamespace
from intersystems_pyprod.loader.upload import STALE_AFTER, purge, upload_digest
from intersystems_pyprod.runtime import irisapi
from intersystems_pyprod.testing.standin import GlobalRef


class FakeApi:
    def __init__(self):
        self.globals = {}

    def gref(self, name):
        return GlobalRef(self.globals.setdefault(name, MemoryGlobals()))


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


TOKEN = "0123456789abcdef0123456789abcdef"


class Caller:
    def __init__(self, user="dev", job="77"):
        self._user, self._job = user, job

    def user(self):
        return self._user


def stage(token=TOKEN, files=None, entry="main.py", user="dev", job="77", project="pc:/p"):
    files = files if files is not None else {"main.py": "print(1)\n", "lib/util.py": "X = 1\n"}
    upload = IrisGlobals(server.UPLOAD_GLOBAL)
    for path, text in files.items():
        upload.set((token, "f", path, 1), text[:3])
        upload.set((token, "f", path, 2), text[3:])
    for key, value in (("entry", entry), ("user", user), ("job", job), ("project", project)):
        upload.set((token, key), value)
    return upload, upload_digest(files, entry, project)


@pytest.fixture
def loads(api, monkeypatch):
    seen = []

    def fake_load(files, entry, with_texts=False, take_over=False, project="", overwrite=False):
        seen.append({"files": files, "entry": entry, "take_over": take_over, "project": project,
                     "overwrite": overwrite})
        return {"ok": True}

    monkeypatch.setattr(server, "_load", fake_load)
    monkeypatch.setattr(server, "_namespace", lambda: Caller())
    return seen


def test_load_upload_reassembles_chunks_and_removes_the_upload(loads):
    upload, digest = stage()
    assert json.loads(server.load_upload(TOKEN, 0, digest, 1, 1)) == {"ok": True}
    assert loads == [{"files": {"lib/util.py": "X = 1\n", "main.py": "print(1)\n"}, "entry": "main.py",
                      "take_over": True, "project": "pc:/p", "overwrite": True}]
    assert upload.children(()) == []


@pytest.mark.parametrize("change, message", [
    (lambda g: g.set((TOKEN, "f", "evil.py", 1), "import os"), "differs from what the client sent"),
    (lambda g: g.set((TOKEN, "f", "main.py", 3), "#"), "differs from what the client sent"),
    (lambda g: g.set((TOKEN, "user"), "mallory"), "staged by user 'mallory'"),
    (lambda g: g.set((TOKEN, "f", "../../x.py", 1), ""), "'..'"),
])
def test_an_upload_someone_else_changed_is_refused_and_removed(loads, change, message):
    upload, digest = stage()
    change(upload)
    document = json.loads(server.load_upload(TOKEN, 0, digest))
    assert document["ok"] is False and message in document["error"], document
    assert loads == [] and upload.children(()) == []


def test_missing_digest_bad_token_and_missing_upload(loads):
    stage()
    assert "no digest" in json.loads(server.load_upload(TOKEN, 0, ""))["error"]
    assert "not 32 hex digits" in json.loads(server.load_upload("../x", 0, "d"))["error"]
    assert json.loads(server.load_upload("f" * 32, 0, "d"))["error"].startswith("no upload")
    assert loads == []


def test_uploads_of_clients_that_went_away_are_purged(api):
    g = MemoryGlobals()
    g.set(("a" * 32, "entry"), "x.py")
    assert purge(g, 1000) == [] and g.get(("a" * 32, "seen")) == 1000
    g.set(("b" * 32, "entry"), "y.py")
    assert purge(g, 1000 + STALE_AFTER + 1, keep="c" * 32) == ["a" * 32]
    assert [str(t) for t in g.children(())] == ["b" * 32]


def test_internal_errors_are_json(loads, monkeypatch):
    _upload, digest = stage()

    def boom(*args, **kwargs):
        raise KeyError("x")

    monkeypatch.setattr(server, "_load", boom)
    document = json.loads(server.load_upload(TOKEN, 0, digest))
    assert document["ok"] is False and document["error"] == "internal error: KeyError: 'x'"
    assert "Traceback" in document["traceback"]


def test_list_scripts_is_json(api):
    assert json.loads(server.list_scripts()) == {"ok": True, "scripts": []}


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

        self.system_classes = {"%SYSTEM.Status": Status, "%SYSTEM.OBJ": OBJ}

    def cls(self, name):
        if name in self.system_classes:
            return self.system_classes[name]

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
    assert fake.compiled == ("P.A,P.B", "ckb-d/multicompile=0")  # b: subclasses too (bug magnet 32)


def test_compile_errors_are_attributed_to_classes():
    fake = CompileApi("0 ERROR #5475: Error compiling routine: P.B.1\nERROR #5030: An error occurred in P.B")
    previous = irisapi.install(fake)
    try:
        errors = IrisNamespace(store=None).compile({"P.A": "a", "P.B": "b"})
    finally:
        irisapi.install(previous)
    assert list(errors) == ["P.B"] and len(errors["P.B"]) == 2


def test_info_says_where_the_library_came_from_and_what_the_namespace_holds(api):
    """Info tells a library served from the namespace (PyProd.Library: "/pyprod-lib/...") from a
    copy on sys.path, and which version ^PyProd.Lib holds (doctor compares them)."""
    import intersystems_pyprod

    document = json.loads(server.info())
    assert document["ok"] and document["version"] == intersystems_pyprod.__version__
    assert document["library"] == {"file": intersystems_pyprod.__file__, "stored": None}
    IrisGlobals("^PyProd.Lib").set(("active",), "0.3.0")
    assert json.loads(server.info())["library"]["stored"] == "0.3.0"


def test_a_load_result_too_long_for_a_string_is_stored_under_the_upload_for_its_user(loads, monkeypatch):
    """IRIS strings hold 3,641,144 characters: a longer result is kept in parts under the upload's
    token, written after the load, and returned only to the user who staged the upload."""
    texts = {f"big.C{i}": "x" * 900_000 for i in range(4)}
    monkeypatch.setattr(server, "_load", lambda *a, **k: {"ok": True, "script": "main", "version": 3, "texts": texts})
    upload, digest = stage()
    pointer = json.loads(server.load_upload(TOKEN, 1, digest))
    assert pointer == {"ok": True, "script": "main", "version": 3, "chunked": 4, "token": TOKEN}
    assert upload.children((TOKEN,)) == ["result", "user"]  # the sources are gone, the result stays
    monkeypatch.setattr(server, "_namespace", lambda: Caller(user="mallory"))
    refused = json.loads(server.result_chunk(TOKEN, 1))
    assert refused["ok"] is False and "belongs to another user" in refused["error"]
    monkeypatch.setattr(server, "_namespace", lambda: Caller())
    parts = [json.loads(server.result_chunk(TOKEN, n)) for n in range(1, 5)]
    assert all(len(json.dumps(p)) < 3_641_144 for p in parts)
    assert json.loads("".join(p["part"] for p in parts))["texts"] == texts
    assert upload.children(()) == []  # the last part read removes it
    assert "no stored result" in json.loads(server.result_chunk(TOKEN, 1))["error"]
