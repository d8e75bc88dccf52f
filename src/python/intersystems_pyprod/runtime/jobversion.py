"""Which version of the loaded scripts the message entry points use in a job that runs no callback.

``GetValueAt``, ``SetValueAt``, ``GetNextIndex`` and ``%OnAddToSaveSet`` of a JSON message run in
jobs the loader never restarts (a routing engine evaluating a rule or running a DTL). Each of
these calls does what a Python host does at each callback (:func:`..loader.paths.refresh`: one
namespace question and one global read, the namespace's generation counter); when a load moved
the counter, the modules whose version changed leave ``sys.modules`` and the message classes the
job knows are forgotten, so the call reads the message with the newly loaded class.

The version is not switched:

- inside a Python callback (a process's callback running a DTL, a send saving its message): the
  callback keeps the version it started with, as its own objects do;
- while the job builds a message: from a ``SetValueAt`` until the next save of a JSON message, at
  most :data:`HOLD_SECONDS`, so that one DTL run writes and saves its target with one version. A
  job that only runs ObjectScript tells Python nothing about where a DTL run begins or ends; a
  run's first write and its save are the bounds Python sees. A namespace switch is still seen.
"""

from __future__ import annotations

import time
from typing import Callable, Optional

from ..loader import paths
from . import identity

#: The longest a message being built holds the version a job uses (a DTL run that never saves).
HOLD_SECONDS = 5.0

_clock: Callable[[], float] = time.monotonic
#: When the job began building a message (its first ``SetValueAt`` since the last save), or None.
_held_since: Optional[float] = None


def _holding() -> bool:
    return _held_since is not None and _clock() - _held_since < HOLD_SECONDS


def check() -> None:
    """Before an entry point reads or writes a message: the loaded scripts' modules in their
    active versions, unless a callback runs or a message is being built (never raises)."""
    if identity.recording():
        return
    paths.refresh(hold=_holding())


def building() -> None:
    """A ``SetValueAt`` wrote a message outside a callback: hold the version until it is saved."""
    global _held_since
    if not identity.recording() and not _holding():
        _held_since = _clock()


def saved() -> None:
    """A JSON message was saved: the message being built is done; the next call may switch."""
    global _held_since
    _held_since = None
