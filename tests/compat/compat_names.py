"""A script written against pyprod 0.2.0's API, in the forms its API reference shows: the classes
generated from it must carry the names pyprod 0.2.0 gives them (tests/test_pyprod_names.py)."""

from intersystems_pyprod import (
    BusinessOperation,
    BusinessProcess,
    BusinessService,
    Column,
    InboundAdapter,
    IRISParameter,
    IRISProperty,
    JsonSerialize,
    OperationItem,
    OutboundAdapter,
    PickleSerialize,
    ProcessItem,
    Production,
    ServiceItem,
    Status,
)

iris_package_name = "CompatNames"

class simplemsg(JsonSerialize):
    field_1 = "default"
    field_2: int
    order_id = Column(0, index=True)
    camelCol = Column("")
    TotalAmount = Column(0, "num")

class PickledThing(PickleSerialize):
    name = Column()
    amount = 1

class TickAdapter(InboundAdapter):
    poll_folder = IRISProperty("/tmp", settings="Basic")
    def OnTask(self):
        return Status.OK()

class Intake(BusinessService):
    ADAPTER = IRISParameter("CompatNames.TickAdapter")
    target = IRISProperty(settings="Target")
    my_target = IRISProperty(settings="Basic")
    camelCase = IRISProperty(5, "int", settings=":spinner")
    TargetConfigName = IRISProperty(settings="")
    MAX_RETRY = IRISParameter(3, "INTEGER")
    retry_delay = IRISParameter("2", keyword_list="Final")
    def on_process_input(self, input):
        return Status.OK()

class Router(BusinessProcess):
    target_dispatch_name = IRISProperty("Store", settings="Basic")
    def OnRequest(self, request):
        return Status.OK()

class WireAdapter(OutboundAdapter):
    endpoint_url = IRISProperty("http://x", settings="Connection")
    def send_it(self, data):
        return Status.OK()

class Store(BusinessOperation):
    ADAPTER = IRISParameter("CompatNames.WireAdapter")
    MessageMap = {"CompatNames.simplemsg": "handle_simple", "CompatNames.PickledThing": "HandlePickled"}
    def handle_simple(self, request):
        return Status.OK()
    def HandlePickled(self, request):
        return Status.OK()

class CompatProduction(Production):
    services = [ServiceItem("Intake", "CompatNames.Intake", host_settings={"my_target": "Router", "camelCase": 2},
                            adapter_settings={"poll_folder": "/data", "CallInterval": 3})]
    processes = [ProcessItem("Router", "CompatNames.Router", host_settings={"target_dispatch_name": "Store"})]
    operations = [OperationItem("Store", "CompatNames.Store", adapter_settings={"endpoint_url": "http://y"})]
    shutdown_timeout = 30
