"""Bad flags and settings are named as such before any connection is tried, never as "cannot
connect", "login failed" or an internal error."""

from __future__ import annotations

import pytest

from intersystems_pyprod_cli.main import main

LOGIN = ["--username", "_SYSTEM", "--password", "s3cret!"]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("IRIS_HOST", "IRIS_PORT", "IRIS_TIMEOUT", "IRIS_TLS", "ISC_SSLconfigurations", "IRIS_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


# (argv, exit code, words the message must hold)
FLAG_CASES = [
    (["status", "--port", "99999"], 2, "port '99999' (from --port) is out of range: use a port number from 1 to 65535"),
    (["status", "--port", "0"], 2, "out of range"),
    (["status", "--port", "abc"], 2, "port 'abc' (from --port) must be a whole number"),
    (["status", "--host", "http://iris.example.com:1972"], 2, "is a URL"),
    (["status", "--host", "iris.example.com:1972"], 2, "pass --host iris.example.com --port 1972"),
    (["status", "--host", "[::1]:52773"], 2, "pass --host ::1 --port 52773"),
    (["status", "--host", "iris:1972/USER"], 2, "holds a path"),
    (["status", "--host", "my host"], 2, "not a host name"),
    (["status", "--timeout", "-5"], 2, "timeout '-5' (from --timeout) is out of range"),
    (["status", "--timeout", "soon"], 2, "timeout 'soon' (from --timeout) must be a whole number"),
    (["stop", "--wait", "-1"], 2, "argument --wait: -1 is too small"),
    (["restart", "--wait", "x"], 2, "argument --wait: 'x' is not a whole number"),
    (["messages", "--limit", "-1"], 2, "argument --limit: -1 is too small"),
    (["messages", "--limit", "many"], 2, "argument --limit: 'many' is not a whole number"),
    (["log", "--interval", "0"], 2, "argument --interval: 0 cannot be used"),
    (["runlocal", "x.py"], 2, "unknown command 'runlocal'; did you mean 'run-local'?"),
    (["statsu"], 2, "did you mean 'status'?"),
    (["dry-run", "x.py"], 2, "unknown command 'dry-run'; did you mean '--dry-run'?"),
]


@pytest.mark.parametrize("argv, code, words", FLAG_CASES)
def test_bad_flags_name_the_cause(server, capsys, argv, code, words):
    assert main([*argv, *LOGIN]) == code
    err = capsys.readouterr().err
    assert words in err, err
    assert "Traceback" not in err and "internal error" not in err
    assert not server.connects  # refused before connecting


# (file name, its text, words the message must hold, including the file and line)
FILE_CASES = [
    (".env", "IRIS_HOST=iris\nIRIS_PORT 1972\n", ".env:2: 'IRIS_PORT 1972' is not NAME=value"),
    (".env", "IRIS_HOST: iris\n", ".env:1:"),
    (".env", 'IRIS_PASSWORD="abc\n', ".env:1: the quote that opens the value of IRIS_PASSWORD is not closed"),
    (".env", "IRIS_PORT=70000\n", "port '70000' (from .env IRIS_PORT) is out of range"),
    ("pyproject.toml", "[tool.intersystems_pyprod]\nhost = iris\n", "pyproject.toml:2: not valid TOML"),
    ("pyproject.toml", "[tool.intersystems_pyprod]\nhost = \"iris\"\nuser = \"me\"\n",
     "pyproject.toml:3: unknown key 'user'"),
    ("pyproject.toml", "[tool.intersystems_pyprod]\nhost = \"iris:1972\"\n", "pass --host iris --port 1972"),
]


@pytest.mark.parametrize("name, text, words", FILE_CASES)
def test_bad_config_files_name_the_file_and_line(server, capsys, tmp_path, name, text, words):
    (tmp_path / name).write_text(text)
    assert main(["status", *LOGIN]) == 2
    err = capsys.readouterr().err
    assert words in err, err
    assert not server.connects


def test_other_tools_lines_in_dotenv_are_left_alone(server, capsys, tmp_path):
    (tmp_path / ".env").write_text("SOMETHING ELSE\nOTHER='unclosed\nIRIS_PORT=1973\n")
    assert main(["status", *LOGIN]) == 0
    assert server.connects[0]["port"] == 1973
