"""The scalar fields of a JSON message, held in IRIS properties beside the JSON body.

For a scalar field the property is the value (rules, DTL, BPL and SQL read and write it). Python
writes the body and every property in one step when it sends; the body's copy of a scalar is
Python's exact rendering of the value and counts only while the property still holds it. When
ObjectScript changed the property (a DTL ``create="copy"``, a BPL ``<assign>``), the property's
value is what Python receives. See docs/messages-in-iris.md.
"""

from __future__ import annotations

import datetime
import decimal
import math
import zlib
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from ..api.messages import declares_fields
from ..model import fieldprops
from . import bodies, retyped, values

#: The longest string an IRIS property holds.
MAX_STRING = 3_641_144
_KIND_TEXT = {str: "a string", int: "an integer", float: "a number", bool: "a boolean (0 or 1)",
              decimal.Decimal: "a decimal number", datetime.date: "a date", datetime.datetime: "a timestamp",
              datetime.time: "a time"}
#: Integers IRIS keeps exactly.
_INT_LIMIT = 2 ** 63


class Prop(NamedTuple):
    """A field held in an IRIS property, with the Python type its values convert to."""

    field: str
    name: str
    kind: Optional[type]
    column: bool
    #: the name of ``kind`` as ``JsonFields`` records it ("" for none)
    kind_text: str = ""


def props(cls: type) -> List[Prop]:
    """The property-held fields of JSON message class ``cls`` (cached on the class)."""
    cached = cls.__dict__.get("_pyprod_props")
    if cached is None:
        found, _ = fieldprops.field_properties(cls)
        cached = []
        for p in found:
            kind = values.python_type(p.iris_type)
            cached.append(Prop(p.field, p.iris_name, kind, p.column, kind.__name__ if kind is not None else ""))
        setattr(cls, "_pyprod_props", cached)
    return cached


def read(obj: Any, name: str, default: Any = "") -> Any:
    """Property ``name`` of ``obj``; ``default`` when ``obj`` lacks it (an object of the class as
    compiled before a reload added it; which exception IRIS raises then is not documented)."""
    try:
        return getattr(obj, name)
    except Exception as exc:
        if absent(exc):  # a property the object does not have
            return default
        raise  # any other failure is no empty property: the caller reports it


def absent(exc: BaseException) -> bool:
    """True when ``exc`` says the object has no such member (its class was compiled before a
    reload added it): an ``AttributeError``, or IRIS's ``<PROPERTY DOES NOT EXIST>`` /
    ``<METHOD DOES NOT EXIST>`` (which one Embedded Python raises is not documented). Any other
    failure of an IRIS call is reported, never read as an empty value."""
    return isinstance(exc, AttributeError) or "DOES NOT EXIST" in str(exc)


def forms(message: Any) -> List[Any]:
    """The property value Python writes for each property-held field of ``message``."""
    return [iris_form(getattr(message, p.field, None), p) for p in props(type(message))]


#: field types whose properties hold numbers (``%Date`` and ``%Time`` as days and seconds)
_NUMERIC = (int, float, bool, decimal.Decimal, datetime.date, datetime.time)


def token(value: Any, kind: Optional[type] = None) -> str:
    """A property value as text, the same for the value Python set and the value IRIS hands back:
    a number as its shortest decimal text (``12`` and ``12.0`` alike), also a numeric text in a
    property of a numeric ``kind`` (``"1.50"`` and ``1.5``); ``""`` for none."""
    if value is None:
        return ""
    plain = type(value)
    if plain is str and kind not in _NUMERIC:
        return value  # the usual cases first, without the decimal arithmetic below
    if plain is int:
        return str(value)
    if plain is float:
        if value.is_integer():
            if -2 ** 53 < value < 2 ** 53:
                return str(int(value))
        else:
            shortest = repr(value)
            if "e" not in shortest and "n" not in shortest:  # no exponent, not inf or nan
                return shortest  # a finite float's repr is its shortest decimal text already
    if isinstance(value, bool):
        return "1" if value else "0"
    numeric = isinstance(value, (int, float, decimal.Decimal))
    if numeric or (isinstance(value, str) and kind in _NUMERIC):
        try:
            number = decimal.Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except decimal.InvalidOperation:
            return str(value)
        if not number.is_finite():
            return str(value)
        return _canonical(number)
    return str(value)


