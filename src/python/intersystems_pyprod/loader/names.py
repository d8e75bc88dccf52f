"""Strict names for what clients send: upload paths, entry scripts, script names, project ids.

Everything a client names is checked here before a byte is written: a path is relative, uses
``/``, has no ``..``, drive, NUL or control character, and every part is a Python identifier (so
it can only ever name a module of the project); lengths are bounded.
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import PathFinder
from typing import Iterable, List, Mapping, Optional

from ..errors import PyProdError

#: Longest accepted path or script name, in characters.
MAX_PATH = 255
#: Longest accepted single folder or file name.
MAX_PART = 100
#: Most files one upload may hold.
MAX_FILES = 1000
#: Longest accepted project identity.
MAX_PROJECT = 1000
#: Top-level module names a script may never provide (the loader's own, and IRIS's).
#: Top-level names Python itself imports or runs by convention; a project module may not take them.
SPECIAL_MODULES = ("__init__", "__main__", "sitecustomize", "usercustomize")
RESERVED_MODULES = ("intersystems_pyprod", "iris", "iris_ep", "irisbuiltins", "iris_utils")


def _shown(text: str) -> str:
    shown = text if len(text) <= 60 else text[:60] + "..."
    return repr(shown)


def check_path(path: object, what: str = "upload path") -> str:
    """``path`` when it is a safe project-relative ``.py`` path; else a one-line PyProdError."""
    if not isinstance(path, str) or not path:
        raise PyProdError(f"{what} {path!r} is empty or not text", fix="send project-relative paths like pkg/mod.py")
    if len(path) > MAX_PATH:
        raise PyProdError(f"{what} {_shown(path)} is longer than {MAX_PATH} characters",
                          fix="use shorter module and folder names")
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        raise PyProdError(f"{what} {_shown(path)} contains a NUL or control character",
                          fix="use plain module and folder names")
    if path.startswith(("/", "\\")) or "\\" in path or ":" in path:
        raise PyProdError(f"{what} {_shown(path)} is absolute or not in project-relative / form",
                          fix="send paths relative to the project's source root, with / separators")
    parts = path.split("/")
    if not path.endswith(".py"):
        raise PyProdError(f"{what} {_shown(path)} is not a .py file", fix="upload only the project's Python modules")
    for i, part in enumerate(parts):
        name = part[:-3] if i == len(parts) - 1 else part
        if part in ("", ".", "..") or len(part) > MAX_PART or not name.isidentifier() or not name.isascii():
            raise PyProdError(f"{what} {_shown(path)} has the part {_shown(part)}, which is not a Python "
                              "module or package name", fix="rename it to a valid Python identifier "
                              "(ASCII letters, digits, _; no .., no empty parts)")
    top = parts[0][:-3] if len(parts) == 1 else parts[0]
    if top in SPECIAL_MODULES:
        raise PyProdError(f"{what} {_shown(path)} is named {top!r}, which Python treats specially",
                          fix="rename the module")
    return path


def check_script(script: object) -> str:
    """A script name (an entry path without ``.py``) as given to Restore and Unload."""
    if not isinstance(script, str):
        raise PyProdError(f"script name {script!r} is not text", fix="pass the name List shows")
    check_path(script + ".py", "script name")
    return script


def check_project(project: object) -> str:
    """The project identity a client sends: any printable text, bounded."""
    text = "" if project is None else str(project)
    if len(text) > MAX_PROJECT or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise PyProdError("the project identity is too long or contains control characters",
                          fix="send the project's host and folder as plain text")
    return text


def check_upload(files: Mapping[str, str], entry: object) -> str:
    """Check every path of an upload and that the entry is one of them; the entry."""
    if len(files) > MAX_FILES:
        raise PyProdError(f"the upload holds {len(files)} files, more than {MAX_FILES}",
                          fix="load a script that imports fewer project modules")
    for path in files:
        check_path(path)
    entry = check_path(entry, "entry script")
    if entry not in files:
        raise PyProdError(f"the entry script {entry} is not among the uploaded files",
                          fix="upload the entry script together with the modules it imports")
    return entry


def script_name(entry: str) -> str:
    """The name a script is stored under: its project-relative entry path without ``.py``."""
    return entry[:-3]


def package_dirs() -> List[str]:
    """Folders of ``sys.path`` that hold installed packages: site- and dist-packages, and IRIS's
    ``<install>/mgr/python`` and ``<install>/lib/python`` (project folders a load put on the path
    are not among them)."""
    return [p for p in sys.path if p and ("site-packages" in p or "dist-packages" in p
                                          or os.path.basename(os.path.normpath(p)) == "python")]


def shadowed(modules: Iterable[str], search_path: Optional[List[str]] = None) -> List[str]:
    """Top-level names among ``modules`` that the standard library, an installed package or the
    loader already provides, each with what it would hide."""
    found = []
    stdlib = set(getattr(sys, "stdlib_module_names", ())) | set(sys.builtin_module_names)
    for top in sorted({m.split(".")[0] for m in modules}):
        if top in RESERVED_MODULES:
            found.append(f"{top} (used by IRIS or intersystems_pyprod)")
        elif top in stdlib:
            found.append(f"{top} (a standard-library module)")
        else:
            spec = PathFinder.find_spec(top, search_path if search_path is not None else package_dirs())
            if spec is not None:
                found.append(f"{top} (installed at {spec.origin or 'a namespace package'})")
    return found
