"""Invoices: dataclass messages routed on their fields.

In IRIS, ``InvoiceService`` sends to a routing engine (``EnsLib.MsgRouter.RoutingEngine``) whose
rule is ``InvoiceRules.cls`` and whose large-invoice route transforms with ``MarkForReview.cls``.
``InvoiceTriage`` below makes the same decisions in Python so the flow runs offline too.
"""

import json
from dataclasses import dataclass, field
from typing import List

from intersystems_pyprod import (
    BusinessOperation,
    BusinessProcess,
    BusinessService,
    IRISLog,
    IRISProperty,
    JsonSerialize,
    OperationItem,
    ProcessItem,
    Production,
    ServiceItem,
    Status,
)

iris_package_name = "Routing"


@dataclass
class Line(JsonSerialize):
    """One invoice line; lines stay in the body, rules reach them as Document.{lines(1).sku}."""

    sku: str = ""
    qty: int = 1


@dataclass
class Invoice(JsonSerialize):
    """An invoice; its scalar fields are IRIS properties (Document.amount, Document.status)."""

    invoice_id: str = ""
    customer: str = ""
    amount: float = 0.0
    status: str = "new"
    lines: List[Line] = field(default_factory=list)
    items: int = 0  # the quantities of the lines added up, for the reviewer


class InvoiceService(BusinessService):
    """Turns a JSON text (``{"id": "I-1", "customer": "ACME", "amount": 250, "lines": {"A1": 2}}``,
    lines as SKU: quantity) into an Invoice and sends it to the router."""

    target = IRISProperty("InvoiceTriage", str, "Where invoices go (InvoiceRouter in IRIS)", "Basic")

    def on_process_input(self, text):
        data = json.loads(text)
        invoice = Invoice(data["id"], data["customer"], float(data["amount"]),
                          lines=[Line(sku, int(qty)) for sku, qty in data.get("lines", {}).items()])
        return self.send_request_async(self.target, invoice)


class InvoiceTriage(BusinessProcess):
    """The routing rule of InvoiceRules.cls, in Python for running without IRIS."""

    def OnRequest(self, request: Invoice):
        if request.amount > 100:  # rule "large", with the MarkForReview transform
            request.status = "review"
            request.items = sum(line.qty for line in request.lines)
            return self.SendRequestAsync("Approvals", request, response_required=False)
        if request.lines and request.lines[0].sku == "GIFT":  # rule "gift"
            return self.SendRequestAsync("GiftDesk", request, response_required=False)
        return self.SendRequestAsync("Ledger", request, response_required=False)


class InvoiceDesk(BusinessOperation):
    """Logs what it receives; one class serves Approvals, GiftDesk and Ledger."""

    def OnMessage(self, request: Invoice):
        skus = ",".join(line.sku for line in request.lines)
        IRISLog.Info(f"invoice {request.invoice_id} {request.status} {request.amount:.2f} {skus}")
        return Status.OK()


class RoutingProduction(Production):
    """Invoices routed on their amount and their first line."""

    services = [ServiceItem("InvoiceService", InvoiceService)]
    processes = [ProcessItem("InvoiceTriage", InvoiceTriage)]
    operations = [OperationItem("Approvals", InvoiceDesk), OperationItem("GiftDesk", InvoiceDesk),
                  OperationItem("Ledger", InvoiceDesk)]
