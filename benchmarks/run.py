#!/usr/bin/env python3
"""Benchmarks of intersystems_pyprod, side by side with pyprod 0.2.0, in one run.

    python benchmarks/run.py [--quick] [--scale] [--marshal] [--json]

Measures, on the same generated inputs:
- generation: the whole offline command for 10 / 100 / 1,000 components and a production listing
  every host (ours: ``--dry-run -o`` with the grammar check; pyprod 0.2.0: ``-o``, installed from
  PyPI into its own venv under benchmarks/.work, with the stand-in ``iris`` module in
  benchmarks/pyprod_standin);
- import time of a user module with 1,000 components, in a fresh interpreter;
- ``--scale``: import and generation at 10 / 100 / 1,000 / 10,000 components, with growth factors;
- JSON and pickle message round trips Python -> IRIS message object -> Python at 1 KB, 1 MB and
  100 MB, for a text payload and a record-shaped one, against the raw floor (json.dumps +
  json.loads, pickle.dumps + pickle.loads), with the tracemalloc peak relative to the payload;
- sending and receiving a 1 KB and a 1 MB JSON message declared in each style (pyprod-style
  ``JsonSerialize``, dataclass, pydantic when it is importable): four scalar fields, written as
  properties for the dataclass and pydantic ones, and a record-shaped payload; beside the
  dataclass and pydantic rows, IoP 4.1.1's own serializer on the same messages when it is
  installed (``pip install -r benchmarks/requirements.txt``; without it the run says so);
- harness throughput through a service -> process -> operation chain;
- the per-call cost of the check a JSON message's entry call makes for a newly loaded version;
- CLI cold start (``--help``) against a bare interpreter start.

Run it with the Python of a venv where intersystems-pyprod and intersystems-pyprod-cli are
installed (the README's test setup). Nothing here is asserted: the numbers are printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
STANDIN = HERE / "pyprod_standin"
PYPROD = "intersystems-pyprod==0.2.0"

Row = Dict[str, Any]


def pyprod_python() -> Optional[Path]:
    """The Python of a venv with pyprod 0.2.0 (created once under benchmarks/.work)."""
    venv = WORK / "pyprod-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        WORK.mkdir(exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", PYPROD], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"pyprod 0.2.0 could not be installed: {done.stderr.strip()[-300:]}", file=sys.stderr)
            return None
    return python


def component_script(folder: Path, name: str, count: int, production: bool = False) -> Path:
    """A script with ``count`` components (a quarter each: messages, services, processes,
    operations), written with the API both libraries share; with ``production``, also a production
    that lists every host as an item."""
    lines = ["from intersystems_pyprod import (BusinessOperation, BusinessProcess, BusinessService,",
             "    IRISProperty, JsonSerialize, Status)", "", 'iris_package_name = "Bench"', ""]
    quarter = max(count // 4, 1)
    for i in range(quarter):
        lines += [
            f"class Msg{i}(JsonSerialize):", "    text: str", "    count: int", "",
            f"class Svc{i}(BusinessService):", '    target = IRISProperty(settings="Basic")',
            "    def OnProcessInput(self, input):",
            f"        return self.SendRequestSync(self.target, Msg{i}(input, 1))[0]", "",
            f"class Proc{i}(BusinessProcess):", '    target = IRISProperty(settings="Basic")',
            "    def OnRequest(self, request):", "        return self.SendRequestSync(self.target, request)", "",
            f"class Op{i}(BusinessOperation):", "    def OnMessage(self, request):",
            "        return Status.OK(), request", "",
        ]
    if production:  # items name their classes by IRIS class name, the form pyprod 0.2.0 takes
        lines += ["from intersystems_pyprod import Production, ServiceItem, ProcessItem, OperationItem", "",
                  "class BenchProduction(Production):"]
        for attr, item, prefix in (("services", "ServiceItem", "Svc"), ("processes", "ProcessItem", "Proc"),
                                   ("operations", "OperationItem", "Op")):
            lines.append(f"    {attr} = [")
            lines += [f'        {item}("{prefix}{i}", "Bench.{prefix}{i}"),' for i in range(quarter)]
            lines.append("    ]")
        lines.append("")
    path = folder / f"{name}.py"
    path.write_text("\n".join(lines))
    return path


def timed(command: List[str], repeats: int, env: Optional[Dict[str, str]] = None) -> float:
    """Median wall time of a command (which must succeed)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {(done.stderr or done.stdout)[-500:]}")
    return statistics.median(times)


