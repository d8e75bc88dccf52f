"""MessageBody reads only bodies a message header points at (it needs %Ens_MessageContent, not %Development)."""

from __future__ import annotations

import json

import pytest

from intersystems_pyprod.loader import paths, server
from intersystems_pyprod.runtime import irisapi

from ..fake_iris import FakeIris


class Stored:
    """A persistent %JSON.Adaptor object of the namespace."""

    def _ClassName(self, full=0):
        return "Demo.Secret"

    def _JSONExportToString(self, ref):
        ref.value = '{"password": "x"}'
        return 1


class StoredClass:
    def __init__(self):
        self.opened = []

    def _OpenId(self, ident):
        self.opened.append(ident)
        return Stored()

    def _GetParameter(self, name):
        raise RuntimeError("<PARAMETER DOES NOT EXIST>")


@pytest.fixture
def fake(monkeypatch):
    api = FakeIris()
    api.classes["Demo.Secret"] = StoredClass()
    monkeypatch.setattr(paths, "ensure_sources", lambda: None)
    previous = irisapi.install(api)
    yield api
    irisapi.install(previous)


def test_an_object_no_header_points_at_is_not_opened(fake):
    fake.message_headers.add(("Demo.Secret", "2"))
    document = json.loads(server.message_body("Demo.Secret", "1"))
    assert document == {"ok": False, "error": "no message has the body Demo.Secret 1"}
    assert fake.classes["Demo.Secret"].opened == []
    assert ("PyProd.Loader.IsMessageBody", "Demo.Secret", "1") in fake.calls


def test_a_message_body_is_read(fake):
    fake.message_headers.add(("Demo.Secret", "1"))
    document = json.loads(server.message_body("Demo.Secret", "1"))
    assert document == {"ok": True, "body": '{"password": "x"}'} and fake.classes["Demo.Secret"].opened == ["1"]


def test_a_user_with_only_the_message_content_resource_reads_a_body(fake):
    """%Ens_MessageContent grants no SELECT on Ens.MessageHeader: dynamic SQL on it fails with
    SQLCODE -99, the embedded SQL of PyProd.Loader does not."""
    fake.sql.granted = set()
    fake.message_headers.add(("Demo.Secret", "1"))
    document = json.loads(server.message_body("Demo.Secret", "1"))
    assert document == {"ok": True, "body": '{"password": "x"}'}
    assert not [c for c in fake.calls if c[0] == "sql"], "no dynamic SQL on a table the user may not read"
