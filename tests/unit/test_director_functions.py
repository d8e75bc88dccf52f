"""The 0.2.0 module-level director functions, inside IRIS (fake embedded ``iris``) and over a
connection (fake Native SDK): the calls they make and what they return."""

from __future__ import annotations

import inspect
from typing import Any, List

import iris as native_sdk
import pytest

from intersystems_pyprod import director
from intersystems_pyprod.director import backends, connection, listcodec
from intersystems_pyprod.loader import server as loader_server

from ..fake_iris import FakeIris
from ..fake_native import FakeSDK, FakeServer

ERROR = "0 " + chr(1) + "ERROR #5001: boom"


def as_list(*values: Any) -> str:
    """A $LIST as Embedded Python hands it over (made by the Native SDK's encoder)."""
    built = native_sdk.IRISList()
    for value in values:
        built.add(value)
    return built.getBuffer().decode("latin-1")


class FakeService:
    """A business service object inside IRIS."""

    def __init__(self) -> None:
        self.TargetConfigName = "Old"
        self.inputs: List[Any] = []

    def _ClassName(self, full: int) -> str:
        return "Demo.ServiceClass"

    def ProcessInput(self, data: Any, response: Any) -> int:
        self.inputs.append(data)
        response.value = {"echo": data}
        return 1

    def Describe(self, text: str) -> str:
        return f"described {text}"


class FakeEnsDirector:
    def __init__(self, calls: List[tuple]) -> None:
        self.calls = calls
        self.status: Any = 1
        self.service = FakeService()

    def __getattr__(self, method: str) -> Any:
        def call(*args: Any) -> Any:
            self.calls.append((method, *args))
            if method == "GetProductionStatus":
                args[0].value, args[1].value = "Demo.Production", 1
            if method == "GetProductionSummary":
                args[0].value = {"Demo.Production": as_list("Running", "2026-11-23 10:00:00.123", "", 1),
                                 "Demo.Other": as_list("Stopped", "2026-11-20 09:00:00", "2026-11-21 08:00:00", 2)}
            if method == "CreateBusinessService":
                args[1].value = self.service if self.status == 1 else ""
            return self.status
        return call


class FakeDictionary:
    def __init__(self, members: set) -> None:
        self.members = members

    def _ExistsId(self, member_id: str) -> int:
        return int(member_id in self.members)


@pytest.fixture
def embedded(monkeypatch):
    fake = FakeIris()
    ens = FakeEnsDirector(fake.calls)
    fake.classes["Ens.Director"] = ens
    fake.classes["%Dictionary.CompiledProperty"] = FakeDictionary({"Demo.ServiceClass||TargetConfigName"})
    fake.classes["%Dictionary.CompiledMethod"] = FakeDictionary({"Demo.ServiceClass||Describe"})
    monkeypatch.setattr(backends, "embedded_iris", lambda: fake)
    backends.use_backend(None)
    yield fake, ens
    backends.use_backend(None)


