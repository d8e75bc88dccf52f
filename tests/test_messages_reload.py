"""Messages stored before a reload that adds, removes or retypes a field stay readable.

A message is stored with the first version of its class; the script is then reloaded with the
second version and the stored row is opened as IRIS opens it after the class changed
(``IrisStandIn.reopen``: each property reads the slot of its name unconverted, a property added
since reads "", a removed one is not read). The row is then read by Python (the receiving
component), through ``GetValueAt`` (a ``{path}``), by a rule on the property, and by the
viewer's Contents tab, for each declaration style. docs/messages-in-iris.md has the table.
"""

from __future__ import annotations

import datetime
import json

import pytest

from intersystems_pyprod.api.engine import is_error_value
from intersystems_pyprod.runtime import bodies, fieldsync, messages, values
from intersystems_pyprod.testing import ensrules
from intersystems_pyprod.testing.records import HarnessError
from intersystems_pyprod.testing.standin import Ref

from .helpers import write_script

#: a pydantic message built with model_construct("n/a" in an int field) warns when it is dumped
pytestmark = pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")

HEADS = {
    "pyprod": "class Order(JsonSerialize):\n",
    "dataclass": "@dataclass\nclass Order(JsonSerialize):\n",
    "pydantic": "class Order(JsonSerialize, BaseModel):\n",
}
LIST = {"pyprod": "x: List[str] = []", "dataclass": "x: List[str] = field(default_factory=list)",
        "pydantic": "x: List[str] = Field(default_factory=list)"}
COLUMN = 'code: str = Column("none", index=True)'

SCRIPT = '''
from dataclasses import dataclass, field
from datetime import date
from typing import List
from intersystems_pyprod import BusinessOperation, Column, JsonSerialize
{pydantic}
iris_package_name = "Shop"

{head}    {x}
    order_id: str = ""

class Sink(BusinessOperation):
    received = []

    def OnMessage(self, request: Order):
        Sink.received.append(request)
'''

#: case -> (field before, value stored, field after)
CASES = {
    "added with default": ("", None, "x: int = 5"),
    "added without default": ("", None, "x: int"),
    "removed": ("x: int = 0", 7, ""),
    "str to int": ("x: str = ''", "12", "x: int = 0"),
    "str to int, not a number": ("x: str = ''", "abc", "x: int = 0"),
    "str to int, a number with a fraction's zero": ("x: str = ''", "12.0", "x: int = 0"),
    "int to str": ("x: int = 0", 12, "x: str = ''"),
    "int to str, a value the int did not hold": ("x: int = 0", "n/a", "x: str = ''"),
    "int to float": ("x: int = 0", 12, "x: float = 0.0"),
    "float to int": ("x: float = 0.0", 12.0, "x: int = 0"),
    "float to int, a fraction": ("x: float = 0.0", 12.5, "x: int = 0"),
    "date to str": ("x: date = None", datetime.date(2024, 1, 2), "x: str = ''"),
    "scalar to list": ("x: str = ''", "a", "LIST"),
    "column added": ("", None, COLUMN),
    "column removed": (COLUMN, "C1", ""),
}
MISSING = object()
ERROR = object()
#: case -> what Python reads for x in each style (pyprod, dataclass, pydantic); MISSING: no field
READ = {
    "added with default": (5, 5, 5),
    "added without default": (None, ERROR, ERROR),
    "removed": (MISSING, MISSING, MISSING),
    "str to int": ("12", 12, 12),
    "str to int, not a number": ("abc", "abc", ERROR),
    "str to int, a number with a fraction's zero": ("12.0", "12.0", 12),
    "int to str": (12, "12", "12"),
    "int to str, a value the int did not hold": ("n/a", "n/a", "n/a"),
    "int to float": (12, 12, 12.0),
    "float to int": (12.0, 12, 12),
    "float to int, a fraction": (12.5, 12.5, ERROR),
    "date to str": ("2024-01-02", "2024-01-02", "2024-01-02"),
    "scalar to list": ("a", "a", ERROR),
    "column added": ("none", "none", "none"),
    "column removed": (MISSING, MISSING, MISSING),
}
#: rows written by the previous release record field names without digests: a property left
#: empty because its value did not fit reads as one ObjectScript cleared
READ_NAMES_ONLY = {"int to str, a value the int did not hold": ("n/a", None, ERROR)}
STYLES = ("pyprod", "dataclass", "pydantic")


def _script(style: str, x: str) -> str:
    return SCRIPT.format(pydantic="from pydantic import BaseModel, Field" if style == "pydantic" else "",
                         head=HEADS[style], x=LIST[style] if x == "LIST" else x)


def _field(case: str) -> str:
    return "code" if "column" in case else "x"


def _property(case: str, style: str) -> str:
    """The IRIS property of the field after the reload ("" when it has none)."""
    after = CASES[case][2]
    if not after or after == "LIST" or (style == "pyprod" and "Column" not in after):
        return ""
    return "code" if "Column" in after else "x"


def _stored_and_reopened(tmp_path, pyprod_harness, style, case, marks="digests"):
    before, value, after = CASES[case]
    if style == "pydantic":
        pytest.importorskip("pydantic")
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    old = pyprod_harness(str(write_script(tmp_path / "v1", "shop.py", _script(style, before))))
    values = {"order_id": "A1"}
    if value is not None:
        values[_field(case)] = value
    if style == "pydantic" and value == "n/a":  # pydantic refuses it; model_construct does not check
        message = old.module.Order.model_construct(**values)
    else:
        message = old.module.Order(**values)
    row = old.iris_message(message)
    assert row._Save() == 1
    if marks == "names":  # as the previous release wrote JsonFields
        row.__dict__["JsonFields"] = ",".join(f.partition(":")[0] for f in row.JsonFields.split(","))
    new = pyprod_harness(str(write_script(tmp_path / "v2", "shop.py", _script(style, after))))
    return new, new._standin.reopen(row), value


