"""An in-process stand-in for the parts of the embedded ``iris`` module the runtime uses.

References (``ref``), globals (``gref``), streams (``%Stream.GlobalCharacter`` /
``%Stream.GlobalBinary``), message objects of generated classes (with their message-viewer
hooks), ``%Status`` values and ``Ens.Util.Log``.
"""

from __future__ import annotations

import html
import json
import sys
from typing import Any, Callable, Dict, List, Optional

from ..api.engine import OfflineErrorStatus, is_error_value
from ..loader.globals import MemoryGlobals
from ..runtime import sealing, viewer
from . import datatypes, jsonobj, stored
from .namespaces import GlobalRef, Namespaces
from .stored import MessageStore


class Ref:
    """``iris.ref()``: a by-reference argument; the caller sets ``value`` when it needs one."""

    def __init__(self) -> None:
        self.value: Any = None


class Stream:
    """A character or binary stream kept as the chunks written to it (no copies on read).

    A binary stream (``%Stream.GlobalBinary``) takes Python ``bytes`` (IRIS makes them an 8-bit
    string) or text without wide characters; ``Read`` hands back text, one character per byte,
    as IRIS strings reach Python. The raw bytes come back only through :func:`python_bytes`,
    the stand-in for ``##class(%SYS.Python).Bytes()``.
    """

    def __init__(self, class_name: str) -> None:
        self.class_name = class_name
        self.binary = "Binary" in class_name
        self._chunks: List[Any] = []
        self._index = 0
        self._offset = 0

    def _ClassName(self, full: int = 0) -> str:
        return self.class_name

    def Write(self, data: Any) -> int:
        if isinstance(data, bytes) and self.binary:
            pass
        elif not isinstance(data, str):
            raise TypeError(f"{self.class_name} streams take {'bytes or ' if self.binary else ''}strings, "
                            f"not {type(data).__name__}")
        elif self.binary and data and max(data) > "\xff":
            raise ValueError("<WIDE CHAR>: a binary stream takes 8-bit characters only")
        if len(data) > 3_641_144 or (len(data) > 1_820_572 and isinstance(data, str) and not data.isascii()
                                     and len(data.encode("utf-16-le")) > 2 * 3_641_144):
            # IRIS counts UTF-16 units: a character above U+FFFF is two
            raise ValueError("<MAXSTRING>: a string argument longer than 3,641,144 characters")
        if data:
            self._chunks.append(data)
        return 1

    def Rewind(self) -> int:
        self._index = 0
        self._offset = 0
        return 1

    def Clear(self, permanent: int = 1) -> int:
        """Empty the stream (``%Stream.Object.Clear``)."""
        self._chunks = []
        return self.Rewind()

    @property
    def AtEnd(self) -> int:
        return int(self._index >= len(self._chunks))

    @property
    def Size(self) -> int:
        return sum(len(c) for c in self._chunks)

    def Read(self, length: int = 32000) -> str:
        data = self._take(length)
        return data.decode("latin-1") if isinstance(data, bytes) else data

    def _take(self, length: int) -> Any:
        """Up to ``length`` characters (bytes of a binary stream), whole chunks handed out uncopied."""
        if length > 3_641_144:
            raise ValueError("<MAXSTRING>: a read longer than 3,641,144 characters")
        out: List[Any] = []
        wanted = length
        while wanted > 0 and self._index < len(self._chunks):
            chunk = self._chunks[self._index]
            rest = len(chunk) - self._offset
            if self._offset == 0 and rest <= wanted:
                out.append(chunk)
                wanted -= rest
                self._index += 1
                continue
            take = min(rest, wanted)
            out.append(chunk[self._offset:self._offset + take])
            wanted -= take
            self._offset += take
            if self._offset >= len(chunk):
                self._index += 1
                self._offset = 0
        if self.binary:
            parts = [p if isinstance(p, bytes) else p.encode("latin-1") for p in out]
            return parts[0] if len(parts) == 1 else b"".join(parts)
        return out[0] if len(out) == 1 else "".join(out)

    def text(self) -> str:
        """All of the stream (for traces and tests)."""
        return "".join(c.decode("latin-1") if isinstance(c, bytes) else c for c in self._chunks)


def python_bytes(text: Any) -> bytes:
    """``##class(%SYS.Python).Bytes(text)``: the 8-bit string as Python bytes (no wide characters)."""
    if isinstance(text, bytes):
        return text
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError("%SYS.Python.Bytes: the input string cannot contain wide characters") from None


def pickle_chunk(obj: Any, iteration: int, size: int) -> bytes:
    """``PyProd.PickleMessage.PickleChunk``: chunk ``iteration`` of the body, as Python bytes."""
    stream = obj.PickleBody
    if iteration == 0:
        stream.Rewind()
    if stream.AtEnd:
        return python_bytes("")
    return python_bytes(stream._take(size))  # = Bytes(stream.Read(size)), without decoding and encoding


def json_chunk(obj: Any, iteration: int, size: int) -> str:
    """``PyProd.JsonMessage.JsonChunk``: chunk ``iteration`` of the JSON body."""
    stream = obj.JsonBody
    if iteration == 0:
        stream.Rewind()
    return "" if stream.AtEnd else stream.Read(size)


