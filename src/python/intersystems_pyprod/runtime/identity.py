"""Which IRIS body a Python message was read from, so that the message keeps that body's identity.

A message read from an IRIS object during an engine callback remembers that object and a
fingerprint of the body text it was read from. Converting the message back (sending it, returning
it) then hands IRIS the same object when the body Python would write is the same text, so that a
request forwarded unchanged is one body with two headers, as in IRIS. A changed message gets a new
body, except the process's response, which IRIS passes by reference: changes are saved into it.

What a message remembers lasts as long as the callback that read it: the next callback reads the
IRIS object afresh, so a message kept in Python across callbacks (a process may resume in another
job, and its body may have changed meanwhile) is never taken for a body it no longer matches.
"""

from __future__ import annotations

import contextlib
from typing import Any, Dict, Iterator, List, Optional, Sequence


class Origin:
    """The IRIS object a message was read from, and the fingerprint of its body then."""

    __slots__ = ("by_reference", "fingerprint", "message", "obj")

    def __init__(self, message: Any, obj: Any, fingerprint: Any) -> None:
        self.message = message  # held, so that its id() is not reused while the callback runs
        self.obj = obj
        self.fingerprint = fingerprint
        #: the process's response, passed by reference: changes are saved into ``obj``
        self.by_reference = False


_scopes: List[Dict[int, Origin]] = []


@contextlib.contextmanager
def callback() -> Iterator[None]:
    """While an engine callback runs: messages read in it remember their IRIS objects."""
    scope: Dict[int, Origin] = {}
    _scopes.append(scope)
    try:
        yield
    finally:
        if _scopes and _scopes[-1] is scope:
            _scopes.pop()
        elif scope in _scopes:  # a scope left out of order (a generator closed late): drop it alone
            _scopes.remove(scope)


def recording() -> bool:
    """A callback is running: a message read now remembers its IRIS object."""
    return bool(_scopes)


def remember(message: Any, obj: Any, fingerprint: Any) -> None:
    """``message`` was read from ``obj``, whose body had ``fingerprint`` (outside a callback:
    nothing is remembered, and the message is sent as a new body)."""
    if _scopes and fingerprint is not None:
        _scopes[-1][id(message)] = Origin(message, obj, fingerprint)


def origin(message: Any) -> Optional[Origin]:
    """Where ``message`` was read from in a callback still running, or None."""
    key = id(message)
    for scope in reversed(_scopes):
        found = scope.get(key)
        if found is not None and found.message is message:
            return found
    return None


def by_reference(message: Any) -> Optional[Origin]:
    """Mark ``message`` as the process's response (passed by reference): changes to it are saved
    into the IRIS object it was read from. Returns its origin, if it has one."""
    found = origin(message) if message is not None else None
    if found is not None:
        found.by_reference = True
    return found


def of_text(text: str) -> Any:
    """The fingerprint of a JSON body: its length and hash.

    Python's ``hash`` of a string or bytes is SipHash under a key made at each interpreter start,
    so a changed body cannot be made to match an earlier one by choosing its content; it is also
    several times faster than a cryptographic digest (a body that is forwarded costs one pass
    when it is read and one when it is sent)."""
    return (len(text), hash(text))


def of_bytes(pieces: Sequence[bytes]) -> Any:
    """The fingerprint of a pickle body given in pieces (joined only when there are several, for
    a body whose long values the pickler hands over one by one)."""
    body = pieces[0] if len(pieces) == 1 else b"".join(pieces)
    return (len(body), hash(body))
