"""Talking to IRIS over the Native SDK (``intersystems-irispython``, imported only when connecting)."""

from __future__ import annotations

import json
import uuid
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ..troubleshooting import see
from . import failures
from .failures import FAILED as FAILED
from .failures import UNREACHABLE as UNREACHABLE
from .failures import USAGE, DirectorError
from .output import redirect_output
from .settings import ConnectionSettings, SettingsError, mask, resolve

#: Characters per string sent to IRIS (IRIS strings hold 3,641,144).
CHUNK = 1_000_000
UPLOAD_GLOBAL = "PyProd.Upload"
#: How to install (or upgrade) PyProd in a namespace, for every fix that asks for it. IPM's
#: ``load`` takes a folder holding module.xml on the IRIS server, a .tgz of it, or a git URL; the
#: module is not in a public registry yet, so ``install`` works only where a registry has it.
INSTALL_PYPROD = ('in that namespace run zpm "load /path/to/pyprod" (a checkout of the PyProd repository on the '
                  'IRIS server, or its git URL), or zpm "install pyprod" from an IPM registry that has it')


def scrub(text: str, settings: ConnectionSettings) -> str:
    """``text`` with the password masked where it stands as a value (``settings.mask``), so that a
    short password leaves the words of the message whole."""
    return mask(text, [settings.password])


def native_sdk() -> Any:
    """The ``iris`` package of intersystems-irispython (tests put a fake here)."""
    try:
        import iris
    except ImportError:
        raise DirectorError("the Native SDK is not installed",
                            "pip install intersystems-irispython; " + see("native-sdk-not-installed"),
                           USAGE) from None
    return iris


def connect(settings: ConnectionSettings, sdk: Any = None) -> Director:
    """Open a connection; failures are a :class:`DirectorError` of kind ``unreachable``."""
    if sdk is None:
        sdk = native_sdk()
    if not settings.username:
        raise DirectorError(f"no user name for {settings.where}",
                           "pass --username or set IRIS_USERNAME (and IRIS_PASSWORD)", USAGE)
    options: Dict[str, Any] = dict(hostname=settings.host, port=settings.port, namespace=settings.namespace,
                                   username=settings.username, password=settings.password,
                                   timeout=settings.timeout, sharedmemory=False)
    if settings.tls:
        if failures.is_boolean(settings.tls):
            raise DirectorError(f"--tls (IRIS_TLS) takes the name of a client TLS configuration, not {settings.tls!r}",
                                "pass the name of a section of the file ISC_SSLconfigurations names (Windows: "
                                "SSLDefs.ini), or leave it unset to connect without TLS", USAGE)
        options["sslconfig"] = settings.tls
    try:
        connection = sdk.connect(**options)
        native = sdk.createIRIS(connection)
    except Exception as exc:
        raise failures.connect_error(scrub(str(exc), settings), settings) from None
    redirect_output(connection)
    return Director(native, connection, settings, sdk)


def connect_with(flags: Mapping[str, Any]) -> Director:
    """Connect with these settings, the rest from the environment, ``.env`` and pyproject.toml."""
    try:
        resolved = resolve(flags)
    except SettingsError as exc:
        raise DirectorError(str(exc), "correct the setting", USAGE) from None
    return connect(resolved)


