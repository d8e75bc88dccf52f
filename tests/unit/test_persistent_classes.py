"""Generated persistent classes against the IRIS rules the fake models: index globals in the
shared message extent, SQL names of processes, and settings that meet inherited properties."""

from __future__ import annotations

import re

import pytest

from intersystems_pyprod.errors import PyProdError
from intersystems_pyprod.loader.service import load_sources
from intersystems_pyprod.runtime import values

from ..fake_namespace import FakeNamespace
from ..fake_storage import compile_problems, complete_storage, index_nodes
from ..helpers import build_source


def index_global(class_name, index):
    from intersystems_pyprod.classgen.storage import index_global as found

    return found(class_name, index)


def merge_storage(old, new):
    from intersystems_pyprod.classgen.storage import merge_storage as found

    return found(old, new)

HEADER = "from intersystems_pyprod import *\n"
FIRST = HEADER + """
iris_package_name = "First"
class Person(JsonSerialize):
    name: str = Column("", index=True)
class Vip(Person):
    level: int = Column(0, index=True)
"""
SECOND = HEADER + """
iris_package_name = "Second"
class Customer(PickleSerialize):
    name: str = Column("", index=True)
"""


def texts_of(*results):
    return {c.name: c.text for r in results for c in r.classes}


# -- index entries in the shared Ens.MessageBody extent ---------------------------------------
def test_message_classes_never_share_an_index_node(tmp_path):
    texts = texts_of(build_source(tmp_path, FIRST, "first.py"), build_source(tmp_path, SECOND, "second.py"))
    nodes = index_nodes(texts)
    assert set(nodes) == {("First.Person", "nameIDX"), ("First.Vip", "nameIDX"), ("First.Vip", "levelIDX"),
                          ("Second.Customer", "nameIDX")}
    # an inherited index is the parent's own; every other pair is apart
    assert nodes[("First.Vip", "nameIDX")] == nodes[("First.Person", "nameIDX")]
    owned = {key: node for key, node in nodes.items() if key != ("First.Vip", "nameIDX")}
    assert len(set(owned.values())) == len(owned)
    assert not any(node.startswith("^Ens.") for node in nodes.values())


def test_index_globals_are_valid_stable_and_short(tmp_path):
    long_name = "A" * 60 + "." + "B" * 60
    for name in ("First.Person", long_name):
        node = index_global(name, "nameIDX")
        assert re.fullmatch(r"\^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*", node) and len(node) - 1 <= 31
    assert index_global("First.Person", "nameIDX") == index_global("first.person", "nameIDX")
    assert index_global("First.Person", "nameIDX") != index_global("First.Persons", "nameIDX")
    again = texts_of(build_source(tmp_path, FIRST, "first.py"))
    assert index_nodes(again) == index_nodes(texts_of(build_source(tmp_path, FIRST, "first.py")))


OLD_PERSON = '''Class First.Person Extends PyProd.JsonMessage [ SqlTableName = Person ]
{

Property name As %String(MAXLEN = "");

Property extra As %String;

Index nameIDX On name;

Storage Default
{
<Data name="PersonDefaultData">
<Subscript>"Person"</Subscript>
<Value name="1">
<Value>extra</Value>
</Value>
<Value name="2">
<Value>name</Value>
</Value>
</Data>
<DefaultData>PersonDefaultData</DefaultData>
<Type>%Storage.Persistent</Type>
}

}
'''


def test_existing_storage_keeps_its_slots_and_gains_the_index_global(tmp_path):
    new = texts_of(build_source(tmp_path, FIRST, "first.py"))["First.Person"]
    merged, added = merge_storage(OLD_PERSON, new)
    assert added == ["nameIDX"] and merged.count("Storage Default") == 1
    assert '<Value name="1">\n<Value>extra</Value>' in merged and '<Value name="2">\n<Value>name</Value>' in merged
    assert f"<Location>{index_global('First.Person', 'nameIDX')}</Location>" in merged
    assert index_nodes({"First.Person": merged})[("First.Person", "nameIDX")] == index_global("First.Person",
                                                                                                "nameIDX")
    # the next load finds the entry in place: nothing to add, nothing moved
    assert merge_storage(merged, new) == (merged, [])
    # an index that is gone loses its generated entry
    plain = new.replace("Index nameIDX On name;", "")
    assert "<Index " not in merge_storage(merged, re.sub(r"Storage Default\n\{.*?\n\}\n", "", plain, flags=re.S))[0]


