"""What the Native SDK client's failures mean, each named with its fix.

The texts matched here are the client's own (intersystems-irispython 5.1 to 5.4): at connect time
it wraps whatever the server refuses with as ``<COMMUNICATION LINK ERROR> Failed to connect to
server; Details: <COMMUNICATION ERROR> Invalid Message received; Details: <server text>``, while a
network failure says ``Error code: N Error message: ...`` and a TLS one ``<SSL Error> ...``. The
server's own texts (after the last "Details:") are matched loosely: see docs/wire-protocol.md.
"""

from __future__ import annotations

import re
from typing import Any

from ..troubleshooting import see
from .settings import ConnectionSettings

#: Kinds of failure; the command line maps them to its exit codes.
FAILED, USAGE, UNREACHABLE = "failed", "usage", "unreachable"


class DirectorError(Exception):
    """A failure to report in one line, with its fix and its kind (failed, usage, unreachable);
    ``lost`` when the link to IRIS went down.

    ``str(error)`` is the message, then ``fix: ...`` on a second line. The command line maps
    ``kind`` to its exit codes (1, 2, 3).

    Examples:
        ```python
        try:
            iris = director.connect(host="nowhere.invalid")
        except director.DirectorError as error:
            print(error)        # the cause, then "fix: ..." on the next line
            print(error.kind)   # "unreachable" when IRIS cannot be reached
        ```
    """

    def __init__(self, message: str, fix: str = "", kind: str = FAILED, lost: bool = False) -> None:
        super().__init__(message)
        self.message, self.fix, self.kind, self.lost = message, fix, kind, lost

    def __str__(self) -> str:
        return self.message + (f"\n  fix: {self.fix}" if self.fix else "")

#: A failure of the link itself, in a call after the connection was made.
LINK_LOST = "<COMMUNICATION LINK ERROR>"
#: How to change the expired password of a predefined user in a fresh container.
UNEXPIRE = ("change it once in the Management Portal (http://HOST:52773/csp/sys/UtilHome.csp asks for a new one), "
            "or in the container: iris session iris -U%SYS "
            "'##class(Security.Users).UnExpireUserPasswords(\"*\")'")
TLS_FILE = ("on Linux and macOS the client reads TLS configurations from the file named by the environment "
            "variable ISC_SSLconfigurations (Windows: SSLDefs.ini)")


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def connect_error(text: str, settings: ConnectionSettings) -> DirectorError:
    """The cause of a failed ``iris.connect``, named by what the client said."""
    said = one_line(text)
    where = f"{settings.host}:{settings.port}"
    refusal = re.search(r"Invalid Message received; Details:\s*(.*)$", said, re.IGNORECASE)
    if refusal:
        return _refusal(refusal.group(1).strip() or "(no reason given)", settings)
    if "<SSL Error>" in said or (settings.tls and "ssl" in said.lower()):
        return _tls_error(said, settings)
    if "timed out" in said.lower():
        return DirectorError(f"no answer from IRIS at {where} within {settings.timeout} s: {said}",
                             "check the host and the superserver port (default 1972), that IRIS is running, "
                             "that a firewall lets it through, or allow more time with --timeout (IRIS_TIMEOUT); "
                             + see("no-answer-from-iris"),
                             UNREACHABLE)
    return DirectorError(f"cannot reach IRIS at {where}: {said}",
                         "check the host and the superserver port (default 1972), that IRIS is running, and that "
                         "a firewall or container port mapping lets it through; " + see("cannot-reach-iris"),
                         UNREACHABLE)


def _refusal(said: str, settings: ConnectionSettings) -> DirectorError:
    lowered = said.lower()
    user, where = settings.username, f"{settings.host}:{settings.port}"
    if "password" in lowered and ("expire" in lowered or "change" in lowered):
        return DirectorError(f"the password of {user} on {where} has expired and must be changed: {said}",
                             UNEXPIRE + "; " + see("password-expired"), UNREACHABLE)
    if "namespace" in lowered:
        return DirectorError(f"IRIS at {where} refused namespace {settings.namespace}: {said}",
                             "pass --namespace (or IRIS_NAMESPACE) with a namespace that exists and that "
                             f"{user} may use; " + see("namespace-refused"), UNREACHABLE)
    return DirectorError(f"IRIS at {where} refused the login of {user}: {said}",
                         "check the user name and password (--username, --password or IRIS_USERNAME, "
                         "IRIS_PASSWORD); in a fresh container the predefined users' password SYS is expired: "
                         + UNEXPIRE + "; " + see("login-refused"), UNREACHABLE)


def _tls_error(said: str, settings: ConnectionSettings) -> DirectorError:
    where, name = f"{settings.host}:{settings.port}", settings.tls
    detail = said.split("<SSL Error>", 1)[-1].strip(" .") if "<SSL Error>" in said else said
    if "not defined" in detail and "ISC_SSLconfigurations" in detail:
        fix = f"set ISC_SSLconfigurations to a file with a [{name}] section; " + TLS_FILE
    elif "Could not open SSL configuration file" in detail:
        fix = f"ISC_SSLconfigurations names a file that cannot be read; point it at the file with [{name}]"
    elif "Could not read SSL configuration" in detail:
        fix = f"add a [{name}] section to the file ISC_SSLconfigurations names, or pass --tls with a section it has"
    else:
        fix = ("check that the superserver at that port accepts TLS (its %Service_Bindings TLS setting) and that the "
               f"certificates of [{name}] match the server's; " + TLS_FILE)
    return DirectorError(f"TLS connection to IRIS at {where} with configuration {name!r} failed: {detail}",
                         f"{fix}; {see('tls-connection-failed')}", UNREACHABLE)


def is_link_lost(exc: BaseException) -> bool:
    return LINK_LOST in str(exc)


def call_error(what: str, exc: BaseException, settings: ConnectionSettings, text: str) -> DirectorError:
    """A failed call: a lost link (exit 3, with how to go on) or the server's error."""
    if is_link_lost(exc):
        return DirectorError(f"the connection to IRIS at {settings.host}:{settings.port} was lost during {what}: "
                             f"{one_line(text)}", "run the command again; if it keeps happening, check the network "
                             "and the IRIS messages log; " + see("connection-lost"), UNREACHABLE, lost=True)
    fix = ""
    if "<PROTECT>" in text:
        fix = (f"give {settings.username} the privilege this needs (intersystems_pyprod doctor lists them); "
               + see("privilege-missing"))
    return DirectorError(f"{what} failed on {settings.where}: {one_line(text)}", fix)


def sql_error(table: str, exc: BaseException, settings: ConnectionSettings, text: str) -> DirectorError:
    """A failed query (``iris.dbapi`` errors): the table and the privilege it needs."""
    if is_link_lost(exc):
        return call_error(f"reading {table}", exc, settings, text)
    return DirectorError(f"reading {table} failed on {settings.where}: {type(exc).__name__}: {one_line(text)}",
                         f"{settings.username} needs the SQL privilege SELECT on {table} (a role such as "
                         f"%EnsRole_Monitor holds it) in an interoperability-enabled namespace "
                         f"({settings.namespace} must be one); " + see("reading-a-table-failed"))


def is_boolean(value: Any) -> bool:
    return isinstance(value, bool) or str(value).strip().lower() in ("true", "false", "yes", "no", "on", "off",
                                                                     "1", "0")
