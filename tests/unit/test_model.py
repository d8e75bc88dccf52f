"""The model built from imported scripts, and the classes generated from it."""

from __future__ import annotations

import pytest

from intersystems_pyprod.errors import PyProdError

from ..helpers import build_source, class_header, members, write_script

HEADER = """
from datetime import date, datetime
from intersystems_pyprod import *
"""


def classes_of(result):
    return {c.iris_name: c for c in result.model.classes}


def text_of(result, name):
    return next(c.text for c in result.classes if c.name == name)


def error_of(tmp_path, source, name="demo.py"):
    with pytest.raises(PyProdError) as err:
        build_source(tmp_path, HEADER + source, name)
    return err.value


# -- packages ---------------------------------------------------------------------------------
def test_package_precedence(tmp_path):
    write_script(tmp_path, "shared.py", HEADER + """
iris_package_name = "Shared.Msgs"
class Ping(JsonSerialize):
    text: str = ""
""")
    write_script(tmp_path, "nopkg_helpers.py", HEADER + """
class Helper(BusinessOperation):
    def on_message(self, request):
        return Status.OK()
""")
    result = build_source(tmp_path, HEADER + """
from shared import Ping
from nopkg_helpers import Helper
iris_package_name = "Main"
class Svc(BusinessService):
    def OnProcessInput(self, input):
        return Status.OK()
class Special(BusinessOperation):
    iris_package_name = "Other.Place"
    def OnMessage(self, request):
        return Status.OK()
""")
    # a class-level iris_package_name is ignored, as pyprod 0.2.0's generator ignores it
    assert sorted(classes_of(result)) == [
        "Main.Special", "Main.Svc", "NopkgHelpers.Helper", "Shared.Msgs.Ping"]
    assert classes_of(result)["Shared.Msgs.Ping"].py_module == "shared"
    warned = [w for w in result.model.warnings if "iris_package_name" in w.message]
    assert len(warned) == 1 and "Special" in warned[0].message and "'Other.Place'" in warned[0].message
    assert "ignored" in warned[0].message and "Main.Special" in warned[0].message
    assert "module of its own" in warned[0].message and warned[0].where.line


def test_package_defaults_to_script_file_name(tmp_path):
    result = build_source(tmp_path, HEADER + """
class Msg(JsonSerialize):
    a: int = 0
""", "my_flow.py")
    assert list(classes_of(result)) == ["MyFlow.Msg"]


@pytest.mark.parametrize("package, words", [("my_pkg", "invalid IRIS package name"),
                                            ("Ens.Custom", "reserved package"), ("ENSLIB", "reserved package")])
def test_bad_package_names(tmp_path, package, words):
    err = error_of(tmp_path, f"""
iris_package_name = "{package}"
class Msg(JsonSerialize):
    a: int = 0
""")
    assert words in err.message and err.fix


def test_case_insensitive_class_clash(tmp_path):
    err = error_of(tmp_path, """
class MyMsg(JsonSerialize):
    a: int = 0
class Mymsg(JsonSerialize):
    a: int = 0
""")
    assert "case-insensitive" in err.message and err.where is not None


def test_over_long_class_name(tmp_path):
    err = error_of(tmp_path, f"""
class {"A" * 61}(JsonSerialize):
    a: int = 0
""")
    assert "60" in err.message and err.where.line == 5


def test_nested_classes_are_refused(tmp_path):
    err = error_of(tmp_path, """
def make():
    class Inner(JsonSerialize):
        a: int = 0
    return Inner
Exported = make()
""")
    assert "nested" in err.message


# -- callbacks --------------------------------------------------------------------------------
@pytest.mark.parametrize("body, words", [
    ("class S(BusinessService):\n    def OnProcessInput(self):\n        pass",
     "OnProcessInput has the wrong parameters"),
    ("class P(BusinessProcess):\n    def on_request(self, a, b):\n        pass", "on_request has the wrong parameters"),
    ("class P(BusinessProcess):\n    def OnRequest(self, r):\n        pass\n    def OnResponse(self, a, b):\n"
     "        pass", "OnResponse has the wrong parameters"),
    ("class A(InboundAdapter):\n    def OnTask(self, x):\n        pass", "OnTask has the wrong parameters"),
    ("class O(BusinessOperation):\n    def on_init(self, x):\n        pass", "on_init has the wrong parameters"),
])
def test_callback_with_wrong_parameters(tmp_path, body, words):
    err = error_of(tmp_path, body)
    assert words in err.message
    assert err.where.file.endswith("demo.py") and err.where.line > 3
    assert err.fix.startswith("define it as def")


