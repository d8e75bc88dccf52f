"""``IrisNamespace.restart_items`` against a fake engine that keeps the production definition (each
item's stored Enabled flag) apart from the running jobs: a reload restarts jobs and never edits the
definition, whichever call fails."""

from __future__ import annotations

import pytest

from intersystems_pyprod.loader.iris_namespace import IrisNamespace
from intersystems_pyprod.runtime import irisapi

from ..fake_ens import FakeEngine, FakeEnsApi

CHANGED = ["Demo.Op", "Demo.Svc", "Demo.Flow", "Demo.Pooled"]


def engine() -> FakeEngine:
    return FakeEngine({"Op": ("Demo.Op", 1), "Svc": ("Demo.Svc", 2), "Flow": ("Demo.Flow", 0),
                       "Pooled": ("Demo.Pooled", 1), "Other": ("Demo.Other", 1)},
                      processes={"Demo.Flow", "Demo.Pooled"})


def restart(fake: FakeEngine, names=CHANGED):
    previous = irisapi.install(FakeEnsApi(fake))
    try:
        return IrisNamespace(store=None).restart_items(names)
    finally:
        irisapi.install(previous)


@pytest.mark.parametrize("writes_flag", [False, True], ids=["tempstop-keeps-flag", "tempstop-writes-flag"])
def test_a_restart_runs_the_new_code_and_leaves_the_definition_alone(writes_flag):
    fake = engine()
    fake.tempstop_writes_flag = writes_flag
    fake.new_code()
    restarted, shared, problems = restart(fake)
    assert (restarted, shared, problems) == (["Op", "Pooled", "Svc"], ["Flow"], [])
    assert all(fake.runs_new_code(n) for n in restarted) and not fake.runs_new_code("Other")
    assert all(fake.stored_enabled(n) for n in fake.definition)
    if not writes_flag:  # only the jobs were touched: the definition was never written
        assert fake.definition_writes == 0
    assert not any(call[1:2] == ("Flow",) for call in fake.calls)  # an actor-pool item is never stopped


@pytest.mark.parametrize("writes_flag", [False, True], ids=["tempstop-keeps-flag", "tempstop-writes-flag"])
@pytest.mark.parametrize("after_effect", [False, True], ids=["fails-before", "fails-after-its-effect"])
@pytest.mark.parametrize("nth", [1, 2, 3, 4])
def test_whichever_call_fails_an_enabled_item_stays_enabled(nth, after_effect, writes_flag):
    fake = engine()
    fake.tempstop_writes_flag, fake.fail_after_effect, fake.fail_nth = writes_flag, after_effect, ("Op", nth)
    fake.new_code()
    restarted, _shared, problems = restart(fake)
    assert fake.stored_enabled("Op") == 1, problems  # never left disabled in the definition
    assert "Svc" in restarted and fake.runs_new_code("Svc")  # the others are restarted all the same
    if "Op" in restarted:
        assert fake.runs_new_code("Op")
    else:
        assert any("Op" in p for p in problems)
    if not fake.running.get("Op"):  # stopped: the warning says so and how to start it
        assert any("stay stopped" in p and 'TempStopConfigItem("Op",0,1)' in p for p in problems), problems


def test_an_enabled_flag_that_cannot_be_put_back_is_reported():
    fake = engine()
    fake.tempstop_writes_flag = True
    fake.fail = {("TempStopConfigItem", "Op", 0): 2, ("EnableConfigItem", "Op"): 1}
    _restarted, _shared, problems = restart(fake)
    assert fake.stored_enabled("Op") == 0
    assert any("Op is disabled in the definition of production Demo.Production" in p and "enable it in the portal"
               in p for p in problems), problems


