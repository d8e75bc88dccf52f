"""Business service objects that ``Ens.Director.CreateBusinessService`` makes outside a production
job, with IRIS's memory rules (bug magnet 30 of IRIS_REFERENCE.md):

* An IRIS object is freed when its reference count drops to 0; then ``%OnClose`` runs the host's
  ``OnTearDown`` (a PyProd host's ``OnTearDown`` calls ``PyStop``: the Python ``OnTearDown``).
* Every Python proxy of the object (what Embedded Python or the Native SDK hands a caller) counts
  one reference while the proxy lives.
* A PyProd host's ``PyObject`` holds its Python component, and the component holds a proxy of the
  host (``iris_host_object``): a cycle across the two runtimes that neither collects. Only
  ``PyStop`` (which clears ``PyObject``) breaks it.
* ``CreateBusinessService`` registers the calling job as a job of the item (``Ens.Job``) until
  ``Ens.Job.UnRegister(name, job)``.
"""

from __future__ import annotations

import weakref
from typing import Any, Dict, List, Optional, Set, Tuple


class Component:
    """The Python object of a PyProd host (or adapter)."""

    def __init__(self, host_proxy: Any, heap: Heap, label: str) -> None:
        self.iris_host_object = host_proxy
        self.heap, self.label = heap, label

    def OnTearDown(self) -> int:
        self.heap.teardowns.append(self.label)
        return 1


class IrisObject:
    """An object in IRIS memory."""

    def __init__(self, heap: Heap, oid: int, class_name: str, pyprod: bool, label: str) -> None:
        self.heap, self.oid, self.class_name, self.pyprod, self.label = heap, oid, class_name, pyprod, label
        self.refs = 0
        self.props: Dict[str, Any] = {"TargetConfigName": "", "Adapter": "", "PyObject": ""}

    def py_start(self, embedded: bool) -> None:
        self.props["PyObject"] = Component(self.heap.proxy(self, embedded), self.heap, self.label)

    def py_stop(self) -> int:
        component = self.props["PyObject"]
        self.props["PyObject"] = ""
        if component != "":
            component.OnTearDown()
        return 1

    def release(self) -> None:
        self.refs -= 1
        if self.refs == 0:
            self.heap.free(self)


class Heap:
    """IRIS memory of one process: the objects alive, their teardowns, the registered jobs."""

    def __init__(self, job: int = 4711) -> None:
        self.job = job
        self.alive: Dict[int, IrisObject] = {}
        self.next_oid = 1
        self.teardowns: List[str] = []
        self.closed: List[str] = []
        #: (config name, job) pairs Ens.Job has registered.
        self.registered: Set[Tuple[str, int]] = set()
        self.calls: List[Tuple[Any, ...]] = []

    def new(self, class_name: str, pyprod: bool, label: str) -> IrisObject:
        obj = IrisObject(self, self.next_oid, class_name, pyprod, label)
        self.alive[obj.oid] = obj
        self.next_oid += 1
        return obj

    def proxy(self, obj: IrisObject, embedded: bool) -> Any:
        proxy = EmbeddedProxy(obj) if embedded else NativeProxy(obj)
        obj.refs += 1
        weakref.finalize(proxy, obj.release)
        return proxy

    def free(self, obj: IrisObject) -> None:
        """``%OnClose``: IRIS runs the host's OnTearDown (for a PyProd host, PyStop)."""
        del self.alive[obj.oid]
        self.closed.append(obj.label)
        if obj.pyprod:
            obj.py_stop()
        adapter = obj.props["Adapter"]
        obj.props["Adapter"] = ""
        del adapter

    def create_business_service(self, name: str, embedded: bool, adapter: bool = False) -> Optional[Any]:
        """``Ens.Director.CreateBusinessService``: the host, its OnInit run, the job registered."""
        if name != "Demo.Service":
            return None
        host = self.new("Demo.ServiceClass", True, "service")
        if adapter:
            inbound = self.new("Demo.AdapterClass", True, "adapter")
            host.props["Adapter"] = self.proxy(inbound, embedded)
            inbound.py_start(embedded)
        host.py_start(embedded)
        self.registered.add((name, self.job))
        return self.proxy(host, embedded)

    def member(self, obj: IrisObject, method: str, *args: Any) -> Any:
        self.calls.append((obj.label, method, *args))
        if method == "%ClassName":
            return obj.class_name
        if method == "%Extends":
            return int(args[0] == "PyProd.Common" and obj.pyprod)
        if method == "PyStop":
            return obj.py_stop()
        if method == "ProcessInput":
            return f"echo:{args[0]}"
        raise RuntimeError(f"<METHOD DOES NOT EXIST> {method}")

    def unregister(self, name: str, job: Any) -> None:
        self.calls.append(("Ens.Job", "UnRegister", name, job))
        self.registered.discard((name, int(job)))


class EmbeddedProxy:
    """An IRIS object as Embedded Python hands it over (members as attributes, ``%`` as ``_``)."""

    def __init__(self, obj: IrisObject) -> None:
        self.__dict__["_obj"] = obj

    def __getattr__(self, name: str) -> Any:
        obj = self.__dict__["_obj"]
        if name in obj.props:
            return obj.props[name]
        member = "%" + name[1:] if name.startswith("_") else name
        if member == "ProcessInput":
            def process_input(data: Any, response: Any) -> int:
                response.value = obj.heap.member(obj, "ProcessInput", data)
                return 1
            return process_input
        return lambda *args: obj.heap.member(obj, member, *args)

    def __setattr__(self, name: str, value: Any) -> None:
        self.__dict__["_obj"].props[name] = value


class NativeProxy:
    """An ``IRISObject`` of the Native SDK."""

    def __init__(self, obj: IrisObject) -> None:
        self._obj = obj

    def invoke(self, method: str, *args: Any) -> Any:
        if method == "ProcessInput":
            args[1].setValue(self._obj.heap.member(self._obj, method, args[0]))
            return 1
        return self._obj.heap.member(self._obj, method, *args)

    def get(self, name: str) -> Any:
        return self._obj.props[name]

    def set(self, name: str, value: Any) -> None:
        self._obj.props[name] = value
