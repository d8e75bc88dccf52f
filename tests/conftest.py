"""Shared fixtures."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(autouse=True)
def _isolated_imports():
    """Scripts imported by one test do not leak into the next."""
    path_before = list(sys.path)
    modules_before = set(sys.modules)
    yield
    sys.path[:] = path_before
    for name in set(sys.modules) - modules_before:
        if not name.startswith(("intersystems_pyprod", "tree_sitter", "hypothesis", "_pytest")):
            sys.modules.pop(name, None)
