"""The benchmark inputs and the round-trip child work (no timing is asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
    for fmt in ("json", "pickle"):
        done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "roundtrip_child.py"), "ours,baseline", fmt,
                               "text", "1024"], capture_output=True, text=True, check=True)
        result = json.loads(done.stdout)
        assert result["ours"]["1024"]["seconds"] > 0 and result["ours"]["1024"]["peak"] > 1024
        assert result["baseline"]["1024"]["peak"] > 1024


def test_round_trip_child_carries_record_payloads():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "roundtrip_child.py"), "ours", "pickle",
                           "records", "4000"], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)["ours"]["4000"]
    assert result["seconds"] > 0 and result["peak"] is None


def test_production_script_builds_with_items_named_by_iris_class(tmp_path):
    script = bench.component_script(tmp_path, "bench8", 8, production=True)
    result = build(str(script), validate=True)
    [prod] = [c for c in result.model.classes if c.kind == "Production"]
    assert [i.class_name for i in prod.production.items] == ["Bench.Svc0", "Bench.Svc1", "Bench.Proc0",
                                                             "Bench.Proc1", "Bench.Op0", "Bench.Op1"]


def test_growth_factors_divide_consecutive_sizes():
    rows = [{"size": 10, "ours": 1.0, "pyprod": 2.0}, {"size": 100, "ours": 5.0, "pyprod": None}]
    [row] = bench.growth(rows, "import")
    assert row["ours"] == 5.0 and row["pyprod"] is None and "10 -> 100" in row["metric"]


def test_table_formats_every_unit():
    rows = [{"metric": "m", "ours": 0.5, "pyprod": 2.0, "baseline": None, "unit": "s"},
            {"metric": "r", "ours": 2.5, "pyprod": None, "baseline": 1.0, "unit": "x"},
            {"metric": "t", "ours": 6000.0, "pyprod": None, "baseline": None, "unit": "msgs/s"}]
    assert bench.table(rows).splitlines()[2:] == ["| m | 500.000 ms | 2.00 s | - |", "| r | 2.50x | - | 1.00x |",
                                                  "| t | 6,000 msgs/s | - | - |"]


def test_pyprod_standin_is_only_for_benchmarks():
    assert (REPO / "benchmarks" / "pyprod_standin" / "iris" / "__init__.py").is_file()
    assert not Path(REPO / "src" / "python" / "iris").exists()


def test_round_trip_child_runs_unsealed_pickles_through_the_closed_unpickler():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "roundtrip_child.py"), "ours-unsealed", "pickle",
                           "records", "4000"], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)["ours-unsealed"]["4000"]["seconds"] > 0


def test_table_adds_the_unsealed_column_when_rows_have_it():
    rows = [{"metric": "p", "ours": 0.001, "pyprod": 0.002, "baseline": 0.001, "unit": "s", "ours/pyprod": 0.5,
             "ours/floor": 1.0, "unsealed": 0.004}]
    header, _, line = bench.table(rows).splitlines()
    assert header.endswith("| ours, unsealed |") and line.endswith("| 4.000 ms |")


def test_small_round_trips_alternate_processes_and_keep_the_best_of_each(monkeypatch):
    calls = []
    real = subprocess.run

    def recording(command, **kwargs):
        calls.append(command[2])
        done = real(command, **kwargs)
        # the last round is the fastest: its figures must be the ones kept
        result = json.loads(done.stdout)
        for by_size in result.values():
            for figures in by_size.values():
                figures["seconds"] = 1.0 / len(calls)
        done.stdout = json.dumps(result)
        return done

    monkeypatch.setattr(bench.subprocess, "run", recording)
    [row] = [r for r in bench.round_trips([1024], None, "pickle", "records") if r["unit"] == "s"]
    assert calls == ["ours,baseline", "ours-unsealed,baseline"] * bench.ROUNDS
    assert row["ours"] == 1.0 / (2 * bench.ROUNDS - 1) and row["unsealed"] == 1.0 / (2 * bench.ROUNDS)
    assert row["baseline"] == row["ours"]


def test_message_styles_are_measured_side_by_side(monkeypatch):
    """One row per declaration style and size, each with its time and the json floor; pydantic's
    only when it is importable. (IoP's column needs a venv of its own, which a test does not build.)"""
    monkeypatch.setattr(bench, "ROUNDS", 1)
    monkeypatch.setattr(bench, "iop_python", lambda: None)
    rows = bench.message_styles([1024])
    styles = ["plain JsonSerialize", "dataclass"]
    try:
        import pydantic  # noqa: F401
        styles.append("pydantic")
    except ImportError:
        pass
    assert [r["metric"] for r in rows] == [f"send + receive 1 KB, {s}" for s in styles]
    assert all(r["ours"] > 0 and r["baseline"] > 0 and r["ours/floor"] > 0 for r in rows)
    assert "| ours/pyprod | ours/floor |" in bench.table(rows).splitlines()[0]


def test_round_trip_child_keeps_the_styles_apart_from_ours():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "roundtrip_child.py"), "ours,dataclass", "json",
                           "records", "1024"], capture_output=True, text=True)
    assert done.returncode != 0 and "apart from ours" in done.stderr


