"""Importing user scripts: fresh imports, local modules, clear errors."""

from __future__ import annotations

import pytest

from intersystems_pyprod.errors import PyProdError
from intersystems_pyprod.loader.importer import import_script

from ..helpers import write_script


def test_missing_file(tmp_path):
    with pytest.raises(PyProdError, match="does not exist"):
        import_script(str(tmp_path / "nope.py"))


def test_not_a_python_file(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("")
    with pytest.raises(PyProdError, match=r"not a \.py file"):
        import_script(str(path))


def test_syntax_error_names_file_and_line(tmp_path):
    path = write_script(tmp_path, "broken.py", "x = 1\ndef f(:\n    pass\n")
    with pytest.raises(PyProdError) as err:
        import_script(str(path))
    assert err.value.where.file.endswith("broken.py") and err.value.where.line == 2
    assert "syntax error" in str(err.value)


def test_runtime_error_names_the_users_line(tmp_path):
    write_script(tmp_path, "helper.py", "def boom():\n    raise ValueError('bad config')\n")
    path = write_script(tmp_path, "main.py", "import helper\n\nhelper.boom()\n")
    with pytest.raises(PyProdError) as err:
        import_script(str(path))
    assert err.value.where.file.endswith("helper.py") and err.value.where.line == 2
    assert "ValueError: bad config" in str(err.value)


def test_missing_dependency_says_what_to_install(tmp_path):
    path = write_script(tmp_path, "main.py", "import not_installed_pkg_xyz\n")
    with pytest.raises(PyProdError) as err:
        import_script(str(path))
    assert "not_installed_pkg_xyz" in err.value.fix and err.value.where.line == 1


def test_sys_exit_in_script_is_reported(tmp_path):
    path = write_script(tmp_path, "main.py", "import sys\nsys.exit(3)\n")
    with pytest.raises(PyProdError, match="SystemExit"):
        import_script(str(path))


def test_invalid_module_file_name(tmp_path):
    path = write_script(tmp_path, "my-script.py", "x = 1\n")
    with pytest.raises(PyProdError, match="not a Python identifier"):
        import_script(str(path))


def test_fresh_import_sees_changed_source(tmp_path):
    write_script(tmp_path, "lib.py", "VALUE = 1\n")
    path = write_script(tmp_path, "main.py", "from lib import VALUE\n")
    assert import_script(str(path)).module.VALUE == 1
    write_script(tmp_path, "lib.py", "VALUE = 22\n")
    imported = import_script(str(path))
    assert imported.module.VALUE == 22
    assert [m.__name__ for m in imported.local_modules] == ["lib", "main"]
    assert [p.name for p in imported.files] == ["lib.py", "main.py"]


def test_script_inside_a_package_gets_its_dotted_name(tmp_path):
    pkg = tmp_path / "proj" / "flows"
    pkg.mkdir(parents=True)
    (tmp_path / "proj" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    path = write_script(pkg, "main.py", "from . import helper\n")
    write_script(pkg, "helper.py", "X = 1\n")
    imported = import_script(str(path))
    assert imported.module_name == "proj.flows.main"
    assert imported.root == tmp_path
