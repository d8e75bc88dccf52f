"""Stored message bodies of the stand-in: the ``Ens.MessageBody`` extent, and rows opened after
their class changed."""

from __future__ import annotations

from typing import Any, Dict


class MessageStore:
    """The stored message bodies of a namespace (the ``Ens.MessageBody`` extent: one ID sequence
    for every body class). A body gets its ID when it is first saved: when a message header is
    made for it, or when the process holding it as its response is saved."""

    def __init__(self) -> None:
        self.bodies: Dict[int, Any] = {}
        self._last = 0

    def save(self, obj: Any) -> int:
        ident = obj.__dict__.get("_id")
        if ident is None:
            self._last += 1
            ident = obj.__dict__["_id"] = self._last
        self.bodies[ident] = obj
        return ident

    def delete(self, obj: Any) -> None:
        ident = obj.__dict__.get("_id")
        if ident is not None:
            self.bodies.pop(ident, None)
            obj.__dict__["_id"] = None


def reopen(api: Any, row: Any) -> Any:
    """``%OpenId`` of message ``row`` (an object saved under an earlier definition of its class,
    e.g. by another stand-in) under the definition stand-in ``api`` has now, as IRIS reads a
    stored row after the class changed: rows are not converted, so each property reads the slot
    of its name as stored (a retyped property too, unconverted and unvalidated), a property added
    since reads "" (no InitialExpression runs on open), a removed property's slot is not read;
    the body streams are the stored ones. The row keeps its ID."""
    name = row._ClassName(1)
    info = api.classes.get(name.lower())
    if info is None:
        raise RuntimeError(f"<CLASS DOES NOT EXIST> {name}")
    obj = api.cls(name)._New()
    for prop in list(info.defaults):
        obj.__dict__.pop(prop, None)
    for prop in info.properties or {}:
        if prop in row.__dict__:
            obj.__dict__[prop] = row.__dict__[prop]
    for stream in info.streams:
        if stream in row.__dict__:
            copied = api.cls(row.__dict__[stream].class_name)._New()
            copied._chunks = list(row.__dict__[stream]._chunks)
            obj.__dict__[stream] = copied
    ident = row.__dict__.get("_id")
    if ident is not None:
        obj.__dict__["_id"] = ident
        api.store.bodies[ident] = obj
        api.store._last = max(api.store._last, ident)
    return obj
