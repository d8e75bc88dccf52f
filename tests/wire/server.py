"""A stand-in superserver: the real Native SDK client connects to it over a loopback socket, and
it serves the fake namespace of :mod:`tests.fake_native` (whose loader is the real server code).

Faults are injected by name: ``"Class.Method"`` for a class method, ``"set ^Global"``,
``"get ^Global"`` and ``"kill ^Global"`` for globals, ``"object.Method"`` for an object's method,
``"sql"`` for a prepared statement. Texts the server sends are guesses of IRIS's own (see
docs/wire-protocol.md); tests assert what the client makes of them, never the guesses themselves.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from ..fake_native import FakeCursor, FakeIRIS, FakeObject, FakeReference, FakeServer
from . import protocol as wire
from .protocol import Message, Oref

#: What IRIS 2024+ answers to a handshake: the protocol version it speaks, 1 for a Unicode
#: instance, and its locale.
HANDSHAKE_REPLY = (69, 1, "latin1")
#: Guesses of the server's refusal texts (the client shows them after "Details:").
ACCESS_DENIED = "Access Denied"
NO_NAMESPACE = "<NAMESPACE> {namespace}"
PASSWORD_EXPIRED = "Password change required"
#: SQLCODE the server reports for a missing table and for a missing privilege.
SQL_NO_TABLE, SQL_NO_PRIVILEGE = -30, -99
#: Class methods answered by value through classMethodString in the fake.
STRING_METHODS = ("PyProd.Loader", "PyProd.Graph", "PyProdE2E.Tools")


@dataclass
class Faults:
    """Server behaviour a test injects."""

    #: Refuse every login with this text (instead of checking the user).
    refuse: str = ""
    #: Users whose password has expired (their login is refused with PASSWORD_EXPIRED).
    expired: List[str] = field(default_factory=list)
    #: Call name -> the error text the server answers with.
    errors: Dict[str, str] = field(default_factory=dict)
    #: Call name -> how many times the link drops when that call arrives.
    drops: Dict[str, int] = field(default_factory=dict)
    #: Call name -> seconds to wait before answering.
    delays: Dict[str, float] = field(default_factory=dict)
    #: SQL: (SQLCODE, text) for every prepared statement.
    sql_error: Optional[Tuple[int, str]] = None
    #: Longest string the server returns (IRIS: 3,641,144 characters); longer is <MAXSTRING>.
    max_string: int = 3_641_144


class Dropped(Exception):
    """The link goes down here."""


class WireServer:
    """Listens on 127.0.0.1, an ephemeral port; one thread per client connection."""

    def __init__(self, fake: Optional[FakeServer] = None, faults: Optional[Faults] = None) -> None:
        self.fake = fake or FakeServer()
        self.faults = faults or Faults()
        self.calls: List[str] = []
        self.logins: List[Dict[str, str]] = []
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port = self._listener.getsockname()[1]
        self._clients: List[socket.socket] = []
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self) -> None:
        self._stopped = True
        _close(self._listener)  # shutting it down also ends the accept() waiting on it
        for client in list(self._clients):
            _close(client)

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._clients.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    # -- one connection ----------------------------------------------------------------------
    def _serve(self, sock: socket.socket) -> None:
        session = Session(self, sock)
        try:
            while True:
                request = wire.read(sock)
                if request.code == wire.DISCONNECT:
                    return
                if not session.answer(request):
                    return
        except (ConnectionError, OSError, Dropped):
            return
        finally:
            _close(sock)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:  # closed by the other side of the stand-in already
        pass


class Session:
    """The state of one client connection: its login, its objects, its last SQL error."""

    def __init__(self, server: WireServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.iris = FakeIRIS(server.fake)
        self.objects: Dict[str, Any] = {}
        self.sql_error: Tuple[int, str] = (0, "")
        #: Prepared statements by statement id: (statement, result columns); the client caches them.
        self.statements: Dict[int, Tuple[str, List[Tuple[str, int]]]] = {}

    def answer(self, request: Message) -> bool:
        items = [i.value for i in wire.decode(request.payload)]
        if request.code == wire.HANDSHAKE:
            version, unicode, locale = HANDSHAKE_REPLY
            raw = version.to_bytes(2, "little") + unicode.to_bytes(2, "little")
            wire.write(self.sock, request, 0, (locale,), raw=raw)
            return True
        if request.code == wire.CONNECT:
            return self.login(request, items)
        if request.code == wire.PREPARE:
            return self.prepare(request, items)
        if request.code == wire.SERVER_ERROR:
            wire.write(self.sock, request, 0, (self.sql_error[1],))
            return True
        if request.code == wire.PREPARED_QUERY:
            return self.query(request, items)
        if request.code in (wire.FETCH, wire.CLOSE_CURSOR):  # every row went with the query's reply
            wire.write(self.sock, request, wire.NO_MORE_ROWS if request.code == wire.FETCH else 0, ())
            return True
        return self.sysio(request, [i for i in wire.decode(request.payload)])

    def login(self, request: Message, items: List[Any]) -> bool:
        fake, faults = self.server.fake, self.server.faults
        namespace, user, password = items[0], wire.unscramble(items[1]), wire.unscramble(items[2])
        self.server.logins.append({"namespace": namespace, "username": user, "password": password})
        refusal = faults.refuse
        if not refusal and user in faults.expired and password == fake.password:
            refusal = PASSWORD_EXPIRED
        elif not refusal and password != fake.password:
            refusal = ACCESS_DENIED
        elif not refusal and namespace.upper() != fake.namespace_name:
            refusal = NO_NAMESPACE.format(namespace=namespace)
        if refusal:
            wire.write(self.sock, request, wire.REFUSED, (refusal,))
            return False
        fake.username = user
        wire.write(self.sock, request, 0, ("IRIS for UNIX (stand-in) 2025.1", 1, 0, 0, fake.job, 0, 32))
        return True

    def prepare(self, request: Message, items: List[Any]) -> bool:
        """``PP``: one statement chunk, the statement (``?`` rewritten to ``:%qpar(n)``), the number
        of parameters and a ("?", 0) pair for each. Reply: SQLCODE as the function code; then the
        columns (count; per column name, ODBC type, precision, scale, nullable, label, table, schema,
        catalog, 12 flag bytes), the parameters (count; per parameter type, precision, scale,
        nullable) and 1 to let the client cache the statement under its statement id."""
        self._fault("sql")
        if self.server.faults.sql_error:
            self.sql_error = self.server.faults.sql_error
            wire.write(self.sock, request, abs(self.sql_error[0]), ())
            return True
        sql = _plain(items[1])
        columns = select_columns(sql)
        self.statements[request.statement & ~wire.MORE] = (sql, columns)
        table = sql.split(" FROM ", 1)[-1].split()[0]
        reply: List[Any] = [len(columns)]
        for name, kind in columns:
            reply += [name, kind, 50, 0, 1, name, table.split(".")[-1],
                      table.rsplit(".", 1)[0] if "." in table else "SQLUser", "", "\x00" * 12]
        count = int(items[2] or 0)
        reply += [count, *([VARCHAR, 50, 0, 1] * count), 1]
        wire.write(self.sock, request, 0, tuple(reply))
        return True

    def query(self, request: Message, items: List[Any]) -> bool:
        """``PQ`` (statement id of the prepare): parameter sets (1), the number of parameters, their
        values, a timeout and a row limit. Reply: SQLCODE 100 (no more rows) and each row's values
        in column order; an empty string goes as "\x00", NULL as an empty item."""
        self._fault("sql")
        sql, columns = self.statements[request.statement & ~wire.MORE]
        count = int(items[1] or 0)
        cursor = FakeCursor(self.server.fake)
        try:
            with self.server._lock:
                cursor.execute(sql, list(items[2:2 + count]))
        except Exception as exc:  # a statement the fake does not know: an SQL error, as IRIS would send
            self.sql_error = (-400, f"[SQLCODE: <-400>:<Fatal error occurred>] [%msg: <{exc}>]")
            wire.write(self.sock, request, 400, ())
            return True
        names = [d[0] for d in cursor.description]
        values: List[Any] = []
        for row in cursor.fetchall():
            found = dict(zip(names, row))
            values += ["\x00" if found.get(c) == "" else self._export(found.get(c)) for c, _kind in columns]
        wire.write(self.sock, request, wire.NO_MORE_ROWS, tuple(values))
        return True

    # -- Native API calls ----------------------------------------------------------------------
    def sysio(self, request: Message, items: List[wire.Item]) -> bool:
        values = [i.value for i in items]
        try:
            result, outputs = self._call(request.code, items, values)
        except _Undefined:
            wire.write(self.sock, request, wire.SYSIO + wire.UNDEFINED, ("<UNDEFINED>",))
            return True
        except Dropped:
            raise
        except Exception as exc:  # what the fake raises is what IRIS would send back as an error
            wire.write(self.sock, request, wire.SYSIO + 1, (str(exc),))
            return True
        result = self._export(result)
        if isinstance(result, str) and len(result) > self.server.faults.max_string:
            wire.write(self.sock, request, wire.SYSIO + 1, ("<MAXSTRING>",))
            return True
        wire.write(self.sock, request, wire.SYSIO, (result, *[self._export(v) for v in outputs]))
        return True

    def _call(self, code: bytes, items: List[wire.Item], values: List[Any]) -> Tuple[Any, List[Any]]:
        if code in (wire.GLOBAL_GET, wire.GLOBAL_SET, wire.GLOBAL_KILL):
            name, count = values[0], values[1]
            subscripts = values[2:2 + count]
            verb = {wire.GLOBAL_GET: "get", wire.GLOBAL_SET: "set", wire.GLOBAL_KILL: "kill"}[code]
            self._fault(f"{verb} ^{name}")
            with self.server._lock:
                if verb == "set":
                    self.iris.set(values[2 + count], name, *subscripts)
                    return None, []
                if verb == "kill":
                    self.iris.kill(name, *subscripts)
                    return None, []
                found = self.iris.get(name, *subscripts)
            if found is None:
                raise _Undefined()
            return found, []
        if code in (wire.CLASS_METHOD, wire.CLASS_METHOD_VOID, wire.METHOD, wire.METHOD_VOID):
            target, method, count = values[0], values[1], values[2]
            arguments = [self._import(i) for i in items[3:3 + count]]
            name = f"object.{method}" if isinstance(target, Oref) else f"{target}.{method}"
            self._fault(name)
            with self.server._lock:
                if isinstance(target, Oref):
                    result = self.objects[target].invoke(method, *arguments)
                elif target == "%Net.Remote.Gateway":  # the client releasing objects
                    result = ""
                elif target in STRING_METHODS or (target, method) == ("%SYSTEM.Status", "GetErrorText"):
                    result = self.iris.classMethodString(target, method, *arguments)
                else:
                    result = self.iris.classMethodValue(target, method, *arguments)
            outputs = [a.getValue() for a, i in zip(arguments, items[3:3 + count]) if i.by_reference]
            return result, outputs
        if code in (wire.PROPERTY_GET, wire.PROPERTY_SET):
            target, name = self.objects[values[0]], values[1]
            self._fault(f"object.{name}")
            if code == wire.PROPERTY_SET:
                target.set(name, values[2])
                return None, []
            return target.get(name), []
        raise RuntimeError(f"<FUNCTION> the stand-in does not serve {code!r}")

    def _fault(self, name: str) -> None:
        faults = self.server.faults
        self.server.calls.append(name)
        if faults.delays.get(name):
            time.sleep(faults.delays[name])
        if faults.drops.get(name, 0) > 0:
            faults.drops[name] -= 1
            raise Dropped(name)
        if name in faults.errors:
            raise RuntimeError(faults.errors[name])

    def _import(self, item: wire.Item) -> Any:
        value = self.objects.get(item.value, item.value) if isinstance(item.value, Oref) else item.value
        return FakeReference(value) if item.by_reference else value

    def _export(self, value: Any) -> Any:
        if isinstance(value, FakeObject):
            oref = Oref(str(len(self.objects) + 1))
            self.objects[oref] = value
            return oref
        if isinstance(value, bool):
            return int(value)
        return value


class _Undefined(Exception):
    pass


#: ODBC types of the columns the director reads (VARCHAR for the rest), as IRIS declares them. The
#: client converts each value to its column's type (a number in a VARCHAR column comes back as
#: text, an integer in a BIT column as a bool); a TIMESTAMP sent as text stays text.
VARCHAR, INTEGER, BIT, TIMESTAMP = 12, 4, -7, 93
COLUMN_TYPES = {"ID": INTEGER, "SessionId": INTEGER, "Status": INTEGER, "IsError": BIT, "TimeCreated": TIMESTAMP,
                "TimeLogged": TIMESTAMP}


def _plain(statement: str) -> str:
    """A statement as the director wrote it: the client's ``:%qpar(n)`` back to ``?``, the spaces it
    puts around ``.``, ``(``, ``)`` and ``,`` taken out again."""
    text = re.sub(r"\s*:%qpar\(\d+\)\s*", " ? ", statement)
    text = re.sub(r"\s*\.\s*", ".", text)
    text = re.sub(r"(\w)\s+\(\s*", r"\1(", text)
    text = re.sub(r"\s+\)", ")", text)
    text = re.sub(r"\s*,\s*", ", ", text)
    return re.sub(r"\s+", " ", text).strip()


def select_columns(sql: str) -> List[Tuple[str, int]]:
    """The result columns of ``SELECT [TOP ?] a, f(b) AS c, ... FROM``: each item's alias or name,
    and its ODBC type (a function's result, such as ``%EXTERNAL(...)``, is VARCHAR)."""
    body = re.sub(r"^SELECT\s+(TOP\s+\S+\s+)?", "", sql, flags=re.IGNORECASE).split(" FROM ", 1)[0]
    columns = []
    for item in body.split(","):
        name = re.split(r"\s+AS\s+", item.strip(), flags=re.IGNORECASE)[-1]
        columns.append((name, VARCHAR if "(" in item else COLUMN_TYPES.get(name, VARCHAR)))
    return columns