#: Past this power of ten a number's token is written with an exponent (no number a property
#: holds comes near it; a stored ``"1e999999999"`` must not become a billion zeros).
_PLAIN_LIMIT = 1000


def _canonical(number: decimal.Decimal) -> str:
    """Finite ``number`` as its shortest plain decimal text, every digit kept (``1.50`` → ``1.5``,
    ``1E+2`` → ``100``, ``-0`` → ``0``); one past :data:`_PLAIN_LIMIT` as ``digits`` ``E`` ``exponent``.
    Linear in the number's digits whatever its exponent (``normalize()`` rounds to the context's
    28 digits, and overflows past its exponent range)."""
    if not number:
        return "0"
    mantissa, _, power = format(number.copy_abs(), "E").partition("E")  # every digit, no rounding: d.dddE+n
    text = mantissa.replace(".", "").rstrip("0")
    exponent = int(power) - len(text) + 1
    minus = "-" if number.is_signed() else ""
    if exponent >= 0:
        if len(text) + exponent > _PLAIN_LIMIT:
            return f"{minus}{text}E{exponent}"
        return minus + text + "0" * exponent
    point = len(text) + exponent
    if point > 0:
        return f"{minus}{text[:point]}.{text[point:]}"
    if -point > _PLAIN_LIMIT:
        return f"{minus}{text}E{exponent}"
    return f"{minus}0.{'0' * -point}{text}"


def digest(value: Any, kind: Optional[type] = None) -> str:
    """A short mark of property value ``value`` of a field of type ``kind``: ``=`` and its
    :func:`token` when that is at most 8 characters without ``,`` or ``:`` (most numbers, codes,
    flags), else a CRC-32 of the token (8 hex digits)."""
    text = token(value, kind)
    if len(text) <= 8 and "," not in text and ":" not in text:
        return "=" + text
    return f"{zlib.crc32(text.encode('utf-8', 'surrogatepass')):08x}"


def marker(cls: type, written: Optional[List[Any]] = None, held: Optional[List[bool]] = None) -> str:
    """``JsonFields``: the fields whose properties Python writes with the body, each with the
    digest of the value it writes and the field's type (``amount:1a2b3c4d:float,qty:...``) when
    ``written`` gives the values; ``held`` (from :func:`write`) leaves out the properties the
    object does not have, whose values the body alone holds."""
    if written is None:
        return ",".join(p.field for p in props(cls))
    took = held if held is not None else [True] * len(written)
    return ",".join(f"{p.field}:{digest(v, p.kind)}:{p.kind_text}"
                    for p, v, ok in zip(props(cls), written, took) if ok)


def fits(value: Any, kind: Optional[type]) -> bool:
    """True when the property of ``kind`` holds ``value`` (else the body alone keeps it)."""
    if kind is None:
        return isinstance(value, (str, int, float, decimal.Decimal)) and not isinstance(value, bool)
    if kind is str:
        return isinstance(value, str) and len(value) <= MAX_STRING
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return type(value) is int and -_INT_LIMIT < value < _INT_LIMIT
    if kind is float:
        return (isinstance(value, float) and math.isfinite(value)) or (
            type(value) is int and -2 ** 53 < value < 2 ** 53)
    if kind is decimal.Decimal:
        return (isinstance(value, decimal.Decimal) and value.is_finite()) or (
            type(value) is int and -_INT_LIMIT < value < _INT_LIMIT)
    if kind is datetime.date:
        return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    return isinstance(value, kind)


def iris_form(value: Any, prop: Prop) -> Any:
    """The property value Python writes for ``value``: "" for None and for a value the property
    cannot hold (a ``Column`` is written as it always was)."""
    kind, plain = prop.kind, type(value)
    if plain is kind and ((plain is int and -_INT_LIMIT < value < _INT_LIMIT)
                          or (plain is str and len(value) <= MAX_STRING)
                          or (plain is float and math.isfinite(value))):
        return value  # the usual cases: the property holds the value as it is
    if value is None or not (prop.column or fits(value, kind)):
        return ""
    return values.to_iris(value, kind)


