"""Write a set of generated files into a folder: all of them or none, with modes from the umask."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

#: An IRIS class name: dot-separated parts, each a letter or % then letters and digits.
CLASS_NAME = re.compile(r"^%?[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$")


def class_file(name: str) -> str:
    """``Pkg.Sub.Cls`` -> ``Pkg/Sub/Cls.cls``; refuses anything that is not an IRIS class name."""
    if not isinstance(name, str) or len(name) > 220 or not CLASS_NAME.match(name):
        raise ValueError(f"{str(name)[:80]!r} is not an IRIS class name; refusing to write a file for it")
    return name.replace(".", "/") + ".cls"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_all(files: Dict[str, str], out_dir: str) -> List[Path]:
    """Write ``{relative path: text}`` under ``out_dir``; on any failure no file in ``out_dir`` changes."""
    base = Path(out_dir)
    targets: List[Tuple[Path, Path]] = []
    for relative in files:
        parts = Path(relative).parts
        if Path(relative).is_absolute() or not parts or any(p in ("..", ".", "") for p in parts):
            raise ValueError(f"{relative!r} would be written outside {out_dir}")
    base.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o666 & ~_umask()
    staging = Path(tempfile.mkdtemp(prefix=f".{base.name}.pyprod-", dir=base.parent))
    try:
        for relative, text in files.items():
            staged = staging / relative
            staged.parent.mkdir(parents=True, exist_ok=True)
            with open(staged, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.chmod(staged, mode)
            target = base / relative
            if _blocked(base, target):
                raise IsADirectoryError(f"cannot write {target}: a folder or file is in the way")
            targets.append((staged, target))
        if not base.exists():
            os.replace(staging, base)  # a new folder: one rename puts every file in place
            os.chmod(base, 0o777 & ~_umask())
            return [base / relative for relative in files]
        _move_in(targets)
        return [target for _, target in targets]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _blocked(base: Path, target: Path) -> bool:
    """A folder stands where ``target`` goes, or a file where one of its folders goes."""
    if target.is_dir():
        return True
    folder = target.parent
    while folder != base and base in folder.parents:
        if folder.exists() and not folder.is_dir():
            return True
        folder = folder.parent
    return base.exists() and not base.is_dir()


def _move_in(targets: List[Tuple[Path, Path]]) -> None:
    """Rename staged files into place; if one rename fails, put back what was there before."""
    done: List[Tuple[Path, Path]] = []  # (target, backup of the previous file or the target itself)
    try:
        for staged, target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            backup = staged.with_name(staged.name + ".previous")
            if target.exists():
                os.replace(target, backup)
            else:
                backup = target
            try:
                os.replace(staged, target)
            except OSError:
                if backup != target:
                    os.replace(backup, target)
                raise
            done.append((target, backup))
    except OSError:
        for target, backup in reversed(done):
            if backup == target:
                target.unlink()
            else:
                os.replace(backup, target)
        raise
