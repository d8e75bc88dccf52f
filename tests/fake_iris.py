"""A small fake of the embedded ``iris`` module, for runtime unit tests (not shipped).

It records every call so tests can check the runtime speaks to IRIS as IRIS expects.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Set, Tuple

from intersystems_pyprod.testing.standin import GlobalRef, Namespaces


class FakeStatusApi:
    def __init__(self, calls: List[Tuple[Any, ...]]) -> None:
        self._calls = calls

    def Error(self, code: int, text: str) -> str:
        self._calls.append(("Status.Error", code, text))
        return "0 " + chr(1) + f"ERROR #{code}: {text}"

    def GetErrorText(self, status: Any) -> str:
        return str(status).split(chr(1), 1)[-1]


class FakeLog:
    def __init__(self, calls: List[Tuple[Any, ...]]) -> None:
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        def log(*args: Any) -> int:
            self._calls.append(("Ens.Util.Log", name, *args))
            return 1
        return log


class FakeRef:
    """``iris.ref()`` / ``iris.arrayref()``: the call fills ``value``."""

    def __init__(self, value: Any = None) -> None:
        self.value = value


class FakeSql:
    """``iris.sql``: ``prepare(sql).execute(*args)`` gives ``rows`` and records the query.

    Dynamic SQL checks the user's SQL privileges, as IRIS does: with ``granted`` set, a query on a
    table outside it fails with IRIS's privilege error (SQLCODE -99)."""

    def __init__(self, calls: List[Tuple[Any, ...]]) -> None:
        self._calls = calls
        self.rows: List[Tuple[Any, ...]] = []
        #: Tables the user may SELECT from with dynamic SQL (None: every table).
        self.granted: Optional[Set[str]] = None

    def prepare(self, sql: str) -> Any:
        outer = self

        class _Statement:
            def execute(self, *args: Any) -> List[Tuple[Any, ...]]:
                outer._calls.append(("sql", sql, *args))
                for table in re.findall(r"\bFROM\s+([\w.%]+)", sql, re.IGNORECASE):
                    if outer.granted is not None and table not in outer.granted:
                        raise RuntimeError("[SQLCODE: <-99>:<Privilege Violation>] [%msg: <User has no SELECT "
                                           f"privilege on table {table}>]")
                return list(outer.rows)

        return _Statement()


class FakeLoaderClass:
    """``PyProd.Loader`` methods the runtime calls. ``IsMessageBody`` is embedded SQL, which IRIS
    runs without checking SQL privileges: it reads ``message_headers`` whatever ``sql.granted`` says."""

    def __init__(self, iris: FakeIris) -> None:
        self._iris = iris

    def IsMessageBody(self, class_name: str, body_id: str) -> int:
        self._iris.calls.append(("PyProd.Loader.IsMessageBody", class_name, body_id))
        return int((str(class_name), str(body_id)) in self._iris.message_headers)


class FakeSys:
    """``%SYSTEM.SYS``: the namespace the process is in."""

    def __init__(self, namespaces: Namespaces) -> None:
        self._namespaces = namespaces

    def NameSpace(self) -> str:
        return self._namespaces.current

    def ProcessID(self) -> int:
        """``$JOB`` of this process."""
        return 4711


class FakeIris:
    """``namespaces`` holds the globals of every namespace and the process's ``$NAMESPACE``
    (``namespaces.switch(name)``); see :class:`Namespaces` for how references bind and what
    ``get`` of an undefined node does."""

    def __init__(self, namespaces: Any = None) -> None:
        self.namespaces: Namespaces = namespaces or Namespaces()
        self.calls: List[Tuple[Any, ...]] = []
        #: Classes reached with ``cls(name)`` besides Ens.Util.Log (a test puts its fakes here).
        self.classes: Dict[str, Any] = {}
        self.sql = FakeSql(self.calls)
        #: (MessageBodyClassName, MessageBodyId) of the rows of Ens.MessageHeader.
        self.message_headers: Set[Tuple[str, str]] = set()
        # %SYSTEM classes only through cls(), like the releases without ``iris.system``
        self.classes["%SYSTEM.Status"] = FakeStatusApi(self.calls)

    def ref(self) -> FakeRef:
        # like the stand-in: only ``iris.ref()``; a caller sets ``.value`` itself
        return FakeRef()

    def arrayref(self) -> FakeRef:
        return FakeRef()

    def gref(self, name: str) -> GlobalRef:
        return self.namespaces.gref(name)

    def cls(self, name: str) -> Any:
        if name in self.classes:
            return self.classes[name]
        if name == "Ens.Util.Log":
            return FakeLog(self.calls)
        if name == "PyProd.Loader":
            return FakeLoaderClass(self)
        if name == "%SYSTEM.SYS":
            return FakeSys(self.namespaces)
        raise RuntimeError(f"<CLASS DOES NOT EXIST> {name}")


#: How IRIS might hand a Python value returned to ObjectScript (IRIS_REFERENCE.md 1.3: unconfirmed):
#: "literal" turns True/False/None into 1/0/"", "object" keeps them Python objects (an OREF).
PYTHON_TO_OBJECTSCRIPT = ("literal", "object")


def to_objectscript(value: Any, mode: str) -> Any:
    """``value``, returned from Python, as ObjectScript would see it under conversion ``mode``."""
    if value is True or value is False or value is None:
        if mode == "literal":
            return "" if value is None else int(value)
        return "7@%SYS.Python"  # an object reference
    return value


def objectscript_is_error(value: Any) -> bool:
    """``$$$ISERR(value)``: ObjectScript's numeric value of the leading number is 0."""
    match = re.match(r"\s*[-+]?\d+", str(value))
    return not (match and int(match.group()))