def write(obj: Any, message: Any, written: Optional[List[Any]] = None) -> List[bool]:
    """Set every property of ``obj`` from ``message`` (``written``: its :func:`forms`); for each,
    whether ``obj`` took it. An object of the class as compiled before a reload (opened before
    it, or in a job that still has that class) lacks a property added since: IRIS refuses it
    (``<PROPERTY DOES NOT EXIST>``) and the body alone holds the field."""
    held = []
    for prop, value in zip(props(type(message)), forms(message) if written is None else written):
        try:
            setattr(obj, prop.name, value)
        except Exception as exc:  # the exception IRIS raises here is not documented
            if not absent(exc):
                raise
            held.append(False)
        else:
            held.append(True)
    return held


def convert(value: Any, prop: Prop, where: str) -> Any:
    """A property value (set by ObjectScript) as the field's Python value; "" is None. A value the
    field's type cannot take is a BodyError naming the field."""
    if value is None or value == "":
        return None
    try:
        if prop.kind is bool and str(value).strip() not in ("0", "1", "True", "False"):
            raise ValueError("a %Boolean is 0 or 1")
        if prop.kind is int and isinstance(value, float):
            raise ValueError("not a whole number")
        return values.to_python(value, prop.kind)
    except (ValueError, TypeError, ArithmeticError) as exc:
        wanted = _KIND_TEXT.get(prop.kind or object, "a value of its type")
        raise bodies.BodyError(f"field {prop.field} (property {prop.name}{where}) holds {str(value)[:80]!r}, "
                               f"which is not {wanted}: {exc}") from None


def _agrees(value: Any, body_value: Any, prop: Prop) -> bool:
    """True when property ``value`` is the IRIS form of the body's value."""
    try:
        want_iris = iris_form(body_value, prop)
        if value == want_iris and type(value) is type(want_iris):
            return True  # what Python wrote with the body, unchanged (the usual case)
        have = values.to_python(value, prop.kind) if value != "" else None
        want = values.to_python(want_iris, prop.kind) if want_iris != "" else None
    except (ValueError, TypeError, ArithmeticError):
        return False
    return bool(have == want) and type(have) is type(want)


def reconcile(obj: Any, message: Any, data: Dict[str, Any],
              marks: Optional[Dict[str, Tuple[Optional[str], str]]] = None) -> bool:
    """Let each property ObjectScript changed win over the body ``message`` was read from
    (``data``: that body decoded, for which fields it holds; ``marks``: :func:`marks` of ``obj``
    when the caller has them); True when one did."""
    changed = False
    marks = _marks(obj) if marks is None else marks
    for prop in props(type(message)):
        value = read(obj, prop.name)
        mark, kind = marks.get(prop.field, (None, ""))
        if mark is not None:  # Python recorded the value it wrote: unchanged, the body holds it
            if kind == prop.kind_text and _written(value, message.__dict__.get(prop.field), prop):
                continue  # the very value Python writes for the body's (the usual case, no digest needed)
            if digest(value, prop.kind) == mark:
                continue
            if kind != prop.kind_text and prop.field in data and retyped.written_before(value, data[prop.field]):
                continue  # stored under the field's earlier type, its text read as the new one's
        elif prop.field in data:
            if _agrees(value, message.__dict__.get(prop.field), prop):
                continue
            if retyped.written_before(value, data[prop.field]):
                continue  # stored under the field's earlier type: the body holds the value
            if value in (None, "") and prop.field not in marks:
                continue  # stored before the field had a property: the body holds it
        elif value in (None, ""):
            continue  # neither written: the field's default
        message.__dict__[prop.field] = convert(value, prop, "")
        changed = True
    return changed


_JSON_KINDS = (str, int, float, bool)


