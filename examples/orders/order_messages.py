"""Messages of the orders example, kept in their own module and imported by orders.py."""

from datetime import date, datetime
from typing import List

from intersystems_pyprod import Column, JsonSerialize, PickleSerialize

iris_package_name = "Orders.Msg"


class OrderRequest(JsonSerialize):
    """An order placed by a customer."""

    order_id: int = Column(0, int, "Order number", index=True)
    customer: str = Column("", str, "Customer name", index=True)
    amount: float = Column(0.0, float, "Order total")
    express: bool = Column(False, bool, "Ship with express delivery")
    placed_on: date = Column(None, date, "Day the order was placed")
    received_at: datetime = Column(None, datetime, "When the order reached the production")
    lines: List[str] = []


class OrderConfirmation(JsonSerialize):
    order_id: int = 0
    status: str = "accepted"


class AuditRecord(PickleSerialize):
    """Arbitrary Python data, kept as a pickle."""

    order_id: int = 0
    details: dict = {}
