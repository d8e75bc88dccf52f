"""Versioned sources and class records, on the in-memory globals."""

from __future__ import annotations

from intersystems_pyprod.loader.globals import MemoryGlobals
from intersystems_pyprod.loader.plan import text_hash
from intersystems_pyprod.loader.store import CHUNK, SourceStore


def store():
    return SourceStore(MemoryGlobals(), MemoryGlobals())


def test_versions_are_numbered_and_identical_sources_reuse_a_number():
    s = store()
    v1 = s.save("hello", {"hello.py": "a = 1\n"}, "hello.py", "_SYSTEM", "2026-01-01 10:00:00")
    v2 = s.save("hello", {"hello.py": "a = 2\n"}, "hello.py", "dev", "2026-01-02 10:00:00")
    again = s.save("hello", {"hello.py": "a = 1\n"}, "hello.py", "_SYSTEM", "2026-01-03 10:00:00")
    assert (v1, v2, again) == (1, 2, 1)
    assert [(v.number, v.user) for v in s.versions("hello")] == [(1, "_SYSTEM"), (2, "dev")]
    assert s.active("hello") is None
    s.activate("hello", 2)
    assert s.active("hello") == 2 and s.files("hello", 1) == {"hello.py": "a = 1\n"}


def test_large_files_are_stored_in_chunks():
    s = store()
    big = "x" * (CHUNK * 2 + 7)
    n = s.save("big", {"big.py": big, "pkg/lib.py": ""}, "big.py", "u", "t")
    assert s.files("big", n) == {"big.py": big, "pkg/lib.py": ""}
    assert all(len(v) <= CHUNK for v in s._g.data.values() if isinstance(v, str) and not v.startswith("{"))


def test_class_records_and_owners():
    s = store()
    s.record("hello", {"P.A": "text a", "P.B": "text b"}, [])
    assert s.recorded("hello") == {"P.A": text_hash("text a"), "P.B": text_hash("text b")}
    assert s.owners() == {"p.a": "hello", "p.b": "hello"}
    assert s.class_text("hello", "P.B") == "text b"
    s.record("hello", {"P.A": "text a2"}, ["P.B"])
    assert s.recorded("hello") == {"P.A": text_hash("text a2")} and s.owners() == {"p.a": "hello"}
    s.forget("hello")
    assert s.scripts() == [] and s.owners() == {}


def test_memory_globals_collate_like_iris():
    g = MemoryGlobals()
    for sub in ("b", 10, 2, "a"):
        g.set(("x", sub), 1)
    assert g.children(("x",)) == [2, 10, "a", "b"]