def settle(obj: Any, cls: Any, data: Dict[str, Any],
           marks: Optional[Dict[str, Tuple[Optional[str], str]]] = None) -> None:
    """Convert in decoded body ``data`` each scalar of a dataclass or pydantic message whose
    field was retyped since the row was stored (its property holds the old type's form of the
    body's value) to the new type when it converts exactly (:mod:`.retyped`). A pyprod-style
    message keeps its body's values as JSON gives them. ``marks`` (:func:`marks` of ``obj``)
    recording today's type for every field means no field was retyped: nothing to do."""
    if not _declares(cls) or (marks is not None and current(cls, marks)):
        return
    for prop in props(cls):
        if prop.field not in data or prop.kind not in _JSON_KINDS:
            continue
        value = data[prop.field]
        if value is None or isinstance(value, (list, dict)) or fits(value, prop.kind):
            continue
        if retyped.written_before(read(obj, prop.name), value):
            data[prop.field] = retyped.retype(value, prop.kind)


def coerced(raw: Any, value: Any, prop: Prop) -> bool:
    """True when JSON value ``raw`` of a str/int/float/bool field came back as another value
    (pydantic's coercion of a value stored under the field's earlier type)."""
    if prop.kind not in _JSON_KINDS or raw is None:
        return False
    return type(raw) is not type(value) or raw != value


def from_properties(obj: Any, message: Any) -> None:
    """Fill ``message`` from the properties of ``obj`` (a message made in IRIS, with no body)."""
    for prop in props(type(message)):
        value = read(obj, prop.name, None)
        if value not in (None, ""):
            message.__dict__[prop.field] = convert(value, prop, "")


def digests(obj: Any) -> Dict[str, str]:
    """field -> digest of the value Python wrote in its property, for the fields ``JsonFields``
    records one for (rows written by earlier versions record the names only)."""
    return {f: d for f, (d, _) in _marks(obj).items() if d is not None}


def in_sync(obj: Any, cls: type) -> bool:
    """True when every property of ``obj`` (of message class ``cls``) holds the value Python
    wrote with the body, under the same field type (no DTL change, no retyping since)."""
    marks = _marks(obj)
    for prop in props(cls):
        mark, kind = marks.get(prop.field, (None, ""))
        if mark != digest(read(obj, prop.name), prop.kind) or kind != prop.kind_text:
            return False
    return True


def current(cls: Any, marks: Dict[str, Tuple[Optional[str], str]]) -> bool:
    """True when ``marks`` (:func:`marks`) record a value written under today's type for every
    property-held field of ``cls``: no field was retyped since the row was stored."""
    for prop in props(cls):
        mark = marks.get(prop.field)
        if mark is None or mark[0] is None or mark[1] != prop.kind_text:
            return False
    return True


def _written(value: Any, field_value: Any, prop: Prop) -> bool:
    """True when property ``value`` is exactly what Python writes for ``field_value``."""
    try:
        written = iris_form(field_value, prop)
    except (ValueError, TypeError, ArithmeticError):
        return False
    return bool(value == written) and type(value) is type(written)


def _declares(cls: Any) -> bool:
    """:func:`declares_fields`, cached on the class."""
    known = cls.__dict__.get("_pyprod_declares")
    if known is None:
        known = declares_fields(cls)
        setattr(cls, "_pyprod_declares", known)
    return bool(known)


def field_list(obj: Any) -> str:
    """``obj``'s ``JsonFields`` as ``JsonFieldList()`` gives it; "" for a class compiled before
    the method existed."""
    method = getattr(obj, "JsonFieldList", None)
    if method is None:
        return ""
    try:
        return str(method() or "")
    except Exception as exc:
        if absent(exc):  # a class compiled before JsonFields existed
            return ""
        raise


def marks(obj: Any) -> Dict[str, Tuple[Optional[str], str]]:
    """field -> (digest, type name) recorded in ``obj``'s ``JsonFields`` (None, "" when not recorded)."""
    return _marks(obj)


def _marks(obj: Any) -> Dict[str, Tuple[Optional[str], str]]:
    """field -> (digest, type name) recorded in ``JsonFields`` (None, "" when not recorded)."""
    text = field_list(obj)
    found: Dict[str, Tuple[Optional[str], str]] = {}
    # field:mark:type as this version writes it, a name alone as an earlier one did; read in
    # one pass without exceptions, so any stored text (millions of commas) takes linear time
    for item in filter(None, str(text or "").split(",")):
        name, _, rest = item.partition(":")
        if name:
            mark, _, kind = rest.partition(":")
            found[name] = (mark or None, kind)
    return found
