"""PyProd.Library: the Python library lives in each namespace's database, not in one folder of
the instance. The Python bodies of Library.cls run for real, each scenario in a fresh interpreter
(``-I -S``: no site-packages, the checkout's library not on ``sys.path``) with a stand-alone fake
``iris`` whose globals belong to namespaces and are shared by the processes of one test."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict

from intersystems_pyprod.loader.build import build

from ..cls_reader import python_methods
from ..helpers import REPO

LIBRARY_CLS = REPO / "src" / "cls" / "PyProd" / "Library.cls"
PACKAGE = REPO / "src" / "python" / "intersystems_pyprod"
HELLO = REPO / "examples" / "hello_world" / "HelloWorld.py"
VERSION = ET.parse(REPO / "module.xml").getroot().findtext(".//Module/Version")


class Instance:
    """An IRIS instance of the fake: its databases in a file, each ``run`` a new process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        shutil.copy(REPO / "tests" / "library_iris.py", folder / "iris.py")
        methods = ["import iris"]
        for name, (args, body) in python_methods(LIBRARY_CLS.read_text(encoding="utf-8")).items():
            methods.append(f"def {name}({', '.join(args)}):\n{textwrap.indent(body, '    ')}")
        methods.append("class _Library:\n    Store = staticmethod(Store)\n    Boot = staticmethod(Boot)\n"
                       "iris.CLASSES['PyProd.Library'] = _Library")
        (folder / "library_methods.py").write_text("\n\n".join(methods), encoding="utf-8")
        self.db = folder / "databases.pickle"

    def run(self, code: str, check: bool = True) -> Dict[str, Any]:
        """Run ``code`` (which may set ``out``) in a new process; ``out`` comes back."""
        script = (f"import json, sys\nsys.path.insert(0, {str(self.folder)!r})\n"
                  "import iris\nimport library_methods as L\nout = {}\n"
                  + textwrap.dedent(code) + "\nprint('@@' + json.dumps(out))\n")
        done = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True,
                              timeout=120, env={"FAKE_IRIS_DB": str(self.db)})
        if check:
            assert done.returncode == 0, done.stderr
        lines = [line for line in done.stdout.splitlines() if line.startswith("@@")]
        return json.loads(lines[-1][2:]) if lines else {"stderr": done.stderr}


def library_copy(folder: Path, version: str, extra: str = "") -> Path:
    """A module root whose library says it is ``version`` (and has ``extra.py`` when given)."""
    target = folder / "src" / "python" / "intersystems_pyprod"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__"))
    init = target / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8").replace(f'__version__ = "{VERSION}"',
                                                              f'__version__ = "{version}"'), encoding="utf-8")
    if extra:
        (target / "extra.py").write_text(extra, encoding="utf-8")
    return folder


def test_install_stores_the_library_and_the_namespace_imports_it_from_there(tmp_path):
    iris = Instance(tmp_path)
    iris.run(f"L.Store({str(REPO) + '/'!r}, {VERSION!r})")
    out = iris.run(f"""
        import traceback
        L.Boot()
        import intersystems_pyprod
        from intersystems_pyprod.loader.build import build
        result = build({str(HELLO)!r}, validate=False)
        out["file"] = intersystems_pyprod.__file__
        out["version"] = intersystems_pyprod.__version__
        out["classes"] = {{c.name: c.text for c in result.classes}}
        out["where"] = [str(c.where) for c in result.model.classes]
        out["elsewhere"] = sorted(n for n, m in sys.modules.items() if n.split(".")[0] == "intersystems_pyprod"
                                  and not str(getattr(m, "__file__", "")).startswith("/pyprod-lib/"))
        try:
            build("/no/such/script.py")
        except Exception:
            out["traceback"] = traceback.format_exc()
    """)
    assert out["file"] == f"/pyprod-lib/USER/{VERSION}/intersystems_pyprod/__init__.py"
    assert out["version"] == VERSION and out["elsewhere"] == []
    # the same classes as the library on disk generates, with the user's lines (not the library's)
    on_disk = build(str(HELLO), validate=False)
    assert out["classes"] == {c.name: c.text for c in on_disk.classes}
    assert out["where"] == [str(c.where) for c in on_disk.model.classes]
    assert all(w.startswith(str(HELLO)) for w in out["where"])
    # tracebacks show the library's own source lines
    lines = out["traceback"].splitlines()
    frames = [(i, line) for i, line in enumerate(lines) if '"/pyprod-lib/' in line]
    assert frames
    for i, line in frames:
        file, number = line.split('"')[1], int(line.split("line ")[1].split(",")[0])
        source = (PACKAGE.parent / file.split(f"/{VERSION}/", 1)[1]).read_text(encoding="utf-8").splitlines()
        assert lines[i + 1].strip() == source[number - 1].strip()


