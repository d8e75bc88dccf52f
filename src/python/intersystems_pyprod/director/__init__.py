"""Drive IRIS from Python scripts and notebooks over the Native SDK (``intersystems-irispython``).

```python
from intersystems_pyprod import director
with director.connect(host="localhost", username="_SYSTEM", password="...") as iris:
    print(iris.load_script("HelloWorld.py")["classes"])
    iris.director("StartProduction", "helloworld.Production")
    for message in iris.messages(limit=10):
        print(message["SourceConfigName"], "->", message["TargetConfigName"], message["Body"])
```

The functions of intersystems-pyprod 0.2.0 are here too, with the same parameters and results
(``start_production``, ``get_production_status``, ``create_business_service``, ...). Inside IRIS
they call ``Ens.Director`` directly; elsewhere they share one connection made with the settings
below on the first call (``use_connection`` chooses another).

Settings not given fall back to the environment, ``.env`` and pyproject.toml, as for the
command line. Failures raise ``DirectorError`` with the cause and the fix.
"""

from __future__ import annotations

from typing import Any, Dict

from .backends import use_connection
from .connection import Director, DirectorError, connect_with
from .cycle import export_production, history, plan, rollback
from .functions import (
    clean_production,
    create_business_service,
    enable_config_item,
    get_host_messages,
    get_production_status,
    list_all_productions,
    restart_production,
    start_production,
    stop_production,
    update_production,
)
from .settings import ConnectionSettings, resolve

#: The settings :func:`connect` takes, and the Native SDK's names it accepts for two of them.
SETTINGS = ("host", "port", "namespace", "username", "password", "tls", "timeout")
SDK_NAMES = {"hostname": "host", "sslconfig": "tls"}


def connect(**settings: Any) -> Director:
    """Connect with these settings (host, port, namespace, username, password, tls, timeout; the
    SDK's ``hostname`` and ``sslconfig`` mean host and tls). An unknown keyword is a TypeError.

    Needs the Native SDK (``pip install intersystems-irispython``). A setting not given comes
    from the environment (``IRIS_HOST``, ...), ``.env`` or ``[tool.intersystems_pyprod]`` in
    pyproject.toml, else the default (localhost, 1972, USER, timeout 10).

    Args:
        **settings: ``host``, ``port``, ``namespace``, ``username``, ``password``, ``tls`` (a
            client TLS configuration name) and ``timeout`` (seconds).

    Returns:
        A [`Director`][intersystems_pyprod.director.Director]; close it, or use it in a
        ``with`` block.

    Raises:
        DirectorError: A setting is unusable, or IRIS cannot be reached or refuses the login.
        TypeError: An unknown keyword.

    Examples:
        ```python
        from intersystems_pyprod import director

        with director.connect(host="localhost", username="_SYSTEM", password="SYS") as iris:
            print(iris.load_script("HelloWorld.py")["classes"])
            iris.director("StartProduction", "helloworld.Production")
        ```
    """
    chosen: Dict[str, Any] = {}
    for key, value in settings.items():
        name = SDK_NAMES.get(key, key)
        if name not in SETTINGS:
            raise TypeError(f"connect() got an unexpected keyword argument {key!r} (it takes {', '.join(SETTINGS)}, "
                            "or the SDK's hostname and sslconfig)")
        if name in chosen:
            raise TypeError(f"connect() got {name!r} twice (as {name} and as {key})")
        chosen[name] = value
    return connect_with(chosen)


__all__ = ["ConnectionSettings", "Director", "DirectorError", "clean_production", "connect", "create_business_service",
           "enable_config_item", "export_production", "get_host_messages", "get_production_status", "history",
           "list_all_productions", "plan", "resolve", "restart_production", "rollback", "start_production",
           "stop_production", "update_production", "use_connection"]
