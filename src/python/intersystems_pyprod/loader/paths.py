"""Inside IRIS: loaded scripts' modules are imported straight from the namespace database.

A finder at the end of ``sys.meta_path`` serves module ``m`` from the active version of the
script that provides it (``SourceStore.module_script``), so no file is written anywhere, nothing
goes stale on disk, a mirror member needs nothing, and the standard library and installed
packages always win (the loader refuses modules that would hide them). Sources are registered
with ``linecache``, so tracebacks show their lines.

Every callback, every ``{path}`` or save call of a JSON message in a job that runs no callback
(``runtime.jobversion``) and the Contents tab call :func:`refresh`, which asks the process's
namespace and reads one global (that namespace's generation counter); when a load, restore or
unload changed it, the modules whose script or version changed are dropped from ``sys.modules``
(and their message classes from the registry), so the next use imports the new code: in the
shared actor pool, in routers and portal jobs, and in jobs of other scripts too.

One process may serve several namespaces (CSP and REST jobs, code that sets ``$NAMESPACE``).
What the finder knows is kept per namespace, each namespace's store is opened while the process
is in it, and a store is read only while the process is in its namespace, so it does not matter
whether a global reference keeps the namespace it was made in or follows the process. When
:func:`refresh` sees another namespace than at the last callback, the modules served from other
namespaces leave ``sys.modules`` (with their message classes and the cached seal key): a module
name means the current namespace's module.

The finder never raises: a failure of its own (an undefined or unreadable global, a store error)
makes ``find_spec`` return None, so the next finder tries and the import of a standard or
installed module goes on; the failure is logged once per process as a warning.
"""

from __future__ import annotations

import importlib
import importlib.util
import linecache
import sys
import threading
import types
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

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


class _Space:
    """What this process imported from one namespace's store."""

    __slots__ = ("generation", "served", "store")

    def __init__(self, store: SourceStore) -> None:
        self.store = store
        #: Module name -> (script, version) it was served from, for modules now in sys.modules.
        self.served: Dict[str, Tuple[str, int]] = {}
        #: The namespace's generation counter when this process last looked.
        self.generation: Optional[int] = None


def _label(namespace: Any) -> str:
    """Namespace names compare without case (IRIS shows them in capitals)."""
    return str(namespace or "").upper()


#: Failures reported per process, at most this many (a lasting failure is logged once).
_REPORT_LIMIT = 50