def test_each_namespace_runs_its_own_version_and_a_process_never_mixes_two(tmp_path):
    iris = Instance(tmp_path)
    newer = library_copy(tmp_path / "newer", "9.0.0")
    iris.run(f"""
        iris.switch("A"); L.Store({str(REPO)!r}, {VERSION!r})
        iris.switch("B"); L.Store({str(newer)!r}, "9.0.0")
        iris.switch("C"); L.Store({str(REPO)!r}, {VERSION!r})
    """)
    for namespace, version in (("A", VERSION), ("B", "9.0.0")):
        out = iris.run(f"""
            iris.switch({namespace!r}); L.Boot()
            import intersystems_pyprod.runtime.bridge as bridge
            out["version"], out["file"] = sys.modules["intersystems_pyprod"].__version__, bridge.__file__
        """)
        assert out == {"version": version,
                       "file": f"/pyprod-lib/{namespace}/{version}/intersystems_pyprod/runtime/bridge.py"}
    out = iris.run("""
        iris.switch("A"); L.Boot()
        import intersystems_pyprod
        iris.switch("C"); L.Boot()  # the same version: the process serves both
        import intersystems_pyprod.runtime.viewer
        iris.switch("B")
        try:
            L.Boot()
        except RuntimeError as exc:
            out["error"] = str(exc)
        out["version"] = intersystems_pyprod.__version__
    """)
    assert out["version"] == VERSION
    assert f"already runs PyProd's Python library {VERSION} (from namespace A)" in out["error"]
    assert "namespace B has PyProd 9.0.0" in out["error"] and "Start a new process for B" in out["error"]


def test_removing_one_namespace_library_leaves_the_others_working(tmp_path):
    iris = Instance(tmp_path)
    iris.run(f"""
        for namespace in ("A", "B"):
            iris.switch(namespace); L.Store({str(REPO)!r}, {VERSION!r})
        lib = iris.gref("^PyProd.Lib")  # what BeforeUninstall does in B
        sub = lib.order([""])
        while sub != "":
            lib.kill([sub]); sub = lib.order([""])
    """)
    out = iris.run(f"""
        iris.switch("A"); L.Boot()
        from intersystems_pyprod.loader.build import build
        out["classes"] = len(build({str(HELLO)!r}, validate=False).classes)
    """)
    assert out["classes"] == len(build(str(HELLO), validate=False).classes)
    out = iris.run(f"""
        iris.switch("B"); L.Boot()
        try:
            import intersystems_pyprod
        except ImportError as exc:
            out["error"] = type(exc).__name__
        sys.path.append({str(PACKAGE.parent)!r})  # a development setup: the library on sys.path
        import intersystems_pyprod
        out["file"] = intersystems_pyprod.__file__
    """)
    assert out == {"error": "ModuleNotFoundError", "file": str(PACKAGE / "__init__.py")}


def test_the_namespace_library_wins_over_a_copy_left_in_mgr_python(tmp_path):
    stale = tmp_path / "mgr" / "python" / "intersystems_pyprod"
    stale.mkdir(parents=True)
    (stale / "__init__.py").write_text("raise ImportError('the stale copy was imported')\n", encoding="utf-8")
    iris = Instance(tmp_path)
    out = iris.run(f"""
        sys.path.append({str(stale.parent)!r})
        L.Store({str(REPO)!r}, {VERSION!r}); L.Boot()
        import intersystems_pyprod.api
        out["file"] = intersystems_pyprod.api.__file__
        out["first"] = sys.meta_path[0].__class__.__name__
    """)
    assert out == {"file": f"/pyprod-lib/USER/{VERSION}/intersystems_pyprod/api/__init__.py",
                   "first": "LibraryFinder"}


