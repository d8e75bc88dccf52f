"""Talking to IRIS over the Native SDK (``intersystems-irispython``, imported only when connecting)."""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict, List, Mapping, Optional

from .settings import ConnectionSettings, SettingsError, resolve

#: Kinds of failure; the command line maps them to its exit codes.
FAILED, USAGE, UNREACHABLE = "failed", "usage", "unreachable"

#: Characters per string sent to IRIS (IRIS strings hold 3,641,144).
CHUNK = 1_000_000
UPLOAD_GLOBAL = "PyProd.Upload"
#: How to install (or upgrade) PyProd in a namespace, for every fix that asks for it. IPM's
#: ``load`` takes a folder holding module.xml on the IRIS server, a .tgz of it, or a git URL; the
#: module is not in a public registry yet, so ``install`` works only where a registry has it.
INSTALL_PYPROD = ('in that namespace run zpm "load /path/to/pyprod" (a checkout of the PyProd repository on the '
                  'IRIS server, or its git URL), or zpm "install pyprod" from an IPM registry that has it')


class DirectorError(Exception):
    """A failure to report in one line, with its fix and its kind (failed, usage, unreachable)."""

    def __init__(self, message: str, fix: str = "", kind: str = FAILED) -> None:
        super().__init__(message)
        self.message, self.fix, self.kind = message, fix, kind

    def __str__(self) -> str:
        return self.message + (f"\n  fix: {self.fix}" if self.fix else "")


def scrub(text: str, settings: ConnectionSettings) -> str:
    """Remove the password from any text that may be shown."""
    return text.replace(settings.password, "***") if settings.password else text


def native_sdk() -> Any:
    """The ``iris`` package of intersystems-irispython (tests put a fake here)."""
    try:
        import iris
    except ImportError:
        raise DirectorError("the Native SDK is not installed", "pip install intersystems-irispython",
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
        options["sslconfig"] = settings.tls
    try:
        connection = sdk.connect(**options)
        native = sdk.createIRIS(connection)
    except Exception as exc:
        raise _connect_error(scrub(str(exc), settings), settings) from None
    return Director(native, connection, settings, sdk)


def connect_with(flags: Mapping[str, Any]) -> Director:
    """Connect with these settings, the rest from the environment, ``.env`` and pyproject.toml."""
    try:
        resolved = resolve(flags)
    except SettingsError as exc:
        raise DirectorError(str(exc), "correct the setting", USAGE) from None
    return connect(resolved)


def _connect_error(text: str, settings: ConnectionSettings) -> DirectorError:
    lowered = text.lower()
    if "communication link" in lowered or "failed to connect" in lowered or "timed out" in lowered:
        return DirectorError(f"cannot reach IRIS at {settings.host}:{settings.port}: {text.strip()}",
                            "check the host and the superserver port (default 1972), that IRIS is running, and "
                            "that a firewall or container port mapping lets it through", UNREACHABLE)
    if "namespace" in lowered:
        return DirectorError(f"namespace {settings.namespace} does not exist on {settings.host}:{settings.port}: "
                            f"{text.strip()}", "pass --namespace (or IRIS_NAMESPACE) with an existing namespace",
                            UNREACHABLE)
    return DirectorError(f"login as {settings.username} to {settings.where} failed: {text.strip()}",
                        "check the user name and password; in a fresh container the default password (SYS) is "
                        "expired and must be changed first", UNREACHABLE)


class Director:
    """A connected IRIS namespace: load scripts, run productions, read messages and the log."""

    def __init__(self, native: Any, connection: Any, settings: ConnectionSettings, sdk: Any) -> None:
        self.sdk = sdk
        self.native = native
        self.connection = connection
        self.settings = settings

    def close(self) -> None:
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
        try:
            return self.native.classMethodValue(cls, method, *args)
        except Exception as exc:
            raise DirectorError(f"{cls}.{method} failed on {self.settings.where}: "
                               f"{scrub(str(exc), self.settings)}") from None

    def call_json(self, cls: str, method: str, *args: Any) -> Dict[str, Any]:
        try:
            text = self.native.classMethodString(cls, method, *args)
        except Exception as exc:
            raise DirectorError(f"{cls}.{method} failed on {self.settings.where}: "
                               f"{scrub(str(exc), self.settings)}") from None
        try:
            return dict(json.loads(text or "{}"))
        except ValueError:
            raise DirectorError(f"{cls}.{method} returned something that is not JSON: {str(text)[:200]!r}") from None

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
                               INSTALL_PYPROD)

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
        except Exception as exc:
            self.native.kill(UPLOAD_GLOBAL, token)
            raise DirectorError(f"uploading the sources failed: {scrub(str(exc), self.settings)}") from None
        return token

    def load(self, files: Mapping[str, str], entry: str, *, project: str, texts: bool = False,
             take_over: bool = False, overwrite_production: bool = False) -> Dict[str, Any]:
        from ..loader.upload import upload_digest

        token = self.upload(files, entry, project)
        try:
            extra = [int(overwrite_production)] if overwrite_production else []  # older servers take four
            return self.call_json("PyProd.Loader", "LoadUploaded", token, int(texts),
                                  upload_digest(files, entry, project), int(take_over), *extra)
        finally:
            self.native.kill(UPLOAD_GLOBAL, token)

    def unload(self, script: str) -> Dict[str, Any]:
        return self.call_json("PyProd.Loader", "Unload", script)

    def listing(self) -> Dict[str, Any]:
        return self.call_json("PyProd.Loader", "List")

    def info(self) -> Dict[str, Any]:
        return self.call_json("PyProd.Loader", "Info")

    # -- productions -------------------------------------------------------------------------
    def production_status(self) -> Dict[str, Any]:
        name, state = self.sdk_ref(""), self.sdk_ref(0)
        status = self.call("Ens.Director", "GetProductionStatus", name, state, 10, 0)
        self.check_status(status, "reading the production status")
        states = {1: "Running", 2: "Stopped", 3: "Suspended", 4: "Troubled", 5: "NetworkStopped"}
        value = int(state.getValue() or 0)
        return {"production": name.getValue() or "", "state": states.get(value, str(value))}

    def sdk_ref(self, value: Any) -> Any:
        return self.sdk.IRISReference(value)

    def director(self, method: str, *args: Any) -> None:
        self.check_status(self.call("Ens.Director", method, *args), f"Ens.Director.{method}")

    # -- scripts -----------------------------------------------------------------------------
    def load_script(self, path: str, *, texts: bool = False, take_over: bool = False) -> Dict[str, Any]:
        """Upload a script and the project modules it imports, and load them (result document)."""
        from pathlib import Path

        from .collect import CollectError, collect, project_identity

        script = Path(path)
        if not script.is_file():
            raise DirectorError(f"script {path} does not exist", "check the path")
        try:
            root, entry, files = collect(script)
        except CollectError as exc:
            raise DirectorError(str(exc), "correct the script") from None
        self.require_pyprod()
        return self.load(files, entry, texts=texts, take_over=take_over, project=project_identity(root))

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
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
        finally:
            cursor.close()
