"""pyprod 0.2.0 and this library side by side, on scripts that tell their differences.

Each test runs pyprod 0.2.0 (its generator, or its runtime with the ``iris`` stand-in of
``benchmarks/pyprod_standin``) in a subprocess and the same script through our generator, our
runtime or our harness, and compares what a script can see: IRIS names and types, the fields a
positional argument binds to, message identity, the values a component reads, what an adapter
method call returns.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

from intersystems_pyprod.testing import Harness

from .helpers import REPO
from .test_pyprod_names import PYPROD, STANDIN, compare, needs_pyprod, ours, theirs

SCRIPTS = REPO / "tests" / "compat" / "side_by_side"


def run_with(library: str, code: str, folder: Path = SCRIPTS) -> Any:
    """Run ``code`` in a fresh interpreter with pyprod 0.2.0 (``"pyprod"``) or this library
    (``"ours"``) importable, in ``folder``; ``code`` prints one JSON value, which is returned."""
    path = [str(PYPROD), str(STANDIN)] if library == "pyprod" else [str(REPO / "src" / "python")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*path, str(folder)])}
    done = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def both(code: str, folder: Path = SCRIPTS) -> Dict[str, Any]:
    return {library: run_with(library, code, folder) for library in ("pyprod", "ours")}


def initial_values(text: str) -> Dict[str, Any]:
    """Property -> the value IRIS holds from its ``InitialExpression`` in a generated class."""
    found = {}
    for name, value in re.findall(r"^Property (\w+) As [^;\[]+\[\s*InitialExpression = ([^\]]+?)\s*\]", text, re.M):
        found[name] = ast.literal_eval(value) if value.startswith('"') else float(value) if "." in value else int(value)
    return found


# -- 1. types of settings and columns without a datatype ---------------------------------------
@needs_pyprod
def test_untyped_settings_and_columns_get_pyprods_types(tmp_path):
    script = SCRIPTS / "types_flow.py"
    assert compare(script, tmp_path) == []
    mine = ours(script)
    assert mine["SbsTypes.Reading"]["types"]["count"] == "%VarString"  # default 0: text, as pyprod
    assert mine["SbsTypes.Reading"]["types"]["TypedCount"] == "%Integer"  # an explicit datatype is kept
    assert mine["SbsTypes.Reader"]["types"]["retries"] == "%VarString"


@needs_pyprod
def test_a_setting_reads_back_what_pyprod_hands_the_component(tmp_path):
    """pyprod's component reads the property IRIS initialised from its InitialExpression."""
    theirs(SCRIPTS / "types_flow.py", tmp_path / "pyprod")
    text = (tmp_path / "pyprod" / "Reader.cls").read_text()
    # a property without an InitialExpression reads as "" (IRIS hands Python "" for an empty value)
    expected = {n: "" for n in re.findall(r"^Property (\w+) As ", text, re.M) if n != "PythonClassObject"}
    expected.update(initial_values(text))
    with Harness(str(SCRIPTS / "types_flow.py")) as harness:
        status, _ = harness.request("Reader", harness.module.Reading())
        read = ast.literal_eval(harness.texts("Info")[0])
    assert status == 1
    from intersystems_pyprod.naming import iris_name

    mine = {iris_name(k): v for k, v in read.items()}
    assert mine == expected
    assert mine["retries"] == "0" and mine["enabled"] == "True" and mine["TypedRetries"] == 3


def test_a_column_whose_default_was_0_takes_text_and_a_fraction():
    with Harness(str(SCRIPTS / "types_flow.py")) as harness:
        for value in (12.5, "n/a"):
            sent = harness.module.Reading(count=value)
            status, back = harness.request("Reader", sent)
            assert status == 1 and not harness.errors() and back.count == value


def test_the_stand_in_refuses_what_a_typed_column_cannot_hold_as_iris_does():
    """A column typed ``int`` is ``%Integer``: IRIS fails the save of 12.5 or "n/a", so the send
    fails with the property named (what an untyped pyprod column would do if it were typed)."""
    with Harness(str(SCRIPTS / "types_flow.py")) as harness:
        for value in (12.5, "n/a"):
            status, _back = harness.request("Reader", harness.module.Reading(typed_count=value))
            assert status != 1 and "Reading:TypedCount" in str(getattr(status, "text", status))
        status, back = harness.request("Reader", harness.module.Reading(typed_count=12))
        assert status == 1 and back.typed_count == 12


# -- 3. positional arguments of a message subclass ---------------------------------------------
@needs_pyprod
def test_positional_arguments_bind_to_a_subclass_own_fields_first():
    code = ("import json, msg_sub\nm = msg_sub.Urgent('high', 'see me')\n"
            "print(json.dumps([m.level, m.note, m.text]))")
    seen = both(code)
    assert seen["ours"] == seen["pyprod"] == ["high", "see me", ""]


# -- 4. class-level iris_package_name ------------------------------------------------------------
@needs_pyprod
def test_a_class_level_package_name_gives_pyprods_class_name(tmp_path):
    script = SCRIPTS / "msg_sub.py"
    assert sorted(ours(script)) == sorted(theirs(script, tmp_path / "pyprod"))
    assert {"SbsSub.Parcel", "SbsSub.Desk", "SbsBase.Note", "SbsSub.Urgent"} <= set(ours(script))