@pytest.mark.parametrize("marks", ["digests", "names"])
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("case", list(CASES))
def test_a_message_stored_before_a_reload_reads(tmp_path, pyprod_harness, style, case, marks):
    new, row, stored = _stored_and_reopened(tmp_path, pyprod_harness, style, case, marks)
    table = READ_NAMES_ONLY if marks == "names" and case in READ_NAMES_ONLY else READ
    field, wanted = _field(case), table[case][STYLES.index(style)]
    ident = row._Id()
    # Python, as the receiving component reads it
    if wanted is ERROR:
        with pytest.raises(bodies.BodyError) as caught:
            messages.from_iris(row)
        assert f"(ID {ident})" in str(caught.value) and f"{field}" in str(caught.value)
        assert "Shop.Order" in str(caught.value)
        return
    message = messages.from_iris(row)
    assert message.order_id == "A1"
    if wanted is MISSING:
        assert field not in type(message)._pyprod_fields
    else:
        got = getattr(message, field)
        assert got == wanted and type(got) is type(wanted), (got, wanted)
    # a path reads what Python reads
    status_ok, path_value = _get_value_at(row, field)
    if wanted is MISSING:
        assert not status_ok and f"no field {field!r}" in path_value
    else:
        assert status_ok and str(path_value) == str(values.to_iris(wanted, None))
    # a rule on the property reads the stored slot as IRIS does
    prop = _property(case, style)
    if prop:
        # the slot as stored: a date's $HOROLOG days, numbers compared as ObjectScript text
        expected = ensrules.text(values.to_iris(stored, None)) if stored != "n/a" else ""
        if CASES[case][0] == "":  # added since: the row holds no value for it
            expected = ""
        assert new.rule(row, f'Document.{prop} = "{expected}"')
    else:
        with pytest.raises(HarnessError, match="PROPERTY DOES NOT EXIST"):
            new.rule(row, f'Document.{field} = ""')
    # the Contents tab: the stored JSON with the values Python reads; a field added since is not
    # shown, a field removed since is shown as stored
    shown = json.loads(new.portal_view(row, requested="application/json").text)
    if wanted is MISSING:
        assert shown[field] == json.loads(json.dumps(stored))
    elif CASES[case][0] == "":
        assert field not in shown
    else:
        assert shown[field] == json.loads(json.dumps(wanted))


def _get_value_at(row, path):
    status = Ref()
    value = row.GetValueAt(path, "", status)
    if status.value == 1:
        return True, value
    return False, getattr(status.value, "text", str(status.value))


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("case", list(CASES))
def test_a_message_stored_before_a_reload_is_delivered(tmp_path, pyprod_harness, style, case):
    """Delivered again (saved for its header first), the row reaches the component as Python reads
    it, and the save leaves its body and properties in line: a property the retyped field no
    longer takes is emptied, so IRIS's validation on save passes."""
    new, row, _stored = _stored_and_reopened(tmp_path, pyprod_harness, style, case)
    field, wanted = _field(case), READ[case][STYLES.index(style)]
    new.module.Sink.received.clear()
    status, _ = new._deliver("(test)", "Sink", row)
    if wanted is ERROR:
        assert is_error_value(status) and new.module.Sink.received == []
        assert any(f"(ID {row._Id()})" in e.text and f"field {field}" in e.text for e in new.errors())
        return
    assert status == 1
    received = new.module.Sink.received[-1]
    if wanted is not MISSING:
        got = getattr(received, field)
        assert got == wanted and type(got) is type(wanted)
    prop = _property(case, style)
    if prop and not (style == "pyprod" and case == "column added"):
        # the save brought the row in line: an added field's property holds its default (a row
        # whose class had no property-held field then has no JsonFields, and is left alone)
        held = next(p for p in fieldsync.props(type(received)) if p.field == field)
        assert getattr(row, prop) == fieldsync.iris_form(got, held)  # "" for "abc" in the int
        assert json.loads(row.JsonBody.text())[field] == json.loads(json.dumps(got))
        assert messages.from_iris(row) == received


def test_a_reload_keeps_each_stored_propertys_slot(tmp_path):
    """What ``reopen`` relies on, in the fake namespace: a reload regenerates the class but keeps
    its ``Storage`` block, so a retyped property reads the slot it was stored in, a removed
    property's slot stays (unread), and an added property gets a new slot after the others."""
    import re

    from intersystems_pyprod.loader.service import load_sources

    from .fake_namespace import FakeNamespace

    before = _script("dataclass", "x: str = ''\n    gone: int = 0")
    after = _script("dataclass", "x: int = 0\n    added: int = 5")
    ns = FakeNamespace()
    store = ns.store()
    assert load_sources(ns, store, {"shop.py": before}, "shop.py").ok
    slots = dict(re.findall(r'<Value name="(\d+)">\s*<Value>(\w+)</Value>', ns.classes["Shop.Order"]))
    result = load_sources(ns, store, {"shop.py": after}, "shop.py")
    assert result.ok, result.error
    text = ns.classes["Shop.Order"]
    now = dict(re.findall(r'<Value name="(\d+)">\s*<Value>(\w+)</Value>', text))
    assert {n: p for n, p in now.items() if n in slots} == slots  # x and gone keep their slots
    assert [p for n, p in now.items() if n not in slots] == ["added"]
    assert "Property x As %Integer" in text and "Property gone " not in text
