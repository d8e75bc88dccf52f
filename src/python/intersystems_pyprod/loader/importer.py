"""Import a user's script (and the local modules it imports) fresh, with clear errors."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import os
import sys
import traceback
import types
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from ..errors import Location, PyProdError
from ..troubleshooting import see

_SKIP_DIRS = ("site-packages", "dist-packages")


@dataclasses.dataclass
class ImportedScript:
    """A script imported as a module, with the project's other modules it pulled in."""

    path: Path
    root: Path
    module_name: str
    module: types.ModuleType
    local_modules: List[types.ModuleType]

    @property
    def files(self) -> List[Path]:
        """Source files of the script and its local modules."""
        return sorted({Path(str(m.__file__)).resolve() for m in self.local_modules if getattr(m, "__file__", None)})


def module_name_for(path: Path, root: Optional[Path] = None) -> tuple:
    """(project root, dotted module name) of a script: relative to ``root`` when given (the
    project's source root; ``path`` must be under it), else following ``__init__.py`` packages up."""
    if root is not None:
        parts = list(path.with_suffix("").relative_to(root).parts)
        if len(parts) > 1 and parts[-1] == "__init__":
            parts.pop()
        return root, ".".join(parts)
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    return folder, ".".join(parts)


def module_file(root: Path, dotted: str) -> Optional[Path]:
    """The source file of module ``dotted`` under ``root`` (``a/b.py`` or ``a/b/__init__.py``)."""
    parts = dotted.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    base = root.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def is_local(module: types.ModuleType, root: Path) -> bool:
    """True when ``module`` is a source file of the project under ``root``."""
    file = getattr(module, "__file__", None)
    if not file or module.__name__.split(".")[0] == "intersystems_pyprod":
        return False
    path = os.path.abspath(file)
    if not path.startswith(str(root) + os.sep):
        return False
    return not any(part in _SKIP_DIRS for part in Path(path).parts)


def _module_folder(module: types.ModuleType) -> Optional[str]:
    """The file (or, for a namespace package, the first folder) a module was imported from."""
    file = getattr(module, "__file__", None)
    if file:
        return os.path.abspath(file)
    paths = getattr(module, "__path__", None)
    try:
        folders = list(paths or [])
    except Exception:  # a namespace package recomputes its path from its parent, which may be gone
        folders = list(getattr(paths, "_path", None) or [])
    for folder in folders[:1]:
        return os.path.abspath(folder)
    return None


def _from_folders(module: types.ModuleType, folders: List[str]) -> bool:
    """True when ``module`` is a source of one of ``folders`` (an installed package in them is not:
    a C extension must not be imported twice in a process)."""
    where = _module_folder(module)
    if where is None or module.__name__.split(".")[0] == "intersystems_pyprod":
        return False
    if any(part in _SKIP_DIRS for part in Path(where).parts):
        return False
    return any(where == folder or where.startswith(folder + os.sep) for folder in folders)


@contextlib.contextmanager
def imports_undone() -> Iterator[None]:
    """Leave ``sys.path`` and the project's place in ``sys.modules`` as they were, whatever happens
    inside: folders added to ``sys.path`` (a project root, a staging folder, a script's own
    ``_add_to_sys_path``) are removed under the spelling they were added with, modules imported
    from them are forgotten, and modules they replaced are put back. Installed packages a script
    imported stay imported."""
    path_before = list(sys.path)
    modules_before: Dict[str, types.ModuleType] = dict(sys.modules)
    try:
        yield
    finally:
        added = [p for p in sys.path if p not in path_before]
        sys.path[:] = path_before
        folders = [os.path.abspath(p) for p in added if p]
        for folder in added:
            sys.path_importer_cache.pop(folder, None)
        for name, module in list(sys.modules.items()):
            if module is not modules_before.get(name) and isinstance(module, types.ModuleType) and \
                    _from_folders(module, folders):
                del sys.modules[name]
        for name, module in modules_before.items():
            if name not in sys.modules:
                sys.modules[name] = module
        importlib.invalidate_caches()


def _shadowed(name: str, root: Path) -> bool:
    """True when the project under ``root`` has its own file for module ``name`` (a module of the
    same name imported earlier, e.g. by a previous load from another folder, must not be reused)."""
    if name in sys.builtin_module_names or name.split(".")[0] == "intersystems_pyprod":
        return False
    relative = name.replace(".", os.sep)
    return (root / (relative + ".py")).is_file() or (root / relative / "__init__.py").is_file()


def _user_frame(exc: BaseException, root: Path) -> Optional[Location]:
    """The innermost traceback frame in the user's project."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename).startswith(str(root) + os.sep):
            found = Location(frame.filename, frame.lineno)
    return found


def import_script(path: str, root: Optional[Path] = None) -> ImportedScript:
    """Import the script at ``path`` as a fresh module (named from ``root``, the project's source
    root, when given); every failure is a :class:`PyProdError`."""
    script = Path(path)
    if not script.is_file():
        raise PyProdError(f"script {path} does not exist or is not a file", fix="check the path")
    if script.suffix != ".py":
        raise PyProdError(f"script {path} is not a .py file", fix="pass the Python script that defines your components")
    script = script.resolve()
    if root is not None:
        root = root.resolve()
        if root not in script.parents:
            raise PyProdError(f"script {script} is not under the source root {root}", where=Location(str(script)),
                              fix="pass as -s/--source-root the folder that holds the script's top-level package")
    root, module_name = module_name_for(script, root)
    for part in module_name.split("."):
        if not part.isidentifier():
            raise PyProdError(f"{script.name} cannot be imported as module {module_name!r}: {part!r} is not a "
                              "Python identifier", where=Location(str(script)),
                              fix="rename the file (and folders) to valid Python names, e.g. hello_world.py")
    try:
        script.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PyProdError(f"cannot read {script}: {exc}", where=Location(str(script)),
                          fix="save the script as UTF-8 text") from None
    for name, mod in list(sys.modules.items()):
        if name == module_name or is_local(mod, root) or _shadowed(name, root):
            del sys.modules[name]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        raise PyProdError(f"syntax error: {exc.msg}", where=Location(exc.filename or str(script), exc.lineno),
                          fix="correct the Python syntax at that line; " + see("syntax-error")) from None
    except PyProdError:
        raise
    except KeyboardInterrupt as exc:  # raised by the script, or Ctrl-C while its import ran on
        where = _user_frame(exc, root) or Location(str(script))
        raise PyProdError(f"importing {script.name} was interrupted (KeyboardInterrupt): the script raised it, or "
                          "its import ran until stopped", where=where,
                          fix="a script must import quickly: move loops and waits into a callback") from None
    except (Exception, SystemExit) as exc:
        where = _user_frame(exc, root) or Location(str(script))
        missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
        raise PyProdError(
            f"importing {script.name} failed: {type(exc).__name__}: {exc}", where=where,
            fix=(f"install {missing!r} in the Python that runs the load, or correct the import"
                 if missing else "fix the error at that line; the script must import without side effects that fail")
                + "; " + see("importing-the-script-failed"),
        ) from None
    local = sorted((m for m in list(sys.modules.values()) if is_local(m, root)), key=lambda m: m.__name__)
    if module not in local:
        local.insert(0, module)
    return ImportedScript(script, root, module_name, module, local)
