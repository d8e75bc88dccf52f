"""Dates and times as text, read the same way on every Python from 3.9 to 3.13.

``datetime.fromisoformat`` accepts different forms on different Pythons: IRIS 2024.1 runs
Python 3.10, whose ``fromisoformat`` rejects ``"2024-01-01 10:00:00.1"`` although that is a
valid ``%TimeStamp`` (logical form ``YYYY-MM-DD HH:MM:SS.nnnnnnnnn``, 0-9 fraction digits).
The parsers here accept one fixed grammar on every version:

* date: ``YYYY-MM-DD``
* time: ``HH:MM[:SS[.fraction]]`` and an optional zone
* date and time: a date, then ``T`` or a space and a time; a date alone means midnight

A fraction may have any number of digits; digits past microseconds are dropped (IRIS keeps
up to nine, Python six). A zone is ``Z`` or ``+HH:MM`` / ``+HHMM`` / ``+HH``.

``%TimeStamp`` holds no time zone, and IRIS refuses a value with an offset when the object is
validated on save. The rule here: an aware ``datetime`` is stored as its UTC time, naive
(:func:`timestamp_text`); interoperability's own time stamps (``Ens.MessageHeader``
``TimeCreated``) are UTC as well. JSON bodies keep the offset, so they round-trip unchanged.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Optional

_ZONE = r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?"
_TIME = r"(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?"
_DATE = r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
_DATE_RE = re.compile(_DATE + r"\Z", re.ASCII)
_TIME_RE = re.compile(_TIME + r"\s*" + _ZONE + r"\Z", re.ASCII)
_DATETIME_RE = re.compile(_DATE + r"(?:[T ]" + _TIME + r")?\s*" + _ZONE + r"\Z", re.ASCII)

DATETIME_FORMS = "YYYY-MM-DD HH:MM:SS[.fraction] (or with T), optionally followed by Z or +HH:MM"


def _zone(text: Optional[str]) -> Optional[datetime.tzinfo]:
    if not text:
        return None
    if text == "Z":
        return datetime.timezone.utc
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    if minutes >= 24 * 60:
        raise ValueError(f"time zone offset {text} is out of range")
    sign = -1 if text[0] == "-" else 1
    return datetime.timezone(datetime.timedelta(minutes=sign * minutes))


def _clock(match: Any) -> dict:
    fraction = (match.group("f") or "")[:6].ljust(6, "0")
    return {"hour": int(match.group("h") or 0), "minute": int(match.group("m") or 0),
            "second": int(match.group("s") or 0), "microsecond": int(fraction),
            "tzinfo": _zone(match.group("zone"))}


def _text(value: Any) -> str:
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
    return text.strip()


def parse_date(value: Any) -> datetime.date:
    """``YYYY-MM-DD`` as a date."""
    text = _text(value)
    match = _DATE_RE.match(text)
    if match is None:
        raise ValueError(f"{text[:80]!r} is not a date: write YYYY-MM-DD")
    return datetime.date(int(match.group("y")), int(match.group("mo")), int(match.group("d")))


def parse_time(value: Any) -> datetime.time:
    """``HH:MM[:SS[.fraction]]`` (with an optional zone) as a time."""
    text = _text(value)
    match = _TIME_RE.match(text)
    if match is None:
        raise ValueError(f"{text[:80]!r} is not a time: write HH:MM:SS[.fraction]")
    return datetime.time(**_clock(match))


def parse_datetime(value: Any) -> datetime.datetime:
    """A date and time in any form IRIS or ``isoformat`` writes (aware when it names a zone)."""
    text = _text(value)
    match = _DATETIME_RE.match(text)
    if match is None:
        raise ValueError(f"{text[:80]!r} is not a date and time: write {DATETIME_FORMS}")
    return datetime.datetime(int(match.group("y")), int(match.group("mo")), int(match.group("d")), **_clock(match))


def parse(kind: type, value: Any) -> Any:
    """``value`` (text) as ``kind``: ``datetime.datetime``, ``datetime.date`` or ``datetime.time``."""
    if kind is datetime.datetime:
        return parse_datetime(value)
    if kind is datetime.date:
        return parse_date(value)
    if kind is datetime.time:
        return parse_time(value)
    raise TypeError(f"{kind.__name__} is not a date or time type")


def utc_naive(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime as its UTC time without a zone; a naive one unchanged."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=None)
    return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def timestamp_text(value: datetime.datetime) -> str:
    """A datetime as a ``%TimeStamp`` logical value (UTC when the datetime is aware)."""
    return utc_naive(value).isoformat(sep=" ")