def test_table_adds_the_iop_columns_when_rows_have_them():
    rows = [{"metric": "d", "ours": 0.002, "pyprod": None, "baseline": 0.001, "unit": "s", "ours/pyprod": None,
             "ours/floor": 2.0, "iop": 0.004, "ours/iop": 0.5}]
    header, _, line = bench.table(rows).splitlines()
    assert header.endswith("| IoP 4.1.1 | ours/IoP |") and line.endswith("| 4.000 ms | 0.50x |")


def test_without_iop_the_message_styles_say_why_and_leave_it_out(monkeypatch, capsys):
    monkeypatch.setattr(bench, "iop_python", lambda: None)
    assert bench.iop_available(["plain", "dataclass", "pydantic"]) is None
    assert "IoP is not installed" in capsys.readouterr().err
    assert "iris-pex-embedded-python==4.1.1" in (REPO / "benchmarks" / "requirements.txt").read_text()


def test_iop_gets_a_venv_of_its_own_never_this_one(monkeypatch, tmp_path):
    """IoP's ``iris`` package replaces the Native SDK's: it is installed apart from the CLI's venv."""
    calls = []

    def run(command, **kwargs):
        calls.append([str(c) for c in command])
        if command[1:3] == ["-m", "venv"]:
            (Path(command[3]) / "bin").mkdir(parents=True)
            (Path(command[3]) / "bin" / "python").write_text("")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(bench, "WORK", tmp_path)
    monkeypatch.setattr(bench.subprocess, "run", run)
    python = bench.iop_python()
    assert python == tmp_path / "iop-venv" / "bin" / "python"
    install = calls[1]
    assert install[0] == str(python) and install[-2:] == ["-r", str(REPO / "benchmarks" / "requirements.txt")]
    assert not any(c[0] == sys.executable and "install" in c for c in calls)


def test_round_trip_child_runs_iop_serializer_beside_ours():
    python = bench.WORK / "iop-venv" / "bin" / "python"
    if not python.exists():
        pytest.skip("IoP's venv is not set up (benchmarks/run.py creates benchmarks/.work/iop-venv)")
    result = bench._child(python, ["iop-dataclass", "iop-pydantic"], [1024])
    assert result is not None
    assert all(result[kind]["1024"]["seconds"] > 0 for kind in ("iop-dataclass", "iop-pydantic"))


def test_version_check_rows_measure_the_check_and_leave_no_finder(tmp_path):
    from intersystems_pyprod.loader import paths
    from intersystems_pyprod.runtime import jobversion

    rows = bench.version_check(20, tmp_path)
    assert [row["unit"] for row in rows] == ["us"] * 3 and all(row["ours"] > 0 for row in rows)
    assert rows[2]["baseline"] > 0
    assert paths._finder is None and jobversion._held_since is None
    assert "µs" in bench.table(rows)
