"""Which setting a name means on a production item: host or adapter, by its exact IRIS name.

IRIS property names are case-sensitive, so production XML settings must match exactly. From
Python (``settings={"Item.attr": v}``, ``--setting``) a name may be the Python attribute name or
the IRIS name, as the model recorded both; nothing here re-derives one from the other.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import List, Optional, Tuple

from .. import naming
from ..model.inherited import INHERITED
from ..model.types import ClassModel
from ..troubleshooting import see
from .records import HarnessError


def _inherited_settings(kind: str) -> Tuple[str, ...]:
    """IRIS names of the value properties a kind of class inherits from its Ens base classes."""
    return tuple(sorted(name for _, table in INHERITED.get(kind, ()) for name, itype in table.items()
                        if itype is not None))


#: Settings each kind of host inherits from its Ens base class (IRIS names).
HOST_INHERITED = {kind: _inherited_settings(kind) for kind in ("BusinessService", "BusinessProcess",
                                                               "BusinessOperation")}
#: Settings each kind of adapter inherits from ``Ens.InboundAdapter`` / ``Ens.OutboundAdapter``.
ADAPTER_INHERITED = {kind: _inherited_settings(kind) for kind in ("InboundAdapter", "OutboundAdapter")}


def _is_member_name(name: str) -> bool:
    return naming.is_type_name(name) and "." not in name and not name.startswith("%")


@dataclasses.dataclass(frozen=True)
class _Side:
    """The settings of one side (host or adapter) of an item."""

    label: str
    model: Optional[ClassModel]
    inherited: Tuple[str, ...]
    open: bool  # an ObjectScript class: its settings are unknown here, any IRIS name is taken

    def iris_names(self) -> List[str]:
        props = [p.iris_name for p in self.model.properties] if self.model else []
        return props + list(self.inherited)

    def find(self, name: str, python_names: bool) -> Optional[str]:
        if self.model is not None:
            for prop in self.model.properties:
                if name == prop.iris_name or (python_names and name == prop.py_name):
                    return prop.iris_name
        return name if name in self.inherited else None


class ItemSettings:
    """The settings an item accepts, on its host and on its adapter."""

    def __init__(self, item: str, host_kind: str, host: Optional[ClassModel], adapter_kind: str,
                 adapter: Optional[ClassModel], adapter_class: str) -> None:
        self.item = item
        self.host = _Side("host", host, HOST_INHERITED.get(host_kind, ()), host is None)
        self.adapter = _Side("adapter", adapter, ADAPTER_INHERITED.get(adapter_kind, ()),
                             bool(adapter_class) and adapter is None) if adapter_kind else None

    def _names(self, python_names: bool) -> List[str]:
        names: List[str] = []
        for side in (self.host, self.adapter):
            if side is None:
                continue
            if python_names and side.model is not None:
                names += [p.py_name for p in side.model.properties]
            names += side.iris_names()
        return names

    def _unknown(self, name: str, where: str, python_names: bool, side: str = "") -> HarnessError:
        close = difflib.get_close_matches(name, self._names(python_names), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else (
            "declare it with IRISProperty, or use the exact IRIS name of an inherited setting")
        hint += f"; {see('unknown-setting')}"
        what = f"no {side} setting" if side else "no setting"
        return HarnessError(f"{where}item {self.item!r} has {what} {name!r} (IRIS names are case-sensitive); {hint}")

    def resolve(self, name: str, where: str = "") -> Tuple[str, str]:
        """``("host"|"adapter", IRIS name)`` for a Python attribute name or an IRIS name."""
        for side in (self.host, self.adapter):
            if side is not None:
                found = side.find(name, python_names=True)
                if found is not None:
                    return side.label, found
        if _is_member_name(name):
            if self.host.open:
                return "host", name
            if self.adapter is not None and self.adapter.open:
                close = difflib.get_close_matches(name, self.host.iris_names(), n=1, cutoff=0.8)
                if not close:
                    return "adapter", name
        raise self._unknown(name, where, python_names=True)

    def resolve_iris(self, target: str, name: str, where: str = "") -> str:
        """The setting ``name`` on ``target`` (``"Host"``/``"Adapter"``), matched exactly."""
        side = self.host if target == "Host" else self.adapter
        if side is None:
            raise HarnessError(f"{where}item {self.item!r} has no adapter, so it takes no adapter setting "
                               f"{name!r}; use Target=\"Host\" or remove the setting")
        found = side.find(name, python_names=False)
        if found is not None:
            return found
        if side.open and _is_member_name(name):
            return name
        raise self._unknown(name, where, python_names=False, side=side.label)
