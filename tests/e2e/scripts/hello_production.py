"""The article's HelloWorld components, wired into a production for the end-to-end suite."""

from HelloWorld import MyOperation, MyProcess, MyService

from intersystems_pyprod import OperationItem, ProcessItem, Production, ServiceItem

iris_package_name = "HelloE2E"


class HelloProduction(Production):
    services = [ServiceItem("MyService", MyService, host_settings={"target": "MyProcess"},
                            adapter_settings={"CallInterval": 1})]
    processes = [ProcessItem("MyProcess", MyProcess, host_settings={"target": "MyOperation"})]
    operations = [OperationItem("MyOperation", MyOperation)]
