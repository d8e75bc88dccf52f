"""Results longer than one IRIS string (3,641,144 characters), through the real Native SDK client and
the stand-in superserver of tests/wire, which refuses such strings as IRIS does (<MAXSTRING>)."""

from __future__ import annotations

import json

import pytest

from intersystems_pyprod import director
from intersystems_pyprod.director.connection import Director
from intersystems_pyprod.loader import results
from intersystems_pyprod.loader.upload import STALE_AFTER
from intersystems_pyprod_cli.main import main

from .helpers import EXAMPLES

HELLO = str(EXAMPLES / "hello_world" / "HelloWorld.py")
#: 40 message classes, each with a docstring of 100,000 characters: the load's result with the class
#: texts passes the string limit.
LINE = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n"
CLASSES = 40


@pytest.fixture
def big(tmp_path):
    source = 'from intersystems_pyprod import JsonSerialize\n\niris_package_name = "big"\n'
    for i in range(CLASSES):
        source += f'\nclass Msg{i}(JsonSerialize):\n    """Message {i}.\n{LINE * 1250}    """\n    content: str\n'
    script = tmp_path / "src" / "Big.py"
    script.parent.mkdir()
    script.write_text(source, encoding="utf-8")
    return script


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def stored(wire):
    """Tokens of ^PyProd.Upload that hold a stored result."""
    upload = wire.fake.g("PyProd.Upload")
    return [t for t in upload.children(()) if upload.children((t, "result"))]


def test_a_committed_load_longer_than_a_string_comes_back_whole(wire, capsys, big, tmp_path):
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, big, "-o", out_dir)
    assert code == 0, err
    assert out.splitlines()[-1] == "Load finished successfully. (version 1)"
    written = sorted(p.name for p in (out_dir / "big").iterdir())
    assert written == sorted(f"Msg{i}.cls" for i in range(CLASSES))
    text = (out_dir / "big" / "Msg39.cls").read_text(encoding="utf-8")
    assert "/// Message 39." in text and text.count("Lorem ipsum") == 1250
    assert sum(len(p.read_text(encoding="utf-8")) for p in (out_dir / "big").iterdir()) > wire.faults.max_string
    assert wire.calls.count("PyProd.Loader.ResultChunk") == 5  # 4.3 million characters in parts of one million
    assert wire.fake.g("PyProd.Upload").data == {}  # read parts are removed


def test_a_stored_result_is_read_only_by_its_user(wire, monkeypatch, big):
    read_parts = Director.read_parts
    monkeypatch.setattr(Director, "read_parts", lambda self, what, pointer: pointer)  # a client that stops here
    monkeypatch.setattr(Director, "discard", lambda self, token: None)
    with director.connect() as dev:
        pointer = dev.load_script(str(big), texts=True)
    assert pointer["ok"] is True and pointer["version"] == 1 and pointer["chunked"] == 5
    assert stored(wire) == [pointer["token"]]
    monkeypatch.setenv("IRIS_USERNAME", "Mallory")
    with director.connect() as other:
        refused = other.call_json("PyProd.Loader", "ResultChunk", pointer["token"], 1)
    assert refused["ok"] is False and "belongs to another user" in refused["error"]
    assert stored(wire) == [pointer["token"]]
    monkeypatch.setenv("IRIS_USERNAME", "_SYSTEM")
    with director.connect() as dev:
        whole = read_parts(dev, "PyProd.Loader.LoadUploaded", pointer)
    assert whole["ok"] is True and len(whole["texts"]) == CLASSES and stored(wire) == []


def test_a_result_left_behind_by_a_client_that_went_away_is_purged(wire, capsys, big, tmp_path):
    wire.faults.drops["PyProd.Loader.ResultChunk"] = 1
    code, out, err = run(capsys, big, "-o", tmp_path / "out")
    assert code == 1 and "internal error" not in err
    assert "Load committed (version 1), but no class was written to" in out
    assert len(stored(wire)) == 1  # the link went down: nobody removed it
    now = 1_000_000
    wire.fake.clock = lambda: now
    assert run(capsys, HELLO)[0] == 0  # a purge sees it ...
    assert len(stored(wire)) == 1
    now += STALE_AFTER + 1
    assert run(capsys, HELLO)[0] == 0  # ... and removes it an hour later
    assert stored(wire) == []


def test_a_failed_part_read_still_reports_the_committed_load_and_names_what_is_missing(wire, capsys, big, tmp_path):
    wire.faults.errors["PyProd.Loader.ResultChunk"] = "<STORE>"
    code, out, _err = run(capsys, big, "-o", tmp_path / "out", "--json")
    document = json.loads(out)
    assert code == 1
    assert document["committed"] is True and document["version"] == 1
    assert "class texts are missing" in document["error"] and "<STORE>" in document["error"]
    assert not (tmp_path / "out").exists()
    assert "big.Msg0" in wire.fake.namespace.classes
    assert stored(wire) == []  # the client removed it


def test_a_listing_longer_than_a_string_comes_back_whole(wire, capsys, monkeypatch):
    """Every entry point's result is brought back in parts when it is too long (here: List, with the
    limits made small)."""
    assert run(capsys, HELLO)[0] == 0
    monkeypatch.setattr(results, "INLINE", 200)
    monkeypatch.setattr(results, "PART", 150)
    wire.faults.max_string = 200
    code, out, err = run(capsys, "status")
    assert code == 0, err
    assert "Script HelloWorld: version 1" in out
    assert wire.calls.count("PyProd.Loader.ResultChunk") > 1 and stored(wire) == []
