"""End-to-end suite: runs against a real IRIS when IRIS_HOST is set, and is skipped otherwise.

Environment: IRIS_HOST, IRIS_PORT, IRIS_NAMESPACE (an interoperability namespace where PyProd was
installed with ``zpm "load <checkout>"``, so module.xml and its Invokes ran), IRIS_USERNAME,
IRIS_PASSWORD; E2E_PLAIN_NAMESPACE, a namespace without Interoperability (for doctor).
See docs/e2e.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).resolve().parent / "scripts"


def pytest_collection_modifyitems(config: Any, items: List[Any]) -> None:
    if os.environ.get("IRIS_HOST"):
        return
    skip = pytest.mark.skip(reason="IRIS is not configured: set IRIS_HOST (and IRIS_USERNAME, IRIS_PASSWORD, "
                                   "IRIS_NAMESPACE) to run the end-to-end suite; see docs/e2e.md")
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def iris() -> Iterator[Any]:
    from intersystems_pyprod import director

    with director.connect() as connection:
        yield connection


@pytest.fixture(scope="session")
def installed(iris: Any) -> Any:
    """PyProd as IPM installed it from this checkout (the suite installs nothing itself, so the
    manifest is what is tested: its classes, and the library PyProd.Library.Install stored in the
    namespace's database)."""
    assert iris.has_class("PyProd.Loader"), (
        f'PyProd is not installed in {os.environ.get("IRIS_NAMESPACE")}: run zpm "load <this checkout as the '
        'server sees it>" in that namespace (docs/e2e.md)')
    return iris


def cli(*args: str, namespace: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if namespace:
        env["IRIS_NAMESPACE"] = namespace
    return subprocess.run([sys.executable, "-m", "intersystems_pyprod_cli", *args], capture_output=True,
                          text=True, timeout=300, env=env)


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    """Copy e2e scripts (and examples) into a fresh project folder; returns the first one's path."""

    def make(*names: str) -> Path:
        for name in names:
            source = SCRIPTS / name if (SCRIPTS / name).exists() else REPO / "examples" / name
            shutil.copy(source, tmp_path / Path(name).name)
        return tmp_path / Path(names[0]).name

    return make


def wait_for(check: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def log_texts(iris: Any, after: int) -> List[Dict[str, Any]]:
    return iris.log(limit=500, after_id=after)


def last_log_id(iris: Any) -> int:
    rows = iris.log(limit=1)
    return int(rows[-1]["ID"]) if rows else 0


@pytest.fixture
def production(iris: Any) -> Iterator[Callable[[str], None]]:
    """Start a production; it is stopped after the test."""
    started: List[str] = []

    def start(name: str) -> None:
        iris.director("StartProduction", name)
        started.append(name)

    yield start
    if started:
        iris.director("StopProduction", 30, 1)