def pyprod_env() -> Dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(STANDIN)}


def generation(sizes: List[int], repeats: int, pyprod: Optional[Path], folder: Path,
               pyprod_max: int = 1000) -> List[Row]:
    """The whole offline command on a script with a production listing every host."""
    rows = []
    ours_cli = [sys.executable, "-m", "intersystems_pyprod_cli"]
    for size in sizes:
        script = component_script(folder, f"gen{size}", size, production=True)
        ours = timed([*ours_cli, "--dry-run", "-o", str(folder / f"ours{size}"), str(script)], repeats)
        theirs = None
        if pyprod is not None and size <= pyprod_max:
            tool = pyprod.parent / "intersystems_pyprod"
            theirs = timed([str(tool), "-o", str(folder / f"pyprod{size}"), str(script)], repeats, pyprod_env())
        rows.append({"metric": f"generation, {size:,} components (whole command)", "ours": ours, "pyprod": theirs,
                     "baseline": None, "unit": "s", "size": size})
    return rows


IMPORT = "import sys, time; sys.path.insert(0, {folder!r}); t = time.perf_counter(); import {module}; " \
         "print(time.perf_counter() - t)"


def import_time(count: int, repeats: int, pyprod: Optional[Path], folder: Path) -> Row:
    """Import of a user module with ``count`` components in a fresh interpreter (bytecode cached)."""
    component_script(folder, f"imp{count}", count)
    code = IMPORT.format(folder=str(folder), module=f"imp{count}")

    def measure(python: str, env: Optional[Dict[str, str]]) -> float:
        subprocess.run([python, "-c", code], capture_output=True, env=env)  # writes the .pyc once
        values = []
        for _ in range(repeats):
            done = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, check=True)
            values.append(float(done.stdout.strip().splitlines()[-1]))
        return statistics.median(values)

    # with bytecode caching on, as in IRIS jobs: the first run writes the .pyc, the timed runs use it
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    ours = measure(sys.executable, cached)
    theirs = measure(str(pyprod), {**cached, "PYTHONPATH": str(STANDIN)}) if pyprod is not None else None
    return {"metric": f"import of a module with {count} components", "ours": ours, "pyprod": theirs,
            "baseline": None, "unit": "s"}


def growth(rows: List[Row], what: str) -> List[Row]:
    """t(10N) / t(N) between consecutive sizes of the same measure."""
    out = []
    for before, after in zip(rows, rows[1:]):
        factors = {k: (after[k] / before[k] if after.get(k) and before.get(k) else None) for k in ("ours", "pyprod")}
        out.append({"metric": f"{what}: growth {before['size']:,} -> {after['size']:,} components",
                    "ours": factors["ours"], "pyprod": factors["pyprod"], "baseline": None, "unit": "x"})
    return out


#: Sizes up to this are measured in this many rounds of the three processes, one after another
#: (ours, pyprod, ours unsealed, ours, ...), so that a slower spell of the machine does not
#: fall on one of them only; larger sizes, in one round.
ALTERNATED_UP_TO = 2_000_000
ROUNDS = 3


