"""Orders: a file-polling service, a routing process, and an operation with a MessageMap."""

import json

from order_messages import AuditRecord, OrderConfirmation, OrderRequest

from intersystems_pyprod import (
    BusinessOperation,
    BusinessProcess,
    BusinessService,
    InboundAdapter,
    IRISLog,
    IRISParameter,
    IRISProperty,
    OperationItem,
    OutboundAdapter,
    ProcessItem,
    Production,
    ServiceItem,
    Status,
)

iris_package_name = "Orders"


class OrderFileAdapter(InboundAdapter):
    """Reads one JSON order per poll from a drop folder."""

    folder = IRISProperty("/tmp/orders", str, "Folder to read orders from", "Basic:directorySelector")
    pattern = IRISProperty("*.json", str, "File name pattern", "Basic")

    def on_task(self):
        from pathlib import Path

        for path in sorted(Path(self.folder).glob(self.pattern)):
            text = path.read_text()
            path.unlink()
            return self.business_host_process_input(text)
        return Status.OK()


class OrderService(BusinessService):
    ADAPTER = IRISParameter(OrderFileAdapter)
    target = IRISProperty(
        "OrderRouter", str, "Where orders go",
        "Basic:selector?context={Ens.ContextSearch/ProductionItems?targets=1&productionName=@productionId}")

    def on_process_input(self, text):
        data = json.loads(text)
        request = OrderRequest(order_id=data["id"], customer=data["customer"], amount=data["amount"])
        status, confirmation = self.send_request_sync(self.target, request)
        IRISLog.Info(f"order {confirmation.order_id} {confirmation.status}")
        return status


class OrderRouter(BusinessProcess):
    """Sends express orders to the express desk, all orders to the warehouse, and audits them."""

    warehouse = IRISProperty("Warehouse", str, "Warehouse operation", "Routing")
    express_limit = IRISProperty(1000.0, float, "Orders above this amount go express", "Routing")
    retries = IRISProperty(3, int, "Retries", ":spinner")
    legacy_code = IRISProperty(None, str, "Hidden inherited setting", "-")

    def OnRequest(self, request):
        self.SendRequestAsync("Audit", AuditRecord(request.order_id, {"customer": request.customer}),
                              response_required=False)
        return self.SendRequestSync(self.warehouse, request)


class WarehouseAdapter(OutboundAdapter):
    endpoint = IRISProperty("http://warehouse.local", str, "Warehouse endpoint", "Connection")

    def reserve(self, order_id, amount):
        IRISLog.Info(f"reserving stock for order {order_id} ({amount:.2f})")
        return Status.OK()


class Warehouse(BusinessOperation):
    ADAPTER = IRISParameter("Orders.WarehouseAdapter")
    MessageMap = {OrderRequest: "handle_order", "AuditRecord": "handle_audit"}

    def handle_order(self, request):
        status = self.ADAPTER.reserve(request.order_id, request.amount)
        return status, OrderConfirmation(request.order_id, "reserved")

    def handle_audit(self, request):
        IRISLog.Info(f"audit {request.order_id}: {request.details}")
        return Status.OK()


class OrdersProduction(Production):
    """Orders flow."""

    actor_pool_size = 1
    shutdown_timeout = 60
    services = [ServiceItem("OrderService", OrderService, host_settings={"target": "OrderRouter"},
                            adapter_settings={"folder": "/data/in", "CallInterval": 2})]
    processes = [ProcessItem("OrderRouter", OrderRouter, host_settings={"warehouse": "Warehouse"}, pool_size=0)]
    operations = [OperationItem("Warehouse", Warehouse), OperationItem("Audit", Warehouse, comment="audit copy")]