@pytest.fixture
def remote(monkeypatch, tmp_path):
    fake = FakeServer()
    monkeypatch.setattr(connection, "native_sdk", lambda: FakeSDK(fake))
    monkeypatch.setattr(backends, "embedded_iris", lambda: None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IRIS_USERNAME", "_SYSTEM")
    monkeypatch.setenv("IRIS_PASSWORD", fake.password)
    backends.use_backend(None)
    yield fake
    backends.use_connection(None)


def test_signatures_are_those_of_0_2_0():
    expected = {
        "start_production": "(prod_name: 'Optional[str]' = None) -> 'Any'",
        "stop_production": "(timeout: 'int' = 10, force: 'bool' = False) -> 'Any'",
        "restart_production": "(timeout: 'int' = 10, force: 'bool' = False) -> 'Any'",
        "get_production_status": "(lock_timeout: 'int' = 10, skip_lock_if_running: 'bool' = False)",
        "clean_production": "(kill_app_data_too: 'bool' = False) -> 'Any'",
        "update_production": "(timeout: 'int' = 10, force: 'bool' = False, called_by_schedule_handler: 'bool' = "
                             "False) -> 'Any'",
        "enable_config_item": "(config_item_name: 'str', enable: 'bool' = True, do_update: 'bool' = True)",
        "list_all_productions": "()",
        "get_host_messages": "(host_name: 'str', max_results: 'int' = 100)",
        "create_business_service": "(service_class_name: 'str')",
    }
    for name, start in expected.items():
        assert str(inspect.signature(getattr(director, name))).startswith(start), name


def test_embedded_lifecycle_calls_ens_director_in_process(embedded):
    fake, _ens = embedded
    assert director.start_production("Demo.Production") == 1
    assert director.start_production() == 1
    assert director.stop_production(5, True) == 1
    assert director.restart_production() == 1
    assert director.update_production(3, called_by_schedule_handler=True) == 1
    assert director.clean_production(True) == 1
    assert director.enable_config_item("Demo Item", enable=False) == 1
    assert fake.calls == [("StartProduction", "Demo.Production"), ("StartProduction",), ("StopProduction", 5, 1),
                          ("RestartProduction", 10, 0), ("UpdateProduction", 3, 0, 1), ("CleanProduction", 1),
                          ("EnableConfigItem", "Demo Item", 0, 1)]


def test_a_failed_status_is_returned_not_raised(embedded):
    _fake, ens = embedded
    ens.status = ERROR
    assert director.stop_production() == ERROR
    assert director.get_production_status()[0] == ERROR
    assert director.create_business_service("Demo.Service") == (ERROR, None)


def test_embedded_status_tuple(embedded):
    fake, _ens = embedded
    assert director.get_production_status(2, True) == (1, "Demo.Production", 1)
    method, name, state, *rest = fake.calls[0]
    assert (method, rest) == ("GetProductionStatus", [2, 1]) and name.value is None and state.value is None


def test_embedded_list_all_productions_decodes_the_summary(embedded):
    status, names, details = director.list_all_productions()
    assert status == 1 and names == ["Demo.Production", "Demo.Other"]
    assert details["Demo.Production"] == {"status": "Running", "last_start_time": "2026-11-23 10:00:00.123",
                                          "last_stop_time": None}
    assert details["Demo.Other"]["last_stop_time"] == "2026-11-21 08:00:00"


def test_embedded_host_messages_use_a_parameterised_query(embedded):
    fake, _ens = embedded
    fake.sql.rows = [(9, "2026-11-23 10:00:09", "Svc", "Proc", 9, 4, "Demo.Req", "9")]
    hostile = "x' OR 1=1 --"
    messages = director.get_host_messages(hostile, 5)
    assert messages == [{"id": 9, "time_created": "2026-11-23 10:00:09", "source": "Svc", "target": "Proc",
                         "status": 9, "session_id": 4, "body_class": "Demo.Req", "body_id": "9"}]
    kind, sql, *params = fake.calls[-1]
    assert kind == "sql" and hostile not in sql and params == [5, hostile, hostile]


@pytest.mark.parametrize("call", [lambda: director.get_host_messages("Svc", -1),
                                  lambda: director.get_host_messages("Svc", "5; DROP"),
                                  lambda: director.get_host_messages(None),
                                  lambda: director.stop_production("10"),
                                  lambda: director.enable_config_item("")])
def test_bad_arguments_are_refused_before_any_call(embedded, call):
    fake, _ens = embedded
    with pytest.raises((TypeError, ValueError)):
        call()
    assert fake.calls == []


def test_embedded_business_service(embedded):
    _fake, ens = embedded
    status, service = director.create_business_service("Demo.Service")
    assert status == 1 and service is not None
    assert service.process_input("hello") == (1, {"echo": "hello"})
    assert service.target_config_name == "Old" and service.TargetConfigName == "Old"
    service.target_config_name = "Demo.Operation"
    assert ens.service.TargetConfigName == "Demo.Operation"
    assert service.Describe("it") == "described it"
    with pytest.raises(AttributeError, match="has no property or method 'missing'"):
        _ = service.missing
    with pytest.raises(AttributeError, match="has no property 'Describe'"):
        service.Describe = 1
    with pytest.raises(AttributeError, match="process_input"):
        _ = service.ProcessInput
    with pytest.raises(AttributeError):
        _ = service.__deepcopy__
    with pytest.raises(AttributeError, match="cannot be an IRIS member name"):
        getattr(service, "x||y")


def test_remote_connects_once_from_the_environment(remote):
    assert director.start_production("Demo.Production") == 1
    assert director.stop_production(force=True) == 1
    assert director.get_production_status() == (1, "Demo.Production", 2)
    assert len(remote.connects) == 1 and remote.connects[0]["username"] == "_SYSTEM"
    assert remote.director_calls[:2] == [("StartProduction", "Demo.Production"), ("StopProduction", 10, 1)]
    assert director.start_production() == 1  # the fake's last production is still known
    assert director.start_production().startswith("0 ")  # already running: the status, not an exception


def test_remote_list_and_service(remote):
    remote.summary = {"Demo.Production": ["Running", "2026-11-23 10:00:00", None, 1]}
    assert director.list_all_productions() == (1, ["Demo.Production"], {"Demo.Production": {
        "status": "Running", "last_start_time": "2026-11-23 10:00:00", "last_stop_time": None}})
    remote.members = {"Demo.ServiceClass||TargetConfigName": "Property"}
    status, service = director.create_business_service("Demo.Service")
    assert status == 1 and service.process_input("hi") == (1, "echo:hi")
    service.target_config_name = "Op"
    assert remote.services[0].props["TargetConfigName"] == "Op"
    assert director.create_business_service("Nope")[1] is None


def test_remote_failure_never_shows_the_password(remote, monkeypatch):
    monkeypatch.setenv("IRIS_PASSWORD", "wrong-secret")
    with pytest.raises(director.DirectorError) as caught:
        director.start_production()
    assert "wrong-secret" not in str(caught.value)


def test_use_connection_replaces_the_default_and_closes_it(remote):
    director.start_production()
    opened = backends.current()
    assert isinstance(opened, backends.RemoteBackend)
    mine = director.connect()
    director.use_connection(mine)
    assert opened.director.connection.closed and not mine.connection.closed
    assert director.stop_production() == 1 and len(remote.connects) == 2


def test_production_summary_entry_point_inside_iris(embedded):
    import json

    document = json.loads(loader_server.production_summary())
    assert document["ok"] is True and document["status"] == 1
    assert document["productions"]["Demo.Production"] == ["Running", "2026-11-23 10:00:00.123", "", 1]


def test_list_decoder_reads_every_element_kind():
    long_text = "y" * 70000
    values = ["Running", "", None, 2, -3, 300, "Zürich€", "x" * 300, long_text, 1.5, 12345678901234]
    assert listcodec.decode(as_list(*values)) == values
    with pytest.raises(listcodec.ListFormatError):
        listcodec.decode("\x09\x01Run")
