"""Where user classes and declarations were written: lines resolved on demand, still exact."""

from __future__ import annotations

from intersystems_pyprod.errors import Location

from ..helpers import build_source

FILLER = "".join(f"value_{i} = {i}\n" for i in range(300))


def test_class_lines_are_exact_far_down_a_long_module(tmp_path):
    source = ("from intersystems_pyprod import *\n" + FILLER
              + "class Late(JsonSerialize):\n    text: str = ''\n"
              + FILLER
              + "class Later(BusinessOperation):\n    limit = IRISProperty(settings='Basic')\n"
              + "    def on_message(self, request):\n        return None\n")
    result = build_source(tmp_path, source, "far.py")
    by_name = {c.py_class: c for c in result.model.classes}
    assert by_name["Late"].where.line == 302
    assert by_name["Later"].where.line == 604
    assert by_name["Later"].where.file.endswith("far.py")
    assert str(by_name["Late"].where).endswith("far.py:302")


def test_deferred_location_equals_a_plain_one(tmp_path):
    result = build_source(tmp_path, "from intersystems_pyprod import *\nclass A(JsonSerialize):\n    x: int = 0\n",
                          "eq.py")
    where = result.model.classes[0].where
    assert where == Location(where.file, 2)
    assert hash(where) == hash(Location(where.file, 2))
    assert where != Location(where.file, 3)
    assert "line=2" in repr(where)


def test_string_class_names_resolve_case_insensitively(tmp_path):
    source = """from intersystems_pyprod import *
iris_package_name = "Shop"
class Out(OutboundAdapter):
    pass
class Req(JsonSerialize):
    text: str = ""
class Op(BusinessOperation):
    ADAPTER = IRISParameter("shop.out")
    MessageMap = {"Req": "handle"}
    def handle(self, request):
        return None
class Prod(Production):
    operations = [OperationItem("Op", "SHOP.OP", adapter_settings={"nothing": 1})]
"""
    result = build_source(tmp_path, source, "shop.py")
    by_name = {c.py_class: c for c in result.model.classes}
    assert by_name["Op"].adapter == "Shop.Out"
    assert by_name["Op"].message_map[0].message_class == "Shop.Req"
    item = by_name["Prod"].production.items[0]
    assert item.class_name == "SHOP.OP" and item.pool_size == 1
    # the adapter was found through the item's class: its unknown setting is reported
    assert any("Out has no setting 'nothing'" in w.message for w in result.model.warnings)
