"""A Python message keeps the identity of its IRIS body (IRIS_REFERENCE.md bug magnet 29).

The harness models IRIS here: bodies get an ID when saved (with a header, or with the process
that holds them as its response), headers point at bodies, and a body no header points at is what
a purge would never remove (``Harness.orphans``)."""

from __future__ import annotations

import json
import shutil

import pytest

from intersystems_pyprod.runtime import identity

from .helpers import REPO, cli, write_script

SCRIPTS = REPO / "tests" / "e2e" / "scripts"


@pytest.fixture
def identity_script(tmp_path):
    for name in ("identity.py", "inbox.py"):
        shutil.copy(SCRIPTS / name, tmp_path)
    return str(tmp_path / "identity.py")


def _hops(harness, first):
    """The trace entries from the first one sent by ``first`` on."""
    start = next(i for i, t in enumerate(harness.trace) if t.source == "Entry" and t.target == first)
    return harness.trace[start:]


def test_a_response_changed_in_place_in_on_response_reaches_the_caller(identity_script, pyprod_harness):
    harness = pyprod_harness(identity_script)
    assert harness.send("Entry", json.dumps({"to": "Summer"})) == 1
    assert "identity Summer 20" in harness.texts()
    hops = _hops(harness, "Summer")
    answer = hops[-1]
    assert (answer.source, answer.target, json.loads(answer.body)) == ("Summer", "Entry", {"total": 20, "replies": 2})
    assert harness.orphans() == []


def test_a_pickle_response_changed_in_place_in_on_response_and_on_complete(identity_script, pyprod_harness):
    harness = pyprod_harness(identity_script)
    assert harness.send("Entry", json.dumps({"to": "PickleSummer"})) == 1
    assert "identity PickleSummer [10, 10, 20]" in harness.texts()
    assert harness.orphans() == []


def test_a_request_forwarded_unchanged_is_one_body_with_a_header_per_hop(identity_script, pyprod_harness):
    harness = pyprod_harness(identity_script)
    harness.send("Entry", json.dumps({"to": "Summer"}))
    asks = [t for t in _hops(harness, "Summer") if t.message_class == "IdentityE2E.Ask"]
    assert len(asks) == 3 and len({t.header_id for t in asks}) == 3
    assert {t.body_id for t in asks} == {asks[0].body_id} and asks[0].body_id != ""
    harness.send("Entry", json.dumps({"to": "Forwarder"}))
    hops = _hops(harness, "Forwarder")
    assert [(t.source, t.target) for t in hops] == [("Entry", "Forwarder"), ("Forwarder", "Ten"),
                                                    ("Ten", "Forwarder"), ("Forwarder", "Entry")]
    assert hops[0].body_id == hops[1].body_id  # the request, sent on unchanged
    assert hops[2].body_id == hops[3].body_id  # the response, returned unchanged
    assert hops[0].body_id != hops[2].body_id


def test_replacing_the_response_in_each_on_response_leaves_no_body_without_a_header(identity_script,
                                                                                    pyprod_harness):
    harness = pyprod_harness(identity_script)
    harness.send("Entry", json.dumps({"to": "Replacer"}))
    assert "identity Replacer 20" in harness.texts()
    assert harness.orphans() == []
    assert not [e for e in harness.log if e.level in ("Warning", "Error")]


CHANGED = '''
    from intersystems_pyprod import (BusinessOperation, BusinessProcess, Column, IRISLog, JsonSerialize,
                                     PickleSerialize, Status)

    iris_package_name = "Changed"

    class Note(JsonSerialize):
        text: str = ""
        size: int = Column(0)

    class Bag(PickleSerialize):
        items: list = []

    class Stamp(BusinessProcess):
        def on_request(self, request):
            if isinstance(request, Bag):
                request.items.append("stamped")
            else:
                request.text += " (stamped)"
                request.size = len(request.text)
            return self.send_request_sync("Sink", request)

    class Sink(BusinessOperation):
        kept = []

        def on_message(self, request):
            Sink.kept.append(request)
            IRISLog.Info(f"sink got {request!r}")
            return Status.OK(), request
'''