class Director:
    """A connected IRIS namespace: load scripts, run productions, read messages and the log.

    Made by [`connect`][intersystems_pyprod.director.connect]; use it in a ``with`` block, or
    call ``close``. Failures raise ``DirectorError``. The results of the loader's methods are
    the documents the command line prints with ``--json`` (``load_script`` as ``load``,
    ``plan_script`` as ``plan``, ``history``, ``rollback``, ``unload``, ``listing`` as the
    scripts of ``status``).

    Examples:
        ```python
        from intersystems_pyprod import director

        with director.connect(namespace="ORDERS") as iris:
            result = iris.load_script("orders.py")           # {"ok", "version", "classes", ...}
            print(result["ok"], [c["name"] for c in result["classes"]])
            iris.director("StartProduction", "Orders.OrdersProduction")
            print(iris.production_status())                  # {"production", "state": "Running"}
            for message in iris.messages(limit=10):
                print(message["SourceConfigName"], "->", message["TargetConfigName"], message["Body"])
            for entry in iris.log(limit=5, after_id=0):
                print(entry["ID"], entry["Type"], entry["ConfigName"], entry["Text"])
            rows = iris.query("SELECT Name FROM Ens_Config.Item WHERE Production = ?",
                              ["Orders.OrdersProduction"])
        ```
    """

    def __init__(self, native: Any, connection: Any, settings: ConnectionSettings, sdk: Any) -> None:
        self.sdk = sdk
        self.native = native
        self.connection = connection
        self.settings = settings
        #: Releases of business services made over this connection, run before it closes.
        self._at_close: List[Callable[[], None]] = []
        #: Releases of services Python collected, run at the next call (never inside another one).
        self._deferred: List[Callable[[], None]] = []

    def on_close(self, release: Callable[[], None]) -> None:
        """Run ``release`` before the connection closes (once; a release done before is a no-op)."""
        self._at_close.append(release)
        if len(self._at_close) > 64:
            self._at_close = [r for r in self._at_close if getattr(getattr(r, "args", (None,))[0], "alive", True)]

    def defer(self, release: Callable[[], None]) -> None:
        """Run ``release`` at the next call or at close."""
        self._deferred.append(release)

    def _run_deferred(self) -> None:
        while self._deferred:
            try:
                self._deferred.pop(0)()
            except Exception:
                pass

    def close(self) -> None:
        """Release the business services made over this connection, then close it."""
        self._run_deferred()
        releases, self._at_close = self._at_close, []
        for release in releases:
            try:
                release()
            except Exception:
                pass
        self._run_deferred()
        try:
            self.connection.close()
        except Exception:  # closing a broken connection must not hide the real error
            pass

    def __enter__(self) -> Director:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------------
    def call(self, cls: str, method: str, *args: Any) -> Any:
        if self._deferred:
            self._run_deferred()
        try:
            return self.native.classMethodValue(cls, method, *args)
        except Exception as exc:
            raise self.failure(f"{cls}.{method}", exc) from None

    def failure(self, what: str, exc: BaseException) -> DirectorError:
        """The error to report for a failed call (a lost link is named as such)."""
        return failures.call_error(what, exc, self.settings, scrub(str(exc), self.settings))

    def call_json(self, cls: str, method: str, *args: Any) -> Dict[str, Any]:
        try:
            text = self.native.classMethodString(cls, method, *args)
        except Exception as exc:
            raise self.failure(f"{cls}.{method}", exc) from None
        try:
            document = dict(json.loads(text or "{}"))
        except ValueError:
            raise DirectorError(f"{cls}.{method} returned something that is not JSON: {str(text)[:200]!r}") from None
        if document.get("chunked") and document.get("token"):
            return self.read_parts(f"{cls}.{method}", document)
        return document

    def read_parts(self, what: str, pointer: Dict[str, Any]) -> Dict[str, Any]:
        """The whole document of a result the server stored in parts (too long for one string). If a
        part cannot be read, the pointer's summary (ok, script, version) is the result, with
        ``incomplete`` naming what is missing; the server purges what is left behind."""
        token = str(pointer["token"])
        parts: List[str] = []
        try:
            for number in range(1, int(pointer["chunked"]) + 1):
                part = self.call_json("PyProd.Loader", "ResultChunk", token, number)
                if not part.get("ok"):
                    raise DirectorError(str(part.get("error")))
                parts.append(str(part.get("part", "")))
            return dict(json.loads("".join(parts)))
        except (DirectorError, ValueError) as exc:
            summary = {k: v for k, v in pointer.items() if k not in ("chunked", "token")}
            summary["incomplete"] = (f"the full result of {what} was too long for one string and reading it in "
                                     f"parts failed ({exc}); the class list and class texts are missing")
            summary.setdefault("warnings", []).append(summary["incomplete"])
            return summary
        finally:
            self.discard(token)

    def status_text(self, status: Any) -> str:
        return str(self.native.classMethodString("%SYSTEM.Status", "GetErrorText", status))

    def check_status(self, status: Any, what: str) -> None:
        text = "" if status is None else str(status)
        if not text.startswith("1"):
            raise DirectorError(f"{what} failed: {self.status_text(status)}")

    # -- checks --------------------------------------------------------------------------------
    def has_class(self, name: str) -> bool:
        return bool(int(self.call("%Dictionary.CompiledClass", "%ExistsId", name) or 0))

    def require_pyprod(self) -> None:
        if not self.has_class("PyProd.Loader"):
            raise DirectorError(f"PyProd is not installed in namespace {self.settings.namespace} on "
                               f"{self.settings.host}:{self.settings.port}",
                               f"{INSTALL_PYPROD}; {see('pyprod-not-installed')}")

    def has_privilege(self, resource: str, permission: str) -> bool:
        return bool(int(self.call("%SYSTEM.Security", "Check", resource, permission) or 0))

    def interoperability_enabled(self) -> bool:
        return bool(int(self.call("%EnsembleMgr", "IsEnsembleNamespace", self.settings.namespace) or 0))

    # -- loader ----------------------------------------------------------------------------
    def upload(self, files: Mapping[str, str], entry: str, project: str = "") -> str:
        """Stage sources in ^PyProd.Upload(token), bound to this connection's user and process;
        returns the token."""
        token = uuid.uuid4().hex
        try:
            job = str(self.call("%SYSTEM.SYS", "ProcessID"))
            user = str(self.call("%SYSTEM.Process", "UserName"))
            for path, text in files.items():
                pieces = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
                for number, piece in enumerate(pieces, start=1):
                    self.native.set(piece, UPLOAD_GLOBAL, token, "f", path, number)
            for key, value in (("project", project), ("user", user), ("job", job), ("entry", entry)):
                self.native.set(value, UPLOAD_GLOBAL, token, key)
        except DirectorError:
            self.discard(token)
            raise
        except Exception as exc:
            self.discard(token)
            raise self.upload_error(exc) from None
        return token

    def upload_error(self, exc: BaseException) -> DirectorError:
        error = self.failure(f"writing ^{UPLOAD_GLOBAL} (the upload of the sources)", exc)
        if "<PROTECT>" in str(exc):
            error.fix = (f"give {self.settings.username} write access to the globals database of namespace "
                         f"{self.settings.namespace} (its %DB_ resource with WRITE, e.g. %DB_USER:W)")
        return error

    def discard(self, token: str) -> None:
        """Remove a staged upload; a failure here never hides the error being reported."""
        try:
            self.native.kill(UPLOAD_GLOBAL, token)
        except Exception:
            pass

    def can_write_uploads(self) -> str:
        """'' when this user can write ^PyProd.Upload, else the error."""
        token = "doctor-" + uuid.uuid4().hex
        try:
            self.native.set("check", UPLOAD_GLOBAL, token)
        except Exception as exc:
            return str(self.upload_error(exc))
        self.discard(token)
        return ""

    def load(self, files: Mapping[str, str], entry: str, *, project: str, texts: bool = False,
             take_over: bool = False, overwrite_production: bool = False) -> Dict[str, Any]:
        from ..loader.upload import upload_digest

        token = self.upload(files, entry, project)
        try:
            extra = [int(overwrite_production)] if overwrite_production else []  # older servers take four
            return self.call_json("PyProd.Loader", "LoadUploaded", token, int(texts),
                                  upload_digest(files, entry, project), int(take_over), *extra)
        finally:
            self.discard(token)

    def plan(self, files: Mapping[str, str], entry: str, *, project: str, diff: bool = False,
             take_over: bool = False, overwrite_production: bool = False) -> Dict[str, Any]:
        """What loading these sources would do, changing nothing (``PyProd.Loader.PlanUploaded``)."""
        from ..loader.upload import upload_digest

        token = self.upload(files, entry, project)
        try:
            return self.call_json("PyProd.Loader", "PlanUploaded", token, upload_digest(files, entry, project),
                                  int(take_over), int(overwrite_production), int(diff))
        finally:
            self.discard(token)

    def unload(self, script: str) -> Dict[str, Any]:
        """Delete every class a loaded script generated and forget its sources: {"ok", "classes", "error"}."""
        return self.call_json("PyProd.Loader", "Unload", script)

    def listing(self) -> Dict[str, Any]:
        """The loaded scripts with their active versions and classes: {"ok", "scripts", "error"}."""
        return self.call_json("PyProd.Loader", "List")

    def history(self, script: str) -> Dict[str, Any]:
        """The stored versions of a loaded script, newest first: {"ok", "script", "active",
        "versions": [{"number", "time", "user", "project", "hash", "classes", "active"}], "error"}."""
        return self.call_json("PyProd.Loader", "History", script)

    def rollback(self, script: str, to: Optional[int] = None, *, overwrite_production: bool = False) -> Dict[str, Any]:
        """Make stored version ``to`` of a loaded script active again (None: the version before the
        active one); the result of a load ({"ok", "version", "classes", ...})."""
        if to is not None and (isinstance(to, bool) or not isinstance(to, int) or to < 1):
            raise DirectorError(f"version {to!r} is not a version number", "pass a number history shows", USAGE)
        extra = [1] if overwrite_production else []
        return self.call_json("PyProd.Loader", "Restore", script, to or 0, *extra)

    def info(self) -> Dict[str, Any]:
        """The versions of PyProd on the server and of its Embedded Python: {"version", "python", ...}."""
        return self.call_json("PyProd.Loader", "Info")

    # -- productions -------------------------------------------------------------------------
    def production_status(self) -> Dict[str, Any]:
        """{"production", "state"}: the production and Running, Stopped, Suspended or Troubled."""
        name, state = self.sdk_ref(""), self.sdk_ref(0)
        status = self.call("Ens.Director", "GetProductionStatus", name, state, 10, 0)
        self.check_status(status, "reading the production status")
        states = {1: "Running", 2: "Stopped", 3: "Suspended", 4: "Troubled", 5: "NetworkStopped"}
        value = int(state.getValue() or 0)
        return {"production": name.getValue() or "", "state": states.get(value, str(value))}

    def sdk_ref(self, value: Any) -> Any:
        return self.sdk.IRISReference(value)

    def director(self, method: str, *args: Any) -> None:
        """Call ``Ens.Director.<method>(*args)``; an error status raises ``DirectorError``."""
        self.check_status(self.call("Ens.Director", method, *args), f"Ens.Director.{method}")

    # -- scripts -----------------------------------------------------------------------------
    @staticmethod
    def _collect(path: str) -> Tuple[Any, str, Dict[str, str]]:
        """(source root, entry, files) of a script and the project modules it imports."""
        from pathlib import Path

        from .collect import CollectError, collect

        script = Path(path)
        if not script.is_file():
            raise DirectorError(f"script {path} does not exist", "check the path")
        try:
            return collect(script)
        except CollectError as exc:
            raise DirectorError(str(exc), "correct the script") from None

    def load_script(self, path: str, *, texts: bool = False, take_over: bool = False) -> Dict[str, Any]:
        """Upload a script and the project modules it imports, and load them (result document)."""
        from .collect import project_identity

        root, entry, files = self._collect(path)
        self.require_pyprod()
        return self.load(files, entry, texts=texts, take_over=take_over, project=project_identity(root))

    def plan_script(self, path: str, *, diff: bool = False, take_over: bool = False,
                    overwrite_production: bool = False) -> Dict[str, Any]:
        """What loading a script would do, changing nothing: {"ok", "script", "changed", "classes":
        [{"name", "kind", "action"}], "conflicts", "productions": [{"name", "action", "added",
        "removed", "changed": [{"setting", "old", "new"}]}], "restarted", "refreshed", "diffs",
        "warnings", "error"}."""
        from .collect import project_identity

        root, entry, files = self._collect(path)
        self.require_pyprod()
        return self.plan(files, entry, project=project_identity(root), diff=diff, take_over=take_over,
                         overwrite_production=overwrite_production)

    def export_production(self, production: str) -> Dict[str, Any]:
        """A production of the namespace as a Python declaration of this library: {"ok",
        "production", "source", "notes", "error"} (``PyProd.Graph.Production`` reads it)."""
        from .export import check_name, exported

        check_name(production)
        self.require_pyprod()
        return exported(production, self.call_json("PyProd.Graph", "Production", production))

    # -- messages and the event log ---------------------------------------------------------------
    def messages(self, session: Optional[int] = None, limit: int = 20, bodies: bool = True) -> List[Dict[str, Any]]:
        """Recent message headers (of one session), oldest first, with their bodies."""
        where = "WHERE SessionId = ? " if session is not None else ""
        rows = self.query(
            f"SELECT TOP ? ID, SessionId, TimeCreated, SourceConfigName, TargetConfigName, MessageBodyClassName, "
            f"MessageBodyId, %EXTERNAL(Status) AS Status, IsError FROM Ens.MessageHeader {where}ORDER BY ID DESC",
            [limit, *([session] if session is not None else [])])
        rows.reverse()
        if bodies:
            for row in rows:
                row["Body"] = self.message_body(row.get("MessageBodyClassName"), row.get("MessageBodyId"))
        return rows

    def message_body(self, class_name: Optional[str], body_id: Any) -> str:
        """A message body as text (JSON for PyProd JSON messages)."""
        if not class_name or body_id in (None, ""):
            return ""
        if self.has_class("PyProd.Loader"):
            try:
                document = self.call_json("PyProd.Loader", "MessageBody", class_name, str(body_id))
            except DirectorError as exc:  # e.g. <PROTECT>: the headers are still worth showing
                return f"<body not shown: {exc}>"
            return str(document.get("body", document.get("error", "")))
        return f"<{class_name} {body_id}>"

    def log(self, limit: int = 50, after_id: int = 0) -> List[Dict[str, Any]]:
        """Event-log entries newer than ``after_id``, oldest first."""
        rows = self.query(
            "SELECT TOP ? ID, TimeLogged, %EXTERNAL(Type) AS Type, ConfigName, SourceClass, SourceMethod, Text, "
            "SessionId FROM Ens_Util.Log WHERE ID > ? ORDER BY ID DESC", [limit, after_id])
        rows.reverse()
        return rows

    def query(self, sql: str, params: List[Any]) -> List[Dict[str, Any]]:
        """Rows of an SQL query, as dicts."""
        table = sql.split(" FROM ", 1)[-1].split()[0]
        try:
            cursor = self.connection.cursor()
            try:
                cursor.execute(sql, params)
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, row)) for row in cursor.fetchall()]
            finally:
                try:
                    cursor.close()
                except Exception:  # closing must not hide the real error
                    pass
        except Exception as exc:
            raise failures.sql_error(table, exc, self.settings, scrub(str(exc), self.settings)) from None
