"""An in-process stand-in for the Interoperability engine, for tests and local runs.

It instantiates a script's components with their settings and plays the part of the PyProd
base classes and of the engine: it calls the same runtime bridge IRIS calls, converts every
message to an IRIS message object and back (the round trip a real engine performs), delivers
sync and async requests, feeds responses to ``OnResponse``/``OnComplete``, runs inbound
adapters on their call interval, and records the event log and a message trace.

It is a test tool, not a production engine: one thread, no persistence, no pools.
"""

from __future__ import annotations

import collections
import sys
import time
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Sequence, Tuple

from ..api import engine as engine_api
from ..api.engine import is_error_value
from ..loader.importer import import_script
from ..model.introspect import build_model
from ..model.types import ClassModel, ScriptModel
from ..runtime import bodies, bridge, irisapi, jobstate, messages, values
from . import ensrules, portal
from .delivery import Delivery, ProcessRun
from .dispatch import MessageClasses
from .hostobj import HarnessEngine, HostObject, ObjectScriptAdapter
from .items import DEFAULT_CALL_INTERVAL, Item, ItemBuilder, set_setting
from .portal import PortalView
from .records import NO_REPLY, HarnessError, LogEntry, TraceEntry
from .standin import ClassInfo, IrisObject, IrisStandIn


