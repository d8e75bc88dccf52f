"""Find the project files a script imports, without running it (the script may need packages
that only IRIS's Python has)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from ..loader.importer import module_file as _module_file
from ..loader.importer import module_name_for as project_root


class CollectError(ValueError):
    """The script cannot be read or parsed."""


def _imports(path: Path, root: Path) -> List[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        raise CollectError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CollectError(f"cannot read {path}: {exc}") from None
    package = ".".join(path.parent.relative_to(root).parts)
    names: List[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pieces = package.split(".") if package else []
                base_parts = pieces[: len(pieces) - (node.level - 1)] if node.level > 1 else pieces
                base = ".".join(p for p in [*base_parts, node.module or ""] if p)
            else:
                base = node.module or ""
            if base:
                names.append(base)
            names += [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
    return names


def project_identity(root: Path) -> str:
    """Where a project lives, as the loader records it: this computer and the source root. Two
    projects loading scripts of the same name are told apart by it."""
    import socket

    return f"{socket.gethostname()}:{root.resolve().as_posix()}"


def collect(script: Path, source_root: Optional[Path] = None) -> Tuple[Path, str, Dict[str, str]]:
    """(root, entry path relative to root, {relative path: text}) of the script and the project
    modules it imports, directly or through each other. The root is ``source_root`` when given
    (the script must be under it), else the folder above the script's ``__init__.py`` packages."""
    script = script.resolve()
    if source_root is not None and source_root.resolve() not in script.parents:
        raise CollectError(f"script {script} is not under the source root {source_root.resolve()}")
    root, _ = project_root(script, source_root.resolve() if source_root is not None else None)
    files: Dict[str, str] = {}
    todo = [script]  # with the __init__.py of the packages it is in: importing it runs them
    todo += [folder / "__init__.py" for folder in script.parents if root in folder.parents
             and (folder / "__init__.py").is_file()]
    seen: Set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
        for dotted in _imports(path, root):
            parts = dotted.split(".")
            for i in range(1, len(parts) + 1):  # a.b.c also needs a/__init__.py and a/b/__init__.py
                found = _module_file(root, ".".join(parts[:i]))
                if found is not None and found not in seen:
                    todo.append(found)
    return root, script.relative_to(root).as_posix(), dict(sorted(files.items()))
