"""End-to-end callbacks: OnError recovers from a failed async call, a SetTimer timer that runs out
reaches the Python OnTimeout (or OnResponse, in a process without OnTimeout) whichever ObjectScript
callback IRIS uses for it, and target settings draw arrows (OnGetConnections)."""

import time

from inbox import InboxAdapter

from intersystems_pyprod import (
    BusinessOperation,
    BusinessProcess,
    BusinessService,
    IRISLog,
    IRISParameter,
    IRISProperty,
    JsonSerialize,
    OperationItem,
    ProcessItem,
    Production,
    ServiceItem,
    Status,
)

iris_package_name = "CallbacksE2E"


class Job(JsonSerialize):
    name: str = ""


class Kick(BusinessService):
    """Each text from the inbox starts a job in both processes."""

    ADAPTER = IRISParameter(InboxAdapter)
    targets = IRISProperty("Recovering,Waiting,Pausing", target=True)

    def on_process_input(self, text):
        for target in self.targets.split(","):
            self.send_request_async(target, Job(text))
        return Status.OK()


class Recovering(BusinessProcess):
    """Sends to a failing operation; OnError turns the failure into a logged recovery."""

    worker = IRISProperty("Failing", target=True)

    def on_request(self, request):
        return self.send_request_async(self.worker, request, completion_key="job")

    def on_error(self, request, response, call_request, error_status, completion_key):
        IRISLog.Info(f"recovered {call_request.name} ({completion_key}) from an error")
        return Status.OK()

    def on_response(self, request, response, call_request, call_response, completion_key):
        IRISLog.Info("unexpected response")


class Waiting(BusinessProcess):
    """Waits one second for a slow operation; OnTimeout notes the timeout."""

    workers = IRISProperty("Slow,Failing", target=True)

    def on_request(self, request):
        self.set_timer(1, "deadline")
        return self.send_request_async(self.workers.split(",")[0], request, completion_key="slow")

    def on_timeout(self, request, response, call_request, completion_key):
        IRISLog.Info(f"timed out waiting ({completion_key})")
        return Status.OK()


class Pausing(BusinessProcess):
    """Only waits for a timer; without OnTimeout its expiry comes to OnResponse."""

    def on_request(self, request):
        return self.set_timer(1, "pause")

    def on_response(self, request, response, call_request, call_response, completion_key):
        IRISLog.Info(f"timer {completion_key} reached OnResponse")


class Failing(BusinessOperation):
    def on_message(self, request):
        return Status.ERROR(f"cannot do {request.name}")


class Slow(BusinessOperation):
    def on_message(self, request):
        time.sleep(3)
        return Status.OK(), Job("late")


class CallbacksProduction(Production):
    services = [ServiceItem("Kick", Kick, adapter_settings={"box": "callbacks", "CallInterval": 1})]
    processes = [ProcessItem("Recovering", Recovering), ProcessItem("Waiting", Waiting),
                 ProcessItem("Pausing", Pausing)]
    operations = [OperationItem("Failing", Failing), OperationItem("Slow", Slow)]
