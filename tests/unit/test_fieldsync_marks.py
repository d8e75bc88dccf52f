"""The marks JsonFields records per property (runtime/fieldsync.py): the fast paths of ``token``
give what its decimal definition gives, and a mark tells values apart as the save hook needs."""

from __future__ import annotations

import decimal
from typing import Any, Optional

from hypothesis import given
from hypothesis import strategies as st

from intersystems_pyprod.runtime import fieldsync


def by_definition(value: Any, kind: Optional[type] = None) -> str:
    """A number as the normalized decimal of its shortest text; anything else as its text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, decimal.Decimal)) or (isinstance(value, str) and kind in fieldsync._NUMERIC):
        with decimal.localcontext() as context:
            context.prec = 400  # exact for every int and float here
            try:
                number = decimal.Decimal(repr(value) if isinstance(value, float) else str(value).strip())
            except decimal.InvalidOperation:
                return str(value)
            if not number.is_finite():
                return str(value)
            text = format(number.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    return str(value)


KINDS = st.sampled_from([None, str, int, float, decimal.Decimal])


@given(st.floats(allow_nan=True, allow_infinity=True), KINDS)
def test_a_float_token_is_its_shortest_decimal(value, kind):
    assert fieldsync.token(value, kind) == by_definition(value, kind)


@given(st.integers(min_value=-10 ** 30, max_value=10 ** 30), KINDS)
def test_an_int_token_is_exact(value, kind):
    assert fieldsync.token(value, kind) == by_definition(value, kind)


@given(st.text(max_size=20), KINDS)
def test_a_text_token(value, kind):
    assert fieldsync.token(value, kind) == by_definition(value, kind)


def test_the_same_number_however_iris_hands_it_back():
    for written, back in ((12.0, 12), (12.0, "12"), (1.5, "1.50"), (-0.0, 0), (0.1, ".1")):
        assert fieldsync.digest(written, float) == fieldsync.digest(back, float)


def test_marks_of_short_and_long_values():
    assert fieldsync.digest(12.5, float) == "=12.5"
    assert fieldsync.digest("A,B", str) != fieldsync.digest("A;B", str)
    assert len(fieldsync.digest("A,B", str)) == 8 and "," not in fieldsync.digest("A,B", str)
    long_a, long_b = "customer-000001", "customer-000002"
    assert fieldsync.digest(long_a, str) != fieldsync.digest(long_b, str)
    assert fieldsync.digest("a:b", str).isalnum()
    # a short value never reads as the hex mark of another
    assert all(fieldsync.digest(v, str).startswith("=") for v in ("", "x", "12345678"))


class Obj:
    def __init__(self, text: str) -> None:
        self.text = text

    def JsonFieldList(self) -> str:
        return self.text


def test_jsonfields_of_this_version_and_of_rows_written_before():
    assert fieldsync.marks(Obj("amount:=12.5:float,customer:1a2b3c4d:str")) == {
        "amount": ("=12.5", "float"), "customer": ("1a2b3c4d", "str")}
    assert fieldsync.marks(Obj("amount,customer")) == {"amount": (None, ""), "customer": (None, "")}
    assert fieldsync.marks(Obj("")) == {}
