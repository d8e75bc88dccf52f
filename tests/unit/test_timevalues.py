"""Dates and times read alike on Python 3.9-3.13, in the forms IRIS writes; aware datetimes stored as UTC."""

from __future__ import annotations

import datetime

import pytest

from intersystems_pyprod import JsonSerialize
from intersystems_pyprod.runtime import irisapi, messages, timevalues, values
from intersystems_pyprod.testing.standin import ClassInfo, IrisStandIn

UTC = datetime.timezone.utc
PLUS2 = datetime.timezone(datetime.timedelta(hours=2))
MINUS5 = datetime.timezone(-datetime.timedelta(hours=5))


@pytest.mark.parametrize("text, expected", [
    # %TimeStamp logical values: a space, 0-9 fraction digits (Python keeps six, truncated)
    ("2024-01-01 10:00:00", datetime.datetime(2024, 1, 1, 10)),
    ("2024-01-01 10:00:00.1", datetime.datetime(2024, 1, 1, 10, 0, 0, 100000)),
    ("2024-01-01 10:00:00.12", datetime.datetime(2024, 1, 1, 10, 0, 0, 120000)),
    ("2024-01-01 10:00:00.1234", datetime.datetime(2024, 1, 1, 10, 0, 0, 123400)),
    ("2024-01-01 10:00:00.12345", datetime.datetime(2024, 1, 1, 10, 0, 0, 123450)),
    ("2024-01-01 10:00:00.123456789", datetime.datetime(2024, 1, 1, 10, 0, 0, 123456)),
    ("2024-01-01 10:00:00.999999999", datetime.datetime(2024, 1, 1, 10, 0, 0, 999999)),
    ("2024-01-01 10:00", datetime.datetime(2024, 1, 1, 10)),
    ("2024-01-01", datetime.datetime(2024, 1, 1)),
    ("  2024-01-01 10:00:00  ", datetime.datetime(2024, 1, 1, 10)),
    # isoformat and XSD forms: T, Z, offsets with and without a colon
    ("2024-01-01T10:00:00.5", datetime.datetime(2024, 1, 1, 10, 0, 0, 500000)),
    ("2024-01-01T10:00:00Z", datetime.datetime(2024, 1, 1, 10, tzinfo=UTC)),
    ("2024-01-01T10:00:00+02:00", datetime.datetime(2024, 1, 1, 10, tzinfo=PLUS2)),
    ("2024-01-01 10:00:00.1+0200", datetime.datetime(2024, 1, 1, 10, 0, 0, 100000, tzinfo=PLUS2)),
    ("2024-01-01T10:00:00-05", datetime.datetime(2024, 1, 1, 10, tzinfo=MINUS5)),
])
def test_datetime_forms(text, expected):
    found = timevalues.parse_datetime(text)
    assert found == expected and found.tzinfo == expected.tzinfo


@pytest.mark.parametrize("text", [
    "20240101T100000",  # basic format: accepted by fromisoformat on 3.11+ only, so never here
    "2024-1-1 10:00:00", "2024-01-01 10", "2024-01-01 10:00:00.", "2024-01-01X10:00:00", "yesterday", "",
    "2024-02-30 10:00:00", "2024-01-01 24:00:00", "2024-01-01 10:00:00+24:00",
    "\u0662\u0660\u0662\u0664-01-01",  # non-ASCII digits
])
def test_datetime_refused_with_the_expected_form(text):
    with pytest.raises(ValueError, match=r"not a date and time: write YYYY-MM-DD HH:MM:SS|out of range|must be in"):
        timevalues.parse_datetime(text)


def test_dates_and_times():
    assert timevalues.parse_date("2024-03-04") == datetime.date(2024, 3, 4)
    assert timevalues.parse_time("10:11:12.1") == datetime.time(10, 11, 12, 100000)
    assert timevalues.parse_time("10:11") == datetime.time(10, 11)
    assert timevalues.parse_time("10:11:12+02:00") == datetime.time(10, 11, 12, tzinfo=PLUS2)
    with pytest.raises(ValueError, match="not a date: write YYYY-MM-DD"):
        timevalues.parse_date("2024-03-04 10:00:00")
    with pytest.raises(ValueError, match="not a time: write HH:MM:SS"):
        timevalues.parse_time("10h")


