"""Never hang, never half-write: a watch without a server ends, unusable output folders are refused
before anything is generated, text that cannot be encoded is printed escaped."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from intersystems_pyprod_cli.main import main

from .helpers import EXAMPLES, REPO, write_script

HELLO = str(EXAMPLES / "hello_world" / "HelloWorld.py")
LOGIN = ["--username", "_SYSTEM", "--password", "s3cret!"]


def _main_within(argv, seconds=20):
    """``main(argv)`` in a thread; fails when it does not return in time (a hang)."""
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("code", main(argv)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{argv} did not return within {seconds} s"
    return result["code"]


@pytest.mark.parametrize("argv, code, words", [
    (["--watch", HELLO, *LOGIN], 3, "cannot reach IRIS"),
    (["--watch", HELLO, "--port", "99999", *LOGIN], 2, "out of range"),
    (["--watch", HELLO, "--username", "_SYSTEM"], 3, "cannot reach IRIS"),
])
def test_watch_without_a_server_ends(server, capsys, argv, code, words):
    server.reachable = False
    assert _main_within(argv) == code
    err = capsys.readouterr().err
    assert words in err and "Not watching" in err


def _unwritable(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    return locked


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes everywhere")
@pytest.mark.parametrize("argv", [["--dry-run"], ["--manual"]])
def test_unwritable_parent_is_refused_first(tmp_path, capsys, argv):
    target = _unwritable(tmp_path) / "out"
    assert main([*argv, "-o", str(target), HELLO]) == 2
    assert "is not writable" in capsys.readouterr().err


@pytest.mark.parametrize("argv, words", [
    (["--dry-run", "-o", "{file}", HELLO], "is a file, not a folder"),
    (["--manual", "-o", "{file}", HELLO], "is a file, not a folder"),
    (["--dry-run", "-o", "{file}/sub", HELLO], "is a file, so the folder cannot be created there"),
    ([HELLO, "-o", "{file}", *LOGIN], "is a file, not a folder"),
    (["graph", HELLO, "-o", "{folder}"], "it is a folder"),
])
def test_output_that_cannot_be_written_is_refused_before_anything(server, tmp_path, capsys, argv, words):
    file = tmp_path / "taken.txt"
    file.write_text("x")
    argv = [a.format(file=file, folder=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err, err
    assert not server.connects  # refused before connecting
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.txt"]


def test_a_lone_surrogate_is_printed_escaped(tmp_path):
    script = write_script(tmp_path, "odd.py", """
from intersystems_pyprod import *

class Echo(BusinessService):
    def on_process_input(self, input):
        IRISLog.Info("odd \\udc80 text")
""")
    result = subprocess.run([sys.executable, "-m", "intersystems_pyprod_cli", "run-local", str(script), "--send",
                             "Echo=x"], cwd=REPO, capture_output=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 0, result.stderr
    assert b"odd \\udc80 text" in result.stdout and b"Traceback" not in result.stderr
