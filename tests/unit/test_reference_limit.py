"""Global references stay within IRIS's limit of 511 encoded characters (issue 29, point 6):
names that would exceed it are refused before anything is written, with the limit."""

from __future__ import annotations

import pytest

from intersystems_pyprod.loader.globals import REFERENCE_LIMIT, reference_length
from intersystems_pyprod.loader.service import load_sources

from ..fake_namespace import FakeNamespace

OP = '''
from intersystems_pyprod import *
iris_package_name = "Deep"

class Op(BusinessOperation):
    def on_message(self, request):
        return Status.OK()
'''


def test_a_reference_counts_quotes_separators_and_wide_characters():
    assert reference_length("^G", ()) == 2
    assert reference_length("^G", ("a", 12)) == len('^G("a",12)')
    assert reference_length("^G", ('say "hi"',)) == len('^G("say ""hi""")')
    assert reference_length("^G", ("\u00e9",)) == len('^G("")') + 3


def test_the_fake_refuses_a_reference_beyond_the_limit_as_iris_does():
    ns = FakeNamespace()
    g = ns.store()._g
    g.set(("x" * 400,), 1)
    with pytest.raises(RuntimeError, match="<SUBSCRIPT>"):
        g.set(("x" * 400, "y" * 200), 1)


def test_a_script_whose_paths_exceed_the_limit_is_refused_before_anything_is_written():
    folder = "a" * 90 + "/" + "b" * 90 + "/" + "c" * 60  # every part and the path within the name limits
    entry = f"{folder}/flow.py"
    ns = FakeNamespace()
    result = load_sources(ns, ns.store(), {entry: OP}, entry, project="dev:/p")
    assert not result.ok and f"IRIS allows {REFERENCE_LIMIT} in all" in result.error, result.error
    assert "shorten" in result.error and "internal error" not in result.error
    assert ns.classes == {} and ns.db.globals["sources"].data == {}
    short = "pipelines/flow.py"
    assert load_sources(ns, ns.store(), {short: OP}, short, project="dev:/p").ok
