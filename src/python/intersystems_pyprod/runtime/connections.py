"""The connections of a Python host for the portal's configuration diagram (``OnGetConnections``)."""

from __future__ import annotations

from typing import List, Tuple

from .. import naming
from ..api.fields import IRISProperty
from ..model.targets import is_target_entry


def target_properties(cls: type) -> List[Tuple[str, str, str]]:
    """``(python name, IRIS name, default text)`` of every target setting of a component class,
    inherited ones included, by IRIS name."""
    seen = set()
    out: List[Tuple[str, str, str]] = []
    for klass in cls.__mro__:
        for name, value in vars(klass).items():
            if name in seen or not isinstance(value, IRISProperty):
                continue
            seen.add(name)
            if isinstance(value.settings, str) and is_target_entry(f"x:{value.settings}"):
                default = "" if value.default is None else str(value.default)
                out.append((name, naming.iris_name(name), default))
    return sorted(out, key=lambda t: t[1])
