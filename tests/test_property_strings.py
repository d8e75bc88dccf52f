"""Property test: arbitrary text in any user string field yields grammar-clean classes with
exactly the expected members, or a clean PyProdError; it never breaks out of its literal."""

from __future__ import annotations

import keyword
import sys
import types

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from intersystems_pyprod import (
    BusinessOperation,
    BusinessProcess,
    Column,
    IRISParameter,
    IRISProperty,
    JsonSerialize,
    OperationItem,
    ProcessItem,
    Production,
    naming,
)
from intersystems_pyprod.classgen import grammar
from intersystems_pyprod.classgen.generate import generate
from intersystems_pyprod.errors import PyProdError
from intersystems_pyprod.model.introspect import build_model

from .helpers import members

MODULE = "fuzzed"
TEXT = st.text(max_size=60)
NASTY = st.sampled_from(['"', '""', "}", "{", "]", "[", "\n", "\r\n", "/*", "*/", "//", "///", ";", "<", ">",
                         "&", "'", "$c(10)", "\u2028", "\x85", "\t", "\x00", "#", "%", "_", "\\", "}}\n{{"])
USER_TEXT = st.one_of(TEXT, st.lists(st.one_of(NASTY, TEXT), max_size=6).map("".join))


def _module() -> types.ModuleType:
    module = types.ModuleType(MODULE)
    module.iris_package_name = "Fuzz"
    sys.modules[MODULE] = module
    return module


def _make(name, bases, namespace):
    namespace = {"__module__": MODULE, **namespace}
    return type(name, bases, namespace)


def _check(module, expected):
    try:
        model = build_model("fuzzed.py", MODULE, [module])
        classes = generate(model)
    except PyProdError as exc:
        assert str(exc)
        return
    for cls in classes:
        assert grammar.check(cls.text) == [], cls.text
        assert members(cls.text) == expected[cls.name], cls.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=USER_TEXT, description=USER_TEXT, default=USER_TEXT, category=USER_TEXT, control=USER_TEXT,
       param_value=USER_TEXT, param_doc=USER_TEXT)
def test_host_strings(doc, description, default, category, control, param_value, param_doc):
    module = _module()

    def on_message(self, request):
        return 1

    module.Op = _make("Op", (BusinessOperation,), {
        "__doc__": doc,
        "endpoint": IRISProperty(default, str, description, f"{category}:{control}"),
        "LABEL": IRISParameter(param_value, description=param_doc),
        "OnMessage": on_message,
    })
    _check(module, {"Fuzz.Op": [("parameter", "PYMODULE"), ("parameter", "PYCLASS"), ("parameter", "SETTINGS"),
                                ("parameter", "LABEL"), ("property", "endpoint")]})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=USER_TEXT, description=USER_TEXT, default=USER_TEXT)
def test_message_strings(doc, description, default):
    module = _module()
    module.Msg = _make("Msg", (JsonSerialize,), {
        "__doc__": doc, "__annotations__": {"note": str}, "note": Column(default, str, description, index=True)})
    _check(module, {"Fuzz.Msg": [("parameter", "PYMODULE"), ("parameter", "PYCLASS"), ("property", "note"),
                                 ("index", "noteIDX")]})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(description=USER_TEXT, item=USER_TEXT, category=USER_TEXT, comment=USER_TEXT, schedule=USER_TEXT,
       value=USER_TEXT, extra=USER_TEXT)
def test_production_strings(description, item, category, comment, schedule, value, extra):
    module = _module()

    def on_request(self, request):
        return 1

    module.Proc = _make("Proc", (BusinessProcess,), {"target": IRISProperty("", str, "", ""), "OnRequest": on_request})
    module.Prod = _make("Prod", (Production,), {
        "description": description,
        "alert_notification_recipients": extra,
        "processes": [ProcessItem(item, module.Proc, category=category, comment=comment, schedule=schedule,
                                  host_settings={"target": value})],
        "operations": [OperationItem(item + "2", "EnsLib.File.PassthroughOperation",
                                     host_settings={"FilePath": value})],
    })
    _check(module, {
        "Fuzz.Prod": [("xdata", "ProductionDefinition")],
        "Fuzz.Proc": [("parameter", "PYMODULE"), ("parameter", "PYCLASS"), ("parameter", "SETTINGS"),
                      ("property", "target")],
    })


def test_errors_are_only_for_documented_reasons():
    """Text that IRIS can hold is accepted: quotes, braces, comment markers, non-ASCII."""
    module = _module()

    def on_message(self, request):
        return 1

    text = 'a "quoted" {brace} /* not */ // comment <xml> & ünïcode ✓'
    module.Op = _make("Op", (BusinessOperation,), {
        "__doc__": text + "\nsecond line", "endpoint": IRISProperty(text + "\nline", str, text, "Basic"),
        "OnMessage": on_message})
    classes = generate(build_model("fuzzed.py", MODULE, [module]))
    assert grammar.check(classes[0].text) == []
    assert '[ InitialExpression = {"a ""quoted"" "_$c(123)_"brace"_$c(125)_" /* not */ // comment <xml> & ' \
           'ünïcode ✓"_$c(10)_"line"} ]' in classes[0].text


IDENT = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True).filter(
    lambda n: n.isidentifier() and not n.startswith("__") and n not in keyword.kwlist)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(setting=IDENT, column=IDENT, parameter=IDENT, method=IDENT, class_name=IDENT)
def test_member_names(setting, column, parameter, method, class_name):
    """Any Python names: pyprod's IRIS names in grammar-clean classes, or a clean PyProdError."""
    assume(len({setting, parameter, method, "MessageMap", "ADAPTER"}) == 5)
    module = _module()

    def handler(self, request):
        return 1

    module.Msg = _make(class_name, (JsonSerialize,), {column: Column("", str)})
    module.Op = _make("Op", (BusinessOperation,), {
        setting: IRISProperty("", str, "", "Basic"), parameter: IRISParameter(1), method: handler,
        "MessageMap": {module.Msg: method}})
    iris = naming.iris_name
    _check(module, {
        f"Fuzz.{class_name}": [("parameter", "PYMODULE"), ("parameter", "PYCLASS"), ("property", iris(column))],
        "Fuzz.Op": [("parameter", "PYMODULE"), ("parameter", "PYCLASS"), ("parameter", "SETTINGS"),
                    ("parameter", iris(parameter)), ("property", iris(setting)), ("xdata", "MessageMap"),
                    ("method", iris(method))],
    })