def round_trips(sizes: List[int], pyprod: Optional[Path], fmt: str, shape: str) -> List[Row]:
    """Round trips of one body format and payload shape: best times, paired ratios and peak memory."""
    child = str(HERE / "roundtrip_child.py")

    def run(python: str, kind: str, group: List[int], env: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
        command = [python, child, kind, fmt, shape, *[str(s) for s in group]]
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            print(f"{kind} {fmt} round trip failed: {done.stderr.strip()[-400:]}", file=sys.stderr)
            return {}
        return json.loads(done.stdout)

    def best(into: Dict[str, Any], found: Dict[str, Any]) -> None:
        for kind, by_size in found.items():
            for size, result in by_size.items():
                kept = into.setdefault(kind, {}).get(size)
                if kept is None or result["seconds"] < kept["seconds"]:
                    into[kind][size] = {**result, "peak": result["peak"] if kept is None else kept["peak"]}

    results: Dict[str, Any] = {}
    small = [s for s in sizes if s <= ALTERNATED_UP_TO]
    large = [s for s in sizes if s > ALTERNATED_UP_TO]
    for group, rounds in ((small, ROUNDS), (large, 1)):
        for _ in range(rounds if group else 0):
            best(results, run(sys.executable, "ours,baseline", group))
            if pyprod is not None:  # pyprod interleaved with the same floor as ours, so both allocate alike
                best(results, {"pyprod": run(str(pyprod), "pyprod,baseline", group, pyprod_env()).get("pyprod", {})})
            if fmt == "pickle":  # a body from elsewhere (no seal of this namespace): the closed unpickler reads it
                best(results, {"ours-unsealed": run(sys.executable, "ours-unsealed,baseline", group)
                               .get("ours-unsealed", {})})
    ours, base = results.get("ours", {}), results.get("baseline", {})
    theirs, closed = results.get("pyprod", {}), results.get("ours-unsealed", {})
    rows = []
    name = f"{'JSON' if fmt == 'json' else 'pickle'} round trip, {shape}"
    for size in sizes:
        key = str(size)
        label = f"{size // 1024} KB" if size < 1024 * 1024 else f"{size // (1024 * 1024)} MB"
        mine, other, floor = (r.get(key, {}).get("seconds") for r in (ours, theirs, base))
        row: Row = {"metric": f"{name} {label}", "ours": mine, "pyprod": other, "baseline": floor, "unit": "s",
                    "ours/pyprod": mine / other if mine and other else None,
                    "ours/floor": mine / floor if mine and floor else None}
        if closed:
            row["unsealed"] = closed.get(key, {}).get("seconds")
        rows.append(row)
        if shape != "records":
            rows.append({"metric": f"{name} {label}: peak memory / payload", "ours": _ratio(ours, key, size),
                         "pyprod": _ratio(theirs, key, size), "baseline": _ratio(base, key, size), "unit": "x"})
    return rows


#: The declaration styles, as the child names them, and as the table shows them.
STYLE_NAMES = {"plain": "plain JsonSerialize", "dataclass": "dataclass", "pydantic": "pydantic"}


#: IoP 4.1.1's serializer on the same dataclass and pydantic messages, by the style it stands beside.
IOP_KINDS = {"dataclass": "iop-dataclass", "pydantic": "iop-pydantic"}


def iop_python() -> Optional[Path]:
    """The Python of a venv with IoP 4.1.1 (created once under benchmarks/.work from
    requirements.txt). IoP's own ``iris`` package replaces the Native SDK's ``iris`` module in
    the environment it is installed in, so it never goes into the venv of the command line."""
    venv = WORK / "iop-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        WORK.mkdir(exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(HERE / "requirements.txt")],
                              capture_output=True, text=True)
        if done.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)  # tried again at the next run
            print(f"IoP 4.1.1 could not be installed: {done.stderr.strip()[-300:]}", file=sys.stderr)
            return None
    return python


def iop_available(styles: List[str]) -> Optional[Path]:
    """The Python that measures IoP's serializer beside our styles, or None (saying why)."""
    if "pydantic" not in styles:
        print("IoP needs pydantic, which is not importable here: no IoP column", file=sys.stderr)
        return None
    python = iop_python()
    if python is None:
        print("IoP is not installed: no IoP column (benchmarks/.work/iop-venv, from requirements.txt)",
              file=sys.stderr)
    return python


