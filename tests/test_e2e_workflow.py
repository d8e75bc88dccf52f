"""The e2e workflow tests what users install (IPM from the checkout) on IRIS images that still
start: rolling tags, and a failed start that says so when the image's licence has expired."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .helpers import REPO

WORKFLOW = (REPO / ".github" / "workflows" / "e2e.yml").read_text(encoding="utf-8")
WAIT = REPO / "tests" / "e2e" / "wait_for_iris.sh"
E2E_DOC = (REPO / "docs" / "e2e.md").read_text(encoding="utf-8")
#: A release tag (2024.1, 2025.1.0.223.0, ...): its built-in licence key expires.
RELEASE_TAG = re.compile(r"^\d{4}\.\d")


def matrix() -> list:
    found = re.search(r"^\s*iris: \[(.*)\]", WORKFLOW, re.M)
    assert found, "no iris matrix in e2e.yml"
    return [v.strip().strip('"') for v in found.group(1).split(",")]


def test_matrix_uses_the_rolling_tags_and_no_release_tag():
    assert matrix() == ["latest-em", "latest-cd"]
    assert '"intersystems/iris-community:${{ matrix.iris }}"' in WORKFLOW
    pinned = re.findall(r"iris-community:(\d[\w.]*)", WORKFLOW + E2E_DOC)
    assert pinned == [], f"release tags expire: {pinned}"


def test_docs_say_what_the_tags_test_and_that_older_releases_are_not_run():
    assert "latest-em" in E2E_DOC and "latest-cd" in E2E_DOC
    assert "2024.1" in E2E_DOC and "not exercised" in E2E_DOC  # module.xml's floor, stated as untested
    assert "License expired" in E2E_DOC


def test_pyprod_is_installed_with_zpm_and_not_mounted():
    assert 'zpm "load /opt/pyprod' in WORKFLOW
    assert "mgr/python/intersystems_pyprod:" not in WORKFLOW  # nothing mounted onto the library's place
    # the library is stored in the namespace (PyProd.Library.Install), never copied into mgr/python
    assert "test -f /usr/irissys/mgr/python/intersystems_pyprod" not in WORKFLOW
    assert "docker exec iris test -e /usr/irissys/mgr/python/intersystems_pyprod; then" in WORKFLOW
    assert "python -m intersystems_pyprod_cli doctor" in WORKFLOW
    assert "LoadDir" not in (REPO / "tests" / "e2e" / "conftest.py").read_text(encoding="utf-8")


def test_the_workflow_waits_with_the_script_that_reports_the_log():
    assert "run: tests/e2e/wait_for_iris.sh iris" in WORKFLOW
    assert os.access(WAIT, os.X_OK), "the workflow runs the script directly: it must be executable"


# -- the wait script, run against a stand-in docker and command line ---------------------------

STARTUP_ABORTED = """This copy of InterSystems IRIS has been licensed for use exclusively by:
Community License expired.
Error: Invalid Community Edition license, may have exceeded core limit. - Shutting down the system
** Startup aborted **
"""


def stand_ins(folder: Path, *, up: bool, log: str, running: bool) -> dict:
    """A ``docker`` that prints ``log`` and the container state, and a ``python`` whose
    ``status`` succeeds when ``up``; returns the environment to run the wait script in."""
    (folder / "container.log").write_text(log, encoding="utf-8")
    docker = folder / "docker"
    docker.write_text(f"""#!/usr/bin/env bash
echo "$*" >> "{folder}/docker.calls"
case "$1" in
  logs) cat "{folder}/container.log" ;;
  inspect) case "$3" in
      *State.Running*) echo {"true" if running else "false"} ;;
      *Config.Image*) echo intersystems/iris-community:2025.1 ;;
    esac ;;
esac
""", encoding="utf-8")
    python = folder / "python"
    python.write_text(f"#!/usr/bin/env bash\necho \"$*\" >> \"{folder}/python.calls\"\nexit {0 if up else 1}\n",
                      encoding="utf-8")
    for tool in (docker, python):
        tool.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", "PYTHON": str(python),
            "IRIS_WAIT_TRIES": "3", "IRIS_WAIT_DELAY": "0"}


def wait(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(WAIT), "iris"], env=env, capture_output=True, text=True, timeout=60)


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="the wait script is a bash script")


@needs_bash
def test_wait_succeeds_when_iris_answers(tmp_path):
    done = wait(stand_ins(tmp_path, up=True, log="", running=True))
    assert done.returncode == 0 and "IRIS is up after 1 tries" in done.stdout
    assert "-m intersystems_pyprod_cli status" in (tmp_path / "python.calls").read_text()


@needs_bash
def test_an_expired_licence_is_an_error_annotation_with_the_log(tmp_path):
    done = wait(stand_ins(tmp_path, up=False, log=STARTUP_ABORTED, running=False))
    assert done.returncode != 0
    assert "Community License expired." in done.stdout and "** Startup aborted **" in done.stdout
    annotation = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert len(annotation) == 1 and "licence expired" in annotation[0].lower()
    assert "intersystems/iris-community:2025.1" in annotation[0] and "latest-em" in annotation[0]
    # it stops at the first look: a server that aborted its start-up never answers
    assert len((tmp_path / "python.calls").read_text().splitlines()) == 1


@needs_bash
def test_a_server_that_never_answers_is_an_error_with_the_log_and_no_licence_claim(tmp_path):
    done = wait(stand_ins(tmp_path, up=False, log="Starting IRIS\nwaiting for the superserver\n", running=True))
    assert done.returncode == 1 and "waiting for the superserver" in done.stdout
    annotation = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert len(annotation) == 1 and "did not start" in annotation[0] and "licen" not in annotation[0].lower()
    assert len((tmp_path / "python.calls").read_text().splitlines()) == 3  # every try was made
