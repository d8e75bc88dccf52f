"""Bad message bodies become error statuses; bad values are refused where they are sent."""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import pathlib
import pickle
import struct
import uuid

import pytest

from intersystems_pyprod.api.engine import is_error_value
from intersystems_pyprod.runtime import messages

from .helpers import write_script

SCRIPT = """
from intersystems_pyprod import *

class Note(JsonSerialize):
    text: object = None

class Blob(PickleSerialize):
    payload: object = None

class Echo(BusinessOperation):
    calls = []
    def on_message(self, request):
        Echo.calls.append(request)
        return Status.OK(), request

class Sender(BusinessOperation):
    def on_message(self, request):
        value = request.payload
        status, _ = self.send_request_sync("Echo", value)
        return status
"""


@pytest.fixture
def harness(tmp_path, pyprod_harness):
    harness = pyprod_harness(str(write_script(tmp_path, "bodies.py", SCRIPT)))
    harness.module.Echo.calls.clear()
    return harness


def _stored(harness, cls, stream, data):
    obj = harness._standin.cls(messages.register(cls))._New()
    getattr(obj, stream).Write(data)
    return obj


@pytest.mark.parametrize("body, cause", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON list, not an object"),
    ('"text"', "JSON str, not an object"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"text": ' + "9" * 5000 + "}", "5000 digits exceeds the limit"),
])
def test_bad_json_bodies_are_an_error_status_naming_class_and_cause(harness, body, cause):
    status, response = harness._deliver("(test)", "Echo", _stored(harness, harness.module.Note, "JsonBody", body))
    assert is_error_value(status) and response == ""
    assert harness.module.Echo.calls == []
    [error] = [e.text for e in harness.errors() if "Echo.OnMessage" in e.text and "ErrGeneral" not in e.text]
    assert "bodies.Note" in error and cause in error and "was not called" in error


def test_a_number_past_the_float_range_arrives_as_infinity(harness):
    stored = _stored(harness, harness.module.Note, "JsonBody", '{"text": [-1e400, NaN]}')
    status, response = harness._deliver("(test)", "Echo", stored)
    [request] = harness.module.Echo.calls
    assert request.text[0] == float("-inf") and request.text[1] != request.text[1]
    assert status == 1 and messages.from_iris(response).text[0] == float("-inf")


def test_a_refused_pickle_is_an_error_status_and_never_runs(harness):
    exploit = (b"\x80\x04\x8c\x06bodies\x8c\x10__builtins__.get\x93\x8c\x04eval\x85R"
               b"\x8c\x1a__import__('os').getpid()\x85R.")
    status, _ = harness._deliver("(test)", "Echo", _stored(harness, harness.module.Blob, "PickleBody",
                                                          exploit.decode("latin-1")))
    assert is_error_value(status) and harness.module.Echo.calls == []
    assert any("bodies.Blob" in t and "no dotted names" in t for t in harness.texts("Error"))
    assert any("<unreadable body" in t.body for t in harness.trace)


def test_a_pickle_of_another_class_is_refused(harness):
    other = pickle.dumps(harness.module.Note(text="x"))
    status, _ = harness._deliver("(test)", "Echo", _stored(harness, harness.module.Blob, "PickleBody",
                                                          other.decode("latin-1")))
    assert is_error_value(status)
    assert any("holds a Note, not a Blob" in t for t in harness.texts("Error"))


def test_a_size_bomb_pickle_is_an_error_status(harness):
    bomb = b"\x80\x05\x96" + struct.pack("<Q", 8 << 30) + b"x" * 20 + b"."
    status, _ = harness._deliver("(test)", "Echo", _stored(harness, harness.module.Blob, "PickleBody",
                                                          bomb.decode("latin-1")))
    assert is_error_value(status)
    assert any("exceeds the 21 bytes left" in t for t in harness.texts("Error"))


def test_standard_value_types_travel_in_pickle_messages(harness):
    payload = [pathlib.PurePosixPath("/tmp/x"), ipaddress.IPv4Address("10.0.0.1"), uuid.UUID(int=5),
               decimal.Decimal("2.50"), datetime.datetime(2024, 1, 2, 3, 4)]
    status, response = harness.request("Echo", harness.module.Blob(payload))
    assert status == 1 and response.payload == payload


def test_nan_and_infinities_travel_in_json_messages_as_in_pyprod(harness):
    status, response = harness.request("Echo", harness.module.Note(text=[1, float("inf"), float("nan")]))
    assert status == 1 and response.text[:2] == [1, float("inf")] and response.text[2] != response.text[2]


@pytest.mark.parametrize("value, kind", [({"text": 1}, "a dict"), ("text", "a str"), (None, "None")])
def test_a_non_message_is_refused_by_the_sender(harness, value, kind):
    with pytest.raises(TypeError, match=f"request to Echo: the message is {kind}, not a message"):
        harness.request("Echo", value)
    status, _ = harness.request("Sender", harness.module.Blob(value))
    assert is_error_value(status)
    assert any(f"send_request_sync to Echo: the message is {kind}" in t for t in harness.texts("Error"))
    assert harness.module.Echo.calls == []


def test_a_component_sending_a_value_json_cannot_hold_gets_an_error_status(harness):
    status, _ = harness.request("Sender", harness.module.Blob(harness.module.Note(text={1, 2j})))
    assert is_error_value(status)
    assert any("Note cannot be sent as JSON (field text)" in t for t in harness.texts("Error"))


def test_the_trace_shows_a_shared_reference_bomb_bounded(harness):
    layer: list = ["x"]
    for _ in range(80):
        layer = [layer, layer]
    status, _ = harness.request("Echo", harness.module.Blob(layer))
    assert status == 1
    assert all(len(t.body) < 25_000 for t in harness.trace)
