"""Message construction: positional, keyword, defaults, inheritance."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, List

import pytest

from intersystems_pyprod import Column, JsonSerialize, PickleSerialize


class Order(JsonSerialize):
    order_id: int = Column(0, int, "id", index=True)
    customer: str
    tags: List[str] = []
    placed: date = Column(None, date)
    note = Column("n/a", str)
    kind: ClassVar[str] = "not a field"


class ExpressOrder(Order):
    courier: str = "DHL"


class Blob(PickleSerialize):
    data: dict = {}


def test_field_order_annotations_then_unannotated_columns():
    assert Order._pyprod_fields == ("order_id", "customer", "tags", "placed", "note")
    # a subclass's own fields first, as pyprod 0.2.0 binds positional arguments
    assert ExpressOrder._pyprod_fields == ("courier", "order_id", "customer", "tags", "placed", "note")


def test_positional_and_keyword_construction():
    order = Order(7, "ACME", note="rush")
    assert (order.order_id, order.customer, order.note, order.placed) == (7, "ACME", "rush", None)
    assert order.tags == []


def test_defaults_from_annotations_columns_and_class_values():
    order = Order()
    assert order.order_id == 0 and order.customer is None and order.note == "n/a"


def test_mutable_defaults_are_not_shared():
    first, second = Order(), Order()
    first.tags.append("x")
    assert second.tags == [] and Order.tags == []
    b1, b2 = Blob(), Blob()
    b1.data["k"] = 1
    assert b2.data == {}


def test_inherited_fields_and_defaults():
    order = ExpressOrder("UPS", 1, "ACME")
    assert (order.courier, order.order_id, order.customer, order.note) == ("UPS", 1, "ACME", "n/a")
    assert ExpressOrder(order_id=2).courier == "DHL"


def test_unknown_field_and_too_many_arguments_are_errors():
    with pytest.raises(TypeError, match="unexpected field 'colour'"):
        Order(colour="red")
    with pytest.raises(TypeError, match="at most 5 positional"):
        Order(1, 2, 3, 4, 5, 6)
    with pytest.raises(TypeError, match="multiple values"):
        Order(1, order_id=2)


def test_identity_equality_and_repr():
    first, second = Order(1, "a"), Order(1, "a")
    assert first == first and first != second and len({first, second}) == 2
    assert repr(Order(1, "a")).startswith("Order(order_id=1, customer='a'")
