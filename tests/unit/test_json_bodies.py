"""Bounded JSON decoding keeps its limits whether or not Python limits integer digits itself."""

from __future__ import annotations

import math
import sys

import pytest

from intersystems_pyprod.runtime import bodies

LIMITS = [4300, 0] if hasattr(sys, "set_int_max_str_digits") else [None]


@pytest.fixture(params=LIMITS, ids=lambda v: f"python-int-limit-{v}")
def int_limit(request):
    if request.param is None:
        yield
        return
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(request.param)
    yield
    sys.set_int_max_str_digits(before)


@pytest.mark.parametrize("body, cause", [
    ('{"n": ' + "9" * 5000 + "}", "5000 digits exceeds the limit"),
    ('{"n": -' + "9" * 4301 + "}", "4302 digits exceeds the limit"),
    ('{"n": [1, 2, "x"], "m": {"k": 1.5}', "not valid JSON"),
])
def test_bad_numbers_and_text_are_refused_with_their_cause(int_limit, body, cause):
    with pytest.raises(bodies.BodyError, match=cause):
        bodies.decode(body)


def test_nan_and_infinities_travel_as_json_module_writes_them():
    text = bodies.encode({"n": math.nan, "m": [math.inf, -math.inf]}, None)
    assert text == '{"n": NaN, "m": [Infinity, -Infinity]}'
    back = bodies.decode(text)
    assert math.isnan(back["n"]) and back["m"] == [math.inf, -math.inf]


def test_a_number_past_the_float_range_reads_as_infinity():
    data = bodies.decode('{"n": 1e400, "m": [-1E+999], "k": 1e308}')
    assert data == {"n": math.inf, "m": [-math.inf], "k": 1e308}


def test_ordinary_numbers_decode(int_limit):
    big = "9" * 4300
    assert bodies.decode('{"a": 1, "b": -2.5, "c": ' + big + ', "d": [1e300]}') == {
        "a": 1, "b": -2.5, "c": int(big) if not hasattr(sys, "set_int_max_str_digits") else _int(big), "d": [1e300]}


def _int(text):
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return int(text)
    finally:
        sys.set_int_max_str_digits(before)