def test_a_load_over_an_older_class_warns_how_to_rebuild_the_index():
    ns = FakeNamespace()
    store = ns.store()
    source = FIRST.replace("class Vip(Person):\n    level: int = Column(0, index=True)\n", "")
    assert load_sources(ns, store, {"first.py": source}, "first.py").ok
    # as an earlier release left it: generated without storage, compiled with data slots only
    older = re.sub(r"\n\nStorage Default\n\{.*?\n\}\n", "\n", OLD_PERSON, flags=re.S)
    store.record("first", {"First.Person": older}, [])
    ns.classes["First.Person"] = complete_storage("First.Person", OLD_PERSON, {"First.Person": OLD_PERSON})
    result = load_sources(ns, store, {"first.py": source}, "first.py")
    assert result.ok, result.error
    kept = ns.classes["First.Person"]
    assert '<Value name="1">\n<Value>extra</Value>' in kept and index_global("First.Person", "nameIDX") in kept
    assert any('##class(First.Person).%BuildIndices($lb("nameIDX"))' in w for w in result.warnings)
    again = load_sources(ns, store, {"first.py": source.replace('Column("")', 'Column("x")')}, "first.py")
    assert again.ok and not any("%BuildIndices" in w for w in again.warnings)


# -- SQL names of persistent hosts -------------------------------------------------------------
PROCESS = HEADER + """
iris_package_name = "Shop"
class Group(BusinessProcess):
    order = IRISProperty(0, int)
    user: str = IRISProperty(settings="Basic")
    note = IRISProperty("")
    def on_request(self, request):
        return Status.OK()
"""


def test_process_properties_and_class_named_after_reserved_words_get_sql_names(tmp_path):
    text = texts_of(build_source(tmp_path, PROCESS, "shop.py"))["Shop.Group"]
    assert "[ SqlTableName = GroupTable ]" in text
    assert "Property order As %Integer [ InitialExpression = 0, SqlFieldName = orderCol ];" in text
    assert 'Property user As %VarString [ SqlFieldName = userCol ];' in text
    assert "Property note As %VarString [ InitialExpression = \"\" ];" in text
    assert compile_problems("Shop.Group", text, {"Shop.Group": text}) == []


def test_process_with_reserved_names_compiles_in_the_fake():
    ns = FakeNamespace()
    result = load_sources(ns, ns.store(), {"shop.py": PROCESS}, "shop.py")
    assert result.ok, result.error
    assert "SqlFieldName = orderCol" in ns.classes["Shop.Group"]


def test_non_persistent_hosts_keep_plain_property_names(tmp_path):
    text = texts_of(build_source(tmp_path, PROCESS.replace("BusinessProcess", "BusinessOperation")
                                 .replace("on_request", "on_message"), "shop.py"))["Shop.Group"]
    assert "SqlFieldName" not in text and "SqlTableName" not in text


# -- settings named like inherited properties -------------------------------------------------
def operation(body: str) -> str:
    return HEADER + f"""
iris_package_name = "Ops"
class Op(BusinessOperation):
{body}
    def on_message(self, request):
        return Status.OK()
"""


def test_inherited_setting_without_type_keeps_the_inherited_property(tmp_path):
    text = texts_of(build_source(tmp_path, operation('    AlertOnError = IRISProperty(settings="Alerting")'),
                                 "ops.py"))["Ops.Op"]
    assert 'Parameter SETTINGS = "AlertOnError:Alerting";' in text
    assert "Property AlertOnError" not in text  # Ens.Host's %Boolean stands


def test_inherited_setting_with_a_default_is_redefined_with_the_inherited_type(tmp_path):
    src = operation('    alert_on_error = IRISProperty(True, settings="Alerting")\n'
                    '    RetryInterval = IRISProperty(10, description="Seconds between tries")')
    text = texts_of(build_source(tmp_path, src, "ops.py"))["Ops.Op"]
    assert "Property AlertOnError As %Boolean [ InitialExpression = 1 ];" in text
    assert "Property RetryInterval As %Numeric(MINVAL = 0) [ InitialExpression = 10 ];" in text


@pytest.mark.parametrize("line, member", [
    ('    AlertOnError: str = IRISProperty(settings="Alerting")', "AlertOnError"),
    ('    RetryInterval = IRISProperty(5, datatype="int")', "RetryInterval"),
    ('    AlertOnError = IRISProperty("yes")', "AlertOnError"),
    ("    IOLogEntry = IRISProperty()", "IOLogEntry"),
])
def test_inherited_setting_with_another_type_is_refused_with_its_line(tmp_path, line, member):
    with pytest.raises(PyProdError) as err:
        build_source(tmp_path, operation(line), "ops.py")
    message = str(err.value)
    assert member in message and "ops.py:5" in message


def test_runtime_reads_an_untyped_inherited_setting_with_the_inherited_type(tmp_path):
    from intersystems_pyprod import BusinessService, IRISProperty

    class Svc(BusinessService):
        AlertOnError = IRISProperty(settings="Alerting")
        note = IRISProperty(settings="")

    assert values.python_type(values.property_type(Svc.__dict__["AlertOnError"], Svc)) is bool
    assert values.python_type(values.property_type(Svc.__dict__["note"], Svc)) is str


def test_dry_run_reports_a_refused_inherited_setting(tmp_path):
    from ..helpers import cli, write_script

    path = write_script(tmp_path, "ops.py", operation('    AlertOnError: int = IRISProperty(settings="Alerting")'))
    done = cli("--dry-run", str(path))
    assert done.returncode == 1 and "AlertOnError" in done.stderr and "ops.py:5" in done.stderr
