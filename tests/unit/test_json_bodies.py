"""Bounded JSON decoding keeps its limits whether or not Python limits integer digits itself."""

from __future__ import annotations

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
    ('{"n": 1e400}', "out of range"),
    ('{"n": NaN}', "NaN is not a JSON number"),
    ('{"n": [1, 2, "x"], "m": {"k": 1.5}', "not valid JSON"),
])
def test_bad_numbers_and_text_are_refused_with_their_cause(int_limit, body, cause):
    with pytest.raises(bodies.BodyError, match=cause):
        bodies.decode(body)


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
