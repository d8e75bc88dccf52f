"""``intersystems_pyprod --dry-run``: output, exit codes, files, and bad input."""

from __future__ import annotations

import json

import pytest

from .helpers import EXAMPLES, REPO, cli, write_script

HELLO = EXAMPLES / "hello_world" / "HelloWorld.py"
ORDERS = EXAMPLES / "orders" / "orders.py"


def test_hello_world_dry_run(tmp_path):
    result = cli("--dry-run", "-o", str(tmp_path / "out"), str(HELLO))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    generated = [line.split()[1] for line in lines if line.startswith("Generated ")]
    assert generated == ["helloworld.MyInAdapter", "helloworld.MyOperation", "helloworld.MyOutAdapter",
                         "helloworld.MyProcess", "helloworld.MyRequest", "helloworld.MyResponse",
                         "helloworld.MyService"]
    assert lines[-1].startswith("Dry run finished successfully: 7 classes, grammar check passed")
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.cls"))
    assert written == [f"helloworld/{n.split('.')[1]}.cls" for n in generated]
    assert "Traceback" not in result.stderr


def test_output_is_byte_identical_across_runs(tmp_path):
    for run in ("a", "b"):
        assert cli("--dry-run", "-o", str(tmp_path / run), str(ORDERS)).returncode == 0
    files_a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.cls")}
    files_b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.cls")}
    assert files_a == files_b and len(files_a) == 9


def test_json_result(tmp_path):
    result = cli("--dry-run", "--json", str(ORDERS))
    assert result.returncode == 0
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["error"] is None and doc["validated"] is True
    assert {c["kind"] for c in doc["classes"]} == {
        "InboundAdapter", "OutboundAdapter", "BusinessService", "BusinessProcess", "BusinessOperation",
        "JsonMessage", "PickleMessage", "Production"}
    assert all(c["action"] == "generated" for c in doc["classes"])
    assert any("pickle message" in w for w in doc["warnings"])


def test_warnings_are_printed_but_do_not_fail():
    result = cli("--dry-run", str(ORDERS))
    assert result.returncode == 0
    assert "warning: AuditRecord is a pickle message" in result.stderr
    assert "order_messages.py:" in result.stderr


BAD_INPUTS = {
    "syntax": ("def broken(:\n    pass\n", "syntax error", ":1"),
    "import": ("import no_such_module_abc\n", "ModuleNotFoundError", ":1"),
    "package": ("from intersystems_pyprod import *\niris_package_name = 'bad_name'\n"
                "class M(JsonSerialize):\n    a: int = 0\n", "invalid IRIS package name", ""),
    "reserved": ("from intersystems_pyprod import *\niris_package_name = 'EnsLib'\n"
                 "class M(JsonSerialize):\n    a: int = 0\n", "reserved package", ""),
    "clash": ("from intersystems_pyprod import *\nclass Msg(JsonSerialize):\n    a: int = 0\n"
              "class MSG(JsonSerialize):\n    a: int = 0\n", "case-insensitive", ":4"),
    "long": ("from intersystems_pyprod import *\nclass " + "L" * 70 + "(JsonSerialize):\n    a: int = 0\n",
             "limited to 60", ":2"),
    "arity": ("from intersystems_pyprod import *\nclass S(BusinessService):\n"
              "    def OnProcessInput(self):\n        pass\n", "wrong parameters", ":3"),
    "messagemap": ("from intersystems_pyprod import *\nclass M(JsonSerialize):\n    a: int = 0\n"
                   "class O(BusinessOperation):\n    MessageMap = {M: 'nope'}\n", "names method 'nope'", ":4"),
    "empty": ("x = 1\n", "defines no components", ""),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_fails_cleanly_and_writes_nothing(tmp_path, case):
    source, words, line = BAD_INPUTS[case]
    script = write_script(tmp_path, "bad.py", source)
    out = tmp_path / "out"
    result = cli("--dry-run", "-o", str(out), str(script))
    assert result.returncode == 1
    assert words in result.stderr
    assert f"bad.py{line}" in result.stderr
    assert "fix:" in result.stderr or case in ("syntax",)
    assert "Traceback" not in result.stderr
    assert "no files were written" in result.stderr
    assert not out.exists()


def test_missing_script_is_an_input_error(tmp_path):
    result = cli("--dry-run", str(tmp_path / "missing.py"))
    assert result.returncode == 1 and "does not exist" in result.stderr


def test_usage_errors_exit_2():
    assert cli().returncode == 2
    assert cli("--dry-run", "--bogus", "x.py").returncode == 2


def test_help_documents_exit_codes():
    result = cli("--help")
    assert result.returncode == 0
    assert "0 success, 1 the input or the load failed, 2 usage error" in result.stdout


def test_load_word_is_accepted(tmp_path):
    assert cli("load", "--dry-run", str(HELLO)).returncode == 0


def test_no_validate_skips_the_grammar(tmp_path):
    result = cli("--dry-run", "--no-validate", str(HELLO))
    assert result.returncode == 0 and "grammar check skipped" in result.stdout


def test_repo_layout_is_in_place():
    for part in ("module.xml", "src/cls", "src/python", "cli", "tests", ".github", "README.md", "examples",
                 ".ci/run"):
        assert (REPO / part).exists(), part


def test_one_class_is_counted_in_the_singular(tmp_path):
    script = write_script(tmp_path, "one.py", "from intersystems_pyprod import JsonSerialize\n"
                                              "class Note(JsonSerialize):\n    text: str\n")
    result = cli("--dry-run", str(script))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("Dry run finished successfully: 1 class, ")