def test_aware_datetimes_are_stored_as_utc_naive_timestamps():
    aware = datetime.datetime(2024, 1, 1, 12, 30, tzinfo=PLUS2)
    assert values.to_iris(aware, datetime.datetime) == "2024-01-01 10:30:00"
    assert values.to_iris(datetime.datetime(2024, 1, 1, 23, 0, 0, 5, tzinfo=datetime.timezone(
        -datetime.timedelta(hours=3))), datetime.datetime) == "2024-01-02 02:00:00.000005"
    assert values.to_iris(datetime.datetime(2024, 1, 1, 10), datetime.datetime) == "2024-01-01 10:00:00"
    # a setting written with a zone is read as the same UTC time, naive like every stored value
    assert values.to_python("2024-01-01T12:30:00+02:00", datetime.datetime) == datetime.datetime(2024, 1, 1, 10, 30)
    assert values.to_python("2024-01-01 10:00:00.1", datetime.datetime) == datetime.datetime(2024, 1, 1, 10, 0, 0,
                                                                                             100000)


@pytest.mark.parametrize("text, expected", [
    ("36000", datetime.time(10)), ("36000.25", datetime.time(10, 0, 0, 250000)), ("10:00:00.5", datetime.time(
        10, 0, 0, 500000)), ("-1", None), ("2024-01-01", None),
])
def test_time_settings(text, expected):
    if expected is None:
        with pytest.raises(ValueError):
            values.to_python(text, datetime.time)
    else:
        assert values.to_python(text, datetime.time) == expected


def test_date_settings():
    assert values.to_python("-5", datetime.date) == datetime.date(1840, 12, 26)
    with pytest.raises(ValueError, match="not a date"):
        values.to_python("2024/01/01", datetime.date)


class Stamped(JsonSerialize):
    at: datetime.datetime = None
    day: datetime.date = None
    clock: datetime.time = None


@pytest.fixture
def standin():
    api = IrisStandIn(lambda *a: None)
    previous = irisapi.install(api)
    api.define(ClassInfo(messages.register(Stamped), {}, {}, {"JsonBody": "%Stream.GlobalCharacter"}))
    yield api
    irisapi.install(previous)


def test_json_body_written_in_iris_is_read(standin):
    # what an ObjectScript %DynamicObject built from %TimeStamp / %Time values holds
    message = messages.from_json(Stamped, '{"at": "2024-01-01 10:00:00.1", "day": "2024-01-01", "clock": "10:00:00.1"}')
    assert message.at == datetime.datetime(2024, 1, 1, 10, 0, 0, 100000)
    assert message.clock == datetime.time(10, 0, 0, 100000)


def test_json_body_keeps_the_zone(standin):
    sent = Stamped(datetime.datetime(2024, 1, 1, 12, 0, 0, 1, tzinfo=PLUS2))
    back = messages.from_iris(messages.to_iris(sent))
    assert back.at == sent.at and back.at.utcoffset() == datetime.timedelta(hours=2)


def test_json_body_with_text_that_is_no_datetime_reads_back_as_sent(standin):
    """Python does not enforce annotations: text in a datetime field was sent as it is and comes
    back as it is (pyprod 0.2.0 hands it over unchanged too)."""
    assert messages.from_json(Stamped, '{"at": "2024-13-01 10:00:00"}').at == "2024-13-01 10:00:00"
    sent = Stamped("n/a")
    assert messages.from_iris(messages.to_iris(sent)).at == "n/a"


def test_an_aware_default_becomes_a_utc_initial_expression():
    from intersystems_pyprod.classgen.udl import initial_expression
    from intersystems_pyprod.model.types import IrisType

    aware = datetime.datetime(2024, 1, 1, 12, 0, tzinfo=PLUS2)
    assert initial_expression(aware, IrisType("%TimeStamp")) == '"2024-01-01 10:00:00"'
