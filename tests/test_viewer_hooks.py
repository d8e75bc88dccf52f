"""The portal's message viewer is served what ``%ShowContents`` writes under the content type
``%GetContentType`` declares (IRIS_REFERENCE.md 2.9, bug magnet 20): the output must parse as
that type on every call, whatever ``pZenOutput`` is. The ObjectScript hooks only ask the Python
viewer (runtime/viewer.py) and write its pieces; the harness's portal stand-in renders what the
browser gets and checks it per type."""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from html.parser import HTMLParser
from typing import List

import pytest

from intersystems_pyprod.runtime import fieldsync, messages, viewer
from intersystems_pyprod.testing import Harness, portal, standin

from .helpers import REPO

CLS = REPO / "src" / "cls" / "PyProd"
TRICKY = 'Ann <b>&amp; "Bob" \'x\' </pre> é 中文 😀 \u2028'


def _method(class_name: str, name: str) -> List[str]:
    source = (CLS / f"{class_name}.cls").read_text(encoding="utf-8")
    match = re.search(rf"^(?:Class)?Method {re.escape(name)}\(.*?^\{{\n(.*?)^\}}", source, re.M | re.S)
    assert match, f"PyProd.{class_name} has no method {name}"
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


def _declares(class_name: str, name: str) -> bool:
    source = (CLS / f"{class_name}.cls").read_text(encoding="utf-8")
    return re.search(rf"^Method {re.escape(name)}\(", source, re.M) is not None


# -- the ObjectScript hooks --------------------------------------------------------------------

def test_declared_types_are_the_viewers_and_the_stand_ins():
    assert _method("Message", "%GetContentType") == [f'quit "{viewer.HTML}"']
    assert _method("JsonMessage", "%GetContentType") == [f'quit "{viewer.JSON}"']
    # the pickle class keeps PyProd.Message's pair: HTML declared, HTML written
    assert not _declares("PickleMessage", "%GetContentType") and not _declares("PickleMessage", "%ShowContents")
    assert not _declares("JsonMessage", "%ShowContents")
    assert standin._JsonMessageObject._GetContentType(None) == viewer.JSON  # type: ignore[arg-type]
    assert standin._PickleMessageObject._GetContentType(None) == viewer.HTML  # type: ignore[arg-type]


def test_show_contents_writes_the_viewers_pieces_whatever_pzenoutput_is():
    """The stand-in's %ShowContents is the same steps: this pins the ObjectScript to them."""
    body = _method("Message", "%ShowContents")
    assert body == [
        "set type = ..%GetContentType()",
        "try {",
        "set viewer = ##class(PyProd.Library).Import(..#PYVIEWER)",
        'set type = viewer."output_type"(type, $select($isobject($get(%response)):%response.ContentType, 1:""))',
        'set pieces = viewer."render"($this, type)',
        'for i=0:1:pieces."__len__"()-1 {',
        'write pieces."__getitem__"(i)',
        "}",
        "} catch ex {",
        'do ..ShowFailure(type, "This message cannot be shown: "_ex.DisplayString())',
        "}",
    ]
    assert not any("pZenOutput" in line for line in body)


def test_show_failure_writes_each_type_validly():
    body = _method("Message", "ShowFailure")
    assert 'if type = "application/json" {' in body and "write out.%ToJSON()" in body
    assert 'write "<p>"_$zconvert(text, "O", "HTML")_"</p>"' in body
    for kind in (viewer.JSON, viewer.HTML, viewer.TEXT):
        device = io.StringIO()
        with contextlib.redirect_stdout(device):
            standin.show_failure(kind, 'Python said <no> & "why"')
        portal.check(kind, device.getvalue())


# -- what the browser gets ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def h():
    with Harness(str(REPO / "examples" / "orders" / "orders.py")) as harness:
        yield harness


