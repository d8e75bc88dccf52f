"""How a process timer's expiry is recognised.

``Ens.BusinessProcess`` has both ``SetTimer(timeout, completionKey)`` and an ``OnTimeout``
callback, and ``Ens.Alarm`` is one of the engine's own hosts. The timer is taken to be a wake-up
request to ``Ens.Alarm`` (an ``Ens.AlarmRequest`` sent with the timer's completion key) whose
answer comes back to the process like any asynchronous response. Whether IRIS then calls the
process's ``OnResponse`` (with the alarm request as ``callrequest``) or its ``OnTimeout`` is not
confirmed on a live instance, so the bridge sends both to the same Python callback.
"""

from __future__ import annotations

from typing import Any

#: The request class ``SetTimer`` sends to ``Ens.Alarm``.
ALARM_REQUEST = "Ens.AlarmRequest"
#: The response ``Ens.Alarm`` answers with.
ALARM_RESPONSE = "Ens.AlarmResponse"


def is_alarm(call_request: Any) -> bool:
    """True when ``call_request`` is the ``Ens.AlarmRequest`` a ``SetTimer`` timer sent."""
    class_name = getattr(call_request, "_ClassName", None)
    if not callable(class_name):
        return False
    try:
        return bool(class_name(1) == ALARM_REQUEST)
    except Exception:
        return False
