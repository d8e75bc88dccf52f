"""DTL ``<foreach property="source.{lines()}" key="k">`` over a list of a Python message: IRIS
compiles it to a loop over ``GetNextIndex(path, k, .status)`` (Ens.VDoc.Interface's signature),
which PyProd.JsonMessage answers from Python; a key inside a path is replaced by its value."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from intersystems_pyprod.api.engine import is_error_value
from intersystems_pyprod.testing import ForEach, HarnessError, dtl_actions
from intersystems_pyprod.testing.standin import Ref

from .helpers import write_script

SCRIPT = '''
from dataclasses import dataclass, field
from typing import List, Optional
from intersystems_pyprod import JsonSerialize

iris_package_name = "Shop"

@dataclass
class Line(JsonSerialize):
    sku: str = ""
    qty: int = 1
    parts: List[str] = field(default_factory=list)

@dataclass
class Order(JsonSerialize):
    customer: str = ""
    total: int = 0
    note: str = ""
    lines: List[Line] = field(default_factory=list)
    extra: Optional[List[str]] = None
'''


@pytest.fixture
def harness(tmp_path, pyprod_harness):
    return pyprod_harness(str(write_script(tmp_path, "shop.py", SCRIPT)))


def _order(h, count=3):
    m = h.module
    return m.Order("ACME", lines=[m.Line(f"S{n}", n, parts=["p"] * n) for n in range(1, count + 1)])


def _indexes(obj, path):
    found, key = [], ""
    while True:
        status = Ref()
        key = obj.GetNextIndex(path, key, status)
        assert status.value == 1, status.value
        if key == "":
            return found
        found.append(key)


def test_get_next_index_walks_a_list_one_based(harness):
    obj = harness.iris_message(_order(harness))
    assert _indexes(obj, "lines()") == [1, 2, 3]
    assert _indexes(obj, "lines") == [1, 2, 3]
    assert _indexes(obj, "lines(2).parts()") == [1, 2]
    assert _indexes(obj, "lines(-1).parts()") == [1, 2, 3]
    assert _indexes(obj, "extra()") == [] and _indexes(harness.iris_message(_order(harness, 0)), "lines()") == []
    status = Ref()
    assert obj.GetNextIndex("lines()", 3, status) == "" and status.value == 1


@pytest.mark.parametrize("path, index, text", [("customer()", "", "holds str, not a list"),
                                               ("lins()", "", "no field 'lins'"),
                                               ("lines()", "x", "not a whole number"),
                                               ("lines(0).parts()", "", "indexes start at 1")])
def test_get_next_index_names_a_bad_path(harness, path, index, text):
    obj = harness.iris_message(_order(harness))
    status = Ref()
    assert obj.GetNextIndex(path, index, status) == ""
    assert is_error_value(status.value) and text in status.value.text and "GetNextIndex" in status.value.text


def test_a_foreach_copies_each_line_into_a_new_target(harness):
    loop = ForEach("source.{lines()}", "k", [("target.{lines(k).sku}", '"X-"_source.{lines(k).sku}'),
                                              ("target.{lines(k).qty}", "source.{lines(k).qty} * 10"),
                                              ("target.total", "target.total + source.{lines(k).qty}")])
    status, received = harness.transform(_order(harness), [("target.customer", "source.customer"), loop],
                                         create="new")
    assert status == 1
    assert [(line.sku, line.qty) for line in received.lines] == [("X-S1", 10), ("X-S2", 20), ("X-S3", 30)]
    assert received.total == 6 and received.customer == "ACME"


def test_nested_loops_and_a_key_in_an_inner_path(harness):
    inner = ForEach("source.{lines(k).parts()}", "p", [("target.total", "target.total + 1")])
    status, received = harness.transform(_order(harness), [ForEach("source.{lines()}", "k", [inner])],
                                         create="copy")
    assert status == 1 and received.total == 6  # 1 + 2 + 3 parts


def test_a_failing_assignment_in_a_loop_is_the_transform_status(harness):
    loop = ForEach("source.{lines()}", "k", [("target.{total}", '"many"_k')])
    status, received = harness.transform(_order(harness), [loop], create="copy")
    assert is_error_value(status) and received is None
    assert "SetValueAt('total')" in status.text and "'many1'" in status.text  # stopped at the first line
    status, _ = harness.transform(_order(harness), [ForEach("source.{customer()}", "k", [])], create="copy")
    assert is_error_value(status) and "not a list" in status.text


def test_dtl_actions_reads_assign_and_foreach_and_refuses_the_rest():
    transform = ET.fromstring(
        "<transform create='copy'><annotation>x</annotation><assign property='target.total' value='0'/>"
        "<foreach property='source.{lines()}' key='k'><assign property='target.total' value='k'/></foreach>"
        "</transform>")
    assert dtl_actions(transform) == [("target.total", "0"),
                                      ForEach("source.{lines()}", "k", [("target.total", "k")])]
    with pytest.raises(HarnessError, match=r"<code>"):
        dtl_actions(ET.fromstring("<transform><code>set x=1</code></transform>"))
    with pytest.raises(HarnessError, match=r"foreach property 'source.lines'"):
        from intersystems_pyprod.testing import ensrules

        ensrules.transform(None, None, [ForEach("source.lines", "k", [])])
