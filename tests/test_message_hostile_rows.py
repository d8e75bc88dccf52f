"""Stored rows and paths an attacker wrote (``JsonFields``, property values, the body, the path of a
``{path}``): each gives a clear error status or a correct answer in bounded time and memory."""

from __future__ import annotations

import decimal
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intersystems_pyprod.api.engine import is_error_value
from intersystems_pyprod.runtime import fieldsync, paths

from .helpers import write_script

SCRIPT = '''
from dataclasses import dataclass, field
from typing import List
from intersystems_pyprod import Column, JsonSerialize

iris_package_name = "Shop"

@dataclass
class Order(JsonSerialize):
    order_id: str = Column("", index=True)
    amount: float = 0.0
    qty: int = 1
    price: "Decimal" = None
    lines: List[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

from decimal import Decimal
'''


@pytest.fixture
def harness(tmp_path, pyprod_harness):
    return pyprod_harness(str(write_script(tmp_path, "shop.py", SCRIPT)))


def _order(h):
    return h.iris_message(h.module.Order("A1", 150.5, 3, lines=["S1", "S2"], meta={"a.b": {"c": 1}}))


def _bounded(call, seconds=2.0, megabytes=50.0):
    """``call()``'s result, checked to take at most ``seconds`` and ``megabytes``."""
    tracemalloc.start()
    start = time.monotonic()
    try:
        result = call()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    took = time.monotonic() - start
    assert took < seconds and peak < megabytes * 1e6, f"took {took:.2f}s and {peak / 1e6:.0f} MB"
    return result


@pytest.mark.parametrize("value", ["1e999999999", "-1E+999999", "1e-999999999", "9" * 1_000_000,
                                   "0." + "0" * 1_000_000 + "1", "1" + "0" * 100_000])
@pytest.mark.parametrize("prop", ["qty", "amount", "price"])
def test_a_huge_number_in_a_property_is_answered_in_bounded_time_and_memory(harness, prop, value):
    obj = _order(harness)
    setattr(obj, prop, value)  # a DTL, or a stored row, put it there
    status, found = _bounded(lambda: paths.get_value_at(obj, prop))
    if is_error_value(status):
        assert f"property {prop}" in status.text and "IRIS call failed" not in status.text, status.text
    elif prop == "amount":  # a float field: the property's text as a float
        assert float(found) == float(value)
    else:
        assert decimal.Decimal(str(found)) == decimal.Decimal(value.strip())
    saved = _bounded(lambda: paths.on_save(obj))
    assert saved == 1 or (f"property {prop}" in saved.text and "IRIS call failed" not in saved.text), saved


@settings(max_examples=300, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d.adjusted()) < 900))
def test_a_number_and_its_text_give_one_token_and_it_is_the_plain_decimal_text(number):
    text = fieldsync.token(number, decimal.Decimal)
    assert fieldsync.token(str(number), decimal.Decimal) == text == fieldsync.token(f"{number:e}", float)
    assert "E" not in text and "e" not in text and decimal.Decimal(text) == number
    if "." in text:
        assert not text.endswith("0")


@given(st.integers(min_value=-(10 ** 600), max_value=10 ** 600))
def test_a_whole_number_token_is_its_digits(number):
    assert fieldsync.token(number, int) == str(number) == fieldsync.token(float(number) if abs(number) < 2 ** 53
                                                                          else str(number), int)


