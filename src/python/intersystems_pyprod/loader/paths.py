"""Inside IRIS: loaded scripts' modules are imported straight from the namespace database.

A finder at the end of ``sys.meta_path`` serves module ``m`` from the active version of the
script that provides it (``SourceStore.module_script``), so no file is written anywhere, nothing
goes stale on disk, a mirror member needs nothing, and the standard library and installed
packages always win (the loader refuses modules that would hide them). Sources are registered
with ``linecache``, so tracebacks show their lines.

Every callback calls :func:`refresh`, which reads one global (the namespace's generation
counter); when a load, restore or unload changed it, the modules whose script or version changed
are dropped from ``sys.modules`` (and their message classes from the registry), so the next use
imports the new code: in the shared actor pool, and in jobs of other scripts too.
"""

from __future__ import annotations

import importlib
import importlib.util
import linecache
import sys
import types
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from typing import TYPE_CHECKING, Dict, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from .store import SourceStore

#: Prefix of the file names modules served from the database get (shown in tracebacks).
ORIGIN = "/pyprod-sources"


class DatabaseLoader(Loader):
    """Executes one stored source file as a module."""

    def __init__(self, source: str, filename: str) -> None:
        self.source = source
        self.filename = filename

    def create_module(self, spec: ModuleSpec) -> Optional[types.ModuleType]:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        linecache.cache[self.filename] = (len(self.source), None, self.source.splitlines(True), self.filename)
        exec(compile(self.source, self.filename, "exec", dont_inherit=True), module.__dict__)

    def get_source(self, fullname: str) -> str:
        return self.source


class DatabaseFinder(MetaPathFinder):
    """Finds modules of loaded scripts in the source store."""

    def __init__(self, store: SourceStore, namespace: str = "") -> None:
        self.store = store
        self.namespace = namespace
        #: Module name -> (script, version) it was served from in this job.
        self.served: Dict[str, Tuple[str, int]] = {}
        self.generation: Optional[int] = None

    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None,
                  target: Optional[types.ModuleType] = None) -> Optional[ModuleSpec]:
        script = self.store.module_script(fullname)
        version = self.store.active(script) if script else None
        if script is None or version is None:
            return None
        stored = set(self.store.paths(script, version))
        relative = fullname.replace(".", "/")
        for candidate, package in ((relative + ".py", False), (relative + "/__init__.py", True)):
            if candidate in stored:
                filename = "/".join(p for p in (ORIGIN, self.namespace, script, f"v{version}", candidate) if p)
                loader = DatabaseLoader(self.store.file(script, version, candidate), filename)
                self.served[fullname] = (script, version)
                return importlib.util.spec_from_file_location(
                    fullname, filename, loader=loader, submodule_search_locations=[] if package else None)
        return None

    def root_of(self, fullname: str) -> Optional[str]:
        """The folder a served module's script version lives under (its project root), else None."""
        served = self.served.get(fullname)
        if served is None:
            return None
        script, version = served
        return "/".join(p for p in (ORIGIN, self.namespace, script, f"v{version}") if p)

    def stale(self) -> list:
        """Modules this job imported whose script or version is no longer the one in force."""
        out = []
        for name, (script, version) in self.served.items():
            if self.store.module_script(name) != script or self.store.active(script) != version:
                out.append(name)
        return sorted(out)

    def refresh(self) -> list:
        """Drop stale modules if the generation changed (one global read otherwise); their names."""
        generation = self.store.generation()
        if generation == self.generation:
            return []
        self.generation = generation
        from ..runtime import messages, sealing

        sealing.forget()  # a load may have given the namespace its first seal key
        gone = self.stale()
        for name in gone:
            module = sys.modules.pop(name, None)
            filename = getattr(module, "__file__", None)
            if filename:
                linecache.cache.pop(filename, None)
            self.served.pop(name, None)
        messages.forget_modules(gone)
        importlib.invalidate_caches()
        return gone


_finder: Optional[DatabaseFinder] = None


def install(store: SourceStore, namespace: str = "") -> DatabaseFinder:
    """Put a finder for ``store`` at the end of ``sys.meta_path`` (replacing an earlier one)."""
    global _finder
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = DatabaseFinder(store, namespace)
    _finder.generation = store.generation()
    sys.meta_path.append(_finder)
    return _finder


def uninstall() -> None:
    global _finder
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None


def ensure_sources() -> None:
    """Make every loaded script's active modules importable in this job (once per job)."""
    if _finder is None:
        from ..runtime import irisapi
        from .store import iris_store

        install(iris_store(), str(irisapi.get().cls("%SYSTEM.SYS").NameSpace()))


def served_root(fullname: str) -> Optional[str]:
    """The project root of a module served from the database (None for modules on disk)."""
    return _finder.root_of(fullname) if _finder is not None else None


def refresh() -> None:
    """At a callback: pick up new active versions (a no-op outside IRIS)."""
    if _finder is not None:
        _finder.refresh()