def test_both_spellings_of_a_callback(tmp_path):
    err = error_of(tmp_path, """
class S(BusinessService):
    def OnProcessInput(self, x):
        pass
    def on_process_input(self, x):
        pass
""")
    assert "both OnProcessInput and on_process_input" in err.message


def test_callbacks_in_either_case_and_with_defaults_are_accepted(tmp_path):
    result = build_source(tmp_path, HEADER + """
class S(BusinessService):
    def on_process_input(self, input, hint=None):
        return Status.OK()
class P(BusinessProcess):
    def OnRequest(self, request):
        pass
    def on_response(self, *args):
        pass
    def on_complete(self, request, response):
        pass
""")
    assert result.model.warnings == []


def test_missing_required_callback_is_a_warning(tmp_path):
    result = build_source(tmp_path, HEADER + """
class S(BusinessService):
    pass
class O(BusinessOperation):
    pass
""")
    texts = [w.message for w in result.model.warnings]
    assert any("S defines no OnProcessInput" in t for t in texts)
    assert any("O defines neither OnMessage nor a MessageMap" in t for t in texts)


# -- message maps -----------------------------------------------------------------------------
def test_message_map_forms(tmp_path):
    result = build_source(tmp_path, HEADER + """
iris_package_name = "Demo"
class A(JsonSerialize):
    x: int = 0
class B(PickleSerialize):
    y: int = 0
class Op(BusinessOperation):
    def handle_a(self, request):
        pass
    def handle_b(self, request):
        pass
    def handle_ext(self, request):
        pass
    MessageMap = {A: "handle_a", "B": handle_b, "Ens.StringRequest": "handle_ext"}
""")
    op = classes_of(result)["Demo.Op"]
    assert [(e.message_class, e.py_method, e.iris_method) for e in op.message_map] == [
        ("Demo.A", "handle_a", "HandleA"), ("Demo.B", "handle_b", "HandleB"),
        ("Ens.StringRequest", "handle_ext", "HandleExt")]
    assert ("xdata", "MessageMap") in members(text_of(result, "Demo.Op"))
    assert ("method", "HandleA") in members(text_of(result, "Demo.Op"))


def test_message_map_naming_a_missing_method(tmp_path):
    err = error_of(tmp_path, """
class A(JsonSerialize):
    x: int = 0
class Op(BusinessOperation):
    MessageMap = {A: "handle_missing"}
""")
    assert "names method 'handle_missing'" in err.message and "def handle_missing(self, request)" in err.fix
    assert err.where.line == 7


@pytest.mark.parametrize("mapping, words", [
    ("[]", "non-empty dict"), ("{'NoSuchMsg': 'h'}", "not a message class"), ("{A: 'h', 'A': 'h'}", "twice"),
])
def test_bad_message_maps(tmp_path, mapping, words):
    err = error_of(tmp_path, f"""
class A(JsonSerialize):
    x: int = 0
class Op(BusinessOperation):
    def h(self, request):
        pass
    MessageMap = {mapping}
""")
    assert words in err.message


def test_message_map_on_a_process_is_refused(tmp_path):
    err = error_of(tmp_path, """
class A(JsonSerialize):
    x: int = 0
class P(BusinessProcess):
    def OnRequest(self, r):
        pass
    MessageMap = {A: "OnRequest"}
""")
    assert "only business operations" in err.message


# -- adapters ---------------------------------------------------------------------------------
def test_adapter_by_class_and_by_name(tmp_path):
    result = build_source(tmp_path, HEADER + """
iris_package_name = "Demo"
class In(InboundAdapter):
    def OnTask(self):
        pass
class Out(OutboundAdapter):
    pass
class S(BusinessService):
    ADAPTER = IRISParameter(In)
    def OnProcessInput(self, x):
        pass
class O(BusinessOperation):
    ADAPTER = IRISParameter("demo.out")
    def OnMessage(self, x):
        pass
class F(BusinessOperation):
    ADAPTER = IRISParameter("EnsLib.File.OutboundAdapter")
    def OnMessage(self, x):
        pass
""")
    model = classes_of(result)
    assert model["Demo.S"].adapter == "Demo.In"
    assert model["Demo.O"].adapter == "Demo.Out"
    assert model["Demo.F"].adapter == "EnsLib.File.OutboundAdapter"
    assert 'Parameter ADAPTER = "Demo.In";' in text_of(result, "Demo.S")