class Harness(Delivery):
    """Run a script's production in-process.

    ``production`` names a Python ``Production`` class of the script, or the path of an
    ObjectScript production class file (``.cls``) whose items use the script's classes.
    ``Harness("orders.py", settings={"OrderService.target": "OrderRouter"})``, then
    ``send(item, input)``, ``run(seconds)``, and read ``log`` and ``trace``. Use it as a context
    manager (or call ``start``/``stop``). After a run, ``log`` holds the event-log entries
    ([`LogEntry`][intersystems_pyprod.testing.LogEntry]), ``trace`` the message headers
    ([`TraceEntry`][intersystems_pyprod.testing.TraceEntry]) and ``module`` the imported script.

    Args:
        script: The path of the script that defines the components.
        production: A ``Production`` class name of the script, or a ``.cls`` production file;
            without it, every component of the script is an item named after its class.
        settings: ``{"Item.name": value}``: a Python attribute name or the exact IRIS name of a
            host or adapter setting; an unknown name is an error that suggests the right one.
        stubs: ``{"Item": function}``: items answered by a function of the request (return a
            response, ``None``, or ``NO_REPLY`` to leave the request unanswered).

    Raises:
        HarnessError: The production cannot be run as asked (an unknown item, a disabled one,
            a component that does not start).

    Examples:
        ```python
        from intersystems_pyprod.testing import Harness

        with Harness("examples/quotes/quotes.py", settings={"VendorC.unit_price": 1.5}) as h:
            status, quote = h.request("BestQuote", h.module.QuoteRequest("nuts", 2))
            assert quote.vendor == "VendorC"
            h.send("QuoteDesk", "bolts 10")
            assert not h.errors()
            print([(t.source, t.target, t.kind) for t in h.trace])
        ```
    """

    def __init__(self, script: str, *, production: Optional[str] = None,
                 settings: Optional[Dict[str, Any]] = None,
                 stubs: Optional[Dict[str, Callable[[Any], Any]]] = None) -> None:
        self.script = script
        self.log: List[LogEntry] = []
        self.trace: List[TraceEntry] = []
        self._queue: Deque[Tuple[str, str, Any, Optional[ProcessRun], str]] = collections.deque()
        self._acting_stack: List[str] = []
        self._started = False
        self._previous: Tuple[Any, Any] = (None, None)
        self._standin = IrisStandIn(self._standin_log)
        # the key the loader gives a namespace, so pickle bodies are sealed as in IRIS
        self._standin.ensure_seal_key()
        imported = import_script(script)
        #: The imported script module: use its classes (``harness.module.MyRequest``) in tests.
        self.module = imported.module
        self.model: ScriptModel = build_model(str(imported.path), imported.module_name, imported.local_modules)
        self._messages = MessageClasses(self.model.classes)
        self._define_classes()
        self.items: Dict[str, Item] = ItemBuilder(script, self.model).build(production)
        for name, stub in (stubs or {}).items():
            self.items[name] = Item(name, "Stub", None, {}, {}, stub=stub)
        for key, value in (settings or {}).items():
            self.set_setting(key, value)

    # -- building the production ---------------------------------------------------------------
    def _define_classes(self) -> None:
        for cls in self.model.classes:
            if cls.kind in ("JsonMessage", "PickleMessage"):
                stream = {"JsonMessage": ("JsonBody", "%Stream.GlobalCharacter"),
                          "PickleMessage": ("PickleBody", "%Stream.GlobalBinary")}[cls.kind]
                defaults = {c.iris_name: values.initial_value(c.default, c.iris_type) for c in self._all_columns(cls)
                            if c.default is not None}
                properties = {c.iris_name: c.iris_type.name for c in self._all_columns(cls)}
                if cls.kind == "JsonMessage":
                    properties["JsonFields"] = "%String"
                self._standin.define(ClassInfo(cls.iris_name, {"PYMODULE": cls.py_module, "PYCLASS": cls.py_class},
                                               defaults, {stream[0]: stream[1]}, properties))
                found = getattr(sys.modules.get(cls.py_module), cls.py_class, None)
                if isinstance(found, type):  # this script's class answers for its IRIS name (a reload)
                    messages.register(found)

    def _all_columns(self, cls: ClassModel) -> List[Any]:
        """The columns of a message class and of the user message classes it extends."""
        parent = next((c for c in self.model.classes if c.iris_name == cls.extends), None) if cls.extends else None
        return (self._all_columns(parent) if parent is not None else []) + list(cls.columns)

    def set_setting(self, key: str, value: Any) -> None:
        """``"Item.name"`` = value before ``start``: a Python attribute name or the exact IRIS name of a
        host or adapter setting (adapter settings such as ``CallInterval`` go on the item that uses
        the adapter). Example: ``h.set_setting("TickService.CallInterval", 1)``."""
        if self._started:
            raise HarnessError("settings are applied at start; set them before start()")
        set_setting(self.items, key, value)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Harness:
        """Create every component and call ``OnInit``."""
        if self._started:
            return self
        self._previous = (engine_api.install(HarnessEngine(self)), irisapi.install(self._standin))
        self._started = True
        try:
            for item in self.items.values():
                if item.kind in ("ObjectScript", "Stub") or not item.enabled:
                    continue
                self._start_item(item)
        except BaseException:
            self.stop()  # the items that did start are torn down; the previous engine comes back
            raise
        return self

    def _start_item(self, item: Item) -> None:
        model = item.model
        assert model is not None
        item.host = HostObject(self, item, model.iris_name, self._properties(model, item.settings))
        if item.objectscript_adapter:
            item.adapter_host = ObjectScriptAdapter(self, item, item.adapter_class, dict(item.adapter_settings))
            item.adapter_host.__dict__["BusinessHost"] = item.host
            item.host.__dict__["Adapter"] = item.adapter_host
        elif model.adapter:
            adapter_model = item.adapter_model
            assert adapter_model is not None
            adapter_props = self._properties(adapter_model, item.adapter_settings)
            if adapter_model.kind == "InboundAdapter":
                adapter_props.setdefault("CallInterval", DEFAULT_CALL_INTERVAL)
            item.adapter_host = HostObject(self, item, adapter_model.iris_name, adapter_props)
            item.adapter_host.__dict__["BusinessHost"] = item.host
            item.host.__dict__["Adapter"] = item.adapter_host
            with self._acting(item.name):
                adapter = self._create(item, item.adapter_host, adapter_model.py_module, adapter_model.py_class)
                item.adapter_host.__dict__["PyObject"] = adapter
                self._check(item.name, "OnInit", bridge.on_init(adapter))
            if adapter_model.kind == "InboundAdapter":
                item.call_interval = float(item.adapter_host.CallInterval or DEFAULT_CALL_INTERVAL)
        with self._acting(item.name):
            if model.kind == "BusinessProcess":
                jobstate.forget(jobstate.key(model.py_module, model.py_class, item.name))
                self._check(item.name, "OnInit", bridge.bp_init(item.host, model.py_module, model.py_class, item.name))
            else:
                item.component = self._create(item, item.host, model.py_module, model.py_class)
                item.host.__dict__["PyObject"] = item.component
                self._check(item.name, "OnInit", bridge.on_init(item.component))

    def stop(self) -> None:
        """Deliver what is queued, call ``OnTearDown``, and restore the engine."""
        if not self._started:
            return
        try:
            self.drain()
            for class_name, ident in self.orphans():  # what a purge would leave behind
                self.log.append(LogEntry("Warning", "", class_name, "Purge", f"message body {class_name} "
                                         f"(ID {ident}) has no message header: a purge would never remove it"))
            for item in self.items.values():
                with self._acting(item.name):
                    if item.component is not None:
                        self._check(item.name, "OnTearDown", bridge.on_tear_down(item.component))
                    elif item.kind == "BusinessProcess" and item.model is not None and item.host is not None:
                        status = bridge.bp_tear_down(item.model.py_module, item.model.py_class, item.name)
                        self._check(item.name, "OnTearDown", status)
                    adapter = item.adapter_host.PyObject if item.adapter_host is not None else None
                    if adapter is not None:
                        self._check(item.name, "OnTearDown", bridge.on_tear_down(adapter))
        finally:
            engine_api.install(self._previous[0])
            irisapi.install(self._previous[1])
            self._started = False

    def __enter__(self) -> Harness:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- driving ---------------------------------------------------------------------------------
    def send(self, item_name: str, input: Any, hint: str = "") -> Any:
        """Call a service's ``ProcessInput`` with ``input`` and deliver all resulting work.

        Returns the status, or ``(status, output)`` when the service produced output.
        Example: ``status = h.send("QuoteDesk", "bolts 10")``.
        """
        item = self._require(item_name, "BusinessService")
        if item.objectscript_adapter and isinstance(input, str):
            # what an EnsLib text inbound adapter hands its service: an object with StringValue
            input = IrisObject("Ens.StringContainer", {"StringValue": input})
        api = self._standin
        output, hint_ref = api.ref(), api.ref()
        hint_ref.value = hint
        status = item.host.ProcessInput(input, output, hint_ref)
        self.drain()
        out = messages.message_or_none(output.value)
        return status if out is None else (status, out)

    def request(self, item_name: str, message: Any) -> Tuple[Any, Any]:
        """Send ``message`` to a process or operation as a test caller; ``(status, response)``.
        Example: ``status, quote = h.request("BestQuote", h.module.QuoteRequest("nuts", 2))``."""
        self._require(item_name, None)
        bodies.require_message(message, f"request to {item_name}")
        status, response = self._deliver("(test)", item_name, messages.to_iris(message))
        if status is NO_REPLY:
            status = self._refuse("(test)", f"{item_name!r} did not answer (timed out)")[0]
        self.drain()
        return status, messages.message_or_none(response)

    def iris_message(self, message: Any) -> Any:
        """The IRIS message object for a Python message, as a send makes it (IRIS objects pass)."""
        if not self._started:
            raise HarnessError("start the harness before converting messages")
        return messages.to_iris(message)

    def rule(self, message: Any, condition: str) -> bool:
        """Whether a routing rule condition (``Document.amount > 100``, ``Document.{lines(1).sku} = "A"``)
        holds for ``message``, evaluated as IRIS compiles it: property reads and ``GetValueAt``.
        Example: ``assert h.rule(Invoice(amount=250), "Document.amount > 100")``."""
        return ensrules.condition(self.iris_message(message), condition)

    def transform(self, message: Any, assigns: Sequence[Any], create: str = "new",
                  target_class: str = "") -> Tuple[Any, Any]:
        """Run DTL actions: assignments (``("target.amount", "source.amount * 2")``,
        ``("target.{lines(1).sku}", '"B2"')``) and loops (``ForEach("source.{lines()}", "k",
        [("target.{lines(k).qty}", "source.{lines(k).qty} * 2")])``; ``ensrules.dtl_actions`` reads
        them from a DTL's XML) with ``create`` new (a new ``target_class``), copy or existing;
        returns (status, the target as the next Python component receives it: saved for its
        message header first, as IRIS saves it). Example:
        ``status, doubled = h.transform(invoice, [("target.amount", "source.amount * 2")], create="copy")``."""
        source = self.iris_message(message)
        if create == "new":
            target = self._standin.cls(target_class or source._ClassName(1))._New()
        elif create in ("copy", "existing"):
            target = ensrules.clone(source) if create == "copy" else source
        else:
            raise HarnessError(f"create={create!r}: use new, copy or existing")
        status = ensrules.transform(source, target, assigns)
        if not is_error_value(status):
            status = target._Save()
        if is_error_value(status):
            return status, None
        try:
            return 1, messages.from_iris(target)
        except bodies.BodyError as exc:
            return engine_api.current().error_status(str(exc)), None

    def portal_view(self, message: Any, requested: str = "") -> PortalView:
        """What the portal's message viewer is served for ``message`` (a message, or an IRIS
        message object): its content type and text, checked to parse as that type
        (``requested="application/json"`` asks for JSON explicitly): ``.content_type``, ``.text``."""
        if not self._started:
            raise HarnessError("start the harness before showing messages")
        bodies.require_message(message, "portal_view")
        return portal.show(messages.to_iris(message), requested=requested)

    def poll(self, item_name: Optional[str] = None) -> None:
        """Call ``OnTask`` once on the inbound adapter of one service (or of all)."""
        for item in self._pollable(item_name):
            with self._acting(item.name):
                self._check(item.name, "OnTask", bridge.on_task(item.adapter_host.PyObject))
            self.drain()

    def run(self, seconds: float) -> None:
        """Run inbound adapters on their call interval for ``seconds`` of real time, then deliver
        what is queued. Example: ``h.run(2.5)``."""
        items = self._pollable(None)
        start = time.monotonic()
        due = {item.name: start for item in items}
        while True:
            now = time.monotonic()
            if now - start >= seconds:
                break
            for item in items:
                if due[item.name] <= now:
                    self.poll(item.name)
                    due[item.name] = time.monotonic() + item.call_interval
            next_due = min(due.values(), default=start + seconds)
            time.sleep(max(0.0, min(next_due, start + seconds) - time.monotonic()))
        self.drain()

    def drain(self) -> None:
        """Deliver queued async requests (and their responses) until nothing is left."""
        while self._queue:
            self._step()

    # -- engine internals ------------------------------------------------------------------------
    def _pollable(self, item_name: Optional[str]) -> List[Item]:
        if not self._started:
            raise HarnessError("start the harness first")
        items = [i for i in self.items.values() if i.adapter_model is not None
                 and i.adapter_model.kind == "InboundAdapter" and i.adapter_host is not None]
        if item_name is not None:
            items = [i for i in items if i.name == item_name]
            if not items:
                raise HarnessError(f"{item_name} is not a service with a Python inbound adapter")
        return items

    def _require(self, name: str, kind: Optional[str]) -> Item:
        if not self._started:
            raise HarnessError("start the harness first")
        item = self.items.get(name)
        if item is None:
            raise HarnessError(f"no item {name!r} in the production (items: {', '.join(self.items)})")
        if kind is not None and item.kind != kind:
            raise HarnessError(f"{name} is a {item.kind}, not a {kind}")
        if not item.enabled:
            raise HarnessError(f"{name} is disabled in the production (Enabled=\"false\")")
        return item

    def _standin_log(self, level: str, class_name: str, method: str, text: str) -> None:
        self._log(level, class_name, method, text)

    def _create(self, item: Item, host: Any, module_name: str, class_name: str) -> Any:
        """The Python object of a host or adapter, made as PyProd.Common.PyStart makes it."""
        status, component = bridge.start(host, module_name, class_name)
        if is_error_value(status):
            self._check(item.name, "OnInit", status)
            raise HarnessError(f"{item.name} did not start: {getattr(status, 'text', status)}")
        return component

    # -- reading results -------------------------------------------------------------------------
    def errors(self) -> List[LogEntry]:
        """Error-level log entries."""
        return [e for e in self.log if e.level == "Error"]

    def texts(self, level: Optional[str] = None) -> List[str]:
        """Texts of log entries (of one level)."""
        return [e.text for e in self.log if level is None or e.level == level]

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items.values())


__all__ = ["Harness", "HarnessError", "Item", "LogEntry", "TraceEntry"]
