"""A load leaves the calling process's ``sys.path`` and modules as it found them, on every outcome.

(The autouse fixture in conftest.py restores ``sys.path`` after each test, so every comparison
here is made inside the test.)
"""

from __future__ import annotations

import json
import sys
import tempfile

import pytest

from intersystems_pyprod.loader import server
from intersystems_pyprod.loader.service import load_sources

from ..fake_namespace import FakeNamespace
from .flow_scripts import HELPERS, V1


class _Namespace(FakeNamespace):
    def preflight(self):
        return None


@pytest.fixture
def ns(monkeypatch):
    namespace = _Namespace()
    monkeypatch.setattr(server, "_namespace", lambda: namespace)
    monkeypatch.setattr(server, "iris_store", namespace.store)
    return namespace


def project(tmp_path, main=V1, helpers=HELPERS):
    (tmp_path / "flow.py").write_text(main, encoding="utf-8")
    (tmp_path / "helpers.py").write_text(helpers, encoding="utf-8")
    return tmp_path / "flow.py"


def _state():
    return list(sys.path), {n for n in sys.modules if n in ("flow", "helpers")}


@pytest.mark.parametrize("outcome", ["ok", "import fails", "compile fails"])
def test_load_restores_sys_path_and_leaves_no_project_module(ns, tmp_path, outcome):
    main = V1
    if outcome == "import fails":
        main = V1 + "\nraise RuntimeError('the script fails at import')\n"
    if outcome == "compile fails":
        ns.fail.add("Flow.Op")
    script = project(tmp_path, main)
    before = _state()
    document = json.loads(server.load_file(str(script)))
    assert document["ok"] is (outcome == "ok"), document
    if outcome == "import fails":
        assert "the script fails at import" in document["error"]
    if outcome == "compile fails":
        assert "compilation failed" in document["error"]
    assert _state() == before
    assert str(tmp_path) not in sys.path and str(tmp_path.resolve()) not in sys.path
    with pytest.raises(ModuleNotFoundError):
        __import__("helpers")  # not importable from the project folder afterwards


def test_a_module_the_process_had_before_is_put_back(ns, tmp_path):
    import types

    mine = types.ModuleType("helpers")
    sys.modules["helpers"] = mine
    before = list(sys.path)
    assert json.loads(server.load_file(str(project(tmp_path))))["ok"]
    assert sys.modules.get("helpers") is mine and "flow" not in sys.modules and sys.path == before


def test_a_script_that_extends_sys_path_itself_leaves_it_as_it_was(ns, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "pp_extra_lib.py").write_text("X = 1\n", encoding="utf-8")
    main = V1.replace("from helpers import Shared",
                      f"from helpers import Shared\n_add_to_sys_path({str(extra)!r})\nimport pp_extra_lib")
    before = list(sys.path)
    assert json.loads(server.load_file(str(project(tmp_path, main))))["ok"]
    assert sys.path == before and "pp_extra_lib" not in sys.modules


def test_staging_under_a_linked_temporary_folder_leaves_sys_path_as_it_was(tmp_path, monkeypatch):
    """The staging folder is added to sys.path resolved; it is removed under that spelling."""
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    monkeypatch.setattr(tempfile, "tempdir", str(link))
    ns = FakeNamespace()
    for broken in (False, True):
        before = _state()
        files = {"flow.py": V1 + ("\nraise RuntimeError('boom')\n" if broken else ""), "helpers.py": HELPERS}
        result = load_sources(ns, ns.store(), files, "flow.py")
        assert result.ok is not broken, result.error
        assert _state() == before
        if broken:  # the error names the project-relative file, not the staging folder
            assert "pyprod-load-" not in (result.error or "") and "flow.py" in (result.error or "")
    assert list(real.iterdir()) == []
