"""A business process's job-level OnInit/OnTearDown and its timers, in the harness as in IRIS."""

from __future__ import annotations

from intersystems_pyprod.testing import NO_REPLY, Harness

from .helpers import write_script

JOBS = """
from intersystems_pyprod import *

calls = []

class Ask(JsonSerialize):
    text: str = ""

class Answer(JsonSerialize):
    text: str = ""

class Counter(BusinessProcess):
    seen = IRISProperty(0, int)

    def on_init(self):
        calls.append("init")
        self.cache = {"hits": 0}
        self.label = "from init"

    def on_request(self, request):
        self.cache["hits"] += 1
        self.seen = self.seen + 1
        self.label = "rebound in a callback"
        return Status.OK(), Answer(f"ok {self.cache['hits']} {self.seen}")

    def on_complete(self, request, response):
        return Status.OK(), Answer(f"{response.text} {self.label}")

    def on_tear_down(self):
        calls.append(f"tear down after {self.cache['hits']}")
"""


def test_process_on_init_runs_once_per_job_and_its_attributes_reach_every_callback(tmp_path):
    harness = Harness(str(write_script(tmp_path, "jobs.py", JOBS))).start()
    answers = [harness.request("Counter", harness.module.Ask(str(n)))[1].text for n in range(3)]
    # one OnInit for the job; the shared cache counts across requests; IRISProperty values
    # belong to each new process object; a callback's rebinding does not outlive it
    assert answers == ["ok 1 1 from init", "ok 2 1 from init", "ok 3 1 from init"]
    assert harness.module.calls == ["init"]
    harness.stop()
    assert harness.module.calls == ["init", "tear down after 3"]
    assert not harness.errors()


def test_a_new_harness_is_a_new_job(tmp_path):
    script = str(write_script(tmp_path, "jobs.py", JOBS))
    for _ in range(2):
        harness = Harness(script).start()
        harness.request("Counter", harness.module.Ask("x"))
        harness.stop()
        assert harness.module.calls == ["init", "tear down after 1"]


TIMERS = """
from intersystems_pyprod import *

class Job(JsonSerialize):
    name: str = ""

class OnlyTimeout(BusinessProcess):
    def on_request(self, request):
        self.set_timer("PT1S", "deadline")
        return self.send_request_async("Silent", request, completion_key="work")

    def on_timeout(self, request, response, call_request, completion_key):
        IRISLog.Info(f"OnTimeout {completion_key} {call_request!r}")

class OnlyResponse(BusinessProcess):
    def on_request(self, request):
        self.set_timer("PT1S", "deadline")
        return self.send_request_async("Silent", request, completion_key="work")

    def on_response(self, request, response, call_request, call_response, completion_key):
        IRISLog.Info(f"OnResponse {completion_key} {call_request!r} {call_response!r}")

class Silent(BusinessOperation):
    def on_message(self, request):
        return Status.OK()
"""


def test_a_timer_that_runs_out_reaches_whichever_callback_the_process_defines(tmp_path, pyprod_harness):
    harness = pyprod_harness(str(write_script(tmp_path, "timers.py", TIMERS)), stubs={"Silent": lambda r: NO_REPLY})
    assert harness.request("OnlyTimeout", harness.module.Job("a"))[0] == 1
    assert harness.request("OnlyResponse", harness.module.Job("b"))[0] == 1
    assert harness.texts() == ["OnTimeout deadline None", "OnResponse deadline None None"]
    assert not harness.errors()
