"""Child process of run.py: message round trips Python -> IRIS message object -> Python.

    python roundtrip_child.py KIND[,KIND...] FORMAT SHAPE SIZE [SIZE ...]

KIND is ours, ours-unsealed (no seal key: every pickle through the closed unpickler), pyprod,
baseline, or (FORMAT json) a declaration style of ours: plain (pyprod-style JsonSerialize),
dataclass or pydantic, each a message with four scalar fields and the payload, or the same
dataclass or pydantic message on IoP 4.1.1's serializer: iop-dataclass, iop-pydantic (needs
iris-pex-embedded-python, benchmarks/requirements.txt); several kinds
run in the same process, their repeats interleaved, so they share the machine's conditions.
FORMAT is json or pickle; SHAPE is text (one string field of SIZE characters), bytes (pickle
only: a bytes field of SIZE bytes) or records (a list of small dicts of about SIZE bytes of JSON).
Prints one JSON object: {kind: {size: {"seconds": best of the repeats, "times": every repeat,
"peak": tracemalloc peak bytes of one round trip (text and bytes payloads)}}}.
"ours" uses intersystems_pyprod's runtime with its IRIS stand-in; "pyprod" uses pyprod 0.2.0 with
the stand-in in benchmarks/pyprod_standin; "baseline" is json.dumps + json.loads, or pickle.dumps
+ pickle.loads, of the same field values.
"""

from __future__ import annotations

import json
import pickle
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from intersystems_pyprod.testing.standin import Stream

MESSAGE_SOURCE = '''
from intersystems_pyprod import JsonSerialize, PickleSerialize
iris_package_name = "Bench"

class Payload(JsonSerialize):
    text: object
    count: int

class PicklePayload(PickleSerialize):
    text: object
    count: int
'''

STYLES_SOURCE = '''
from dataclasses import dataclass
from typing import Any
from intersystems_pyprod import JsonSerialize
iris_package_name = "Styles"

class Plain(JsonSerialize):
    order_id: str = ""
    customer: str = ""
    amount: float = 0.0
    count: int = 0
    text: Any = None

@dataclass
class Dataclass(JsonSerialize):
    order_id: str = ""
    customer: str = ""
    amount: float = 0.0
    count: int = 0
    text: Any = None
'''

PYDANTIC_SOURCE = '''
from pydantic import BaseModel

class Pydantic(JsonSerialize, BaseModel):
    order_id: str = ""
    customer: str = ""
    amount: float = 0.0
    count: int = 0
    text: Any = None
'''

IOP_SOURCE = '''
from dataclasses import dataclass
from typing import Any
from iop import Message, PydanticMessage

@dataclass
class IopDataclass(Message):
    order_id: str = ""
    customer: str = ""
    amount: float = 0.0
    count: int = 0
    text: Any = None

class IopPydantic(PydanticMessage):
    order_id: str = ""
    customer: str = ""
    amount: float = 0.0
    count: int = 0
    text: Any = None
'''

#: The declaration styles a JSON message can be written in (``pydantic`` needs pydantic).
STYLES = ("plain", "dataclass", "pydantic")

#: The same dataclass and pydantic messages on IoP 4.1.1's own serializer.
IOP_KINDS = ("iop-dataclass", "iop-pydantic")


class IopMessageStandIn:
    """A stand-in for the IOP.Message object IoP's serializer fills and reads, doing what its
    ``json`` property does in IRIS (IOP.Message 4.1.1: ``jsonSet``/``jsonGet``): a text longer
    than ``BUFFER`` (1,000,000 characters) is written into a ``%Stream.GlobalCharacter`` in
    chunks of that size, a stream is kept as it is; ``type`` says which."""

    BUFFER = 1_000_000

    def __init__(self) -> None:
        self.classname = ""
        self.type = ""
        self._json: Any = ""

    @property
    def buffer(self) -> int:
        return self.BUFFER

    @property
    def json(self) -> Any:
        return self._json

    @json.setter
    def json(self, value: Any) -> None:
        if isinstance(value, str) and len(value) > self.BUFFER:
            stream = Stream("%Stream.GlobalCharacter")
            for start in range(0, len(value), self.BUFFER):
                stream.Write(value[start:start + self.BUFFER])
            value = stream
        self._json, self.type = value, ("Stream" if isinstance(value, Stream) else "String")

    def _Id(self) -> str:
        return ""


class _IopIris:
    """What ``iop.runtime.iris.get_iris()`` is asked for: ``cls(name)._New()`` of IOP.Message and
    of ``%Stream.GlobalCharacter`` (the harness's stream stand-in, the one our side writes)."""

    def cls(self, name: str):
        if name.startswith("%Stream."):
            return type("IopStream", (), {"_New": staticmethod(lambda: Stream(name))})
        return type("IopClass", (), {"_New": staticmethod(IopMessageStandIn)})


def iop_round_trip(kind: str):
    """Send + receive through IoP's serialize_message / deserialize_message."""
    from iop.messages import serialization

    serialization._iris.get_iris = lambda namespace=None: _IopIris()
    if "bench_iop" not in sys.modules:
        folder = Path(tempfile.mkdtemp())
        (folder / "bench_iop.py").write_text(IOP_SOURCE)
        sys.path.insert(0, str(folder))
    import bench_iop

    cls = bench_iop.IopDataclass if kind == "iop-dataclass" else bench_iop.IopPydantic

    def round_trip(value):
        message = cls(order_id="A1", customer="ACME", amount=12.5, count=3, text=value)
        return serialization.deserialize_message(serialization.serialize_message(message))
    return round_trip

