"""Which scripts a load or dry run works on: SCRIPT.py arguments or ``-m MODULE``, and the source
root that module names are computed from (``-s DIR``), as in intersystems-pyprod 0.2.0."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import List, Optional


class TargetError(ValueError):
    """The scripts, module or source root given cannot be used; the text says why and the fix."""


@dataclasses.dataclass(frozen=True)
class Target:
    """A script to work on, and the source root its module name is relative to (None: the folder
    above its ``__init__.py`` packages)."""

    path: Path
    root: Optional[Path]
    from_module: bool = False


def resolve_targets(args: argparse.Namespace) -> List[Target]:
    """The targets of ``args.scripts``, ``args.module`` and ``args.source_root``."""
    from intersystems_pyprod.loader.importer import module_file

    root = Path(args.source_root).resolve() if args.source_root else None
    if root is not None and not root.is_dir():
        raise TargetError(f"source root {args.source_root} is not a folder\n  fix: pass an existing folder to -s")
    if args.module:
        if args.scripts:
            raise TargetError("pass either -m MODULE or SCRIPT.py files, not both")
        base = root or Path.cwd().resolve()
        found = module_file(base, args.module)
        if found is None:
            raise TargetError(f"module {args.module!r} was not found under {base} (looked for "
                              f"{args.module.replace('.', '/')}.py and {args.module.replace('.', '/')}/__init__.py)"
                              "\n  fix: run from the project folder or pass it with -s/--source-root")
        return [Target(found, base, from_module=True)]
    if not args.scripts:
        raise TargetError("pass a SCRIPT.py or -m MODULE")
    targets = []
    for script in args.scripts:
        path = Path(script)
        if root is not None and path.is_file() and root not in path.resolve().parents:
            raise TargetError(f"script {script} is not under the source root {root}\n  fix: pass as -s the folder "
                              "that holds the script's top-level package")
        targets.append(Target(path, root))
    return targets


def manual_folder(target: Target, package: str) -> Path:
    """Where ``--manual`` without ``-o`` writes: ``<package>_classes`` beside the script, or in the
    folder the module was found in for ``-m``."""
    base = target.root if target.from_module and target.root is not None else target.path.resolve().parent
    return base / f"{package}_classes"
