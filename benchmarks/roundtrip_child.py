"""Child process of run.py: JSON message round trips Python -> IRIS message object -> Python.

    python roundtrip_child.py KIND[,KIND...] SIZE [SIZE ...]

KIND is ours, pyprod or baseline; several kinds run in the same process, their repeats
interleaved, so they share the machine's conditions. Prints one JSON object:
{kind: {size: {"seconds": best of the repeats, "times": every repeat, "peak": tracemalloc peak bytes}}}.
"ours" uses intersystems_pyprod's runtime with its IRIS stand-in; "pyprod" uses pyprod 0.2.0
with the stand-in in benchmarks/pyprod_standin; "baseline" is json.dumps + json.loads.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

MESSAGE_SOURCE = '''
from intersystems_pyprod import JsonSerialize
iris_package_name = "Bench"

class Payload(JsonSerialize):
    text: str
    count: int
'''


def payload_class():
    folder = Path(tempfile.mkdtemp())
    (folder / "bench_payload.py").write_text(MESSAGE_SOURCE)
    sys.path.insert(0, str(folder))
    import bench_payload

    return bench_payload.Payload


def make_round_trip(kind: str):
    if kind == "baseline":
        def round_trip(text: str):
            return json.loads(json.dumps({"text": text, "count": 1}))
        return round_trip
    cls = payload_class()
    if kind == "ours":
        from intersystems_pyprod.runtime import irisapi, messages
        from intersystems_pyprod.testing.standin import ClassInfo, IrisStandIn

        api = IrisStandIn(lambda *a: None)
        irisapi.install(api)
        api.define(ClassInfo(messages.register(cls), {}, {}, {"JsonBody": "%Stream.GlobalCharacter"}))

        def round_trip(text: str):
            return messages.from_iris(messages.to_iris(cls(text, 1)))
        return round_trip

    def round_trip(text: str):  # pyprod 0.2.0: the path its generated classes take
        message = cls(text, 1)
        message.update_iris_message_object()
        return cls(iris_message_object=message.iris_message_object)
    return round_trip


def repeats_for(size: int) -> int:
    return 300 if size <= 10_000 else (15 if size <= 2_000_000 else (7 if size <= 30_000_000 else 4))


def main() -> None:
    kinds, sizes = sys.argv[1].split(","), [int(s) for s in sys.argv[2:]]
    trips = {kind: make_round_trip(kind) for kind in kinds}
    results: dict = {kind: {} for kind in kinds}
    for size in sizes:
        text = "x" * size
        best = {kind: float("inf") for kind in kinds}
        times: dict = {kind: [] for kind in kinds}
        for kind in kinds:
            trips[kind](text)  # warm up
        for _ in range(repeats_for(size)):
            for kind in kinds:
                start = time.perf_counter()
                back = trips[kind](text)
                elapsed = time.perf_counter() - start
                best[kind] = min(best[kind], elapsed)
                times[kind].append(elapsed)
                text_back = back["text"] if isinstance(back, dict) else back.text
                assert text_back == text, f"{kind}: the round trip changed the payload"
                del back
        for kind in kinds:
            tracemalloc.start()
            kept = trips[kind](text)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            del kept
            results[kind][size] = {"seconds": best[kind], "peak": peak, "times": times[kind]}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