def _child(python: Path, kinds: List[str], sizes: List[int]) -> Optional[Dict[str, Any]]:
    """One run of roundtrip_child.py under ``python`` (the library from this checkout)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent / "src" / "python"),
                                                         os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([str(python), str(HERE / "roundtrip_child.py"), ",".join(kinds), "json", "records",
                           *[str(s) for s in sizes]], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        print(f"message styles failed: {done.stderr.strip()[-400:]}", file=sys.stderr)
        return None
    return dict(json.loads(done.stdout))


def message_styles(sizes: List[int]) -> List[Row]:
    """Send + receive of one message per declaration style, side by side in one process per round
    (best of ROUNDS rounds), against json.dumps + json.loads of the same values, and, when IoP
    4.1.1 is installed, its own serializer on the same dataclass and pydantic messages."""
    styles = [s for s in STYLE_NAMES if s != "pydantic" or importlib.util.find_spec("pydantic") is not None]
    if "pydantic" not in styles:
        print("pydantic is not importable: no pydantic rows", file=sys.stderr)
    iop_at = iop_available(styles)
    iop = [IOP_KINDS[s] for s in styles if s in IOP_KINDS] if iop_at else []
    best: Dict[str, Dict[str, float]] = {}
    for _ in range(ROUNDS):  # ours and IoP's in turn, each round
        found = _child(Path(sys.executable), [*styles, "baseline"], sizes)
        if found is None:
            return []
        if iop_at is not None:
            found.update(_child(iop_at, iop, sizes) or {})
        for kind, by_size in found.items():
            for size, result in by_size.items():
                kept = best.setdefault(kind, {}).get(size)
                best[kind][size] = result["seconds"] if kept is None else min(kept, result["seconds"])
    rows = []
    for size in sizes:
        key = str(size)
        label = f"{size // 1024} KB" if size < 1024 * 1024 else f"{size // (1024 * 1024)} MB"
        floor = best.get("baseline", {}).get(key)
        for style in styles:
            mine = best.get(style, {}).get(key)
            row: Row = {"metric": f"send + receive {label}, {STYLE_NAMES[style]}", "ours": mine, "pyprod": None,
                        "ours/pyprod": None, "baseline": floor, "unit": "s",
                        "ours/floor": mine / floor if mine and floor else None}
            if iop:
                theirs = best.get(IOP_KINDS.get(style, ""), {}).get(key)
                row["iop"] = theirs
                row["ours/iop"] = mine / theirs if mine and theirs else None
            rows.append(row)
    return rows


def _ratio(results: Dict[str, Any], key: str, size: int) -> Optional[float]:
    peak = results.get(key, {}).get("peak")
    return None if peak is None else peak / size


CHAIN = '''
from intersystems_pyprod import *

class Req(JsonSerialize):
    text: str = ""

class Svc(BusinessService):
    def on_process_input(self, input):
        return self.send_request_sync("Proc", Req(input))[0]

class Proc(BusinessProcess):
    def on_request(self, request):
        return self.send_request_sync("Op", request)

class Op(BusinessOperation):
    def on_message(self, request):
        return Status.OK(), Req(request.text.upper())

class Chain(Production):
    services = [ServiceItem("Svc", Svc)]
    processes = [ProcessItem("Proc", Proc)]
    operations = [OperationItem("Op", Op)]
'''


def harness_throughput(requests: int, folder: Path) -> List[Row]:
    from intersystems_pyprod.testing import Harness

    script = folder / "chain.py"
    script.write_text(CHAIN)
    with Harness(str(script)) as harness:
        harness.send("Svc", "warm up")
        harness.trace.clear()
        start = time.perf_counter()
        for i in range(requests):
            harness.send("Svc", f"request {i}")
        elapsed = time.perf_counter() - start
        messages = len(harness.trace)
        assert not harness.errors()
    return [{"metric": "harness: messages through service -> process -> operation", "ours": messages / elapsed,
             "pyprod": None, "baseline": None, "unit": "msgs/s"},
            {"metric": "harness: end-to-end requests (4 messages each)", "ours": requests / elapsed,
             "pyprod": None, "baseline": None, "unit": "req/s"}]


def version_check(calls: int, folder: Path) -> List[Row]:
    """What a JSON message's entry call (GetValueAt, SetValueAt, GetNextIndex, the save hook) adds
    to find a newly loaded script version: the namespace question and one global read of the
    generation counter, on the stand-in's globals (in IRIS each is a crossing into ObjectScript)."""
    from intersystems_pyprod.loader import paths
    from intersystems_pyprod.runtime import jobversion
    from intersystems_pyprod.runtime import paths as message_paths
    from intersystems_pyprod.testing import Harness

    def per_call(func: Any) -> float:
        func()
        start = time.perf_counter()
        for _ in range(calls):
            func()
        return (time.perf_counter() - start) / calls * 1e6

    script = folder / "chain.py"
    script.write_text(CHAIN)
    with Harness(str(script)) as harness:
        obj = harness.iris_message(harness.module.Req("text"))
        plain = per_call(lambda: message_paths.get_value_at(obj, "text"))
        paths.ensure_sources()  # the finder of an IRIS job, on the stand-in's globals
        try:
            paths.refresh()
            check = per_call(jobversion.check)
            jobversion.building()
            held = per_call(jobversion.check)
            jobversion.saved()
            checked = per_call(lambda: message_paths.get_value_at(obj, "text"))
        finally:
            paths.uninstall()
    return [{"metric": "entry call: check for a new script version (namespace + one global read)", "ours": check,
             "pyprod": None, "baseline": None, "unit": "us"},
            {"metric": "entry call: the check while a message is built (namespace only)", "ours": held,
             "pyprod": None, "baseline": None, "unit": "us"},
            {"metric": "GetValueAt of a field: with the check (baseline: without)", "ours": checked,
             "pyprod": None, "baseline": plain, "unit": "us"}]


