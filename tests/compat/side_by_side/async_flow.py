"""An asynchronous call from a process, with OnResponse and OnComplete (tests/test_pyprod_side_by_side.py)."""

from intersystems_pyprod import BusinessOperation, BusinessProcess, IRISLog, JsonSerialize, Status

iris_package_name = "SbsAsync"


class Job(JsonSerialize):
    text: str = ""


class Fanout(BusinessProcess):
    def OnRequest(self, request):
        return self.SendRequestAsync("Worker", Job("work"), 1, "key1")

    def OnResponse(self, request, response, call_request, call_response, completion_key):
        IRISLog.Info(f"response {completion_key}")
        return Status.OK()

    def OnComplete(self, request, response):
        IRISLog.Info("complete")
        return Status.OK()


class Worker(BusinessOperation):
    def OnMessage(self, request):
        return Status.OK(), Job("done")
