"""Business services made by ``create_business_service`` are released: their ``OnTearDown`` runs
and IRIS frees them, whether the caller closes them or forgets them, and the calling job is not
left registered as a job of the item. The fakes keep IRIS's reference counting (tests/fake_hosts.py)."""

from __future__ import annotations

import gc

import pytest

from intersystems_pyprod import director
from intersystems_pyprod.director import backends, connection

from ..fake_hosts import Heap
from ..fake_iris import FakeIris
from ..fake_native import FakeSDK, FakeServer


class EnsDirector:
    def __init__(self, heap: Heap, adapter: bool) -> None:
        self.heap, self.adapter = heap, adapter

    def CreateBusinessService(self, name, holder):
        holder.value = self.heap.create_business_service(name, embedded=True, adapter=self.adapter)
        return 1 if holder.value is not None else "0 ERROR #5001: no item"


class EnsJob:
    def __init__(self, heap: Heap) -> None:
        self.heap = heap

    def UnRegister(self, name, job):
        self.heap.unregister(name, job)


@pytest.fixture
def embedded(monkeypatch):
    def make(adapter: bool = False) -> Heap:
        fake, heap = FakeIris(), Heap(job=4711)
        fake.classes.update({"Ens.Director": EnsDirector(heap, adapter), "Ens.Job": EnsJob(heap)})
        monkeypatch.setattr(backends, "embedded_iris", lambda: fake)
        backends.use_backend(None)
        return heap

    yield make
    backends.use_backend(None)


def test_a_service_the_caller_forgets_is_torn_down_and_freed(embedded):
    heap = embedded()
    status, service = director.create_business_service("Demo.Service")
    assert status == 1 and service.process_input("hi") == (1, "echo:hi")
    assert heap.teardowns == [] and len(heap.alive) == 1
    del service
    gc.collect()
    assert heap.teardowns == ["service"] and heap.alive == {} and heap.closed == ["service"]


def test_close_runs_the_teardown_of_the_service_and_its_adapter_once(embedded):
    heap = embedded(adapter=True)
    _status, service = director.create_business_service("Demo.Service")
    service.close()
    assert heap.teardowns == ["service", "adapter"] and heap.alive == {}
    service.close()
    assert heap.teardowns == ["service", "adapter"] and service.closed
    with pytest.raises(ValueError, match="closed"):
        service.process_input("late")
    with pytest.raises(ValueError, match="closed"):
        _ = service.target_config_name


def test_a_with_block_releases_the_service_and_the_job_is_not_left_registered(embedded):
    heap = embedded()
    _status, service = director.create_business_service("Demo.Service")
    assert heap.registered == set() and ("Ens.Job", "UnRegister", "Demo.Service", 4711) in heap.calls
    with service as svc:
        assert svc.process_input(1) == (1, "echo:1")
    assert heap.teardowns == ["service"] and heap.alive == {}


@pytest.fixture
def remote(monkeypatch, tmp_path):
    server = FakeServer()
    server.heap = Heap(job=int(server.job))
    monkeypatch.setattr(connection, "native_sdk", lambda: FakeSDK(server))
    monkeypatch.setattr(backends, "embedded_iris", lambda: None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IRIS_USERNAME", "_SYSTEM")
    monkeypatch.setenv("IRIS_PASSWORD", server.password)
    backends.use_backend(None)
    yield server
    backends.use_connection(None)


def test_over_a_connection_a_forgotten_service_is_released_at_the_next_call(remote):
    heap = remote.heap
    _status, service = director.create_business_service("Demo.Service")
    assert service.process_input("x") == (1, "echo:x") and heap.registered == set()
    del service
    gc.collect()
    assert heap.teardowns == []  # never a server call from inside a collection
    director.get_production_status()
    assert heap.teardowns == ["service"] and heap.alive == {}


def test_closing_the_connection_releases_the_services_still_held(remote):
    heap = remote.heap
    _status, service = director.create_business_service("Demo.Service")
    backends.use_connection(None)  # closes the connection the functions opened
    assert heap.teardowns == ["service"]
    assert service is not None
