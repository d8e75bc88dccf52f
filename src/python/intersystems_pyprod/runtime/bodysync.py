"""The stored JSON body kept in line with the properties: on save, and as the viewer shows it.

``PyProd.JsonMessage.%OnAddToSaveSet`` calls :func:`on_save` before IRIS saves a JSON message
whose properties Python wrote (``JsonFields`` set). When ObjectScript changed a field's property
since (a DTL ``create="copy"``/``"existing"`` or a BPL ``<assign>``), or the row holds a value the
field's retyped property can no longer take, the body and the properties are rewritten from the
message as Python reads it, so the stored JSON, SQL, the viewer and the next Python reader agree.
Checking costs one read of each property: ``JsonFields`` records a digest of each value Python
wrote and the field's type; the body is read only when a value or a type differs (or the row was
written before the digests existed). The viewer's Contents tab shows the JSON as Python reads it
(:func:`json_as_read`), also before such a save.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from ..api import engine
from . import bodies, fieldsync, jsontext, messages, streams


def on_save(obj: Any) -> Any:
    """Rewrite ``obj``'s body and properties when they disagree; a status (an error status naming
    the message and the field when the property's value cannot be read as the field's type)."""
    current = engine.current()
    try:
        cls = messages.python_class(obj._ClassName(1))
    except Exception:  # the class cannot be imported here: saved as it is (Python still reads the properties)
        return 1
    try:
        if cls is None or getattr(cls, "_pyprod_serializer", "") != "json" or not fieldsync.props(cls):
            return 1
        if fieldsync.in_sync(obj, cls):
            return 1
        text = streams.read_json(obj)
        if not text:  # made in IRIS: its properties are the message, there is no body to agree with
            return 1
        message, differs = messages.read_json(cls, obj, text)
        written = fieldsync.forms(message)
        if differs or any(fieldsync.token(fieldsync.read(obj, p.name), p.kind) != fieldsync.token(v, p.kind)
                          for p, v in zip(fieldsync.props(cls), written)):
            rewrite(obj, message, text)
        return 1
    except (bodies.BodyError, messages.MessageError, TypeError, ValueError) as exc:
        cause = str(exc)
    except Exception as exc:  # an IRIS call that failed: the save stops with a status naming it
        cause = f"an IRIS call failed: {type(exc).__name__}: {exc}"
    return current.error_status(f"{_where(obj)} cannot be saved: its body and its properties cannot be brought "
                                f"in line: {cause}")


def _where(obj: Any) -> str:
    """The message's class and ID for an error status (what can be had of them)."""
    try:
        return f"{obj._ClassName(1)}{messages._id_of(obj)}"
    except Exception:  # the object cannot even name its class
        return "a JSON message"


def rewrite(obj: Any, message: Any, text: Optional[str] = None) -> None:
    """:func:`.messages.rewrite` ``message`` into ``obj`` (whose stored body is ``text``; read
    here when not given) as one step: when an IRIS call fails midway (a property set, ``JsonOpen``,
    a stream ``Write``), the body, ``JsonFields`` and the properties are put back as they were, so
    a failed ``SetValueAt`` or save never leaves a half-written message; a MessageError names the
    cause, and says so when even putting it back failed."""
    body = messages.to_json(message)  # a value JSON cannot hold fails here, before anything is written
    before = _state(obj, type(message), streams.read_json(obj) if text is None else text)
    try:
        messages.write_json(obj, message, body)
    except Exception as exc:
        cause = f"{type(exc).__name__}: {exc}"
        try:
            _restore(obj, type(message), before)
        except Exception as again:
            raise messages.MessageError(
                f"writing the body failed ({cause}), and so did putting the message back ({type(again).__name__}: "
                f"{again}): its body and its properties may disagree; do not save it") from None
        raise messages.MessageError(f"writing the body failed ({cause}); the message was left as it was") from None


def _state(obj: Any, cls: type, text: str) -> Tuple[str, str, List[Tuple[str, Any]]]:
    """What :func:`_restore` puts back: the body, ``JsonFields`` and the properties ``obj`` has."""
    fields = fieldsync.field_list(obj)
    missing = object()
    values = [(p.name, fieldsync.read(obj, p.name, missing)) for p in fieldsync.props(cls)]
    return text, fields, [(name, value) for name, value in values if value is not missing]


def _restore(obj: Any, cls: type, state: Tuple[str, str, List[Tuple[str, Any]]]) -> None:
    text, fields, values = state
    for name, value in values:
        setattr(obj, name, value)
    opener = getattr(obj, "JsonOpen", None)
    if opener is not None:
        streams.write(opener(fields, 1), text)
    else:  # a class compiled before JsonOpen existed
        stream = obj.JsonBody
        stream.Clear()
        streams.write(stream, text)


def json_as_read(obj: Any, text: str) -> str:
    """The JSON Python reads from ``obj`` whose stored body is ``text``: ``text`` itself, unless
    Python reads a field's value differently (ObjectScript changed its property, or the field was
    retyped since the row was stored): then the stored JSON with the values Python reads."""
    try:
        cls = messages.python_class(obj._ClassName(1))
        if cls is None or getattr(cls, "_pyprod_serializer", "") != "json" or not fieldsync.props(cls):
            return text
        message, differs = messages.read_json(cls, obj, text)
        if not differs:
            return text
        stored = bodies.decode(text)
        for prop in fieldsync.props(cls):  # the stored JSON with the values Python reads
            if prop.field in stored or fieldsync.read(obj, prop.name) not in (None, ""):
                stored[prop.field] = message.__dict__.get(prop.field)
        return bodies.encode(stored, jsontext.json_default)
    except Exception:  # the viewer shows the stored text, with its own note when it is not JSON
        return text
