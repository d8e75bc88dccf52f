"""The message-viewer hooks of PyProd.JsonMessage show JSON when there is a body and otherwise
leave the choice to the inherited Ens.Util.MessageBodyMethods implementation (IRIS_REFERENCE 2.9)."""

from __future__ import annotations

import re

from .helpers import REPO

SOURCE = (REPO / "src" / "cls" / "PyProd" / "JsonMessage.cls").read_text(encoding="utf-8")


def _method(name: str) -> str:
    match = re.search(rf"^Method {re.escape(name)}\(.*?^\{{\n(.*?)^\}}", SOURCE, re.M | re.S)
    assert match, f"JsonMessage has no method {name}"
    return match.group(1)


def test_content_type_defers_to_super_without_a_body():
    body = _method("%GetContentType")
    statements = [line.strip() for line in body.splitlines() if line.strip()]
    assert statements == ["if ..JsonBody.Size > 0 {", 'quit "application/json"', "}", "quit ##super()"]


def test_show_contents_defers_to_super_without_a_body():
    body = _method("%ShowContents")
    empty = body.split("}", 1)[0]
    assert "..JsonBody.Size = 0" in empty and "do ##super(pZenOutput)" in empty and "quit" in empty