class DatabaseFinder(MetaPathFinder):
    """Finds modules of loaded scripts in the source store of the namespace the process is in.

    ``open_store()`` gives the store of the namespace the process is in when it is called;
    ``namespace_of()`` tells which namespace that is.
    """

    def __init__(self, open_store: Callable[[], SourceStore], namespace_of: Callable[[], Any]) -> None:
        self._open_store = open_store
        self._namespace_of = namespace_of
        self.spaces: Dict[str, _Space] = {}
        #: The namespace whose modules sys.modules holds (None before the first callback).
        self.current: Optional[str] = None
        self._reported: Set[str] = set()
        self._reporting = False
        self._local = threading.local()

    # -- where the process is ------------------------------------------------------------------
    def _here(self) -> Tuple[str, _Space]:
        """The namespace the process is in and its record (its store is opened now, from inside it)."""
        namespace = _label(self._namespace_of())
        space = self.spaces.get(namespace)
        if space is None:
            space = self.spaces[namespace] = _Space(self._open_store())
        return namespace, space

    def _report(self, where: str, namespace: Optional[str], exc: BaseException) -> None:
        """Log a failure of the finder once (as a warning: the callback goes on without it)."""
        text = (f"modules of loaded scripts{f' of namespace {namespace}' if namespace else ''} could not be "
                f"{where}: {type(exc).__name__}: {exc}")
        if text in self._reported or len(self._reported) >= _REPORT_LIMIT or self._reporting:
            return
        self._reported.add(text)
        self._reporting = True  # logging must not come back here through an import
        try:
            from ..api import engine

            engine.current().log("Warning", "PyProd.Loader", "import", text + "; imports of modules not yet "
                                 "imported in this process fail until the namespace's ^PyProd globals can "
                                 "be read (check the process's privileges and the global mappings)")
        except Exception:  # a log that cannot be written must not break the import either
            pass
        finally:
            self._reporting = False

    # -- the import hook -------------------------------------------------------------------------
    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None,
                  target: Optional[types.ModuleType] = None) -> Optional[ModuleSpec]:
        """The spec of a module of a loaded script of this namespace, else None (also on any failure
        of the store: a finder that raises would break every import of the process)."""
        if getattr(self._local, "busy", False):  # an import the store itself makes: not a script's
            return None
        namespace: Optional[str] = None
        self._local.busy = True
        try:
            namespace, space = self._here()
            return self._spec(namespace, space, fullname)
        except Exception as exc:
            self._report("read", namespace, exc)
            return None
        finally:
            self._local.busy = False

    def _spec(self, namespace: str, space: _Space, fullname: str) -> Optional[ModuleSpec]:
        store = space.store
        script = store.module_script(fullname)
        version = store.active(script) if script else None
        if script is None or version is None:
            return None
        stored = set(store.paths(script, version))
        relative = fullname.replace(".", "/")
        for candidate, package in ((relative + ".py", False), (relative + "/__init__.py", True)):
            if candidate in stored:
                filename = "/".join(p for p in (ORIGIN, namespace, script, f"v{version}", candidate) if p)
                loader = DatabaseLoader(store.file(script, version, candidate), filename)
                for other in self.spaces.values():  # a module name is served from one namespace at a time
                    other.served.pop(fullname, None)
                space.served[fullname] = (script, version)
                return importlib.util.spec_from_file_location(
                    fullname, filename, loader=loader, submodule_search_locations=[] if package else None)
        return None

    def root_of(self, fullname: str) -> Optional[str]:
        """The folder a served module's script version lives under (its project root), else None."""
        for namespace, space in self.spaces.items():
            served = space.served.get(fullname)
            if served is not None:
                script, version = served
                return "/".join(p for p in (ORIGIN, namespace, script, f"v{version}") if p)
        return None

    # -- at each callback --------------------------------------------------------------------------
    def stale(self, space: Optional[_Space] = None) -> List[str]:
        """Modules this process imported from a namespace's store (the current one by default)
        whose script or version is no longer the one in force there."""
        space = space if space is not None else self.spaces.get(self.current or "")
        if space is None:
            return []
        out = []
        for name, (script, version) in space.served.items():
            if space.store.module_script(name) != script or space.store.active(script) != version:
                out.append(name)
        return sorted(out)

    def refresh(self, hold: bool = False) -> List[str]:
        """Drop modules of other namespaces after a namespace switch, and stale ones after a change
        of the generation (one namespace question and one global read otherwise); their names.
        ``hold``: keep the versions in use (no global read) unless the namespace changed.
        Never raises: a store that cannot be read leaves the modules already imported in use."""
        namespace: Optional[str] = None
        gone: List[str] = []
        changed = False
        try:
            namespace, space = self._here()
            if namespace != self.current:  # a module name now means this namespace's module
                for other, record in self.spaces.items():
                    if other != namespace:
                        gone += self._drop(record, list(record.served))
                self.current = namespace
                changed = True
            elif hold:
                return gone
            generation = space.store.generation()
            if generation != space.generation:
                gone += self._drop(space, self.stale(space))
                space.generation = generation  # only once this generation's changes are applied
                changed = True
        except Exception as exc:
            self._report("checked for new versions", namespace, exc)
        if changed:
            self._forget(gone)
        return gone

    @staticmethod
    def _drop(space: _Space, names: List[str]) -> List[str]:
        """Take modules served from ``space`` out of sys.modules (and their lines out of linecache)."""
        for name in names:
            module = sys.modules.get(name)
            if module is not None and isinstance(getattr(module, "__loader__", None), DatabaseLoader):
                del sys.modules[name]
                filename = getattr(module, "__file__", None)
                if filename:
                    linecache.cache.pop(filename, None)
            space.served.pop(name, None)
        return names

    @staticmethod
    def _forget(names: List[str]) -> None:
        """Forget what was cached for the namespace or the dropped modules: their message classes,
        and the seal key (a load may have given the namespace its first one; after a switch the
        key is the other namespace's)."""
        from ..runtime import messages, sealing

        sealing.forget()
        messages.forget_modules(names)
        importlib.invalidate_caches()


_finder: Optional[DatabaseFinder] = None


def _put(finder: DatabaseFinder) -> DatabaseFinder:
    """Put ``finder`` at the end of ``sys.meta_path`` (replacing an earlier one)."""
    global _finder
    uninstall()
    _finder = finder
    sys.meta_path.append(finder)
    return finder


def install(store: SourceStore, namespace: str = "") -> DatabaseFinder:
    """A finder for one store, in a process that stays in ``namespace`` (tests, tools)."""
    finder = _put(DatabaseFinder(lambda: store, lambda: namespace))
    finder.current = _label(namespace)
    finder.spaces[finder.current] = space = _Space(store)
    space.generation = store.generation()
    return finder


def uninstall() -> None:
    global _finder
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None


_sys_class: Optional[Tuple[Any, Any]] = None


def iris_namespace() -> str:
    """``$NAMESPACE`` of this IRIS process (``%SYSTEM.SYS``, looked up once per ``iris`` module)."""
    global _sys_class
    from ..runtime import irisapi

    api = irisapi.get()
    if _sys_class is None or _sys_class[0] is not api:
        _sys_class = (api, api.cls("%SYSTEM.SYS"))
    return str(_sys_class[1].NameSpace())


def ensure_sources() -> None:
    """Make every loaded script's active modules importable in this process (once per process);
    each namespace's store is opened the first time the process is in it."""
    if _finder is None:
        from .store import iris_store

        iris_namespace()  # outside IRIS this raises: no finder is put where no namespace can be read
        _put(DatabaseFinder(iris_store, iris_namespace))


def served_root(fullname: str) -> Optional[str]:
    """The project root of a module served from the database (None for modules on disk)."""
    return _finder.root_of(fullname) if _finder is not None else None


def refresh(hold: bool = False) -> None:
    """At a callback: the namespace's modules, in their active versions (a no-op outside IRIS);
    ``hold`` keeps the versions in use unless the process changed namespace."""
    if _finder is not None:
        _finder.refresh(hold)
