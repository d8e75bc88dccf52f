"""Drive IRIS from Python scripts and notebooks over the Native SDK (``intersystems-irispython``).

    from intersystems_pyprod import director
    with director.connect(host="localhost", username="_SYSTEM", password="...") as iris:
        print(iris.load_script("HelloWorld.py")["classes"])
        iris.director("StartProduction", "helloworld.Production")
        for message in iris.messages(limit=10):
            print(message["SourceConfigName"], "->", message["TargetConfigName"], message["Body"])

Settings not given fall back to the environment, ``.env`` and pyproject.toml, as for the
command line. Failures raise :class:`DirectorError` with the cause and the fix.
"""

from __future__ import annotations

from typing import Any

from .connection import Director, DirectorError
from .settings import ConnectionSettings, SettingsError, resolve


def connect(**settings: Any) -> Director:
    """Connect with these settings (host, port, namespace, username, password, tls, timeout)."""
    from .connection import connect as open_connection

    try:
        resolved = resolve(settings)
    except SettingsError as exc:
        raise DirectorError(str(exc), "correct the setting", "usage") from None
    return open_connection(resolved)


__all__ = ["ConnectionSettings", "Director", "DirectorError", "connect", "resolve"]
