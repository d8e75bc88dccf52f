"""Module-level production control, with the names, parameters and results of intersystems-pyprod 0.2.0.

Each function returns what ``Ens.Director`` returns: an IRIS status (``1`` on success, else an
error status text), alone or first in a tuple; a failed status is returned, not raised. Inside
IRIS they run in the calling process; elsewhere over the connection described in
:mod:`intersystems_pyprod.director.backends`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from . import backends
from .adapterless import AdapterlessService

#: The columns of the ``Ens.MessageHeader`` rows of :func:`get_host_messages`, in that order.
MESSAGE_KEYS = ("id", "time_created", "source", "target", "status", "session_id", "body_class", "body_id")
_MESSAGES_SQL = (
    "SELECT TOP ? ID, TimeCreated, SourceConfigName, TargetConfigName, Status, SessionId, "
    "MessageBodyClassName, MessageBodyId FROM Ens.MessageHeader "
    "WHERE SourceConfigName = ? OR TargetConfigName = ? ORDER BY TimeCreated DESC"
)


def _whole(value: Any, name: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {value!r}")
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} must be a non-empty string, not {value!r}")
    return value


def _flag(value: Any) -> int:
    return 1 if value else 0


def _director(method: str, *args: Any) -> Any:
    return backends.current().call("Ens.Director", method, *args)


def start_production(prod_name: Optional[str] = None) -> Any:
    """Start the production class ``prod_name`` (the last one started when None).

    Args:
        prod_name: The production's class name; ``None`` starts the production started last.

    Returns:
        The status: ``1``, or the error status text.

    Examples:
        ```python
        from intersystems_pyprod import director

        status = director.start_production("helloworld.Production")
        ```
    """
    if prod_name is None:
        return _director("StartProduction")
    return _director("StartProduction", _text(prod_name, "prod_name"))


def stop_production(timeout: int = 10, force: bool = False) -> Any:
    """Stop the running production, waiting ``timeout`` seconds for its jobs (then killing them
    when ``force``).

    Args:
        timeout: Seconds to wait for the jobs to finish.
        force: Force the jobs down when the wait is over.

    Returns:
        The status.

    Examples:
        ```python
        director.stop_production(timeout=30, force=True)
        ```
    """
    return _director("StopProduction", _whole(timeout, "timeout"), _flag(force))


def restart_production(timeout: int = 10, force: bool = False) -> Any:
    """Stop and start the running production.

    Args:
        timeout: Seconds to wait for the jobs to stop.
        force: Force the jobs down when the wait is over.

    Returns:
        The status.

    Examples:
        ```python
        director.restart_production()
        ```
    """
    return _director("RestartProduction", _whole(timeout, "timeout"), _flag(force))


def get_production_status(lock_timeout: int = 10, skip_lock_if_running: bool = False) -> Tuple[Any, Any, Any]:
    """The running production and its state.

    Args:
        lock_timeout: Seconds to wait for the production's lock.
        skip_lock_if_running: Do not wait for the lock when a production is running.

    Returns:
        ``(status, production name, state)``: state 1 running, 2 stopped (no name), 3
        suspended, 4 troubled.

    Examples:
        ```python
        status, name, state = director.get_production_status()
        if state == 1:
            print(f"{name} is running")
        ```
    """
    backend = backends.current()
    name, state = backend.ref(), backend.ref()
    status = backend.call("Ens.Director", "GetProductionStatus", name, state,
                          _whole(lock_timeout, "lock_timeout"), _flag(skip_lock_if_running))
    return status, backend.value(name), backend.value(state)


def clean_production(kill_app_data_too: bool = False) -> Any:
    """Development only: empty the queues and runtime data of a stopped production.

    Args:
        kill_app_data_too: Also delete the application data (``Ens.Director.CleanProduction``'s
            ``pKillAppDataToo``).

    Returns:
        The status.

    Examples:
        ```python
        director.stop_production()
        director.clean_production()
        ```
    """
    return _director("CleanProduction", _flag(kill_app_data_too))


def update_production(timeout: int = 10, force: bool = False, called_by_schedule_handler: bool = False) -> Any:
    """Apply configuration changes to the running production.

    Args:
        timeout: Seconds to wait for the jobs that restart.
        force: Force those jobs down when the wait is over.
        called_by_schedule_handler: As ``Ens.Director.UpdateProduction`` takes it (the schedule
            handler's own calls).

    Returns:
        The status.

    Examples:
        ```python
        director.update_production(timeout=20)
        ```
    """
    return _director("UpdateProduction", _whole(timeout, "timeout"), _flag(force), _flag(called_by_schedule_handler))


def enable_config_item(config_item_name: str, enable: bool = True, do_update: bool = True) -> Any:
    """Enable or disable a production item (running or not), then update the production when
    ``do_update``.

    Args:
        config_item_name: The item's name.
        enable: True enables it, False disables it.
        do_update: Update the running production afterwards.

    Returns:
        The status.

    Examples:
        ```python
        director.enable_config_item("Warehouse", enable=False)
        ```
    """
    return _director("EnableConfigItem", _text(config_item_name, "config_item_name"), _flag(enable),
                     _flag(do_update))


def list_all_productions() -> Tuple[Any, List[str], Dict[str, Dict[str, Optional[str]]]]:
    """Every production of the namespace, with its state and its last start and stop times.

    Returns:
        ``(status, production names, {name: {"status", "last_start_time", "last_stop_time"}})``;
        a missing value is ``None``.

    Examples:
        ```python
        status, names, details = director.list_all_productions()
        for name in names:
            print(name, details[name]["status"], details[name]["last_start_time"])
        ```
    """
    status, table = backends.current().summary()
    details: Dict[str, Dict[str, Optional[str]]] = {}
    for name, fields in table.items():
        values = [str(v).strip() if v not in (None, "") else None for v in fields[:3]]
        values += [None] * (3 - len(values))
        details[name] = {"status": values[0] or None, "last_start_time": values[1] or None,
                         "last_stop_time": values[2] or None}
    return status, list(details), details


def get_host_messages(host_name: str, max_results: int = 100) -> List[Dict[str, Any]]:
    """The newest ``max_results`` messages sent from or to the production item ``host_name``.

    Args:
        host_name: The item's name.
        max_results: How many messages, at most (0 or more).

    Returns:
        Message headers, newest first, as dicts with the keys ``id``, ``time_created``,
        ``source``, ``target``, ``status``, ``session_id``, ``body_class`` and ``body_id``.

    Examples:
        ```python
        for message in director.get_host_messages("Warehouse", max_results=10):
            print(message["time_created"], message["source"], "->", message["target"])
        ```
    """
    host = _text(host_name, "host_name")
    limit = _whole(max_results, "max_results")
    if limit < 0 or limit != int(limit):
        raise ValueError(f"max_results must be a whole number, 0 or more, not {limit!r}")
    messages = []
    for row in backends.current().rows(_MESSAGES_SQL, (int(limit), host, host)):
        message = dict(zip(MESSAGE_KEYS, row))
        message["time_created"] = str(message["time_created"])
        messages.append(message)
    return messages


def create_business_service(service_class_name: str) -> Tuple[Any, Optional[AdapterlessService]]:
    """A business service of the production, made in this process, to call without its adapter.

    Send it input with ``status, response = service.process_input(data)``; its IRIS properties
    are its attributes. Close the service (``service.close()`` or ``with service:``) to run its
    ``OnTearDown`` and free it in IRIS; a service never closed is released when Python collects
    it, when the connection closes, or when the process ends.

    Args:
        service_class_name: The name of the service's item in the running production.

    Returns:
        ``(status, service)``; the service is ``None`` when the status is an error.

    Examples:
        ```python
        status, service = director.create_business_service("OrderService")
        with service:
            status, response = service.process_input('{"id": 7, "amount": 12.5}')
        ```
    """
    name = _text(service_class_name, "service_class_name")
    backend = backends.current()
    holder = backend.ref()
    status = backend.call("Ens.Director", "CreateBusinessService", name, holder)
    service = backend.value(holder)
    if not str(status).startswith("1") or service in (None, ""):
        return status, None
    _unregister(backend, name)
    class_name = str(backend.invoke(service, "%ClassName", 1))
    return status, AdapterlessService(backend, service, class_name)


def _unregister(backend: backends.Backend, name: str) -> None:
    """``CreateBusinessService`` registers the calling job as a job of the item; a job that is not
    one of the production's must not stay registered (``Ens.Job.UnRegister(name, $JOB)``, as
    InterSystems' Python frameworks do; UNCONFIRMED on a live IRIS, so a failure is ignored)."""
    try:
        backend.call("Ens.Job", "UnRegister", name, backend.call("%SYSTEM.SYS", "ProcessID"))
    except Exception:
        pass


__all__ = ["clean_production", "create_business_service", "enable_config_item", "get_host_messages",
           "get_production_status", "list_all_productions", "restart_production", "start_production",
           "stop_production", "update_production"]
