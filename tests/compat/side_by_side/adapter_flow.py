"""A Python outbound adapter whose methods return every shape, called from its operation
(tests/test_pyprod_side_by_side.py)."""

import json

from intersystems_pyprod import (
    BusinessOperation,
    IRISLog,
    IRISParameter,
    JsonSerialize,
    OutboundAdapter,
    Status,
)

iris_package_name = "SbsAdapter"


class Ping(JsonSerialize):
    text: str = ""


class Wire(OutboundAdapter):
    def gives_none(self):
        return None

    def gives_ok(self):
        return Status.OK()

    def gives_value(self, text):
        return text

    def gives_true(self):
        return True

    def gives_pair(self, x):
        return Status.OK(), x

    def gives_triple(self, x, y=0):
        return Status.OK(), x, y

    def gives_list(self):
        return [1, "a", "b"]

    def gives_single(self):
        return (1,)

    def GivesPascal(self):
        return 1, "pascal"

    def fails(self):
        raise ValueError("boom")


def describe(value):
    """A value as JSON: an error status as "error"."""
    if isinstance(value, str) and value.startswith("0 "):
        return "error"
    if isinstance(value, tuple):
        return ["tuple", *[describe(v) for v in value]]
    return value


class Caller(BusinessOperation):
    ADAPTER = IRISParameter("SbsAdapter.Wire")

    def calls(self):
        adapter = self.ADAPTER
        return {
            "none": adapter.gives_none(), "ok": adapter.gives_ok(), "value": adapter.gives_value("bare"),
            "true": adapter.gives_true(), "pair": adapter.gives_pair("x"),
            "triple": adapter.gives_triple("x", y=2), "list": adapter.gives_list(),
            "single": adapter.gives_single(), "snake_to_pascal": adapter.gives_pascal(),
            "pascal_to_snake": adapter.GivesPair("p"), "fails": adapter.fails(),
        }

    def OnMessage(self, request):
        IRISLog.Info(json.dumps({k: describe(v) for k, v in self.calls().items()}))
        status = self.ADAPTER.gives_ok()  # a result tuple where a status goes, as pyprod's examples do
        return status, request