_PATH_CHARS = st.sampled_from([*"ab.()*-0123456789 \u00e9\u0661\u00b2_",
                               "lines", "meta", "qty", "(*)", "()", "(1)", "(-1)"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(_PATH_CHARS, max_size=40).map("".join), index=st.text(max_size=6),
       action=st.sampled_from(["set", "clear", "remove", "append", "Set", "", "x"]))
def test_any_path_is_an_answer_or_an_error_naming_the_path_never_a_failure(harness, path, index, action):
    obj = _order(harness)
    for status in (paths.get_value_at(obj, path)[0], paths.get_next_index(obj, path, index)[0],
                   paths.set_value_at(obj, "7", path, action)):
        assert status == 1 or ("IRIS call failed" not in status.text and status.text.count(path[:50]) >= 1), status
    assert paths.on_save(obj) == 1 and paths.get_value_at(obj, "order_id") == [1, "A1"]  # still whole


@pytest.mark.parametrize("path", ["lines(" + "9" * 5000 + ")", "x" * 3_000_000, ".".join(["meta"] * 1_000_000),
                                  "meta" + ".x" * 1_000_000, "(" * 100_000])
def test_a_huge_path_is_refused_quickly_with_a_short_status(harness, path):
    obj = _order(harness)
    for status in (_bounded(lambda: paths.get_value_at(obj, path))[0],
                   _bounded(lambda: paths.get_next_index(obj, path, "")[0]),
                   _bounded(lambda: paths.set_value_at(obj, "v", path))):
        assert is_error_value(status) and len(status.text) < 1000, status.text[:300]
    assert paths.get_value_at(obj, "lines()")[1] == '["S1", "S2"]'  # unchanged


@pytest.mark.parametrize("path", ["lines(-)", "lines(0)", "lines(" + "1" * 19 + ")"])
def test_an_index_that_is_no_position_is_an_error_for_reads_and_writes(harness, path):
    obj = _order(harness)
    read, written = paths.get_value_at(obj, path)[0], paths.set_value_at(obj, "S9", path)
    for status in (read, written):
        assert is_error_value(status) and "IRIS call failed" not in status.text, status
    assert paths.get_value_at(obj, "lines()")[1] == '["S1", "S2"]'  # lines(0) appended nothing


@pytest.mark.parametrize("index", ["\u0661", "\u00b2", "1" * 5000, "-" + "1" * 30])
def test_get_next_index_reads_only_ascii_whole_numbers(harness, index):
    obj = _order(harness)
    status, following = paths.get_next_index(obj, "lines()", index)
    if index.lstrip("-").isascii() and index.lstrip("-").isdigit():
        assert (status, following) == (1, "")  # past the end (or before the start) of any list
    else:
        assert is_error_value(status) and "is not a whole number" in status.text, status


def _written_fields(h):
    return h.iris_message(h.module.Order("A1", 150.5, 3)).__dict__["JsonFields"]


@pytest.mark.parametrize("fields", [
    "," * 3_000_000,  # the largest IRIS string, empty entries only
    ",".join(f"f{i}:=1:int" for i in range(200_000)),  # thousands of fields the class does not have
    ":" * 3_000_000,
    "q" * 3_000_000 + ":=3:int",
    "{good},qty:=9:int:extra:colons",  # a second mark for qty, with extra colons
    "{good_unicode}",  # a field name no class has
    "{good_bad_type}",  # a type name that matches nothing
])
def test_a_hostile_json_fields_is_read_in_bounded_time_and_the_answer_follows_the_properties(harness, fields):
    obj = _order(harness)
    good = _written_fields(harness)
    obj.__dict__["JsonFields"] = fields.format(good=good, good_unicode=good.replace("qty", "q\u00e9ty"),
                                               good_bad_type=good.replace(":int", ":Qu:ux"))
    start = time.monotonic()
    status, found = paths.get_value_at(obj, "qty")
    saved = paths.on_save(obj)
    assert time.monotonic() - start < 2.5  # a second or more per call when each entry raised
    assert (status, found, saved) == (1, 3, 1)  # the property holds 3, as Python wrote it
    assert paths.get_value_at(obj, "lines()")[1] == '["S1", "S2"]'


@pytest.mark.parametrize("item", ["x" * 1000, "\U0001f600" * 500])
def test_a_value_longer_than_an_iris_string_is_an_error_naming_the_path_and_its_size(harness, item):
    from intersystems_pyprod.testing.standin import Ref

    obj = harness.iris_message(harness.module.Order("A1", lines=[item] * 4000))
    status = Ref()
    assert obj.GetValueAt("lines", "", status) == ""
    assert is_error_value(status.value) and "'lines'" in status.value.text and "at most 3641144" in status.value.text
    assert obj.GetValueAt("lines(4000)", "", status) == item and status.value == 1
