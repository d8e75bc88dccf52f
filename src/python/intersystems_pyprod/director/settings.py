"""Connection settings: command-line flags > environment > config file > defaults.

Environment: IRIS_HOST, IRIS_PORT, IRIS_NAMESPACE, IRIS_USERNAME, IRIS_PASSWORD, IRIS_TLS,
IRIS_TIMEOUT (and IRISNAMESPACE, IRISUSERNAME, IRISPASSWORD). Config file: ``.env`` in the
current folder (same names), or ``[tool.intersystems_pyprod]`` in the nearest ``pyproject.toml``
(keys host, port, namespace, username, password, tls, timeout).
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, Mapping, Optional

DEFAULTS = {"host": "localhost", "port": "1972", "namespace": "USER", "timeout": "10"}
ENV_NAMES = {
    "host": ("IRIS_HOST",), "port": ("IRIS_PORT",), "namespace": ("IRIS_NAMESPACE", "IRISNAMESPACE"),
    "username": ("IRIS_USERNAME", "IRISUSERNAME"), "password": ("IRIS_PASSWORD", "IRISPASSWORD"),
    "tls": ("IRIS_TLS",), "timeout": ("IRIS_TIMEOUT",),
}
KEYS = tuple(ENV_NAMES)


class SettingsError(ValueError):
    """A setting has an unusable value."""


@dataclasses.dataclass(frozen=True)
class ConnectionSettings:
    """Where and as whom to connect. ``repr`` never shows the password.

    ``sources`` says where each value came from (``--host``, ``$IRIS_HOST``, ``.env IRIS_HOST``,
    ``pyproject.toml``, ``default``).

    Examples:
        ```python
        settings = director.resolve({"host": "iris.example.com"})
        print(settings.host, settings.port, settings.sources["port"])   # iris.example.com 1972 default
        ```
    """

    host: str
    port: int
    namespace: str
    username: str
    password: str = dataclasses.field(repr=False)
    tls: str = ""
    timeout: int = 10
    sources: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}/{self.namespace}"


def _our_name(name: str) -> bool:
    return any(name in names for names in ENV_NAMES.values())


def read_dotenv(path: Path) -> Dict[str, str]:
    """``NAME=value`` lines (``#`` comments, optional quotes, optional ``export``). A line that
    means to set one of this tool's names but cannot be read is an error naming the file and line;
    other tools' lines are left alone."""
    values: Dict[str, str] = {}
    if not path.is_file():
        return values
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot be read: {exc}") from None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].strip()
        name, found, value = line.partition("=")
        name, value = name.strip(), value.strip()
        first = name.replace(":", " ").split()[0] if name.replace(":", " ").split() else ""
        if not found:
            if _our_name(first):
                raise SettingsError(f"{path}:{number}: {raw.strip()!r} is not NAME=value; write {first}=VALUE")
            continue
        if value[:1] in ("'", '"'):
            if len(value) < 2 or value[-1] != value[0]:
                if _our_name(name):
                    raise SettingsError(f"{path}:{number}: the quote that opens the value of {name} is not "
                                        "closed on that line")
                continue
            value = value[1:-1]
        if _our_name(name) and " " in name:
            raise SettingsError(f"{path}:{number}: {name!r} is not a variable name")
        values[name] = value
    return values


def read_pyproject(start: Path) -> Dict[str, str]:
    """``[tool.intersystems_pyprod]`` of the nearest pyproject.toml (needs Python 3.11+ tomllib).
    A file that is not valid TOML, or an unknown key in that table, is an error naming the file and line."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                import tomllib
            except ImportError:  # Python < 3.11: only .env and the environment are read
                return {}
            try:
                text = candidate.read_text(encoding="utf-8")
                document = tomllib.loads(text)
            except (OSError, UnicodeDecodeError) as exc:
                raise SettingsError(f"{candidate}: cannot be read: {exc}") from None
            except tomllib.TOMLDecodeError as exc:
                said = str(exc)
                found = re.search(r"\(at line (\d+), column \d+\)", said)
                where = f"{candidate}:{found.group(1)}" if found else str(candidate)
                said = said[:found.start()].strip() if found else said
                raise SettingsError(f"{where}: not valid TOML: {said}") from None
            table = document.get("tool", {}).get("intersystems_pyprod", {})
            if not isinstance(table, dict):
                raise SettingsError(f"{candidate}: tool.intersystems_pyprod must be a table "
                                    "([tool.intersystems_pyprod] with keys such as host = \"...\")")
            for key in table:
                if key not in KEYS:
                    line = next((n for n, raw in enumerate(text.splitlines(), 1)
                                 if raw.strip().startswith(str(key))), 0)
                    raise SettingsError(f"{candidate}{f':{line}' if line else ''}: unknown key {key!r} in "
                                        f"[tool.intersystems_pyprod] (the keys are {', '.join(KEYS)})")
            return {str(k): str(v) for k, v in table.items()}
    return {}


def _check(chosen: Dict[str, str], sources: Dict[str, str]) -> None:
    """Refuse values that cannot be meant, naming the setting, where it came from, and the fix."""
    def refuse(key: str, why: str) -> SettingsError:
        return SettingsError(f"{key} {chosen[key]!r} (from {sources[key]}) {why}")

    host = chosen["host"]
    if "://" in host:
        raise refuse("host", "is a URL; --host takes a host name or address alone (the port goes to --port, "
                             "the namespace to --namespace)")
    if "/" in host:
        raise refuse("host", "holds a path; pass the namespace with --namespace and the host alone")
    bracketed = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d+))?", host)
    single = re.fullmatch(r"([^:\s]+):([^:]*)", host)
    if bracketed or single:
        name, port = (bracketed or single).groups()  # type: ignore[union-attr]
        port = port if port and port.isdigit() else ""
        raise refuse("host", f"includes a port; pass --host {name}" + (f" --port {port}" if port else ""))
    if not host.strip() or any(c.isspace() for c in host):
        raise refuse("host", "is not a host name or address")
    for key, low, what in (("port", 1, "a port number from 1 to 65535"), ("timeout", 1, "a whole number of "
                                                                                         "seconds, 1 or more")):
        try:
            number = int(chosen[key])
        except ValueError:
            raise refuse(key, f"must be a whole number ({what})") from None
        if number < low or (key == "port" and number > 65535):
            raise refuse(key, f"is out of range: use {what}")


def resolve(flags: Mapping[str, Any], environ: Optional[Mapping[str, str]] = None,
            cwd: Optional[Path] = None) -> ConnectionSettings:
    """Settings from flags, then the environment, then ``.env``, then pyproject.toml, then defaults.

    Args:
        flags: Values given directly (``host``, ``port``, ``namespace``, ``username``,
            ``password``, ``tls``, ``timeout``); ``None`` or ``""`` counts as not given.
        environ: The environment to read; ``os.environ`` by default.
        cwd: The folder whose ``.env`` and nearest ``pyproject.toml`` are read; the current
            folder by default.

    Returns:
        The [`ConnectionSettings`][intersystems_pyprod.director.ConnectionSettings].

    Raises:
        SettingsError: A value is unusable (a port that is not a number, ...); a ``ValueError``.

    Examples:
        ```python
        settings = director.resolve({}, environ={"IRIS_HOST": "iris.example.com"})
        settings.sources["host"]   # "$IRIS_HOST"
        ```
    """
    env = os.environ if environ is None else environ
    folder = Path.cwd() if cwd is None else cwd
    dotenv = read_dotenv(folder / ".env")
    project = read_pyproject(folder)
    chosen: Dict[str, str] = {}
    sources: Dict[str, str] = {}
    for key in KEYS:
        candidates = [(flags.get(key), f"--{key}")]
        candidates += [(env.get(name), f"${name}") for name in ENV_NAMES[key]]
        candidates += [(dotenv.get(name), f".env {name}") for name in ENV_NAMES[key]]
        candidates += [(project.get(key), "pyproject.toml"), (DEFAULTS.get(key), "default")]
        for value, source in candidates:
            if value not in (None, ""):
                chosen[key], sources[key] = str(value), source
                break
    _check(chosen, sources)
    return ConnectionSettings(
        host=chosen["host"], port=int(chosen["port"]), namespace=chosen["namespace"],
        username=chosen.get("username", ""), password=chosen.get("password", ""), tls=chosen.get("tls", ""),
        timeout=int(chosen["timeout"]), sources=sources,
    )


#: Characters that end a value in a message: spaces, quotes, separators, brackets.
_EDGE = r"""\s'"`=:,;()\[\]{}<>/@|"""


def mask(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret replaced by ``***`` where it stands as a value of its own (between
    spaces, quotes, separators or brackets), never inside a longer word: a one-letter password does
    not turn "options" into "***pti***ns". A secret of 1 or 2 characters could be a word of the
    message itself ("a", "to"), so it is masked only where it stands quoted or after ``=`` or ``:``.
    Longest first, so no part of one survives."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        value = re.escape(secret)
        if len(secret) >= 3:
            pattern = rf"(?<![^{_EDGE}]){value}(?=$|[{_EDGE}]|\.(?:\s|$))"
        else:
            pattern = rf"""(?<=['"`]){value}(?=['"`])|(?<=[=:]){value}(?=$|[{_EDGE}])"""
        text = re.sub(pattern, "***", text)
    return text


def python_has_tomllib() -> bool:
    return sys.version_info >= (3, 11)
