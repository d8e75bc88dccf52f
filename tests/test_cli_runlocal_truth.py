"""run-local tells the truth: its exit code, Ctrl-C, output as it happens, the user's traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from .helpers import REPO, cli, write_script

SLOW = """
import time
from intersystems_pyprod import *

class Tick(BusinessService):
    def on_process_input(self, input):
        for i in range(100):
            IRISLog.Info(f"tick {i}")
            time.sleep(0.05)
"""
#: Busy until interrupted; writes the file PYPROD_TEST_MARK names once it is busy, so a test sends
#: Ctrl-C at a known point however slow the machine is.
ENDLESS = """
import os
import time
from intersystems_pyprod import *

class Tick(BusinessService):
    def on_process_input(self, input):
        for i in range(100000):
            IRISLog.Info(f"tick {i}")
            if i == 2:
                open(os.environ["PYPROD_TEST_MARK"], "w").close()
            time.sleep(0.05)
"""
IMPORT_LOOP = """
import os
import time
open(os.environ["PYPROD_TEST_MARK"], "w").close()
while True:
    time.sleep(0.01)
"""
FAILING = """
from intersystems_pyprod import *

class Echo(BusinessService):
    def on_process_input(self, input):
        helper(input)

def helper(text):
    raise ValueError(f"cannot echo {text}")
"""

# (script, extra arguments, exit code, words in stdout + stderr)
CASES = [
    (FAILING, ["--send", "Echo=x"], 1, "ValueError: cannot echo x"),
    ("x = 1\n", [], 1, "defines no components or production to run"),
    ("from intersystems_pyprod import *\nraise KeyboardInterrupt\n", [], 1,
     "script.py:2: importing script.py was interrupted (KeyboardInterrupt)"),
    ("import time\nwhile True:\n    time.sleep(0.01)\n", ["--timeout", "0.5"], 1,
     "the script was still being imported, at"),
    (SLOW, ["--send", "Tick=x", "--timeout", "0.3"], 1, "Tick was still busy, at"),
    (FAILING, ["--duration", "-1"], 2, "argument --duration: -1 cannot be used"),
    (FAILING, ["--duration", "nan"], 2, "argument --duration: nan cannot be used"),
    (FAILING, ["--timeout", "nan"], 2, "argument --timeout: nan cannot be used"),
    (FAILING, ["--timeout", "inf"], 2, "argument --timeout: inf cannot be used"),
    (FAILING, ["--timeout", "-2"], 2, "argument --timeout: -2 cannot be used"),
]


@pytest.mark.parametrize("source, extra, code, words", CASES)
def test_run_local_exit_codes_and_reports(tmp_path, source, extra, code, words):
    script = write_script(tmp_path, "script.py", source)
    result = cli("run-local", str(script), *extra)
    said = result.stdout + result.stderr
    assert result.returncode == code, said
    assert words in said, said
    assert "Traceback" not in result.stderr


def test_the_event_log_traceback_shows_the_users_frames_only(tmp_path):
    script = write_script(tmp_path, "script.py", FAILING)
    doc = json.loads(cli("run-local", str(script), "--send", "Echo=x", "--json").stdout)
    trace = doc["log"][0]["text"]
    assert trace.startswith("Traceback (most recent call last):")
    assert f'File "{script}", line 6, in on_process_input' in trace and "line 9, in helper" in trace
    assert trace.rstrip().endswith("ValueError: cannot echo x")
    assert "intersystems_pyprod" not in trace  # no frame of the bridge or the harness


def _start(*args: str, mark: str = "") -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYPROD_TEST_MARK": mark}
    return subprocess.Popen([sys.executable, "-m", "intersystems_pyprod_cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(process: subprocess.Popen, mark: str) -> None:
    """Until the script wrote its mark (it is busy at the point the test interrupts)."""
    deadline = time.monotonic() + 120
    while not os.path.exists(mark):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the script never got busy"
        time.sleep(0.05)


@pytest.mark.parametrize("source, words", [
    (ENDLESS, "Tick was still busy, at"),
    (IMPORT_LOOP, "the script was still being imported, at"),
])
def test_ctrl_c_stops_cleanly_with_what_was_recorded(tmp_path, source, words):
    script = write_script(tmp_path, "script.py", source)
    mark = str(tmp_path / "busy")
    process = _start("run-local", str(script), "--send", "Tick=x", mark=mark)
    _wait_for(process, mark)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out + err
    assert "Traceback" not in err and words in err and "interrupted (Ctrl-C)" in err
    assert "Run stopped:" in out
    if source is ENDLESS:  # printed as it happened, and stopped where it was
        assert "tick 2" in out and "tick 99999" not in out


def test_ctrl_c_with_json_prints_the_document_so_far(tmp_path):
    script = write_script(tmp_path, "script.py", ENDLESS)
    mark = str(tmp_path / "busy")
    process = _start("run-local", str(script), "--send", "Tick=x", "--json", mark=mark)
    _wait_for(process, mark)
    process.send_signal(signal.SIGINT)
    out, _err = process.communicate(timeout=60)
    assert process.returncode == 130
    doc = json.loads(out)
    assert doc["ok"] is False and "interrupted" in doc["error"] and doc["log"]
