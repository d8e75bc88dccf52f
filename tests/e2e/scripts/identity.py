"""End-to-end message identity: a process's response changed in place, a request forwarded
unchanged, a response replaced in every OnResponse (JSON and pickle bodies)."""

import json

from inbox import InboxAdapter

from intersystems_pyprod import (
    BusinessOperation,
    BusinessProcess,
    BusinessService,
    IRISLog,
    IRISParameter,
    JsonSerialize,
    OperationItem,
    PickleSerialize,
    ProcessItem,
    Production,
    ServiceItem,
    Status,
)

iris_package_name = "IdentityE2E"


class Ask(JsonSerialize):
    label: str = ""


class Part(JsonSerialize):
    value: int = 0


class Total(JsonSerialize):
    total: int = 0
    replies: int = 0


class Tally(PickleSerialize):
    values: list = []


class Ten(BusinessOperation):
    """Answers every request with a part of 10."""

    def on_message(self, request):
        return Status.OK(), Part(10)


class Summer(BusinessProcess):
    """The aggregation pattern: each reply is added to the response, in place."""

    def on_request(self, request):
        for key in ("a", "b"):
            self.send_request_async("Ten", request, completion_key=key)
        return Status.OK(), Total(0, 0)

    def on_response(self, request, response, call_request, call_response, completion_key):
        response.total += call_response.value
        response.replies += 1


class PickleSummer(BusinessProcess):
    """The same with a pickle response, finished in place in OnComplete."""

    def on_request(self, request):
        for key in ("a", "b"):
            self.send_request_async("Ten", request, completion_key=key)
        return Status.OK(), Tally([])

    def on_response(self, request, response, call_request, call_response, completion_key):
        response.values.append(call_response.value)

    def on_complete(self, request, response):
        response.values.append(sum(response.values))


class Replacer(BusinessProcess):
    """A new response in every OnResponse: the ones replaced must not stay without a header."""

    def on_request(self, request):
        for key in ("a", "b"):
            self.send_request_async("Ten", request, completion_key=key)
        return Status.OK(), Total(0, 0)

    def on_response(self, request, response, call_request, call_response, completion_key):
        return Status.OK(), Total(response.total + call_response.value, response.replies + 1)


class Forwarder(BusinessProcess):
    """Sends its request on unchanged: one body, two headers."""

    def on_request(self, request):
        return self.send_request_sync("Ten", request)


class Entry(BusinessService):
    """Sends an Ask to the process a posted text names and logs the answer."""

    ADAPTER = IRISParameter(InboxAdapter)

    def on_process_input(self, text):
        target = json.loads(text)["to"]
        status, answer = self.send_request_sync(target, Ask(target))
        if isinstance(answer, Tally):
            shown = answer.values
        else:
            shown = answer.total if isinstance(answer, Total) else answer.value
        IRISLog.Info(f"identity {target} {shown}")
        return status


class IdentityProduction(Production):
    services = [ServiceItem("Entry", Entry, adapter_settings={"box": "identity", "CallInterval": 1})]
    processes = [ProcessItem("Summer", Summer), ProcessItem("PickleSummer", PickleSummer),
                 ProcessItem("Replacer", Replacer), ProcessItem("Forwarder", Forwarder)]
    operations = [OperationItem("Ten", Ten)]
