"""The routing example's own tests pass as its README runs them (they read the shipped rule and
DTL classes and evaluate them with Harness.rule and Harness.transform)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from .helpers import REPO


def test_the_routing_example_tests_pass():
    path = os.pathsep.join([str(REPO / "src" / "python"), str(REPO / "cli")])
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "examples/routing/test_routing.py"], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": path}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) >= 5, done.stdout
