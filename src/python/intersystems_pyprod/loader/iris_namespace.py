"""The ``Namespace`` of a load, inside IRIS (Embedded Python).

Calls are those IRIS_REFERENCE.md documents (``$SYSTEM.OBJ``, ``%Dictionary``, ``Ens.Director``,
``Ens.Config.Production``); where the reference marks a detail UNCONFIRMED, the code accepts
either answer, as noted at the call. Every ``%SYSTEM`` class is reached as
``iris.cls("%SYSTEM.…")``: the ``iris.system`` attribute form is not in every supported release
(bug magnet 22).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from ..runtime import irisapi
from .restart import KEEPS, Restarter
from .store import SourceStore

#: Compile flags: compile, keep source, with every subclass of a compiled class (``b``: IRIS does
#: not recompile subclasses of a changed class otherwise, hand-written ones included; bug magnet
#: 32), no display (the log is returned as data), and in this process only: parallel compile
#: workers started from Embedded Python have crashed (IoP reports).
COMPILE_FLAGS = "ckb-d/multicompile=0"
#: The PyProd classes generated classes extend: their change times make the base mark.
BASE_CLASSES = ("PyProd.Common", "PyProd.Message", "PyProd.JsonMessage", "PyProd.PickleMessage",
                "PyProd.InboundAdapter", "PyProd.OutboundAdapter", "PyProd.BusinessService",
                "PyProd.BusinessProcess", "PyProd.BusinessOperation")
#: Load without compiling: all classes of a load are compiled together afterwards.
LOAD_FLAGS = "-d/compile=0"


def _is_error(status: Any) -> bool:
    return not str(status if status is not None else "").startswith("1")


class IrisNamespace:
    """The current namespace of this IRIS job."""

    def __init__(self, store: SourceStore) -> None:
        self.api = irisapi.get()
        self.store = store
        self.name = str(self.api.cls("%SYSTEM.SYS").NameSpace())

    def _status_text(self, status: Any) -> str:
        return str(self.api.cls("%SYSTEM.Status").GetErrorText(status))

    def existing(self, names: List[str]) -> Set[str]:
        definitions = self.api.cls("%Dictionary.ClassDefinition")
        return {n.lower() for n in names if int(definitions._ExistsId(n) or 0)}

    def class_text(self, name: str) -> Optional[str]:
        # UDL text of the stored definition, Storage included; None when it cannot be read
        # (the loader then falls back to the text it recorded itself).
        try:
            text = self.api.ref()
            status = self.api.cls("%Compiler.UDL.TextServices").GetTextAsString(self.name, name, text)
        except Exception:
            return None
        if _is_error(status):
            return None
        value = text.value
        if isinstance(value, str):
            return value
        try:  # some versions hand back an array of lines
            return "\n".join(str(value[i]) for i in range(1, int(value[0]) + 1)) + "\n"
        except Exception:
            return None

    def compile(self, texts: Mapping[str, str]) -> Dict[str, List[str]]:
        errors: Dict[str, List[str]] = {}
        for name, text in texts.items():
            stream = self.api.cls("%Stream.TmpCharacter")._New()
            for start in range(0, len(text), 1_000_000):
                stream.Write(text[start:start + 1_000_000])
            status = self.api.cls("%SYSTEM.OBJ").LoadStream(stream, LOAD_FLAGS)
            if _is_error(status):
                errors[name] = [self._status_text(status)]
        if errors:
            return errors
        status = self.api.cls("%SYSTEM.OBJ").Compile(",".join(texts), COMPILE_FLAGS)
        if not _is_error(status):
            return {}
        text = self._status_text(status)
        for name in texts:
            lines = [line for line in text.splitlines() if re.search(rf"\b{re.escape(name)}\b", line)]
            if lines:
                errors[name] = lines
        if not errors:  # not attributable to one class: every class of the load failed
            errors = {name: [text] for name in texts}
        return errors

    def base_mark(self) -> str:
        """The library version, with the time each PyProd base class last changed when IRIS tells
        it (``%Dictionary.ClassDefinition.TimeChanged``): a reinstall of the same version from a
        changed checkout changes the mark too. Unreadable times leave the version alone."""
        from .. import __version__

        stamps = []
        for name in BASE_CLASSES:
            try:
                definition = self.api.cls("%Dictionary.ClassDefinition")._OpenId(name)
                stamps.append(f"{name}={definition.TimeChanged}")
            except Exception:
                continue
        if not stamps:
            return __version__
        return __version__ + "/" + hashlib.sha256(";".join(stamps).encode("utf-8")).hexdigest()[:16]

    def delete(self, names: List[str]) -> List[str]:
        problems = []
        for name in names:
            status = self.api.cls("%SYSTEM.OBJ").Delete(name, "-d")
            if _is_error(status):
                problems.append(f"could not delete {name}: {self._status_text(status)}")
        return problems

    def uses(self, names: List[str]) -> Dict[str, Dict[str, Any]]:
        """What uses each class (``PyProd.Loader.ClassUses``), with the running production."""
        running = ""
        name, state = self.api.ref(), self.api.ref()
        status = self.api.cls("Ens.Director").GetProductionStatus(name, state, 10, 0)
        if not _is_error(status) and str(state.value) == "1" and name.value:  # 1 = running
            running = str(name.value)
        out: Dict[str, Dict[str, Any]] = {}
        for class_name in names:
            use = json.loads(str(self._loader().ClassUses(class_name)))
            out[class_name] = {"items": [[str(p), str(i)] for p, i in use.get("items", [])],
                               "bodies": bool(int(use.get("bodies") or 0)),
                               "inflight": bool(int(use.get("inflight") or 0)), "running": running}
        return out

    def update_production(self, productions: List[str]) -> Tuple[List[str], List[str]]:
        director = self.api.cls("Ens.Director")
        name, state, reason = self.api.ref(), self.api.ref(), self.api.ref()
        status = director.GetProductionStatus(name, state, 10, 0)
        if _is_error(status):
            return [], [f"reading the production status failed: {self._status_text(status)}"]
        running = str(name.value or "")
        if str(state.value) != "1" or running.lower() not in {p.lower() for p in productions}:
            return [], []
        try:
            needed = int(director.ProductionNeedsUpdate(reason) or 0)
        except Exception as exc:
            return [], [f"could not tell whether the running production {running} needs an update "
                        f"({type(exc).__name__}: {exc}); update it in the portal (Production Configuration, "
                        "Update) if its definition changed"]
        if not needed:
            return [], []
        status = director.UpdateProduction(10, 0)
        if _is_error(status):
            why = str(reason.value or "its definition changed")
            return [], [f"the running production {running} was not updated ({why}): {self._status_text(status)}; "
                        "update it in the portal (Production Configuration, Update)"]
        return [running], []

    def restart_items(self, class_names: List[str], dry: bool = False) -> Tuple[List[str], List[str], List[str]]:
        """Restart the jobs of the running production's items that use these classes, without
        editing the definition (loader/restart.py); ``dry``: only say which ones."""
        try:
            return Restarter(self.api, dry).run(class_names)
        except Exception as exc:
            return [], [], [f"restarting the production items failed: {type(exc).__name__}: {exc}; business "
                            f"processes {KEEPS['process']}; for services, operations and adapters {KEEPS['host']}"]

    # -- the load lock and transactions: small ObjectScript helpers of PyProd.Loader -------------
    def _loader(self) -> Any:
        return self.api.cls("PyProd.Loader")

    def lock(self, timeout: int) -> bool:
        return bool(int(self._loader().LockLoads(int(timeout)) or 0))

    def unlock(self) -> None:
        self._loader().UnlockLoads()

    def tlevel(self) -> int:
        return int(self._loader().TransactionLevel() or 0)

    def tstart(self) -> None:
        self._loader().TransactionStart()

    def tcommit(self, level: int) -> None:
        self._loader().TransactionCommit(int(level))

    def trollback(self, level: int) -> None:
        self._loader().TransactionRollback(int(level))

    def user(self) -> str:
        return str(self.api.cls("%SYSTEM.Process").UserName())

    def now(self) -> str:
        return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

    def preflight(self) -> Optional[str]:
        """One clear message when the namespace cannot take a load, else None."""
        if not int(self.api.cls("%EnsembleMgr").IsEnsembleNamespace(self.name) or 0):
            return (f"namespace {self.name} is not interoperability-enabled; enable it "
                    f"(##class(%EnsembleMgr).EnableNamespace(\"{self.name}\") in %SYS) or load into another one")
        if not int(self.api.cls("%SYSTEM.Security").Check("%Development", "USE") or 0):
            return f"user {self.user()} lacks %Development:USE, which loading classes requires"
        return None