#: Default chunk size of ``PickleChunk`` and ``JsonChunk`` (as in PyProd.PickleMessage and JsonMessage).
CHUNK_DEFAULT = 3_000_000


class IrisObject:
    """An instance of a generated (or declared) IRIS class: properties are attributes."""

    def __init__(self, class_name: str, defaults: Optional[Dict[str, Any]] = None,
                 streams: Optional[Dict[str, str]] = None, properties: Optional[Dict[str, str]] = None) -> None:
        self.__dict__["_class_name"] = class_name
        self.__dict__["_streams"] = dict(streams or {})
        #: declared properties (name -> IRIS type), when the class declares them: an unset one reads ""
        self.__dict__["_properties"] = properties
        for name, value in (defaults or {}).items():
            self.__dict__[name] = value

    def _ClassName(self, full: int = 0) -> str:
        name = self.__dict__["_class_name"]
        return name if full else name.rsplit(".", 1)[-1]

    def __getattr__(self, name: str) -> Any:
        streams = self.__dict__["_streams"]
        if name in streams:
            stream = Stream(streams[name])
            self.__dict__[name] = stream
            return stream
        declared = self.__dict__["_properties"]
        if declared is not None and name in declared:
            return ""
        raise AttributeError(f"{self.__dict__['_class_name']} has no property {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        """A property the object's class declares (as compiled when the object was made or opened:
        a job that opened it before a reload has the earlier class's properties); another one is
        IRIS's ``<PROPERTY DOES NOT EXIST>``."""
        declared = self.__dict__["_properties"]
        if declared is not None and name not in declared and name not in self.__dict__["_streams"] \
                and not name.startswith("_"):
            raise RuntimeError(f"<PROPERTY DOES NOT EXIST> *{name},{self.__dict__['_class_name']}")
        self.__dict__[name] = value

    def __repr__(self) -> str:
        return f"<{self.__dict__['_class_name']} object>"


class Response:
    """``%response`` of the portal page that shows a message (``ContentType`` "" outside one)."""

    ContentType = ""


#: The ``%response`` the message objects' ``%ShowContents`` sees (the portal stand-in sets it).
response = Response()


class _MessageObject(IrisObject):
    """An instance of a class extending ``PyProd.Message``: persistent (``%Save``, ``%Id``), with
    the message-viewer hooks as PyProd.Message and PyProd.JsonMessage define them.
    ``%ShowContents`` writes to stdout, the current device."""

    def _Id(self) -> Any:
        """``%Id()``: the stored ID, "" before the first save."""
        ident = self.__dict__.get("_id")
        return "" if ident is None else ident

    def _Save(self) -> Any:
        """``%Save()``: store the body (its ID is given at the first save)."""
        store = self.__dict__.get("_store")
        if store is None:
            raise RuntimeError(f"{self._ClassName(1)} has no message store to be saved in")
        status = self._OnAddToSaveSet()  # called first, when the object joins the save set
        if is_error_value(status):
            return status
        for name, datatype in (self.__dict__.get("_properties") or {}).items():
            value = self.__dict__.get(name)
            if not datatypes.valid(datatype, value):  # IRIS validates every property before a save
                return OfflineErrorStatus(f"ERROR #5802: Datatype validation failed on property "
                                          f"'{self._ClassName(1)}:{name}', with value equal to \"{value}\"")
        store.save(self)
        return 1

    def _OnAddToSaveSet(self) -> Any:
        """``%OnAddToSaveSet``: PyProd.Message defines none."""
        return 1

    def _GetContentType(self) -> str:
        return viewer.HTML

    def _ShowContents(self, pZenOutput: int = 0) -> None:
        kind = self._GetContentType()
        try:
            kind = viewer.output_type(kind, response.ContentType)
            for piece in viewer.render(self, kind):
                if len(piece) > 3_641_144:
                    raise ValueError("<MAXSTRING>: a string longer than 3,641,144 characters")
                sys.stdout.write(piece)
        except Exception as exc:  # as the ObjectScript catch: ShowFailure
            show_failure(kind, f"This message cannot be shown: {exc}")


def show_failure(kind: str, text: str) -> None:
    """``PyProd.Message.ShowFailure``: ``text`` as valid content of type ``kind``."""
    if kind == viewer.JSON:
        sys.stdout.write(json.dumps({viewer.NOTE_KEY: text}))
    elif kind == viewer.TEXT:
        sys.stdout.write(text)
    else:
        sys.stdout.write(f"<p>{html.escape(text)}</p>")


class _PickleMessageObject(_MessageObject):
    """An instance of a class extending ``PyProd.PickleMessage``: it has ``PickleChunk``."""

    def PickleChunk(self, iteration: int, size: int = CHUNK_DEFAULT) -> bytes:
        return pickle_chunk(self, iteration, size)


class _JsonMessageObject(_MessageObject):
    """An instance of a class extending ``PyProd.JsonMessage``: it has ``JsonChunk``."""

    def JsonChunk(self, iteration: int, size: int = CHUNK_DEFAULT) -> str:
        return json_chunk(self, iteration, size)

    def JsonOpen(self, fields: str, clear: int = 0) -> Stream:
        return jsonobj.json_open(self, fields, clear)

    def JsonFieldList(self) -> str:
        return str(self.__dict__.get("JsonFields", ""))

    def GetValueAt(self, path: str = "", fmt: str = "", status: Any = None, empty_is_null: int = 0) -> Any:
        return jsonobj.get_value_at(self, path, status)

    def SetValueAt(self, value: Any = "", path: str = "", action: str = "set", key: str = "") -> Any:
        return jsonobj.set_value_at(self, value, path, action, key)

    def GetNextIndex(self, path: str = "", index: Any = "", status: Any = None) -> Any:
        return jsonobj.get_next_index(self, path, index, status)

    def _OnAddToSaveSet(self) -> Any:
        return jsonobj.on_add_to_save_set(self)

    def _GetContentType(self) -> str:
        return viewer.JSON


class _StatusApi:
    """``iris.cls("%SYSTEM.Status")``."""

    @staticmethod
    def Error(code: int, text: str) -> OfflineErrorStatus:
        return OfflineErrorStatus(str(text))

    @staticmethod
    def IsError(status: Any) -> int:
        return int(is_error_value(status))

    @staticmethod
    def GetErrorText(status: Any) -> str:
        if not is_error_value(status):
            return ""
        text = status.text if isinstance(status, OfflineErrorStatus) else str(status)
        return f"ERROR #5001: {text}"


class ClassInfo:
    """What the stand-in knows of one IRIS class."""

    def __init__(self, name: str, parameters: Optional[Dict[str, Any]] = None,
                 defaults: Optional[Dict[str, Any]] = None, streams: Optional[Dict[str, str]] = None,
                 properties: Optional[Dict[str, str]] = None) -> None:
        self.name = name
        self.parameters = dict(parameters or {})
        self.defaults = dict(defaults or {})
        self.streams = dict(streams or {})
        #: the class's datatype properties (name -> IRIS type), None when not declared
        self.properties = properties


class _ClassProxy:
    def __init__(self, api: IrisStandIn, name: str) -> None:
        self._api = api
        self._name = name

    def _New(self) -> Any:
        if self._name in ("%Stream.GlobalCharacter", "%Stream.GlobalBinary", "%Stream.TmpCharacter",
                          "%Stream.TmpBinary"):
            return Stream(self._name)
        info = self._api.classes.get(self._name.lower())
        if info is None:
            raise RuntimeError(f"<CLASS DOES NOT EXIST> {self._name}")
        kind = (_PickleMessageObject if "PickleBody" in info.streams
                else _JsonMessageObject if "JsonBody" in info.streams else IrisObject)
        obj = kind(info.name, info.defaults, info.streams, info.properties)
        if kind is not IrisObject:
            obj.__dict__["_store"] = self._api.store
        return obj

    def _GetParameter(self, name: str) -> Any:
        info = self._api.classes.get(self._name.lower())
        if info is None:
            raise RuntimeError(f"<CLASS DOES NOT EXIST> {self._name}")
        return info.parameters.get(name, "")

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if self._name.upper() == "%SYSTEM.SYS" and method == "NameSpace":
            return lambda: self._api.namespaces.current
        if self._name == "Ens.Util.Log" and method.startswith("Log"):
            level = method[3:]

            def log(source_class: str, source_method: str, text: str) -> int:
                self._api.log_sink(level, source_class, source_method, text)
                return 1

            return log
        raise AttributeError(f"the stand-in has no class method {self._name}.{method}")


class IrisStandIn:
    """The ``iris`` surface the runtime uses, backed by Python objects."""

    def __init__(self, log_sink: Callable[[str, str, str, str], None]) -> None:
        self.classes: Dict[str, ClassInfo] = {}
        self.log_sink = log_sink
        self.namespaces = Namespaces()
        #: the stored message bodies
        self.store = MessageStore()

    @property
    def globals(self) -> Dict[str, MemoryGlobals]:
        """The globals of the namespace the process is in."""
        return self.namespaces.globals()

    def define(self, info: ClassInfo) -> None:
        self.classes[info.name.lower()] = info

    def reopen(self, row: Any) -> Any:
        """``%OpenId`` of message ``row`` stored under an earlier definition of its class
        (:func:`.stored.reopen`)."""
        return stored.reopen(self, row)

    def ref(self) -> Ref:
        # only the form both reference projects use (IRIS_REFERENCE.md 1.6): no initial value
        return Ref()

    def cls(self, name: str) -> Any:
        # %SYSTEM classes only through cls(): there is no ``system`` attribute, as in the
        # releases whose ``iris`` module lacks it
        if name == "%SYSTEM.Status":
            return _StatusApi
        return _ClassProxy(self, name)

    def gref(self, name: str) -> GlobalRef:
        return self.namespaces.gref(name)

    def ensure_seal_key(self) -> None:
        """Give this namespace the key that seals pickle bodies, as a load into it does."""
        sealing.ensure_key(self.globals.setdefault(sealing.KEY_GLOBAL, MemoryGlobals()))
