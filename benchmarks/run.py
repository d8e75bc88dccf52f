#!/usr/bin/env python3
"""Benchmarks of intersystems_pyprod, side by side with pyprod 0.2.0, in one run.

    python benchmarks/run.py [--quick] [--json]

Measures, on the same generated inputs:
- generation: the whole offline command for 10 / 100 / 1,000 components (ours: ``--dry-run -o``
  with the grammar check; pyprod 0.2.0: ``-o``, installed from PyPI into its own venv under
  benchmarks/.work, with the stand-in ``iris`` module in benchmarks/pyprod_standin);
- import time of a user module with 1,000 components, in a fresh interpreter;
- JSON message round trip Python -> IRIS message object -> Python at 1 KB, 1 MB, 20 MB, 100 MB,
  against plain json.dumps + json.loads, with the tracemalloc peak relative to the payload;
- harness throughput through a service -> process -> operation chain;
- CLI cold start (``--help``) against a bare interpreter start.

Run it with the Python of a venv where intersystems-pyprod and intersystems-pyprod-cli are
installed (the README's test setup). Nothing here is asserted: the numbers are printed.
"""

from __future__ import annotations

import argparse
import json
import os
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


def generation(sizes: List[int], repeats: int, pyprod: Optional[Path], folder: Path) -> List[Row]:
    rows = []
    ours_cli = [sys.executable, "-m", "intersystems_pyprod_cli"]
    for size in sizes:
        script = component_script(folder, f"gen{size}", size)
        ours = timed([*ours_cli, "--dry-run", "-o", str(folder / f"ours{size}"), str(script)], repeats)
        theirs = None
        if pyprod is not None:
            tool = pyprod.parent / "intersystems_pyprod"
            theirs = timed([str(tool), "-o", str(folder / f"pyprod{size}"), str(script)], repeats, pyprod_env())
        rows.append({"metric": f"generation, {size} components (whole command)", "ours": ours, "pyprod": theirs,
                     "baseline": None, "unit": "s"})
    return rows


IMPORT = "import sys, time; sys.path.insert(0, {folder!r}); t = time.perf_counter(); import {module}; " \
         "print(time.perf_counter() - t)"


def import_time(count: int, repeats: int, pyprod: Optional[Path], folder: Path) -> Row:
    component_script(folder, "imp", count)
    code = IMPORT.format(folder=str(folder), module="imp")

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
    theirs = measure(str(pyprod), {**pyprod_env(), **{k: v for k, v in cached.items() if k != "PYTHONPATH"},
                                   "PYTHONPATH": str(STANDIN)}) if pyprod is not None else None
    return {"metric": f"import of a module with {count} components", "ours": ours, "pyprod": theirs,
            "baseline": None, "unit": "s"}


def round_trips(sizes: List[int], pyprod: Optional[Path]) -> List[Row]:
    child = str(HERE / "roundtrip_child.py")
    args = [str(s) for s in sizes]

    def run(python: str, kind: str, env: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
        done = subprocess.run([python, child, kind, *args], capture_output=True, text=True, env=env)
        if done.returncode != 0:
            print(f"{kind} round trip failed: {done.stderr.strip()[-400:]}", file=sys.stderr)
            return {}
        return json.loads(done.stdout)

    both = run(sys.executable, "ours,baseline")
    ours, base = both.get("ours", {}), both.get("baseline", {})
    theirs = run(str(pyprod), "pyprod", pyprod_env()).get("pyprod", {}) if pyprod is not None else {}
    rows = []
    for size in sizes:
        key = str(size)
        label = f"{size // 1024} KB" if size < 1024 * 1024 else f"{size // (1024 * 1024)} MB"
        rows.append({"metric": f"JSON round trip {label}", "ours": ours.get(key, {}).get("seconds"),
                     "pyprod": theirs.get(key, {}).get("seconds"), "baseline": base.get(key, {}).get("seconds"),
                     "unit": "s"})
        paired = [o / b for o, b in zip(ours.get(key, {}).get("times", []), base.get(key, {}).get("times", []))]
        rows.append({"metric": f"JSON round trip {label}: ours / baseline, median of paired runs",
                     "ours": statistics.median(paired) if paired else None, "pyprod": None, "baseline": 1.0,
                     "unit": "x"})
        rows.append({"metric": f"JSON round trip {label}: peak memory / payload",
                     "ours": _ratio(ours, key, size), "pyprod": _ratio(theirs, key, size),
                     "baseline": _ratio(base, key, size), "unit": "x"})
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
        return f"{value:,.0f} {unit}"

    lines = ["| metric | ours | pyprod 0.2.0 | baseline |", "|---|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['metric']} | {fmt(row['ours'], row['unit'])} | {fmt(row['pyprod'], row['unit'])} | "
                     f"{fmt(row['baseline'], row['unit'])} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--no-pyprod", action="store_true", help="skip pyprod 0.2.0 (no venv is created)")
    args = parser.parse_args()
    pyprod = None if args.no_pyprod else pyprod_python()
    repeats = 1 if args.quick else 3
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = generation([10, 100] if args.quick else [10, 100, 1000], repeats, pyprod, folder)
        rows.append(import_time(100 if args.quick else 1000, repeats, pyprod, folder / "imports"
                                if (folder / "imports").mkdir() is None else folder))
        mb = 1024 * 1024
        rows += round_trips([1024, mb, 20 * mb] if args.quick else [1024, mb, 20 * mb, 100 * mb], pyprod)
        rows += harness_throughput(300 if args.quick else 3000, folder)
        rows.append(cold_start(5 if args.quick else 15))
    print(json.dumps(rows, indent=2) if args.json else table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
