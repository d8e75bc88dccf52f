"""Connection settings: command-line flags > environment > config file > defaults.

Environment: IRIS_HOST, IRIS_PORT, IRIS_NAMESPACE, IRIS_USERNAME, IRIS_PASSWORD, IRIS_TLS,
IRIS_TIMEOUT (and IRISNAMESPACE, IRISUSERNAME, IRISPASSWORD). Config file: ``.env`` in the
current folder (same names), or ``[tool.intersystems_pyprod]`` in the nearest ``pyproject.toml``
(keys host, port, namespace, username, password, tls, timeout).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

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
    """Where and as whom to connect. ``repr`` never shows the password."""

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


def read_dotenv(path: Path) -> Dict[str, str]:
    """``NAME=value`` lines (``#`` comments, optional quotes, optional ``export``)."""
    values: Dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        if line.startswith("export "):
            line = line[len("export "):]
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def read_pyproject(start: Path) -> Dict[str, str]:
    """``[tool.intersystems_pyprod]`` of the nearest pyproject.toml (needs Python 3.11+ tomllib)."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                import tomllib
            except ImportError:  # Python < 3.11: only .env and the environment are read
                return {}
            with candidate.open("rb") as handle:
                table = tomllib.load(handle).get("tool", {}).get("intersystems_pyprod", {})
            return {str(k): str(v) for k, v in table.items() if k in KEYS}
    return {}


def resolve(flags: Mapping[str, Any], environ: Optional[Mapping[str, str]] = None,
            cwd: Optional[Path] = None) -> ConnectionSettings:
    """Settings from flags, then the environment, then ``.env``, then pyproject.toml, then defaults."""
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
    for key in ("port", "timeout"):
        try:
            int(chosen[key])
        except ValueError:
            raise SettingsError(f"{key} must be a whole number, not {chosen[key]!r} (from {sources[key]})") from None
    return ConnectionSettings(
        host=chosen["host"], port=int(chosen["port"]), namespace=chosen["namespace"],
        username=chosen.get("username", ""), password=chosen.get("password", ""), tls=chosen.get("tls", ""),
        timeout=int(chosen["timeout"]), sources=sources,
    )


def python_has_tomllib() -> bool:
    return sys.version_info >= (3, 11)
