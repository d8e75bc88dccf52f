"""The benchmark inputs and the round-trip child work (no timing is asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from intersystems_pyprod.loader.build import build

from .helpers import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import run as bench


def test_generated_benchmark_script_builds(tmp_path):
    script = bench.component_script(tmp_path, "bench20", 20)
    result = build(str(script), validate=True)
    kinds = sorted({c.kind for c in result.classes})
    assert len(result.classes) == 20
    assert kinds == ["BusinessOperation", "BusinessProcess", "BusinessService", "JsonMessage"]


def test_round_trip_child_reports_time_and_memory():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "roundtrip_child.py"), "ours", "1024"],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)["ours"]["1024"]
    assert result["seconds"] > 0 and result["peak"] > 1024


def test_table_formats_every_unit():
    rows = [{"metric": "m", "ours": 0.5, "pyprod": 2.0, "baseline": None, "unit": "s"},
            {"metric": "r", "ours": 2.5, "pyprod": None, "baseline": 1.0, "unit": "x"},
            {"metric": "t", "ours": 6000.0, "pyprod": None, "baseline": None, "unit": "msgs/s"}]
    assert bench.table(rows).splitlines()[2:] == ["| m | 500.000 ms | 2.00 s | - |", "| r | 2.50x | - | 1.00x |",
                                                  "| t | 6,000 msgs/s | - | - |"]


def test_pyprod_standin_is_only_for_benchmarks():
    assert (REPO / "benchmarks" / "pyprod_standin" / "iris" / "__init__.py").is_file()
    assert not Path(REPO / "src" / "python" / "iris").exists()