@pytest.mark.parametrize("value, words", [
    ("Out", "not an InboundAdapter"), ('"not a class"', "not an IRIS class name"), ('"Demo.Out"', "not an Inbound"),
])
def test_bad_adapters(tmp_path, value, words):
    err = error_of(tmp_path, f"""
iris_package_name = "Demo"
class Out(OutboundAdapter):
    pass
class S(BusinessService):
    ADAPTER = IRISParameter({value})
    def OnProcessInput(self, x):
        pass
""")
    assert words in err.message


def test_adapter_in_own_package_but_undefined_warns(tmp_path):
    result = build_source(tmp_path, HEADER + """
iris_package_name = "Demo"
class S(BusinessService):
    ADAPTER = IRISParameter("Demo.Missing")
    def OnProcessInput(self, x):
        pass
""")
    assert any("does not define" in w.message for w in result.model.warnings)


# -- settings, properties, parameters ---------------------------------------------------------
def test_settings_forms(tmp_path):
    result = build_source(tmp_path, HEADER + """
iris_package_name = "Demo"
class P(BusinessProcess):
    plain = IRISProperty("a", settings="")
    cat = IRISProperty("b", settings="Basic")
    cat_ctrl = IRISProperty("c", settings=" Basic : directorySelector ")
    ctrl = IRISProperty(1, settings=":spinner")
    hidden = IRISProperty(settings="-")
    state = IRISProperty(0)
    target = IRISProperty(settings="Basic:selector?context={Ens.ContextSearch/ProductionItems?targets=1}")
    def OnRequest(self, r):
        pass
""")
    p = classes_of(result)["Demo.P"]
    assert p.settings == ("plain", "cat:Basic", "CatCtrl:Basic:directorySelector", "ctrl::spinner", "-hidden",
                          "target:Basic:selector?context={Ens.ContextSearch/ProductionItems?targets=1}")
    names = [m for m in members(text_of(result, "Demo.P")) if m[0] == "property"]
    assert names == [("property", n) for n in ("plain", "cat", "CatCtrl", "ctrl", "state", "target")]


def test_setting_with_a_comma_is_refused(tmp_path):
    err = error_of(tmp_path, """
class P(BusinessProcess):
    x = IRISProperty(settings="Basic,Other")
""")
    assert "comma" in err.message


def test_property_types(tmp_path):
    result = build_source(tmp_path, HEADER + """
iris_package_name = "Demo"
class O(BusinessOperation):
    by_type = IRISProperty(1.5, float)
    by_name = IRISProperty(None, "int")
    by_iris = IRISProperty("x", "Ens.DataType.ConfigName")
    by_default = IRISProperty(True)
    annotated: date = IRISProperty(date(2024, 1, 2))
    plain = IRISProperty()
    def OnMessage(self, r):
        pass
""")
    props = {p.py_name: p.iris_type.name for p in classes_of(result)["Demo.O"].properties}
    # no datatype and no annotation: text, whatever the default (pyprod 0.2.0's %VarString)
    assert props == {"by_type": "%Double", "by_name": "%Integer", "by_iris": "Ens.DataType.ConfigName",
                     "by_default": "%VarString", "annotated": "%Date", "plain": "%VarString"}
    text = text_of(result, "Demo.O")
    assert 'Property plain As %VarString;' in text
    assert 'Property ByDefault As %VarString [ InitialExpression = "True" ];' in text
    assert 'Property annotated As %Date [ InitialExpression = {$zdateh("2024-01-02",3)} ];' in text


def test_types_without_an_iris_equivalent_are_text_with_a_warning(tmp_path):
    result = build_source(tmp_path, HEADER + """
iris_package_name = "Demo"
class O(BusinessOperation):
    hosts = IRISProperty(None, list)
    mode = IRISProperty("fast", "speed")
    def OnMessage(self, r):
        pass
""")
    props = {p.py_name: p.iris_type.name for p in classes_of(result)["Demo.O"].properties}
    assert props == {"hosts": "%VarString", "mode": "%VarString"}
    texts = [w.message for w in result.model.warnings]
    assert any("O.hosts" in t and "'list'" in t and "stored as text" in t for t in texts), texts
    assert any("O.mode" in t and "'speed'" in t for t in texts), texts


@pytest.mark.parametrize("decl, words", [
    ("IRISProperty('abc', int)", "does not fit its IRIS type %Integer"),
    ("IRISProperty(float('nan'), float)", "NaN"),
])
def test_bad_properties(tmp_path, decl, words):
    err = error_of(tmp_path, f"""
class O(BusinessOperation):
    x = {decl}
""")
    assert words in err.message and err.where.line == 6


