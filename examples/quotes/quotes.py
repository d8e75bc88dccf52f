"""Quotes: a service takes a request as text, a process asks three vendors for a price at once
and keeps the best answer.

Shows asynchronous fan-out with completion keys, OnResponse/OnComplete, and process state kept
in IRISProperty values (a process gets a fresh Python object for every callback; its IRIS
properties are what persists between them).
"""

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

iris_package_name = "Quotes"


class QuoteRequest(JsonSerialize):
    item: str
    quantity: int = 1


class Quote(JsonSerialize):
    vendor: str = ""
    price: float = 0.0


class Vendor(BusinessOperation):
    """Answers with quantity x its unit price."""

    vendor = IRISProperty("", str, "Vendor name", "Pricing")
    unit_price = IRISProperty(10.0, float, "Price per unit", "Pricing")

    def on_message(self, request):
        return Status.OK(), Quote(self.vendor, self.unit_price * request.quantity)


class BestQuote(BusinessProcess):
    vendors = IRISProperty("VendorA,VendorB,VendorC", str, "Vendors to ask", "Basic")
    best_vendor = IRISProperty("", str)
    best_price = IRISProperty(0.0, float)
    answers = IRISProperty(0, int)

    def on_request(self, request):
        for vendor in self.vendors.split(","):
            self.send_request_async(vendor, request, completion_key=vendor)
        return Status.OK()

    def on_response(self, request, response, call_request, call_response, completion_key):
        self.answers += 1
        IRISLog.Info(f"{completion_key} quotes {call_response.price:.2f}")
        if self.best_vendor == "" or call_response.price < self.best_price:
            self.best_vendor, self.best_price = completion_key, call_response.price
        return Status.OK()

    def on_complete(self, request, response):
        IRISLog.Info(f"best of {self.answers}: {self.best_vendor} at {self.best_price:.2f}")
        return Status.OK(), Quote(self.best_vendor, self.best_price)


class QuoteDesk(BusinessService):
    """Takes "ITEM QUANTITY" as text (``bolts 10``; the quantity defaults to 1), asks for the best
    quote and logs it."""

    target = IRISProperty("BestQuote", str, "Where quote requests go", "Basic")

    def on_process_input(self, text):
        item, _, count = str(text).strip().rpartition(" ")
        if not item or not count.isdigit():
            item, count = str(text).strip(), "1"
        request = QuoteRequest(item, int(count))
        status, best = self.send_request_sync(self.target, request)
        IRISLog.Info(f"{request.quantity} x {request.item}: best price {best.price:.2f} from {best.vendor}")
        return status


class QuotesProduction(Production):
    services = [ServiceItem("QuoteDesk", QuoteDesk)]
    processes = [ProcessItem("BestQuote", BestQuote)]
    operations = [
        OperationItem("VendorA", Vendor, host_settings={"vendor": "A", "unit_price": 12.0}),
        OperationItem("VendorB", Vendor, host_settings={"vendor": "B", "unit_price": 9.5}),
        OperationItem("VendorC", Vendor, host_settings={"vendor": "C", "unit_price": 11.0}),
    ]