#: One record of the records shape (about 80 bytes of JSON).
def record(i: int) -> dict:
    return {"id": i, "name": f"item {i}", "price": i * 1.5, "tags": ["red", "blue"], "ok": True}


def payload(shape: str, size: int) -> object:
    if shape == "bytes":
        return b"x" * size
    return "x" * size if shape == "text" else [record(i) for i in range(max(size // 80, 1))]


def payload_class(fmt: str):
    folder = Path(tempfile.mkdtemp())
    (folder / "bench_payload.py").write_text(MESSAGE_SOURCE)
    sys.path.insert(0, str(folder))
    import bench_payload

    return bench_payload.Payload if fmt == "json" else bench_payload.PicklePayload


_styles: dict = {}


def style_class(kind: str, kinds: list):
    """The message class of one declaration style. One harness per process loads every style
    asked for (pydantic only then), and defines their IRIS classes with the properties the
    loader would generate."""
    if not _styles:
        from intersystems_pyprod.testing import Harness

        folder = Path(tempfile.mkdtemp())
        script = folder / "bench_styles.py"
        script.write_text(STYLES_SOURCE + (PYDANTIC_SOURCE if "pydantic" in kinds else ""))
        _styles["harness"] = Harness(str(script)).start()
    return getattr(_styles["harness"].module, kind.capitalize())


def make_round_trip(kind: str, fmt: str, kinds: list):
    if kind in IOP_KINDS:
        return iop_round_trip(kind)
    if kind in STYLES:
        from intersystems_pyprod.runtime import messages

        cls = style_class(kind, kinds)

        def styled(value):
            return messages.from_iris(messages.to_iris(cls(order_id="A1", customer="ACME", amount=12.5, count=3,
                                                           text=value)))
        return styled
    if kind == "baseline":
        if fmt == "json":
            return lambda value: json.loads(json.dumps({"text": value, "count": 1}))
        return lambda value: pickle.loads(pickle.dumps({"text": value, "count": 1}, protocol=pickle.HIGHEST_PROTOCOL))
    cls = payload_class(fmt)
    if kind in ("ours", "ours-unsealed"):
        from intersystems_pyprod.runtime import irisapi, messages
        from intersystems_pyprod.testing.standin import ClassInfo, IrisStandIn

        api = IrisStandIn(lambda *a: None)
        if kind == "ours":  # a namespace the loader has loaded into has a seal key
            api.ensure_seal_key()
        irisapi.install(api)
        stream = {"json": ("JsonBody", "%Stream.GlobalCharacter"), "pickle": ("PickleBody", "%Stream.GlobalBinary")}
        api.define(ClassInfo(messages.register(cls), {}, {}, dict([stream[fmt]])))

        def round_trip(value):
            return messages.from_iris(messages.to_iris(cls(value, 1)))
        return round_trip

    if fmt == "pickle":  # pyprod 0.2.0: the path its generated classes take
        from intersystems_pyprod import _production_connector as connector

        def round_trip(value):
            message = cls(value, 1)
            message.update_iris_message_object()
            return connector.unpickle_binary(message.iris_message_object, cls)
        return round_trip

    def round_trip(value):
        message = cls(value, 1)
        message.update_iris_message_object()
        return cls(iris_message_object=message.iris_message_object)
    return round_trip


def repeats_for(size: int) -> int:
    return 300 if size <= 10_000 else (40 if size <= 2_000_000 else (7 if size <= 30_000_000 else 4))


def main() -> None:
    kinds, fmt, shape = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
    if {"ours", "ours-unsealed"} <= set(kinds):
        sys.exit("ours and ours-unsealed share the process's iris stand-in: run them in separate processes")
    if set(kinds) & set(STYLES) and set(kinds) & {"ours", "ours-unsealed"}:
        sys.exit("the declaration styles run in a harness of their own: run them apart from ours")
    sizes = [int(s) for s in sys.argv[4:]]
    trips = {kind: make_round_trip(kind, fmt, kinds) for kind in kinds}
    results: dict = {kind: {} for kind in kinds}
    for size in sizes:
        value = payload(shape, size)
        best = {kind: float("inf") for kind in kinds}
        times: dict = {kind: [] for kind in kinds}
        for kind in kinds:
            trips[kind](value)  # warm up
        repeats = repeats_for(size) if shape != "records" else max(repeats_for(size) // 2, 3)
        for _ in range(repeats):
            for kind in kinds:
                start = time.perf_counter()
                back = trips[kind](value)
                elapsed = time.perf_counter() - start
                best[kind] = min(best[kind], elapsed)
                times[kind].append(elapsed)
                value_back = back["text"] if isinstance(back, dict) else back.text
                assert value_back == value, f"{kind}: the round trip changed the payload"
                del back, value_back
        for kind in kinds:
            peak = None
            if shape != "records":
                tracemalloc.start()
                kept = trips[kind](value)
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                del kept
            results[kind][size] = {"seconds": best[kind], "peak": peak, "times": times[kind]}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
