"""Shared fixtures."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(autouse=True)
def _isolated_imports():
    """Scripts imported by one test do not leak into the next."""
    from intersystems_pyprod.loader import paths

    path_before = list(sys.path)
    modules_before = set(sys.modules)
    meta_before, finder_before = list(sys.meta_path), paths._finder
    yield
    sys.meta_path[:] = meta_before  # an import hook a test put in does not serve the next one
    paths._finder = finder_before
    sys.path[:] = path_before
    for name in set(sys.modules) - modules_before:
        # an installed package stays whole: forgetting the submodules pydantic imports lazily
        # (pydantic.main) would leave its package holding classes of a module imported anew
        if not name.startswith(("intersystems_pyprod", "tree_sitter", "hypothesis", "_pytest", "pydantic",
                                "annotated_types", "typing_inspection", "typing_extensions")):
            sys.modules.pop(name, None)


@pytest.fixture
def server(monkeypatch):
    """A fake IRIS behind the Native SDK (its loader runs the real server code); no connection
    settings leak in from the environment."""
    from intersystems_pyprod.director import connection

    from .fake_native import FakeSDK, FakeServer

    fake = FakeServer()
    monkeypatch.setattr(connection, "native_sdk", lambda: FakeSDK(fake))
    for name in ("IRIS_HOST", "IRIS_PORT", "IRIS_NAMESPACE", "IRIS_USERNAME", "IRIS_PASSWORD", "IRISNAMESPACE",
                 "IRISUSERNAME", "IRISPASSWORD", "IRIS_TLS", "IRIS_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    return fake


@pytest.fixture
def wire(monkeypatch):
    """The stand-in superserver (tests/wire) on a loopback port, reached by the real Native SDK
    client; connection settings point at it, the user and password are the fake's."""
    from .wire.server import WireServer

    stand_in = WireServer()
    for name in ("IRISNAMESPACE", "IRISUSERNAME", "IRISPASSWORD", "IRIS_TLS", "ISC_SSLconfigurations"):
        monkeypatch.delenv(name, raising=False)
    settings = {"IRIS_HOST": "127.0.0.1", "IRIS_PORT": str(stand_in.port), "IRIS_NAMESPACE": "USER",
                "IRIS_USERNAME": "_SYSTEM", "IRIS_PASSWORD": stand_in.fake.password, "IRIS_TIMEOUT": "5"}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    yield stand_in
    stand_in.stop()