@pytest.fixture(scope="module")
def msgs(h):
    return sys.modules[h.module.OrderRequest.__module__]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: List[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_text(text: str) -> str:
    parser = _Text()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


@pytest.mark.parametrize("zen", [0, 1])
def test_json_message_is_served_as_its_json(h, msgs, zen):
    order = msgs.OrderRequest()
    order.order_id, order.customer, order.lines = 7, TRICKY, ["<script>alert('x')</script>", "a&b"]
    view = portal.show(messages.to_iris(order), zen_output=zen)
    assert (view.content_type, view.declared) == ("application/json", "application/json")
    assert json.loads(view.text) == json.loads(messages.to_json(order))
    assert "&amp;amp;" not in view.text and "&lt;" not in view.text and "<pre>" not in view.text
    assert "\n  " in view.text  # pretty-printed
    assert "中文 😀" in view.text  # readable, not \u-escaped


@pytest.mark.parametrize("zen", [0, 1])
def test_pickle_message_is_served_as_html_showing_its_repr(h, msgs, zen):
    record = msgs.AuditRecord()
    record.order_id, record.details = 3, {"who": TRICKY, "n": float("nan")}
    view = portal.show(messages.to_iris(record), zen_output=zen)
    assert (view.content_type, view.declared) == ("text/html", "text/html")
    shown = _html_text(view.text)
    assert repr(TRICKY) in shown and "Orders.Msg.AuditRecord" in shown and "nan" in shown
    assert "<pre>" in view.text and "<b>" not in view.text


def test_json_asked_for_explicitly_is_json_for_both(h, msgs):
    record = msgs.AuditRecord()
    record.details = {"k": TRICKY}
    view = h.portal_view(record, requested="application/json")
    data = json.loads(view.text)
    assert view.content_type == "application/json" and repr(TRICKY) in data["content"]
    assert json.loads(h.portal_view(msgs.OrderConfirmation(), requested="application/json").text) == {
        "order_id": 0, "status": "accepted"}


def test_numbers_strict_json_cannot_hold_are_shown_as_text(h, msgs):
    obj = _with_json_body(h, msgs, '{"a": NaN, "b": [1e400, -Infinity], "c": 1.5}')
    assert json.loads(h.portal_view(obj).text) == {"a": "NaN", "b": ["1e400", "-Infinity"], "c": 1.5}


def test_long_bodies_are_written_in_pieces_below_the_string_limit(h, msgs):
    order = msgs.OrderRequest()
    order.customer = "é" * 2_500_000 + "😀" * 1_000_000
    obj = messages.to_iris(order)
    pieces = viewer.render(obj, viewer.JSON)
    assert len(pieces) > 3 and all(len(p) <= viewer.PIECE for p in pieces)
    assert json.loads("".join(pieces))["customer"] == order.customer
    assert json.loads(portal.show(obj).text)["customer"] == order.customer  # the stand-in refuses MAXSTRING


def test_corrupt_json_body_is_valid_json_with_a_note(h, msgs):
    obj = _with_json_body(h, msgs, '{"a": <b>"&\'</pre>')
    data = json.loads(h.portal_view(obj).text)
    assert "not valid JSON" in data[viewer.NOTE_KEY] and data["content"] == '{"a": <b>"&\'</pre>'
    assert portal.show(obj, zen_output=0).content_type == "application/json"


def test_corrupt_pickle_body_is_valid_html_with_a_note(h, msgs):
    obj = messages.to_iris(msgs.AuditRecord())
    obj.PickleBody = h._standin.cls("%Stream.GlobalBinary")._New()
    obj.PickleBody.Write(b"\x80\x04<b>&garbage")
    view = h.portal_view(obj)
    assert view.content_type == "text/html" and "cannot be read" in _html_text(view.text)
    assert "bytes" in _html_text(view.text)


def test_empty_bodies_show_what_python_reads_from_the_columns(h, msgs):
    order = h._standin.cls(messages.to_iris(msgs.OrderRequest())._ClassName(1))._New()
    order.OrderId, order.customer = 42, "<Zoë & co>"
    data = json.loads(h.portal_view(order).text)
    assert data["order_id"] == 42 and data["customer"] == "<Zoë & co>"
    record = h._standin.cls(messages.to_iris(msgs.AuditRecord())._ClassName(1))._New()
    view = h.portal_view(record)
    assert "no pickle body" in _html_text(view.text) and "AuditRecord(" in _html_text(view.text)


def test_a_class_python_cannot_import_still_gets_valid_output(h, msgs):
    name = messages.to_iris(msgs.OrderRequest())._ClassName(1)
    info = h._standin.classes[name.lower()]
    obj = h._standin.cls(name)._New()
    saved = dict(info.parameters)
    messages._registry.pop(name.lower(), None)
    info.parameters["PYMODULE"] = "no_such_module_for_the_viewer"
    try:
        data = json.loads(h.portal_view(obj).text)
    finally:
        info.parameters.update(saved)
    assert "cannot be imported" in data[viewer.NOTE_KEY] and "no_such_module_for_the_viewer" in data[viewer.NOTE_KEY]


@pytest.mark.parametrize("kind", ["json", "pickle"])
def test_when_python_fails_the_objectscript_fallback_is_valid(h, msgs, monkeypatch, kind):
    def broken(obj, content_type):
        raise RuntimeError("<PYTHON EXCEPTION> no viewer <here> & now")

    message = msgs.OrderRequest() if kind == "json" else msgs.AuditRecord()
    monkeypatch.setattr(viewer, "render", broken)
    view = h.portal_view(message)
    assert "cannot be shown" in view.text


def test_an_unknown_served_type_is_plain_text():
    assert viewer.output_type("text/html", "application/json; charset=UTF-8") == viewer.JSON
    assert viewer.output_type("text/xml", "") == viewer.TEXT
    assert viewer.output_type(viewer.JSON, "text/html") == viewer.JSON


# -- the rule itself ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind, text", [
    ("application/json", '<pre>{\n  &quot;a&quot;: 1\n}</pre>'),  # what JsonMessage wrote before (pZenOutput=1)
    ("application/json", '{"a": NaN}'),
    ("application/json", ""),
    ("text/html", "<pre>AuditRecord(x='<b>')</pre>"),
    ("text/html", "Python pickle of 9 bytes (a & b)"),
    ("text/html", "<div><pre>x</div></pre>"),
    ("image/png", "x"),
])
def test_the_rendering_check_refuses_output_that_does_not_match(kind, text):
    with pytest.raises(portal.RenderingError):
        portal.check(kind, text)


def test_the_rendering_check_accepts_matching_output():
    portal.check("application/json", '{"a": "<b>&</b>"}')
    portal.check("text/html", '<p>a &amp; b &#x27;c&#x27;<br></p><pre>&lt;b&gt;</pre>')
    portal.check("text/plain", "a & <b>")


def _with_json_body(h, msgs, text: str):
    obj = messages.to_iris(msgs.OrderRequest())
    for prop in fieldsync.props(msgs.OrderRequest):  # a body written outside Python, with no properties
        setattr(obj, prop.name, "")
    obj.__dict__["JsonFields"] = ""  # nor the record of them
    obj.JsonBody = h._standin.cls("%Stream.GlobalCharacter")._New()
    obj.JsonBody.Write(text)
    return obj
