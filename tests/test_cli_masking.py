"""Passwords are masked where they stand as values, never inside other words."""

from __future__ import annotations

import pytest

from intersystems_pyprod_cli import exitcodes
from intersystems_pyprod_cli.main import main
from intersystems_pyprod_cli.secrets import scrub


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("IRIS_PASSWORD", "IRISPASSWORD", "IRIS_PORT", "IRIS_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


# (text, secret, what is shown)
TEXT_CASES = [
    ("unrecognized options: --bogus", "o", "unrecognized options: --bogus"),
    ("login of _SYSTEM with 'o' refused", "o", "login of _SYSTEM with '***' refused"),
    ("a short one is a word too: a", "a", "a short one is a word too: a"),
    ("password=ab; user:ab to ab", "ab", "password=***; user:*** to ab"),
    ("password=hunter2 rejected", "hunter2", "password=*** rejected"),
    ("said 'hunter2' and \"hunter2\"", "hunter2", "said '***' and \"***\""),
    ("the password was hunter2.", "hunter2", "the password was ***."),
    ("hunter2x and xhunter2 are other words", "hunter2", "hunter2x and xhunter2 are other words"),
    ("(s3cret!) [s3cret!] {s3cret!}", "s3cret!", "(***) [***] {***}"),
    ("user:pw@host", "pw", "user:***@host"),
    ("SYS and SYSTEM", "SYS", "*** and SYSTEM"),
]


@pytest.mark.parametrize("text, secret, shown", TEXT_CASES)
def test_masking_replaces_whole_values_only(text, secret, shown):
    assert scrub(text, [secret]) == shown


# (argv, environment password, words that must appear unharmed, text that must not appear)
COMMAND_CASES = [
    (["status", "--bogus", "--password", "o"], "", "unrecognized options: --bogus", "***pti"),
    (["messages", "--limit", "many", "--password", "a"], "", "'many' is not a whole number", "m***ny"),
    (["messages", "--limit", "hunter2", "--password", "hunter2"], "", "'***' is not a whole number", "hunter2"),
    (["status", "--port", "abc", "--username", "u"], "e", "must be a whole number", "wh***"),
    (["status", "--port", "70000", "--username", "u"], "0", "port '70000'", "7***"),
]


@pytest.mark.parametrize("argv, env_password, words, absent", COMMAND_CASES)
def test_messages_keep_their_words(capsys, monkeypatch, argv, env_password, words, absent):
    if env_password:
        monkeypatch.setenv("IRIS_PASSWORD", env_password)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and absent not in err, err


def test_internal_errors_mask_the_value_only():
    shown = exitcodes.internal_error(RuntimeError("login 'o' failed; see options"), False, ["o"])
    assert "login '***' failed; see options" in shown


# The connection's own errors (connect, calls, SQL) mask the password the same way.
# (password sent, what the refusal must say, what it must not say)
CONNECT_CASES = [
    ("o", "Access Denied for _SYSTEM with password", "***"),
    ("e", "refused the login of _SYSTEM: Access Denied", "D***nied"),
    ("hunter2", "with password ***", "hunter2"),
    ("Den", "Access Denied for _SYSTEM with password ***", "***ied"),
]


@pytest.mark.parametrize("password, said, absent", CONNECT_CASES)
def test_connection_errors_mask_the_password_as_a_value(server, password, said, absent):
    from intersystems_pyprod.director import connection
    from intersystems_pyprod.director.failures import DirectorError
    from intersystems_pyprod.director.settings import ConnectionSettings

    from .fake_native import FakeSDK

    settings = ConnectionSettings(host="localhost", port=1972, namespace="USER", username="_SYSTEM",
                                  password=password)
    with pytest.raises(DirectorError) as caught:
        connection.connect(settings, sdk=FakeSDK(server))
    assert said in caught.value.message
    assert absent not in caught.value.message


def test_connection_scrub_leaves_words_whole():
    from intersystems_pyprod.director.connection import scrub
    from intersystems_pyprod.director.settings import ConnectionSettings

    settings = ConnectionSettings(host="h", port=1, namespace="USER", username="u", password="o")
    assert scrub("<UNDEFINED> options 'o' not found", settings) == "<UNDEFINED> options '***' not found"
    assert scrub("anything", ConnectionSettings(host="h", port=1, namespace="USER", username="u",
                                                password="")) == "anything"
