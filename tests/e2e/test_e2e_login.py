"""Refusals at connect time on a real IRIS: the client's texts the command line tells apart
(docs/wire-protocol.md lists which server texts are guesses)."""

from __future__ import annotations

import os

import pytest

from .conftest import cli


def _refused(**overrides: str) -> str:
    import iris

    options = dict(hostname=os.environ["IRIS_HOST"], port=int(os.environ.get("IRIS_PORT", "1972")),
                   namespace=os.environ.get("IRIS_NAMESPACE", "USER"), username=os.environ["IRIS_USERNAME"],
                   password=os.environ["IRIS_PASSWORD"], timeout=10, sharedmemory=False)
    options.update(overrides)
    with pytest.raises(RuntimeError) as refused:
        iris.connect(**options)
    return str(refused.value)


def test_a_wrong_password_is_a_refused_login(monkeypatch):
    assert "Invalid Message received; Details:" in _refused(password="not-the-password")
    monkeypatch.setenv("IRIS_PASSWORD", "not-the-password")
    result = cli("status")
    assert result.returncode == 3
    assert "refused the login of" in result.stderr and "firewall" not in result.stderr


def test_a_missing_namespace_is_named():
    assert "Invalid Message received; Details:" in _refused(namespace="NO_SUCH_NS")
    result = cli("status", namespace="NO_SUCH_NS")
    assert result.returncode == 3
    assert "refused namespace NO_SUCH_NS" in result.stderr and "firewall" not in result.stderr


@pytest.mark.skipif(not os.environ.get("E2E_EXPIRED_USER"),
                    reason="set E2E_EXPIRED_USER and E2E_EXPIRED_PASSWORD: a user whose password has expired")
def test_an_expired_password_is_named(monkeypatch):
    monkeypatch.setenv("IRIS_USERNAME", os.environ["E2E_EXPIRED_USER"])
    monkeypatch.setenv("IRIS_PASSWORD", os.environ["E2E_EXPIRED_PASSWORD"])
    result = cli("status")
    assert result.returncode == 3
    assert "has expired" in result.stderr and "UnExpireUserPasswords" in result.stderr


def test_a_closed_port_is_unreachable():
    result = cli("status", "--port", "1")
    assert result.returncode == 3 and "cannot reach IRIS" in result.stderr
