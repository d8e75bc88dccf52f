"""End-to-end hot reload: a business process with PoolSize=0 runs in the shared actor jobs,
which a load does not restart; it must still run the new code of its project's modules."""

import json

from helpers import tag
from inbox import InboxAdapter

from intersystems_pyprod import (
    BusinessProcess,
    BusinessService,
    IRISLog,
    IRISParameter,
    JsonSerialize,
    ProcessItem,
    Production,
    ServiceItem,
    Status,
)

iris_package_name = "PooledE2E"


class Ping(JsonSerialize):
    n: int = 0


class PoolEntry(BusinessService):
    ADAPTER = IRISParameter(InboxAdapter)

    def on_process_input(self, text):
        return self.send_request_async("Pooled", Ping(json.loads(text)["id"]))


class Pooled(BusinessProcess):
    def on_request(self, request):
        IRISLog.Info(f"{tag()} pooled {request.n}")
        return Status.OK()


class PooledProduction(Production):
    services = [ServiceItem("PoolEntry", PoolEntry, adapter_settings={"box": "pooled", "CallInterval": 1})]
    processes = [ProcessItem("Pooled", Pooled, pool_size=0)]
