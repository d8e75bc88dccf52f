"""End-to-end message bodies: a sealed pickle body of several IRIS chunks, and JSON numbers
written as Python's json module (and pyprod 0.2.0) write them."""

import hashlib
import json
import math

from inbox import InboxAdapter

from intersystems_pyprod import (
    BusinessOperation,
    BusinessService,
    IRISLog,
    IRISParameter,
    JsonSerialize,
    OperationItem,
    PickleSerialize,
    Production,
    ServiceItem,
    Status,
)

iris_package_name = "BodiesE2E"


class Bundle(PickleSerialize):
    blob: bytes = b""
    rows: list = []


class Reading(JsonSerialize):
    values: list = []


def payload(megabytes: int) -> bytes:
    """Every byte value, NUL included, repeated to about ``megabytes`` MB."""
    return bytes(range(256)) * (megabytes * 1_000_000 // 256)


class Feed(BusinessService):
    ADAPTER = IRISParameter(InboxAdapter)

    def on_process_input(self, text):
        blob = payload(json.loads(text)["megabytes"])
        rows = [{"n": i, "name": f"row {i}"} for i in range(2000)]
        status, reading = self.send_request_sync("Check", Bundle(blob, rows))
        size, count, digest, nan, inf = reading.values
        good = (size == len(blob) and count == len(rows) and digest == hashlib.sha256(blob).hexdigest()
                and math.isnan(nan) and inf == math.inf)
        IRISLog.Info(f"bundle {'ok' if good else 'differs'} {size} {count} {nan} {inf}")
        # characters above U+FFFF are two UTF-16 units in IRIS: 4 million units, cut and read in chunks
        faces = "\U0001F600" * 2_000_000
        status, echoed = self.send_request_sync("Echo", Reading([faces, "naïve"]))
        IRISLog.Info(f"faces {'ok' if echoed.values == [faces, 'naïve'] else 'differ'}")
        return status


class Check(BusinessOperation):
    def on_message(self, request):
        digest = hashlib.sha256(request.blob).hexdigest()
        return Status.OK(), Reading([len(request.blob), len(request.rows), digest, math.nan, math.inf])


class Echo(BusinessOperation):
    def on_message(self, request):
        return Status.OK(), Reading(list(request.values))


class BodiesProduction(Production):
    services = [ServiceItem("Feed", Feed, adapter_settings={"box": "bodies", "CallInterval": 1})]
    operations = [OperationItem("Check", Check), OperationItem("Echo", Echo)]
