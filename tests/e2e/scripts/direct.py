"""End-to-end release of a business service made outside the production's jobs
(``create_business_service``): its OnTearDown runs when the caller closes it."""

from intersystems_pyprod import BusinessService, IRISLog, Production, ServiceItem, Status

iris_package_name = "DirectE2E"


class Direct(BusinessService):
    def OnInit(self):
        IRISLog.Info("direct service made")
        return Status.OK()

    def on_process_input(self, text):
        IRISLog.Info(f"direct input {text}")
        return Status.OK()

    def OnTearDown(self):
        IRISLog.Info("direct service torn down")
        return Status.OK()


class DirectProduction(Production):
    services = [ServiceItem("Direct", Direct)]
