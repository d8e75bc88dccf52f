"""No password in any output; output folders get all files or none, only inside the folder."""

from __future__ import annotations

import os
import stat

import pytest

from intersystems_pyprod.director.connection import DirectorError
from intersystems_pyprod.loader.outfiles import write_all
from intersystems_pyprod_cli import remote
from intersystems_pyprod_cli.main import main

from .helpers import EXAMPLES

HELLO = str(EXAMPLES / "hello_world" / "HelloWorld.py")


@pytest.fixture(autouse=True)
def no_password_in_environment(monkeypatch):
    for name in ("IRIS_PASSWORD", "IRISPASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("argv", [
    ["run-local", "x.py", "--password", "hunter2"],
    ["status", "--pasword", "hunter2"],
    ["status", "--password=hunter2", "--bogus", "value"],
    ["status", "--pass", "hunter2", "--pasword", "hunter2"],
    ["messages", "--password", "hunter2", "--limit", "hunter2"],
    ["unload", "--password", "hunter2"],
    ["--dry-run", "--passwd", "hunter2"],
    ["start", "a", "b", "--password", "hunter2"],
])
def test_usage_errors_never_echo_a_password(capsys, argv):
    assert main(argv) == 2
    out = capsys.readouterr()
    assert "hunter2" not in out.out + out.err
    assert "error:" in out.err


def test_usage_errors_name_the_unknown_option(capsys):
    main(["status", "--pasword", "hunter2"])
    assert "unrecognized options: --pasword (values are not shown)" in capsys.readouterr().err


def test_the_internal_error_report_scrubs_the_password(capsys, monkeypatch):
    def broken(args, command):
        raise RuntimeError(f"connect(password={args.password!r}) exploded")

    monkeypatch.setattr(remote, "run", broken)
    for debug in ([], ["--debug"]):
        assert main(["status", "--username", "u", "--password", "hunter2", *debug]) == 1
        out = capsys.readouterr()
        assert "hunter2" not in out.out + out.err and "exploded" in out.err


def test_the_internal_error_report_scrubs_the_environment_password(capsys, monkeypatch):
    monkeypatch.setenv("IRIS_PASSWORD", "from-env-secret")

    def broken(args, command):
        raise RuntimeError("login with from-env-secret failed")

    monkeypatch.setattr(remote, "run", broken)
    assert main(["status"]) == 1
    assert "from-env-secret" not in capsys.readouterr().err


def test_a_failed_dry_run_writes_no_file(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "helloworld" / "MyService.cls").mkdir(parents=True)  # a folder where one file must go
    assert main(["--dry-run", "--no-validate", "-o", str(out), HELLO]) == 1
    assert "no files were written" in capsys.readouterr().err
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files == []
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind


def test_generated_files_follow_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        written = write_all({"A/B.cls": "x", "C.cls": "y"}, str(tmp_path / "new"))
        write_all({"A/B.cls": "z"}, str(tmp_path / "new"))
    finally:
        os.umask(previous)
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o644}
    assert (tmp_path / "new" / "A" / "B.cls").read_text() == "z"
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o755


def test_replacing_existing_files_is_all_or_none(tmp_path):
    out = tmp_path / "out"
    write_all({"A.cls": "old a", "B.cls": "old b"}, str(out))
    (out / "Z").write_text("a file where a folder must go")
    with pytest.raises(OSError):
        write_all({"A.cls": "new a", "Z/C.cls": "c"}, str(out))
    assert (out / "A.cls").read_text() == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("name", ["../../escape", "/etc/passwd", "A..B", "A/B", "A.B\\C", ".hidden", "A.B.",
                                  "", "A.B.cls\x00", "x" * 300])
def test_load_output_refuses_names_that_are_not_class_names(tmp_path, name):
    out = tmp_path / "out"
    with pytest.raises(DirectorError, match="no file was written"):
        remote._write(out, {"Good.Cls": "ok", name: "evil"})
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_load_output_writes_class_names_as_paths(tmp_path):
    remote._write(tmp_path / "out", {"Demo.Pkg.Cls": "text", "%Z.Sys": "t"})
    assert (tmp_path / "out" / "Demo" / "Pkg" / "Cls.cls").read_text() == "text"
    assert (tmp_path / "out" / "%Z" / "Sys.cls").exists()