def test_what_a_warning_says_depends_on_the_kind_of_item():
    fake = engine()
    fake.fail = {("TempStopConfigItem", "Op", 1): 1, ("TempStopConfigItem", "Pooled", 1): 1}
    fake.new_code()
    restarted, _shared, problems = restart(fake)
    assert restarted == ["Svc"]
    op = next(p for p in problems if p.startswith("stopping Op"))
    flow = next(p for p in problems if p.startswith("stopping Pooled"))
    assert "keep running the old code" in op and "next callback" not in op
    assert "run the new code from the next one on" in flow and "OnInit" in flow
    assert not fake.runs_new_code("Op") and fake.stored_enabled("Op") == 1


def update(fake: FakeEngine, productions=("Demo.Production",)):
    previous = irisapi.install(FakeEnsApi(fake))
    try:
        return IrisNamespace(store=None).update_production(list(productions))
    finally:
        irisapi.install(previous)


def test_a_changed_production_definition_is_applied_to_the_running_production():
    fake = engine()
    fake.needs_update = "Production class recompiled"
    assert update(fake) == (["Demo.Production"], [])  # a load that changed only the production class
    assert fake.running_definition == "new" and ("UpdateProduction", 10, 0) in fake.calls
    assert restart(fake, []) == ([], [], [])  # the restart of items leaves the definition to that

    fake = engine()
    fake.needs_update = "Production class recompiled"
    fake.fail = {("UpdateProduction",): 1}
    updated, problems = update(fake)
    assert updated == [] and fake.running_definition == "old"
    assert problems and "Demo.Production was not updated (Production class recompiled)" in problems[0]


def test_pending_changes_of_another_production_are_not_applied_by_a_load():
    fake = engine()
    fake.needs_update = "an operator's edit"
    assert update(fake, ["Other.Production"]) == ([], []) and fake.running_definition == "old"


def test_nothing_happens_when_no_production_runs():
    fake = engine()
    fake.state = 2
    fake.needs_update = "changed"
    assert restart(fake) == ([], [], [])
    assert fake.calls == [("GetProductionStatus", 10, 0)]


def test_an_unexpected_error_is_a_warning_that_says_what_runs(monkeypatch):
    fake = engine()

    def broken(*args):
        raise RuntimeError("<PROTECT>")

    monkeypatch.setattr(fake, "_GetProductionStatus", broken)
    restarted, shared, problems = restart(fake)
    assert (restarted, shared) == ([], []) and "<PROTECT>" in problems[0] and "old code" in problems[0]


def test_a_load_that_changes_only_the_production_class_asks_for_the_update():
    from intersystems_pyprod.loader.service import load_sources

    from ..fake_namespace import FakeNamespace

    script = ('from intersystems_pyprod import *\niris_package_name = "Flow"\n\n'
              'class Op(BusinessOperation):\n    def on_message(self, request):\n        return Status.OK()\n\n'
              'class Prod(Production):\n    operations = [OperationItem("Op", Op, pool_size={size})]\n')
    ns = FakeNamespace()
    assert load_sources(ns, ns.store(), {"flow.py": script.format(size=1)}, "flow.py").ok
    result = load_sources(ns, ns.store(), {"flow.py": script.format(size=2)}, "flow.py")
    assert result.ok, result.error
    assert [c["name"] for c in result.classes if c["action"] == "updated"] == ["Flow.Prod"]
    # the script's module changed, so its hosts restart; the same call updates the running production
    assert ns.restart_calls[-1] == ["Flow.Op"]


def test_a_plan_names_the_items_a_restart_would_stop_and_stops_none():
    fake = engine()
    fake.new_code()
    previous = irisapi.install(FakeEnsApi(fake))
    try:
        planned = IrisNamespace(store=None).restart_items(CHANGED, dry=True)
    finally:
        irisapi.install(previous)
    assert planned == (["Op", "Pooled", "Svc"], ["Flow"], [])
    assert not any(fake.runs_new_code(n) for n in ("Op", "Pooled", "Svc"))
    assert not any("TempStopConfigItem" in str(call[0]) for call in fake.calls) and fake.definition_writes == 0
    assert planned[:2] == restart(fake)[:2]  # the restart that follows stops exactly those
