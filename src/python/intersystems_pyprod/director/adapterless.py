"""A business service created outside the production's jobs, to send it input directly."""

from __future__ import annotations

from typing import Any, Tuple

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
        self.__dict__.update(_backend=backend, _service=service, _class_name=class_name)

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
        iris_name, kind = self._member(name, ("Property", "Method"))
        if kind == "Property":
            return self._backend.get(self._service, iris_name)
        backend, service = self._backend, self._service
        return lambda *args: backend.invoke(service, iris_name, *args)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            raise AttributeError(f"cannot set {name!r} on a business service")
        self._backend.set(self._service, self._member(name, ("Property",))[0], value)

    def process_input(self, input: Any) -> Tuple[Any, Any]:
        """Send ``input`` to the service's OnProcessInput: (IRIS status, the response it returned)."""
        response = self._backend.ref()
        status = self._backend.invoke(self._service, "ProcessInput", input, response)
        return status, self._backend.value(response)

    def __repr__(self) -> str:
        return f"<business service {self._class_name}>"
