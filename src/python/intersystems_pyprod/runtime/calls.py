"""Calls a component makes on its engine host (send requests, reply, process input).

Each call needs the host object the engine attached to the component. Outside a running
production there is none, and the call says so.
"""

from __future__ import annotations

from typing import Any


def _host(component: Any) -> Any:
    return component._pyprod_host()


def _unavailable(component: Any, what: str) -> Any:
    from ..api.hosts import NotInProductionError

    _host(component)
    raise NotInProductionError(f"{what} needs the runtime bridge, which is not installed in this engine")


def send_request_sync(component: Any, target: str, request: Any, timeout: float, description: str) -> Any:
    return _unavailable(component, "SendRequestSync")


def send_request_async(component: Any, target: str, request: Any, **options: Any) -> Any:
    return _unavailable(component, "SendRequestAsync")


def reply(component: Any, response: Any) -> Any:
    return _unavailable(component, "Reply")


def set_timer(component: Any, timeout: Any, completion_key: str) -> Any:
    return _unavailable(component, "SetTimer")


def process_input(component: Any, input: Any, hint: str) -> Any:
    return _unavailable(component, "business_host_process_input")
