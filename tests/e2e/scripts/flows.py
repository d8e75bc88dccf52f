"""End-to-end flows: orders (MessageMap, pickle, Column index) and quotes (async fan-out)."""

import json

from inbox import InboxAdapter

from intersystems_pyprod import (
    BusinessOperation,
    BusinessProcess,
    BusinessService,
    Column,
    IRISLog,
    IRISParameter,
    IRISProperty,
    JsonSerialize,
    OperationItem,
    PickleSerialize,
    ProcessItem,
    Production,
    ServiceItem,
    Status,
)

iris_package_name = "FlowsE2E"
VERSION = "v1"


class Order(JsonSerialize):
    order_id: int = Column(0, index=True)
    customer: str = Column("", index=True)
    amount: float = 0.0


class Audit(PickleSerialize):
    order_id: int = 0
    details: dict = {}


class Quote(JsonSerialize):
    vendor: str = ""
    price: float = 0.0


class Inbox(BusinessService):
    ADAPTER = IRISParameter(InboxAdapter)
    target = IRISProperty("Router", str, settings="Basic")

    def on_process_input(self, text):
        data = json.loads(text)
        status, quote = self.send_request_sync(self.target, Order(data["id"], data["customer"], data["amount"]))
        IRISLog.Info(f"{VERSION} best quote for order {data['id']}: {quote.vendor} {quote.price:.2f}")
        return status


class Router(BusinessProcess):
    best_vendor = IRISProperty("", str)
    best_price = IRISProperty(0.0, float)

    def on_request(self, request):
        self.send_request_async("Warehouse", Audit(request.order_id, {"customer": request.customer}),
                                response_required=False)
        for vendor in ("VendorA", "VendorB"):
            self.send_request_async(vendor, request, completion_key=vendor)
        return Status.OK()

    def on_response(self, request, response, call_request, call_response, completion_key):
        IRISLog.Info(f"{completion_key} answered {call_response.price:.2f}")
        if self.best_vendor == "" or call_response.price < self.best_price:
            self.best_vendor, self.best_price = completion_key, call_response.price

    def on_complete(self, request, response):
        return Status.OK(), Quote(self.best_vendor, self.best_price)


class Vendor(BusinessOperation):
    factor = IRISProperty(1.0, float, settings="Pricing")

    def on_message(self, request):
        return Status.OK(), Quote("", request.amount * self.factor)


class Warehouse(BusinessOperation):
    MessageMap = {Audit: "handle_audit"}

    def handle_audit(self, request):
        IRISLog.Info(f"audit {request.order_id} {request.details['customer']}")


class FlowsProduction(Production):
    services = [ServiceItem("Inbox", Inbox, adapter_settings={"box": "flows", "CallInterval": 1})]
    processes = [ProcessItem("Router", Router)]
    operations = [OperationItem("VendorA", Vendor, host_settings={"factor": 1.2}),
                  OperationItem("VendorB", Vendor, host_settings={"factor": 0.9}),
                  OperationItem("Warehouse", Warehouse)]