def test_a_received_message_changed_and_sent_on_gets_a_new_body(tmp_path, pyprod_harness):
    script = write_script(tmp_path, "changed.py", CHANGED)
    harness = pyprod_harness(str(script))
    for message, shown in ((harness.module.Note("hi"), "text='hi (stamped)', size=12"),
                           (harness.module.Bag(["a"]), "items=['a', 'stamped']")):
        start = len(harness.trace)
        status, _ = harness.request("Stamp", message)
        assert status == 1 and f"sink got {type(message).__name__}({shown})" in harness.texts()
        first, forwarded, back, _back = harness.trace[start:]
        # the earlier header's body is left as it was sent; the changed message is a new body
        assert forwarded.body_id != first.body_id and "stamped" not in first.body and "stamped" in forwarded.body
        assert back.body_id == forwarded.body_id  # the operation answered with its request unchanged
    stored = harness._standin.store.bodies
    note = next(t for t in harness.trace if t.source == "Stamp" and t.message_class == "Changed.Note")
    assert stored[note.body_id].size == 12  # the Column property follows the changed field
    assert harness.orphans() == []


KEPT = '''
    from intersystems_pyprod import BusinessOperation, BusinessService, JsonSerialize, Status

    iris_package_name = "Kept"

    class Ping(JsonSerialize):
        n: int = 0

    class Keeper(BusinessService):
        last = None

        def on_process_input(self, text):
            if Keeper.last is None:
                status, Keeper.last = self.send_request_sync("Echo", Ping(1))
            else:  # a message kept from an earlier callback: its body is read afresh, never assumed
                status, _ = self.send_request_sync("Echo", Keeper.last)
            return status

    class Echo(BusinessOperation):
        def on_message(self, request):
            return Status.OK(), request
'''


def test_a_message_kept_across_callbacks_is_sent_as_a_new_body(tmp_path, pyprod_harness):
    harness = pyprod_harness(str(write_script(tmp_path, "kept.py", KEPT)))
    harness.send("Keeper", "one")
    harness.send("Keeper", "two")
    first, answer, again, _ = harness.trace
    assert first.body_id == answer.body_id  # the request, answered unchanged within the callback
    assert again.body_id != answer.body_id and json.loads(again.body) == {"n": 1}
    assert identity._scopes == []


def test_identity_lasts_as_long_as_the_callback_that_read_the_message():
    message, other = object(), object()
    assert not identity.recording()
    identity.remember(message, "obj", (1, 2))  # outside a callback: nothing to remember
    assert identity.origin(message) is None
    with identity.callback():
        identity.remember(message, "obj", (1, 2))
        with identity.callback():
            assert identity.origin(message).obj == "obj" and identity.origin(other) is None
            assert identity.by_reference(message).by_reference
        assert identity.origin(message).by_reference
    assert identity.origin(message) is None and not identity.recording()


def test_run_local_trace_shows_header_and_body_ids(identity_script):
    sends = ["--send", 'Entry={"to": "Summer"}', "--send", 'Entry={"to": "Replacer"}']
    result = cli("run-local", identity_script, "--json", *sends)
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert [e["text"] for e in doc["log"]] == ["identity Summer 20", "identity Replacer 20"]
    asks = [t for t in doc["trace"] if t["class"] == "IdentityE2E.Ask" and "Summer" in t["body"]]
    assert len(asks) == 3 and len({t["body_id"] for t in asks}) == 1 and asks[0]["body_id"] is not None
    assert [t["header_id"] for t in doc["trace"]] == list(range(1, len(doc["trace"]) + 1))
    text = cli("run-local", identity_script, *sends)
    assert text.returncode == 0, text.stdout + text.stderr
    body = asks[0]["body_id"]
    assert f"Entry -> Summer  IdentityE2E.Ask  header 1 body {body}  " in text.stdout
    assert f"Summer -> Ten  IdentityE2E.Ask  header 2 body {body}  " in text.stdout
    assert "identity Summer 20" in text.stdout


RECOVERING = '''
    from intersystems_pyprod import BusinessOperation, BusinessProcess, JsonSerialize, Status

    iris_package_name = "Recover"

    class Job(JsonSerialize):
        note: str = ""

    class Failing(BusinessOperation):
        def on_message(self, request):
            return Status.ERROR("cannot")

    class Recovering(BusinessProcess):
        def on_request(self, request):
            self.send_request_async("Failing", request)
            self.set_timer("PT1S", "late")
            return Status.OK(), Job("started")

        def on_error(self, request, response, call_request, error_status, completion_key):
            response.note += " recovered"
            return Status.OK()

        def on_timeout(self, request, response, call_request, completion_key):
            response.note += " timed out"
'''


def test_in_place_changes_in_on_error_and_on_timeout_reach_the_caller(tmp_path, pyprod_harness):
    harness = pyprod_harness(str(write_script(tmp_path, "recover.py", RECOVERING)))
    status, answer = harness.request("Recovering", harness.module.Job())
    assert status == 1 and answer.note == "started recovered timed out"
    assert harness.orphans() == []
