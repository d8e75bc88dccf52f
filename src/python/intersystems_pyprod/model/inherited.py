"""Properties every generated host or adapter inherits from IRIS, and the rule for a Python
setting that has the same name.

The engine reads these properties with their inherited types (``AlertOnError`` is a
``%Boolean`` on every host), so a generated class never redefines one with another type. A
Python setting of that name keeps the inherited property: its ``settings`` text still places it
on the configuration page, and a default or description redefines the property with the
inherited type. A declared type that differs is refused, naming the member.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from ..errors import Location, PyProdError
from . import datatypes
from .types import IrisType

_BOOL = IrisType("%Boolean")
_INT = IrisType("%Integer")


def _num(minval: str = "0") -> IrisType:
    return IrisType("%Numeric", (("MINVAL", minval),))


def _text(maxlen: str) -> IrisType:
    return IrisType("%String", (("MAXLEN", maxlen),))


#: ``None``: an object-valued property, never a setting.
Table = Dict[str, Optional[IrisType]]

#: Per IRIS class: its own properties that a Python name can reach (``%`` names cannot).
#: Type parameters are those of the class reference where it shows them; elsewhere a text is
#: unlimited (``MAXLEN = ""``), so a redefinition never refuses a value the inherited one takes.
_ENS_HOST: Table = {
    "Adapter": None, "AlertGroups": _text("2500"), "AlertOnError": _BOOL, "BusinessPartner": _text("128"),
    "InactivityTimeout": _num(), "ThrottleDelay": _num(),
}
_IO_LOGGER: Table = {"ArchiveIO": _BOOL, "IOLogEntry": None}
_ENS_SERVICE: Table = {"AlertGracePeriod": _num(), "GenerateSuperSessionID": _BOOL}
_QUEUED: Table = {  # Ens.BusinessProcess and Ens.BusinessOperation alike
    "ReplyCodeActions": _text('""'), "RetryInterval": _num(), "AlertRetryGracePeriod": _num(),
    "FailureTimeout": _num("-1"), "QueueCountAlert": _num(), "QueueWaitAlert": _num(),
}
_ENS_OPERATION: Table = {
    "DeferResponse": _BOOL, "NoFailWhileDisconnected": _BOOL, "Retry": _BOOL, "RetryCount": _INT,
    "SendSuperSession": _BOOL, "SuspendMessage": _BOOL,
}
_ENS_ADAPTER: Table = {"BusinessHost": None, "Credentials": _text('""')}
_ENS_INBOUND: Table = {"CallInterval": _num("0.1")}

#: kind -> [(IRIS class that declares them, properties)], nearest class first.
INHERITED: Dict[str, Tuple[Tuple[str, Table], ...]] = {
    "BusinessService": (("Ens.BusinessService", _ENS_SERVICE), ("Ens.Util.IOLogger", _IO_LOGGER),
                        ("Ens.Host", _ENS_HOST)),
    "BusinessProcess": (("Ens.BusinessProcess", _QUEUED), ("Ens.Host", _ENS_HOST)),
    "BusinessOperation": (("Ens.BusinessOperation", {**_QUEUED, **_ENS_OPERATION}),
                          ("Ens.Util.IOLogger", _IO_LOGGER), ("Ens.Host", _ENS_HOST)),
    "InboundAdapter": (("Ens.InboundAdapter", _ENS_INBOUND), ("Ens.Adapter", _ENS_ADAPTER)),
    "OutboundAdapter": (("Ens.Adapter", _ENS_ADAPTER),),
}


def inherited(kind: str, iris_name: str) -> Optional[Tuple[str, Optional[IrisType]]]:
    """(declaring IRIS class, type) of the property ``iris_name`` a class of ``kind`` inherits
    from IRIS, or None when it inherits none of that name."""
    for owner, table in INHERITED.get(kind, ()):
        if iris_name in table:
            return owner, table[iris_name]
    return None


def _family(itype: IrisType) -> str:
    """The type name with ``%VarString`` counted as ``%String`` (it is one with no length limit)."""
    return datatypes.family(itype.name)


def _python_spelling(itype: IrisType) -> str:
    return {"%Boolean": "bool", "%Integer": "int", "%Numeric": "decimal.Decimal",
            "%String": "str"}.get(itype.name, repr(itype.name))


def setting_type(kind: str, iris_name: str, datatype: Any, annotation: Any, default: Any, what: str,
                 where: Optional[Location]) -> Optional[IrisType]:
    """The type of a setting that redefines an inherited property: the inherited type (None
    when ``iris_name`` is not inherited). An object-valued member, or a declared type other than
    the inherited one, is an error naming the member."""
    found = inherited(kind, iris_name)
    if found is None:
        return None
    owner, itype = found
    if itype is None:
        raise PyProdError(
            f"{what} has the name of the property {iris_name} every {kind} inherits from {owner}, "
            "which holds an object, not a setting", where=where, fix="rename the Python attribute")
    explicit = datatype if datatype not in (None, "") else annotation
    if explicit is not None:
        declared = datatypes.iris_type(explicit, what, where)
        if _family(declared) != _family(itype):
            raise PyProdError(
                f"{what} is declared as {declared.name}, but {iris_name} is a {itype.name} property every "
                f"{kind} inherits from {owner}; IRIS reads it with that type",
                where=where,
                fix=f"declare it as {_python_spelling(itype)} (or leave the type out to keep {itype.name}), "
                    f"or rename the attribute to make a setting of your own")
    datatypes.check_default(default, itype, what, where)
    return itype


__all__ = ["INHERITED", "inherited", "setting_type"]