def test_parameters(tmp_path):
    result = build_source(tmp_path, HEADER + """
iris_package_name = "Demo"
class O(BusinessOperation):
    INVOCATION = IRISParameter("Queue", description="How requests arrive")
    retry_limit = IRISParameter(5, int, keyword_list="Final")
    def OnMessage(self, r):
        pass
""")
    text = text_of(result, "Demo.O")
    assert '/// How requests arrive\nParameter INVOCATION = "Queue";' in text
    assert "Parameter RetryLimit As INTEGER [ Final ] = 5;" in text


def test_parameter_types_and_keywords_of_pyprod(tmp_path):
    result = build_source(tmp_path, HEADER + """
iris_package_name = "Demo"
class O(BusinessOperation):
    STARTED = IRISParameter("$h", "COSEXPRESSION")
    MAX_RETRY = IRISParameter(3, "integer", keyword_list="internal, Final")
    MODE = IRISParameter("A", keyword_list='Constraint = "A,B", Flags = ENUM')
    RATE: float = IRISParameter(1.5)
    weird = IRISParameter(1, datatype=list)
    def OnMessage(self, r):
        pass
""")
    text = text_of(result, "Demo.O")
    assert 'Parameter STARTED As COSEXPRESSION = "$h";' in text
    assert "Parameter MaxRetry As INTEGER [ Internal, Final ] = 3;" in text
    assert 'Parameter MODE [ Constraint = "A,B", Flags = ENUM ] = "A";' in text
    assert "Parameter RATE = 1.5;" in text
    assert "Parameter weird = 1;" in text
    assert any("O.weird" in w.message and "no IRIS parameter type" in w.message for w in result.model.warnings)


@pytest.mark.parametrize("decl, words", [
    ("IRISParameter('a\\nb')", "line break"), ("IRISParameter([1])", "strings, numbers"),
    ("IRISParameter(1, keyword_list='Bogus')", "keyword 'Bogus'"),
    ("IRISParameter(1, keyword_list='Final = 1')", "cannot be read at 'Final = 1'"),
    ("IRISParameter(1, keyword_list='Final = x')", "keyword 'Final = x'"),
    ("IRISParameter(1, datatype='NOT A TYPE')", "not a parameter type"),
])
def test_bad_parameters(tmp_path, decl, words):
    err = error_of(tmp_path, f"""
class O(BusinessOperation):
    P = {decl}
""")
    assert words in err.message


@pytest.mark.parametrize("decl, words", [
    ("max_retries = IRISProperty(1)\n    MaxRetries = IRISProperty(2)", "clashes"),
    ("adapter = IRISProperty('x')", "clashes"),
])
def test_member_clashes(tmp_path, decl, words):
    err = error_of(tmp_path, f"""
class O(BusinessOperation):
    {decl}
""")
    assert words in err.message


# -- messages ---------------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["json_chunk", "pickle_chunk", "json_body"])
def test_columns_named_after_message_base_members_are_refused(tmp_path, field):
    err = error_of(tmp_path, f"""
class Reading(JsonSerialize):
    {field}: str = Column("")
""")
    assert "PyProd message base class" in err.message


def test_columns_and_indexes(tmp_path):
    result = build_source(tmp_path, HEADER + """
iris_package_name = "Demo"
class Order(JsonSerialize):
    order_id: int = Column(0, index=True)
    group: str = Column("", description="SQL reserved name")
    when: datetime = Column()
    day = Column(None, date)
    flag: bool = Column(False)
    price = Column(1.5)
    body_only: dict = {}
""")
    order = classes_of(result)["Demo.Order"]
    assert [(c.iris_name, c.iris_type.name, c.index, c.sql_name) for c in order.columns] == [
        ("OrderId", "%Integer", True, None), ("group", "%VarString", False, "groupCol"),
        ("when", "%TimeStamp", False, "whenCol"), ("day", "%Date", False, None),
        ("flag", "%Boolean", False, None), ("price", "%VarString", False, None)]
    assert order.sql_table == "OrderTable"
    text = text_of(result, "Demo.Order")
    assert class_header(text) == "Class Demo.Order Extends PyProd.JsonMessage [ SqlTableName = OrderTable ]"
    assert ("index", "OrderIdIDX") in members(text)
    assert 'SqlFieldName = groupCol' in text