def cold_start(repeats: int) -> Row:
    ours = timed([sys.executable, "-m", "intersystems_pyprod_cli", "--help"], repeats)
    bare = timed([sys.executable, "-c", "pass"], repeats)
    return {"metric": "CLI --help (cold start)", "ours": ours, "pyprod": None, "baseline": bare, "unit": "s"}


def table(rows: List[Row]) -> str:
    def fmt(value: Any, unit: str) -> str:
        if value is None:
            return "-"
        if unit == "s":
            return f"{value * 1000:.3f} ms" if value < 1 else f"{value:.2f} s"
        if unit == "x":
            return f"{value:.2f}x"
        if unit == "us":
            return f"{value:.2f} µs"
        return f"{value:,.0f} {unit}"

    lines = ["| metric | ours | pyprod 0.2.0 | baseline |", "|---|---:|---:|---:|"]
    ratios = any("ours/pyprod" in row for row in rows)
    unsealed = any("unsealed" in row for row in rows)
    iop = any("iop" in row for row in rows)
    if ratios:
        lines = ["| metric | ours | pyprod 0.2.0 | floor | ours/pyprod | ours/floor |"
                 + (" ours, unsealed |" if unsealed else "") + (" IoP 4.1.1 | ours/IoP |" if iop else ""),
                 "|---|---:|---:|---:|---:|---:|" + ("---:|" if unsealed else "") + ("---:|---:|" if iop else "")]
    for row in rows:
        line = f"| {row['metric']} | {fmt(row['ours'], row['unit'])} | {fmt(row['pyprod'], row['unit'])} | " \
               f"{fmt(row['baseline'], row['unit'])} |"
        if ratios:
            line += f" {fmt(row.get('ours/pyprod'), 'x')} | {fmt(row.get('ours/floor'), 'x')} |"
        if unsealed:
            line += f" {fmt(row.get('unsealed'), row['unit'])} |"
        if iop:
            line += f" {fmt(row.get('iop'), row['unit'])} | {fmt(row.get('ours/iop'), 'x')} |"
        lines.append(line)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats")
    parser.add_argument("--scale", action="store_true",
                        help="import and generation at 10 / 100 / 1,000 / 10,000 components, with growth factors")
    parser.add_argument("--marshal", action="store_true", help="only the message round-trip tables")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--no-pyprod", action="store_true", help="skip pyprod 0.2.0 (no venv is created)")
    parser.add_argument("--pyprod-max", type=int, default=1000,
                        help="largest component count pyprod runs in --scale (it is quadratic; default 1,000)")
    args = parser.parse_args()
    pyprod = None if args.no_pyprod else pyprod_python()
    repeats = 1 if args.quick else 3
    tables: List[List[Row]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.scale:
            sizes = [10, 100, 1000, 10000]
            imports = []
            for size in sizes:
                row = import_time(size, repeats, pyprod if size <= args.pyprod_max else None, folder)
                imports.append({**row, "size": size})
            gen = generation(sizes, repeats, pyprod, folder, args.pyprod_max)
            tables.append(imports + growth(imports, "import") + gen + growth(gen, "generation"))
        elif not args.marshal:
            rows = generation([10, 100] if args.quick else [10, 100, 1000], repeats, pyprod, folder)
            rows.append(import_time(100 if args.quick else 1000, repeats, pyprod, folder))
            rows += harness_throughput(300 if args.quick else 3000, folder)
            rows += version_check(2000 if args.quick else 20000, folder)
            rows.append(cold_start(5 if args.quick else 15))
            tables.append(rows)
        if not args.scale:
            mb = 1024 * 1024
            sizes = [1024, mb] if args.quick else [1024, mb, 100 * mb]
            for fmt, shape in (("json", "text"), ("json", "records"), ("pickle", "text"), ("pickle", "bytes"),
                               ("pickle", "records")):
                tables.append(round_trips(sizes, pyprod, fmt, shape))
            tables.append(message_styles([1024, mb]))
    if args.json:
        print(json.dumps([row for rows in tables for row in rows], indent=2))
    else:
        print("\n\n".join(table(rows) for rows in tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
