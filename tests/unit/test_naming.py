"""IRIS naming rules."""

from __future__ import annotations

import pytest

from intersystems_pyprod import naming
from intersystems_pyprod.errors import PyProdError


# pyprod 0.2.0's rule: only snake_case names that are all lower or all upper case are converted
# (each word capitalised, the rest of it lower case); every other name is kept as written.
@pytest.mark.parametrize("py, iris", [
    ("target", "target"), ("my_target", "MyTarget"), ("MAX_RETRY", "MaxRetry"), ("camelCase", "camelCase"),
    ("TargetConfigName", "TargetConfigName"), ("MaxRetries", "MaxRetries"), ("HTTPPort", "HTTPPort"),
    ("ADAPTER", "ADAPTER"), ("SETTINGS", "SETTINGS"), ("max_retries", "MaxRetries"), ("a1_b2", "A1B2"),
    ("__x__", "X"), ("_private", "Private"), ("field_1", "Field1"), ("field1", "field1"),
    ("on_process_input", "OnProcessInput"), ("HTTP_PORT_2", "HttpPort2"), ("Mixed_Case", "Mixed_Case"),
    ("my__double", "MyDouble"), ("x", "x"),
])
def test_iris_name_follows_pyprod(py, iris):
    assert naming.iris_name(py) == iris


@pytest.mark.parametrize("py", ["Mixed_Case", "camel_Case", "Größe_x", "1abc", "x\u00b2"])
def test_names_iris_cannot_take_are_refused_with_a_suggestion(py):
    with pytest.raises(PyProdError, match="cannot be an IRIS member name") as err:
        naming.member_name(py, "setting")
    assert "rename" in err.value.fix


@pytest.mark.parametrize("py", ["simplemsg", "MyClass", "HTTPThing"])
def test_class_names_are_kept_as_written(py):
    assert naming.short_class_name(py) == py


def test_class_names_iris_cannot_take_are_refused():
    with pytest.raises(PyProdError, match="cannot be an IRIS class name") as err:
        naming.short_class_name("my_class")
    assert "MyClass" in err.value.fix


@pytest.mark.parametrize("name", ["helloworld", "Demo.Orders", "A1.B2.C3", "café", "Grüße.Straße", "名前"])
def test_valid_packages(name):
    assert naming.package_name(name) == name


@pytest.mark.parametrize("name, words", [
    ("my_pkg", "letters and digits"), ("my-pkg", "letters"), ("1abc", "start"),
    ("Demo..X", "dot-separated"), ("", "empty"), ("Grüße_Welt", "letters and digits"), ("x\U0001d49c", "letters"),
])
def test_invalid_packages(name, words):
    with pytest.raises(PyProdError) as err:
        naming.package_name(name)
    assert words in str(err.value)
    assert "iris_package_name" in err.value.fix


@pytest.mark.parametrize("name", ["Ens", "ens", "EnsLib.Custom", "EnsPortal", "CSPX.Mine", "PyProd", "pyprod.x"])
def test_reserved_packages(name):
    with pytest.raises(PyProdError, match="reserved package"):
        naming.package_name(name)


def test_percent_package_is_refused():
    with pytest.raises(PyProdError):
        naming.package_name("%Mine")


def test_package_length_limit():
    assert naming.package_name("P" * naming.PACKAGE_NAME_MAX)
    with pytest.raises(PyProdError, match="189"):
        naming.package_name("P" * (naming.PACKAGE_NAME_MAX + 1))


def test_short_class_name_limit():
    assert naming.short_class_name("C" * 60) == "C" * 60
    with pytest.raises(PyProdError, match="60"):
        naming.short_class_name("C" * 61)


def test_member_name_limit_and_charset():
    assert naming.member_name("x" * naming.MEMBER_NAME_MAX, "setting") == "x" * naming.MEMBER_NAME_MAX
    with pytest.raises(PyProdError, match="characters long"):
        naming.member_name("x" * (naming.MEMBER_NAME_MAX + 1), "setting")
    # letters beyond ASCII are IRIS letters on a Unicode instance
    assert naming.member_name("größe", "setting") == "größe"
    assert naming.member_name("größe_gesamt", "setting") == "GrößeGesamt"
    with pytest.raises(PyProdError, match="letters and digits") as err:
        naming.member_name("Größe_Total", "setting")
    assert "'GroesseTotal'" in err.value.fix  # a transliteration, not 'GreTotal'
    with pytest.raises(PyProdError) as err:
        naming.short_class_name("Straße_Plan")
    assert "'StrasseePlan'" not in err.value.fix and "'StrassePlan'" in err.value.fix
    assert naming.suggest_package("grüße_welt") == "GruesseWelt"


def test_file_name_default_is_made_valid():
    assert naming.package_from_filename("HelloWorld") == "HelloWorld"
    assert naming.package_from_filename("hello_world") == "HelloWorld"
    assert naming.package_from_filename("2fast") == "fast"


def test_clash_checker_is_case_insensitive():
    checker = naming.ClashChecker("IRIS class name")
    checker.add("Demo.MyMsg", "MyMsg")
    with pytest.raises(PyProdError, match="case-insensitive") as err:
        checker.add("Demo.Mymsg", "Mymsg")
    assert "MyMsg" in str(err.value) and "Mymsg" in str(err.value)


def test_sql_reserved_words():
    assert naming.is_sql_reserved("select") and naming.is_sql_reserved("Order")
    assert not naming.is_sql_reserved("Customer")
    assert naming.sql_safe_name("Group", "Col") == "GroupCol"
    assert naming.sql_safe_name("Customer", "Col") is None


def test_class_and_type_names():
    assert naming.is_class_name("EnsLib.File.OutboundAdapter")
    assert naming.is_class_name("%Library.String")
    assert not naming.is_class_name("NoPackage")
    assert not naming.is_class_name("bad_name.X")
    assert naming.is_type_name("%String")
