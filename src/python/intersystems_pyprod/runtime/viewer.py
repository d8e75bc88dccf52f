"""What the portal's message viewer and Visual Trace show for a Python message.

The portal serves what ``%ShowContents`` writes under the content type ``%GetContentType``
declares (IRIS_REFERENCE.md 2.9 and bug magnet 20). ``PyProd.Message.%ShowContents`` asks
:func:`output_type` which type the page is served under and writes the pieces :func:`render`
returns for exactly that type, whatever ``pZenOutput`` says:

* ``application/json`` (``PyProd.JsonMessage``): the body itself, pretty-printed, valid JSON
  (``NaN``, infinities and ``1e400``, which strict JSON cannot hold, are shown as strings).
* ``text/html`` (``PyProd.PickleMessage``): an HTML fragment, the message's bounded ``repr`` in
  a ``<pre>`` block, every character escaped.
* ``text/plain``: the same text unescaped.

A body that cannot be read (invalid JSON, a refused or corrupt pickle, a class that cannot be
imported) still gives valid output of the type, with a note saying why; so does an empty body.
"""

from __future__ import annotations

import html
import json
import math
import sys
from typing import Any, List, Optional, Tuple

from ..api.messages import ProductionMessage
from . import bodysync, messages, streams
from .display import bounded_repr

JSON = "application/json"
HTML = "text/html"
TEXT = "text/plain"
#: Characters per piece written by ObjectScript: even as UTF-16 (two units for a character above
#: U+FFFF) far below the 3,641,144-character string limit.
PIECE = 1_000_000
#: Key of the explanation in JSON output that is not the body itself.
NOTE_KEY = "pyprod viewer note"


def output_type(declared: str, requested: str = "") -> str:
    """The type the page is served under: ``requested`` (the response's content type) when the
    portal asked for JSON explicitly, else the class's ``declared`` type; a type this module
    cannot write is served as plain text."""
    wanted = _base(requested) if _base(requested) == JSON else _base(declared)
    return wanted if wanted in (JSON, HTML, TEXT) else TEXT


def render(obj: Any, content_type: str) -> List[str]:
    """What ``%ShowContents`` writes for the IRIS message ``obj`` served as ``content_type``
    (one of :func:`output_type`'s answers), in pieces of at most :data:`PIECE` characters."""
    kind = output_type(content_type)
    try:
        view = _view(obj)
    except Exception as exc:  # the viewer always shows something: name what failed
        view = _View(_title(obj), None, "", f"This message cannot be shown: {type(exc).__name__}: {exc}")
    return pieces(_format(view, kind))


def pieces(text: str) -> List[str]:
    """``text`` cut into pieces of at most :data:`PIECE` characters (none for an empty text)."""
    return [text[i:i + PIECE] for i in range(0, len(text), PIECE)]


class _View:
    """A message as the viewer shows it: ``data`` is its JSON value when it has one (``None``
    otherwise), ``text`` its readable form, ``note`` what went wrong or is missing."""

    def __init__(self, title: str, data: Any, text: str, note: str = "") -> None:
        self.title, self.data, self.text, self.note = title, data, text, note


def _base(content_type: Any) -> str:
    return str(content_type or "").split(";", 1)[0].strip().lower()


def _title(obj: Any) -> str:
    try:
        name = str(obj._ClassName(1))
    except Exception:  # not an IRIS object
        name = type(obj).__name__
    return f"{name}{messages._id_of(obj)}"


def _sources() -> None:
    """The loaded scripts' modules importable in this (portal) job, in their active versions: a
    load restarts no portal job, so a newly loaded version is taken up here, as at a callback."""
    from ..loader import paths

    try:
        paths.ensure_sources()
    except Exception:  # outside IRIS (the harness): the modules are imported already
        return
    paths.refresh()


def _python_class(obj: Any) -> Tuple[Optional[type], str]:
    """The Python message class of ``obj`` and, when there is none, why."""
    _sources()
    try:
        cls = messages.python_class(obj._ClassName(1))
    except Exception as exc:
        return None, f"its Python class cannot be imported ({type(exc).__name__}: {exc})"
    if cls is None:
        return None, "it names no Python message class (PYMODULE/PYCLASS)"
    _allow_project(cls)
    return cls, ""


