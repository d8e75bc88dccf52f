"""A business service created outside the production's jobs, to send it input directly.

A PyProd host made by ``Ens.Director.CreateBusinessService`` holds its Python object
(``PyObject``) and that object holds the host (``iris_host_object``): neither runtime collects
such a cycle, so without help the host is never freed and its ``OnTearDown`` never runs (bug
magnet 30). :meth:`AdapterlessService.close` runs the Python ``OnTearDown`` of the host and of its
adapter through ``PyStop``, which also drops the Python objects; IRIS then frees the host when the
last reference goes. A service the caller forgets is released when it is garbage-collected (over
a connection: at the connection's next call or its close) and, at the latest, when the
connection closes or the process ends.
"""

from __future__ import annotations

import functools
import weakref
from typing import Any, Optional, Tuple

from .. import naming
from ..errors import PyProdError
from .backends import Backend


class AdapterlessService:
    """An IRIS business service object made by ``Ens.Director.CreateBusinessService``.

    Its IRIS properties and methods are reached by their Python names (``target_config_name``
    or ``TargetConfigName``); send input with :meth:`process_input`. Get one from
    :func:`intersystems_pyprod.director.create_business_service`.
    """

    def __init__(self, backend: Backend, service: Any, class_name: str) -> None:
        finalizer = weakref.finalize(self, _collected, backend, service)
        self.__dict__.update(_backend=backend, _service=service, _class_name=class_name, _finalizer=finalizer)
        director = getattr(backend, "director", None)
        if director is not None and hasattr(director, "on_close"):
            director.on_close(functools.partial(_release_now, finalizer, backend))

    def close(self) -> None:
        """Run the service's Python ``OnTearDown`` (and its adapter's) and let IRIS free the host.
        Closing twice does nothing; the service cannot be used afterwards."""
        _release_now(self._finalizer, self._backend)
        self.__dict__["_service"] = None

    def __enter__(self) -> AdapterlessService:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._service is None

    def _member(self, name: str, kinds: Tuple[str, ...]) -> Tuple[str, str]:
        """(IRIS name, "Property" or "Method") of a member of the service's class."""
        try:
            iris_name = naming.member_name(name, "member")
        except PyProdError as exc:
            raise AttributeError(str(exc)) from None
        for kind in kinds:
            member_id = f"{self._class_name}||{iris_name}"
            if int(self._backend.call(f"%Dictionary.Compiled{kind}", "%ExistsId", member_id) or 0):
                return iris_name, kind
        what = " or ".join(k.lower() for k in kinds)
        raise AttributeError(f"{self._class_name} has no {what} {iris_name!r} (from {name!r})")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if naming.iris_name(name) == "ProcessInput":
            raise AttributeError("call process_input(input) instead: it returns (status, response)")
        if self._service is None:
            raise ValueError(f"the business service {self._class_name} is closed")
        iris_name, kind = self._member(name, ("Property", "Method"))
        if kind == "Property":
            return self._backend.get(self._service, iris_name)
        backend, service = self._backend, self._service
        return lambda *args: backend.invoke(service, iris_name, *args)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            raise AttributeError(f"cannot set {name!r} on a business service")
        if self._service is None:
            raise ValueError(f"the business service {self._class_name} is closed")
        self._backend.set(self._service, self._member(name, ("Property",))[0], value)

    def process_input(self, input: Any) -> Tuple[Any, Any]:
        """Send ``input`` to the service's OnProcessInput: (IRIS status, the response it returned)."""
        if self._service is None:
            raise ValueError(f"the business service {self._class_name} is closed")
        response = self._backend.ref()
        status = self._backend.invoke(self._service, "ProcessInput", input, response)
        return status, self._backend.value(response)

    def __repr__(self) -> str:
        return f"<business service {self._class_name}{' (closed)' if self._service is None else ''}>"


def _is_pyprod(backend: Backend, obj: Any) -> bool:
    return obj not in (None, "") and bool(int(backend.invoke(obj, "%Extends", "PyProd.Common") or 0))


def release(backend: Backend, service: Any) -> None:
    """Run the Python ``OnTearDown`` of a PyProd host and of its PyProd adapter (``PyStop``, which
    also drops their Python objects and so breaks the cycle); other hosts have no such cycle.
    Never raises: a release that fails leaves the host as it was."""
    try:
        if not _is_pyprod(backend, service):
            return
        backend.invoke(service, "PyStop")
        adapter = backend.get(service, "Adapter")
        if _is_pyprod(backend, adapter):
            backend.invoke(adapter, "PyStop")
    except Exception:
        pass


def _release_now(finalizer: Any, backend: Backend) -> None:
    """Release the service of ``finalizer`` now, unless that was done before."""
    detached: Optional[Tuple[Any, Any, Any, Any]] = finalizer.detach()
    if detached is not None:
        release(backend, detached[2][1])


def _collected(backend: Backend, service: Any) -> None:
    """The caller dropped the service without closing it. Over a connection the release waits for
    the connection's next call (a collection may happen in the middle of another call)."""
    defer = getattr(getattr(backend, "director", None), "defer", None)
    if defer is not None:
        defer(functools.partial(release, backend, service))
    else:
        release(backend, service)
