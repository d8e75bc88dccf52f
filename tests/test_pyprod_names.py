"""The IRIS names generated for a pyprod 0.2.0 script equal the names pyprod 0.2.0 generates.

pyprod 0.2.0 (PyPI) runs in a subprocess with a stand-in ``iris`` module and writes its classes;
the same scripts go through our generator; class, property, parameter, setting, index,
MessageMap and production-item names must match. ``tools/test.sh`` installs pyprod 0.2.0 into
``.venv/pyprod-0.2.0`` (or set ``PYPROD_020`` to a folder holding its package). With
``PYPROD_SOURCE_REPO`` set to a git checkout of pyprod's repository, its own test helpers are
compared too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from intersystems_pyprod.loader.build import build

from .helpers import EXAMPLES, REPO

STANDIN = REPO / "benchmarks" / "pyprod_standin"
PYPROD = Path(os.environ.get("PYPROD_020", REPO / ".venv" / "pyprod-0.2.0"))
SOURCE_REPO = os.environ.get("PYPROD_SOURCE_REPO", "")
HELPERS = ["tests/helpers/AllPyComponents/AllPyComponents.py", "tests/helpers/QuickStart.py",
           "tests/helpers/OsPyMixed/TCPAdaptersFromOs/TCPAdaptersFromOs.py"]

#: Members pyprod 0.2.0 generates for its own machinery; ours live in the PyProd base classes.
THEIR_INTERNALS = {"PythonClassObject", "PythonClassName", "PythonModuleOrScript", "SerializedStream",
                   "SerializedData"}
OUR_INTERNALS = {"PYMODULE", "PYCLASS"}

_RUN = """
import pathlib, sys
from intersystems_pyprod import _parser
out = pathlib.Path(sys.argv[1])
_parser.load_to_iris = lambda text, name: (out / (name + ".cls")).write_text(text)
_parser.main(["--manual", "-o", str(out), sys.argv[2]])
"""

needs_pyprod = pytest.mark.skipif(not (PYPROD / "intersystems_pyprod" / "_parser.py").exists(),
                                  reason=f"pyprod 0.2.0 is not installed at {PYPROD}: tools/test.sh installs it")


def names(text: str) -> Dict[str, object]:
    """Every user-visible IRIS name one class declares."""
    settings = re.search(r'^Parameter SETTINGS\s*=\s*"([^"]*)"', text, re.M)
    items = re.findall(r'<Item Name="([^"]*)"[^>]*?ClassName="([^"]*)"[^>]*>(.*?)</Item>', text, re.S)
    production = re.search(r"<Production .*?</Production>", text, re.S)
    return {
        "properties": sorted(set(re.findall(r"^Property (\w+)", text, re.M)) - THEIR_INTERNALS),
        "types": {name: normal_type(kind) for name, kind in re.findall(r"^Property (\w+) As ([^;\[]+)", text, re.M)
                  if name not in THEIR_INTERNALS},
        "parameters": sorted(set(re.findall(r"^Parameter (\w+)", text, re.M)) - OUR_INTERNALS),
        "settings": settings.group(1).split(",") if settings and settings.group(1) else [],
        "indexes": sorted(re.findall(r"^Index (\w+) On", text, re.M | re.I)),
        "message_map": re.findall(r'<MapItem MessageType="([^"]+)">\s*<Method>(\w+)</Method>', text),
        "map_methods": sorted(set(re.findall(r"^Method (\w+)\(", text, re.M))
                              & {m for _, m in re.findall(r'MessageType="([^"]+)">\s*<Method>(\w+)<', text)}),
        "items": [(n, c, re.findall(r'<Setting Target="(\w+)" Name="(\w+)"', body)) for n, c, body in items],
        "production_settings": re.findall(r'<Setting (?:Target="" )?Name="(\w+)"',
                                          re.sub(r"<Item .*?</Item>", "", production.group(0), flags=re.S))
        if production else [],
    }


def normal_type(text: str) -> str:
    """An IRIS property type as written, without spaces (``%String(MAXLEN="")``)."""
    return re.sub(r"\s+", "", text)


def theirs(script: Path, out: Path) -> Dict[str, Dict[str, object]]:
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PYPROD), str(STANDIN)])}
    done = subprocess.run([sys.executable, "-c", _RUN, str(out), script.name], cwd=script.parent, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = {}
    for path in out.rglob("*.cls"):
        text = path.read_text()
        result[re.search(r"^Class (\S+)", text, re.M).group(1)] = names(text)
    return result


def ours(script: Path) -> Dict[str, Dict[str, object]]:
    return {c.name: names(c.text) for c in build(str(script), validate=True).classes}


def compare(script: Path, tmp_path: Path) -> List[Tuple[str, str, object, object]]:
    mine, other = ours(script), theirs(script, tmp_path / "pyprod")
    assert sorted(mine) == sorted(other)
    return [(cls, key, mine[cls][key], other[cls][key]) for cls in other for key in other[cls]
            if mine[cls][key] != other[cls][key]]


@needs_pyprod
@pytest.mark.parametrize("script", [REPO / "tests" / "compat" / "compat_names.py",
                                    EXAMPLES / "hello_world" / "HelloWorld.py"], ids=lambda p: p.name)
def test_names_equal_pyprods(script, tmp_path):
    assert compare(script, tmp_path) == []


@needs_pyprod
@pytest.mark.skipif(not SOURCE_REPO, reason="PYPROD_SOURCE_REPO (a git checkout of pyprod) is not set")
@pytest.mark.parametrize("helper", HELPERS)
def test_names_equal_pyprods_for_its_own_test_helpers(helper, tmp_path):
    script = tmp_path / "src" / Path(helper).name
    script.parent.mkdir()
    script.write_bytes(subprocess.run(["git", "-C", SOURCE_REPO, "show", f"HEAD:{helper}"], check=True,
                                      capture_output=True).stdout)
    assert compare(script, tmp_path) == []


def test_the_comparison_sees_a_renamed_member(tmp_path):
    """The name extraction the comparison relies on notices a single changed name."""
    text = 'Class A.B Extends X\n{\nProperty target As %String;\nParameter SETTINGS = "target:Basic";\n}\n'
    assert names(text) != names(text.replace("target", "Target"))
    assert names(text)["properties"] == ["target"] and names(text)["settings"] == ["target:Basic"]