def test_an_unreadable_global_makes_boot_say_so_and_the_finder_step_aside(tmp_path):
    iris = Instance(tmp_path)
    iris.run(f"L.Store({str(REPO)!r}, {VERSION!r})")
    out = iris.run("""
        iris.PROTECTED.add(("USER", "^PyProd.Lib"))
        try:
            L.Boot()
        except RuntimeError as exc:
            out["boot"] = str(exc)
        sys.modules.pop("json", None); sys.modules.pop("json.decoder", None)
        import json as again
        out["json"] = again.dumps([1])
        try:
            import intersystems_pyprod
        except ImportError as exc:
            out["import"] = type(exc).__name__
    """)
    assert "namespace USER could not be read from ^PyProd.Lib (RuntimeError: <PROTECT> ^PyProd.Lib)" in out["boot"]
    assert out["json"] == "[1]" and out["import"] == "ModuleNotFoundError"
    # a process that read the library before it became unreadable goes on importing from it
    out = iris.run("""
        L.Boot()
        import intersystems_pyprod
        iris.PROTECTED.add(("USER", "^PyProd.Lib"))
        import intersystems_pyprod.graph.svg as svg
        out["file"] = svg.__file__
        import csv
        out["csv"] = bool(csv.reader)
    """)
    assert out == {"file": f"/pyprod-lib/USER/{VERSION}/intersystems_pyprod/graph/svg.py", "csv": True}


def test_a_namespace_without_a_library_falls_back_to_sys_path_whatever_get_does(tmp_path):
    iris = Instance(tmp_path)
    for raises in (False, True):
        out = iris.run(f"""
            iris.UNDEFINED_RAISES[0] = {raises}
            iris.switch("EMPTY{int(raises)}"); L.Boot()
            sys.path.append({str(PACKAGE.parent)!r})
            import intersystems_pyprod
            out["file"] = intersystems_pyprod.__file__
        """)
        assert out == {"file": str(PACKAGE / "__init__.py")}


def test_install_keeps_one_version_chunks_big_files_and_refuses_a_root_without_the_library(tmp_path):
    iris = Instance(tmp_path)
    big = "TEXT = " + repr("x" * 70_000) + "\n"
    upgraded = library_copy(tmp_path / "upgraded", "9.0.0", extra=big)
    out = iris.run(f"""
        iris.UNDEFINED_RAISES[0] = True
        L.Store({str(REPO)!r}, {VERSION!r})
        L.Store({str(upgraded)!r}, "9.0.0")
        lib = iris.gref("^PyProd.Lib")
        out["versions"] = [lib.order(["v", ""]), lib.order(["v", lib.order(["v", ""])])]
        out["active"] = lib.get(["active"])
        out["chunks"] = lib.get(["v", "9.0.0", "intersystems_pyprod/extra.py"])
        out["files"] = lib.get(["v", "9.0.0"])
        try:
            L.Store({str(tmp_path / "nothing")!r}, "9.1.0")
        except FileNotFoundError as exc:
            out["refused"] = str(exc)
        out["still"] = lib.get(["active"])
        L.Boot()
        import intersystems_pyprod.extra as extra
        out["big"] = len(extra.TEXT)
    """)
    python_files = len(list(PACKAGE.rglob("*.py")))
    assert out["versions"] == ["9.0.0", ""] and out["active"] == "9.0.0" and out["still"] == "9.0.0"
    assert out["chunks"] == 3 and out["files"] == python_files + 1 and out["big"] == 70_000
    assert "src/python/intersystems_pyprod: install PyProd from its package" in out["refused"]


def test_installing_again_in_the_same_process_asks_for_a_new_process_instead_of_mixing(tmp_path):
    iris = Instance(tmp_path)
    upgraded = library_copy(tmp_path / "upgraded", "9.0.0")
    out = iris.run(f"""
        L.Store({str(REPO)!r}, {VERSION!r}); L.Boot()
        import intersystems_pyprod
        L.Store({str(upgraded)!r}, "9.0.0")  # an upgrade run in a process that already imported the library
        try:
            L.Boot()
        except RuntimeError as exc:
            out["error"] = str(exc)
    """)
    assert f"already runs PyProd's Python library {VERSION} (from namespace USER)" in out["error"]
    assert "namespace USER has PyProd 9.0.0" in out["error"]
