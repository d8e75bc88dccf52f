"""The items a harness runs, built from a Python ``Production`` class or a production ``.cls`` file."""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..model.types import ClassModel, ScriptModel
from ..runtime import values
from .production_cls import is_production_file, read_production
from .records import HarnessError
from .settings import ItemSettings

DEFAULT_CALL_INTERVAL = 5.0
HOST_KINDS = ("BusinessService", "BusinessProcess", "BusinessOperation")
#: A setting as read: (name, value, where-prefix for errors).
Setting = Tuple[str, str, str]


@dataclasses.dataclass
class Item:
    """A production item the harness runs.

    ``kind`` is the host kind, ``"ObjectScript"`` for a host class the script does not define
    (a recording stand-in), or ``"Stub"``. ``adapter_class`` is the adapter's IRIS class name;
    ``adapter_model`` is None when that adapter is an ObjectScript class.
    """

    name: str
    kind: str
    model: Optional[ClassModel]
    settings: Dict[str, str]
    adapter_settings: Dict[str, str]
    names: Optional[ItemSettings] = None
    class_name: str = ""
    enabled: bool = True
    pool_size: int = 1
    host: Any = None
    component: Any = None
    adapter_model: Optional[ClassModel] = None
    adapter_class: str = ""
    adapter_host: Any = None
    stub: Optional[Callable[[Any], Any]] = None
    call_interval: float = DEFAULT_CALL_INTERVAL

    @property
    def objectscript_adapter(self) -> bool:
        """True when the adapter exists only in IRIS (it runs as a stand-in)."""
        return bool(self.adapter_class) and self.adapter_model is None


class ItemBuilder:
    """Turns a production definition into harness items, checking every setting name."""

    def __init__(self, script: str, model: ScriptModel) -> None:
        self.script = script
        self.model = model
        self.classes = {c.iris_name: c for c in model.classes}
        self.items: Dict[str, Item] = {}

    # -- sources ---------------------------------------------------------------------------------
    def build(self, production: Optional[str]) -> Dict[str, Item]:
        if is_production_file(production):
            assert production is not None
            self._from_cls(production)
        else:
            self._from_python(production)
        return self.items

    def _from_cls(self, path: str) -> None:
        definition = read_production(path)
        for spec in definition.items:
            where = f"{path}:{spec.line}: "
            self.add(spec.name, spec.class_name, where, enabled=spec.enabled, pool_size=spec.pool_size,
                     host=[(s.name, s.value, f"{path}:{s.line}: ") for s in spec.host_settings],
                     adapter=[(s.name, s.value, f"{path}:{s.line}: ") for s in spec.adapter_settings])

    def _from_python(self, production: Optional[str]) -> None:
        productions = [c for c in self.model.classes if c.kind == "Production"]
        if production is not None:
            chosen = [c for c in productions if production in (c.py_class, c.iris_name)]
            if not chosen:
                raise HarnessError(f"no Production class named {production!r} in {self.script}; found: "
                                   f"{', '.join(c.py_class for c in productions) or 'none'} (to run a production "
                                   "class file, pass its path ending in .cls)")
            productions = chosen[:1]
        if len(productions) > 1:
            raise HarnessError(f"{self.script} defines several productions "
                               f"({', '.join(c.py_class for c in productions)}); name one")
        if not productions:
            for cls in self.model.classes:
                if cls.kind in HOST_KINDS:
                    self.add(cls.py_class, cls.iris_name, "")
            return
        definition = productions[0].production
        assert definition is not None
        where = f"production {productions[0].py_class}: "
        for spec in definition.items:
            self.add(spec.name, spec.class_name, where, enabled=spec.enabled, pool_size=spec.pool_size,
                     host=[(n, v, where) for n, v in spec.host_settings],
                     adapter=[(n, v, where) for n, v in spec.adapter_settings])

    # -- one item --------------------------------------------------------------------------------
    def _host_model(self, class_name: str, where: str) -> Optional[ClassModel]:
        model = self.classes.get(class_name)
        if model is not None:
            if model.kind not in HOST_KINDS:
                raise HarnessError(f"{where}item class {class_name} is a {model.kind} of {self.script}, not a "
                                   "business service, process or operation")
            return model
        hosts = [c.iris_name for c in self.model.classes if c.kind in HOST_KINDS]
        same_case = [n for n in hosts if n.lower() == class_name.lower()]
        packages = {n.rsplit(".", 1)[0] for n in self.classes}
        if same_case or class_name.rsplit(".", 1)[0] in packages:
            close = same_case or difflib.get_close_matches(class_name, hosts, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}?" if close else f"the script's hosts are: {', '.join(hosts) or 'none'}"
            raise HarnessError(f"{where}item class {class_name!r} is not a class of {self.script} (class names "
                               f"must match exactly); {hint}")
        return None  # an ObjectScript host: it runs as a recording stand-in

    def add(self, name: str, class_name: str, where: str, *, enabled: bool = True, pool_size: int = 1,
            host: Optional[List[Setting]] = None, adapter: Optional[List[Setting]] = None) -> Item:
        model = self._host_model(class_name, where)
        adapter_model: Optional[ClassModel] = None
        if model is None:
            kind, adapter_kind, adapter_class = "ObjectScript", "ObjectScript", ""
        else:
            kind, adapter_class = model.kind, model.adapter
            adapter_model = self.classes.get(model.adapter) if model.adapter else None
            adapter_kind = "" if not model.adapter else adapter_model.kind if adapter_model else \
                {"BusinessService": "InboundAdapter"}.get(model.kind, "OutboundAdapter")
        names = ItemSettings(name, kind, model, adapter_kind, adapter_model, adapter_class or
                             ("?" if model is None else ""))
        item = Item(name, kind, model, {}, {}, names=names, class_name=class_name, enabled=enabled,
                    pool_size=pool_size, adapter_model=adapter_model, adapter_class=adapter_class)
        for setting, value, at in host or []:
            item.settings[names.resolve_iris("Host", setting, at)] = value
        for setting, value, at in adapter or []:
            item.adapter_settings[names.resolve_iris("Adapter", setting, at)] = value
        self.items[name] = item
        return item


def set_setting(items: Dict[str, Item], key: str, value: Any) -> None:
    """``"Item.name"`` = value, where name is a Python attribute name or an exact IRIS name."""
    item_name, _, attr = key.rpartition(".")
    item = items.get(item_name)
    if item is None or item.names is None or not attr:
        users = [i.name for i in items.values() if item_name and item_name in (
            i.adapter_class, i.adapter_class.rsplit(".", 1)[-1],
            i.adapter_model.py_class if i.adapter_model else None)]
        if users:
            raise HarnessError(f"setting {key!r}: {item_name} is an adapter class, not an item; adapter settings "
                               f"go on the item that uses it: {users[0]}.{attr}")
        close = difflib.get_close_matches(item_name, list(items), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"items: {', '.join(items) or 'none'}"
        raise HarnessError(f"setting {key!r}: no item {item_name!r} (write ITEM.NAME=VALUE); {hint}")
    side, iris_name = item.names.resolve(attr, f"setting {key!r}: ")
    text = value if isinstance(value, str) else values.to_iris(value, None)
    (item.settings if side == "host" else item.adapter_settings)[iris_name] = str(text)
