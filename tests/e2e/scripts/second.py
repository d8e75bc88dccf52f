"""A second script importing a module named like one of pooled.py's (helpers)."""

from helpers import tag

from intersystems_pyprod import BusinessOperation, IRISLog, Status

iris_package_name = "SecondE2E"


class Echo(BusinessOperation):
    def on_message(self, request):
        IRISLog.Info(f"{tag()} echo")
        return Status.OK()