def _allow_project(cls: type) -> None:
    """Let the pickle reader rebuild the classes of the message's project, as a host does."""
    from .components import allow_project as allow

    module = sys.modules.get(cls.__module__)
    if module is not None:
        allow(module)


def _view(obj: Any) -> _View:
    title = _title(obj)
    if hasattr(obj, "JsonChunk") or "JsonBody" in _members(obj):
        text = streams.read_json(obj)
        if text:
            _sources()
            return _json_view(title, bodysync.json_as_read(obj, text))
    elif "PickleBody" in _members(obj) or hasattr(obj, "PickleChunk"):
        return _pickle_view(title, obj)
    return _columns_view(title, obj)


def _members(obj: Any) -> Tuple[str, ...]:
    return tuple(name for name in ("JsonBody", "PickleBody") if _has(obj, name))


def _has(obj: Any, name: str) -> bool:
    try:
        getattr(obj, name)
    except Exception:  # no such property
        return False
    return True


def _json_view(title: str, text: str) -> _View:
    """The JSON body, parsed so that it is shown pretty-printed; as stored when it is not JSON."""
    try:
        data = _loads(text)
        pretty = _dump(data)
    except (ValueError, RecursionError) as exc:
        return _View(title, None, text, f"The body is not valid JSON ({exc}); it is shown as stored.")
    return _View(title, data, pretty)


def _pickle_view(title: str, obj: Any) -> _View:
    size = len(streams.read_pickle(obj))
    if size == 0:
        return _columns_view(title, obj)
    cls, why = _python_class(obj)
    if cls is None:
        return _View(title, None, "", f"The pickle body ({size} bytes) cannot be read: {why}.")
    try:
        message = messages.from_iris(obj)
    except Exception as exc:  # refused, corrupt or too large: the reader's own words
        return _View(title, None, "", f"{exc} (the pickle has {size} bytes)")
    return _View(f"{title}, a pickle of {size} bytes", None, bounded_repr(message))


def _columns_view(title: str, obj: Any) -> _View:
    """A message without a body (made in IRIS): the message Python reads from its columns."""
    cls, why = _python_class(obj)
    if cls is None:
        return _View(title, {}, "{}", f"The message has no body, and {why}.")
    message = messages.from_iris(obj)
    if not isinstance(message, ProductionMessage):
        return _View(title, {}, "{}", "The message has no body.")
    if message._pyprod_serializer == "json":
        data = _loads(messages.to_json(message))
        return _View(title, data, _dump(data))
    return _View(title, None, bounded_repr(message), "The message has no pickle body; it is shown from its columns.")


def _loads(text: str) -> Any:
    """JSON text as values that strict JSON can write: ``NaN``, ``Infinity`` and numbers past the
    float range (``1e400``) are kept as strings of their text."""
    return json.loads(text, parse_constant=str, parse_float=_finite_or_text)


def _finite_or_text(token: str) -> Any:
    number = float(token)
    return number if math.isfinite(number) else token


def _dump(data: Any) -> str:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate (a "\ud800" escape): keep it escaped
        text = json.dumps(data, indent=2)
    return text


def _format(view: _View, kind: str) -> str:
    if kind == JSON:
        if view.data is not None and not view.note:
            return view.text
        shown: Any = view.data if view.data is not None else view.text
        document = {NOTE_KEY: view.note or "This message is shown as Python prints it.", "message": view.title,
                    "content": shown}
        return _dump(document)
    text = _clean(view.text)
    if kind == HTML:
        note = f'<p class="pyprod-note"><strong>{_escape(view.note)}</strong></p>\n' if view.note else ""
        body = f"<pre>{_escape(text)}</pre>\n" if text else ""
        return f'<div class="pyprod-message">\n<p>{_escape(view.title)}</p>\n{note}{body}</div>\n'
    lines = [view.title, view.note, "", text] if view.note else [view.title, "", text]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return html.escape(_clean(text), quote=True)


def _clean(text: str) -> str:
    """``text`` without unpaired surrogates (IRIS cannot take them), which become ``\\udXXX``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


__all__ = ["HTML", "JSON", "NOTE_KEY", "PIECE", "TEXT", "output_type", "pieces", "render"]