@needs_pyprod
def test_names_of_a_second_module_and_a_subclass_equal_pyprods(tmp_path):
    assert compare(SCRIPTS / "msg_sub.py", tmp_path) == []


# -- 5. message identity ------------------------------------------------------------------------
@needs_pyprod
def test_messages_compare_and_hash_by_identity_as_pyprods_do():
    code = ("import json, msg_sub\n"
            "a, b = msg_sub.Urgent(2, 'x'), msg_sub.Urgent(2, 'x')\n"
            "p, q = msg_sub.Parcel(1.5), msg_sub.Parcel(1.5)\n"
            "print(json.dumps([a == b, a == a, a != b, len({a, b}), len({p, q}), p == q, {a: 1}[a]]))")
    seen = both(code)
    assert seen["ours"] == seen["pyprod"] == [False, True, True, 2, 2, False, 1]


# -- 2. an operation calling its Python outbound adapter ---------------------------------------
#: pyprod 0.2.0 on IRIS: ``self.ADAPTER`` wraps the IRIS adapter object, whose generated method
#: runs ``AnyMethodHelper`` and hands back the status (converted by ObjectScript) and the rest
#: through an output argument; an exception becomes an error status. This models that class.
PYPROD_ADAPTER_CALLS = """
import json, types, iris
iris.ref = lambda: types.SimpleNamespace(value=None)
from intersystems_pyprod._production_connector import snake_to_pascal
import adapter_flow as flow

def objectscript(value):
    return "" if value is None else int(value) if isinstance(value, bool) else value

class GeneratedAdapter:
    def __init__(self, python_object):
        self.PythonClassObject = python_object
    def __getattr__(self, pascal):
        defs = {snake_to_pascal(n): n for n in vars(flow.Wire) if callable(getattr(flow.Wire, n))}
        def stub(arguments, response):
            try:
                arr = self.PythonClassObject.AnyMethodHelper(arguments, defs[pascal])
                status = objectscript(arr["status"])
                if arr["response_available"]:
                    response.value = arr["response"]
            except Exception as exc:
                status = "0 ERROR #5001: " + repr(exc)
            return status
        return stub

operation = flow.Caller(types.SimpleNamespace(Adapter=GeneratedAdapter(flow.Wire(None))))
print(json.dumps({k: flow.describe(v) for k, v in operation.calls().items()}))
"""


@needs_pyprod
def test_adapter_methods_return_what_pyprod_returns():
    theirs_seen = run_with("pyprod", PYPROD_ADAPTER_CALLS)
    with Harness(str(SCRIPTS / "adapter_flow.py")) as harness:
        status, _ = harness.request("Caller", harness.module.Ping("x"))
        mine = json.loads(harness.texts("Info")[0])
        tracebacks = [e.text for e in harness.errors() if "Traceback" in e.text]
    assert status == 1  # the result tuple returned where the status goes stands for its status
    # pyprod hands back "" for None (ObjectScript's value of a Python None, which IRIS reads as a
    # failed status without text); an ObjectScript caller of the same method gets $$$OK, and so
    # does the operation here.
    assert theirs_seen.pop("none") == ["tuple", "", None] and mine.pop("none") == ["tuple", 1, None]
    assert mine == theirs_seen
    assert mine["fails"] == ["tuple", "error", None] and mine["list"] == ["tuple", 1, ["a", "b"]]
    assert len(tracebacks) == 1 and "ValueError: boom" in tracebacks[0]


# -- 6. names with letters beyond ASCII ------------------------------------------------------------
@needs_pyprod
def test_names_with_letters_beyond_ascii_equal_pyprods(tmp_path):
    script = SCRIPTS / "unicode_flow.py"
    assert compare(script, tmp_path) == []
    mine = ours(script)
    assert mine["Grüße.Straße"]["indexes"] == ["LängeGesamtIDX"] and "größe" in mine["Grüße.Straße"]["properties"]
    assert mine["Grüße.Bücherei"]["message_map"] == [("Grüße.Straße", "PrüfeStraße")]


# -- 7. OnComplete -------------------------------------------------------------------------------
@needs_pyprod
def test_on_complete_is_called_here_though_pyprod_generates_no_method_for_it(tmp_path):
    script = SCRIPTS / "async_flow.py"
    assert compare(script, tmp_path) == []
    process = (tmp_path / "pyprod" / "Fanout.cls").read_text()
    assert "Method OnResponse(" in process and "OnComplete" not in process  # IRIS's empty default runs
    with Harness(str(script)) as harness:
        status, _ = harness.request("Fanout", harness.module.Job("go"))
        harness.drain()
    assert status == 1 and harness.texts("Info") == ["response key1", "complete"]
    guide = " ".join((REPO / "docs" / "migration" / "pyprod.md").read_text(encoding="utf-8").split())
    assert "pyprod 0.2.0 generates no `OnComplete` method" in guide