def test_column_type_errors(tmp_path):
    err = error_of(tmp_path, """
class M(JsonSerialize):
    tags: list = Column([])
""")
    assert "column M.tags" in err.message and "does not fit" in err.message


def test_pickle_message_warns_and_uses_pickle_base(tmp_path):
    result = build_source(tmp_path, HEADER + """
class Blob(PickleSerialize):
    data: dict = {}
""")
    assert "Extends PyProd.PickleMessage" in result.classes[0].text
    assert any("pickle message" in w.message for w in result.model.warnings)


def test_direct_production_message_subclass_is_refused(tmp_path):
    err = error_of(tmp_path, """
class M(ProductionMessage):
    a: int = 0
""")
    assert "JsonSerialize" in err.fix


# -- productions ------------------------------------------------------------------------------
PROD_COMPONENTS = """
iris_package_name = "Demo"
class In(InboundAdapter):
    interval = IRISProperty(5, int, settings="Basic")
    def OnTask(self):
        pass
class S(BusinessService):
    ADAPTER = IRISParameter(In)
    target = IRISProperty("P", settings="Basic")
    def OnProcessInput(self, x):
        pass
class Adapterless(BusinessService):
    def OnProcessInput(self, x):
        pass
class P(BusinessProcess):
    def OnRequest(self, r):
        pass
class O(BusinessOperation):
    def OnMessage(self, r):
        pass
"""


def test_production_definition(tmp_path):
    result = build_source(tmp_path, HEADER + PROD_COMPONENTS + """
class Prod(Production):
    '''Demo production.'''
    testing_enabled = True
    update_timeout = 30
    services = [ServiceItem("Svc", S, host_settings={"target": "Proc"},
                            adapter_settings={"interval": 2, "CallInterval": 1}),
                ServiceItem("Free", Adapterless)]
    processes = [ProcessItem("Proc", P, pool_size=0)]
    operations = [OperationItem("Op", O, enabled=False, comment='a "quoted" <comment>'),
                  OperationItem("File", "EnsLib.File.PassthroughOperation", host_settings={"FilePath": "/tmp"})]
""")
    prod = classes_of(result)["Demo.Prod"].production
    assert prod.testing_enabled and prod.settings == (("UpdateTimeout", "30"),)
    assert [(i.name, i.class_name, i.pool_size) for i in prod.items] == [
        ("Svc", "Demo.S", 1), ("Free", "Demo.Adapterless", 0), ("Proc", "Demo.P", 0), ("Op", "Demo.O", 1),
        ("File", "EnsLib.File.PassthroughOperation", 1)]
    assert prod.items[0].host_settings == (("target", "Proc"),)
    assert prod.items[0].adapter_settings == (("interval", "2"), ("CallInterval", "1"))
    text = text_of(result, "Demo.Prod")
    assert 'Comment="a &quot;quoted&quot; &lt;comment&gt;"' in text
    assert members(text) == [("xdata", "ProductionDefinition")]


@pytest.mark.parametrize("body, words", [
    ("services = [ProcessItem('x', P)]", "expected ServiceItem"),
    ("services = [ServiceItem('x', P)]", "not a BusinessService"),
    ("operations = [OperationItem('x', O), OperationItem('X', O)]", "clashes"),
    ("operations = [OperationItem('x', 'not.valid_name')]", "not a class or IRIS class name"),
    ("operations = [OperationItem('x', O, pool_size=-1)]", "whole number"),
])
def test_bad_productions(tmp_path, body, words):
    err = error_of(tmp_path, PROD_COMPONENTS + f"""
class Prod(Production):
    {body}
""")
    assert words in str(err)


@pytest.mark.parametrize("body, words", [
    ("actor_pool_sise = 3", "did you mean 'actor_pool_size'"),
    ("services = [ServiceItem('x', S, host_settings={'tagret': 1})]", "did you mean 'target'"),
])
def test_misspelt_production_names_are_warnings_as_in_pyprod(tmp_path, body, words):
    result = build_source(tmp_path, HEADER + PROD_COMPONENTS + f"""
class Prod(Production):
    {body}
""")
    assert any(words in w.message for w in result.model.warnings), [w.message for w in result.model.warnings]


# -- determinism ------------------------------------------------------------------------------
def test_generation_is_deterministic(tmp_path):
    source = HEADER + PROD_COMPONENTS
    first = [(c.name, c.text) for c in build_source(tmp_path, source).classes]
    second = [(c.name, c.text) for c in build_source(tmp_path, source).classes]
    assert first == second
