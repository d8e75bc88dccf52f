"""Script path -> generated classes, all in memory, then (optionally) written to a folder."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from pathlib import Path
from typing import List, Mapping, Optional

from ..classgen import grammar
from ..classgen.generate import GeneratedClass, generate
from ..errors import PyProdError
from ..model.introspect import build_model
from ..model.types import ScriptModel
from .importer import ImportedScript, import_script, imports_undone


@dataclasses.dataclass
class BuildResult:
    """What a script turns into."""

    script: ImportedScript
    model: ScriptModel
    classes: List[GeneratedClass]
    validated: bool


def build(path: str, *, validate: Optional[bool] = None, root: Optional[Path] = None) -> BuildResult:
    """Import, model and generate; ``validate`` None means "when the grammar is installed";
    ``root`` is the project's source root (module names are relative to it) when given."""
    imported = import_script(path, root)
    model = build_model(str(imported.path), imported.module_name, imported.local_modules)
    if not model.classes:
        raise PyProdError(
            f"{imported.path.name} defines no components, messages or productions",
            fix="subclass BusinessService, BusinessProcess, BusinessOperation, InboundAdapter, "
                "OutboundAdapter, JsonSerialize, PickleSerialize or Production in the script",
        )
    classes = generate(model)
    do_validate = grammar.available() if validate is None else validate
    if do_validate:
        validate_classes(classes)
    return BuildResult(imported, model, classes, do_validate)


def validate_classes(classes: List[GeneratedClass]) -> None:
    """Run the grammar gate on every class; an error names the first problems."""
    for cls in classes:
        problems = grammar.check(cls.text)
        if problems:
            listed = "; ".join(str(p) for p in problems[:3])
            raise PyProdError(
                f"generated class {cls.name} does not parse as ObjectScript ({listed})",
                fix="this is a bug in intersystems_pyprod: please report it with the script that caused it",
            )


def write_classes(classes: List[GeneratedClass], out_dir: str) -> List[Path]:
    """Write ``pkg/Cls.cls`` files under ``out_dir``: all of them, or (on any failure) none."""
    from .outfiles import write_all

    return write_all({cls.relative_path: cls.text for cls in classes}, out_dir)


def build_staged(files: Mapping[str, str], entry: str) -> BuildResult:
    """Import and generate the script from a private staging folder (removed on every outcome, from
    ``sys.path`` too, with the modules imported from it)."""
    # resolved, as the importer adds it to sys.path and names it in errors (a temporary folder
    # may be reached through a symbolic link, e.g. /tmp -> /private/tmp)
    staging = Path(tempfile.mkdtemp(prefix="pyprod-load-")).resolve()
    try:
        for path in files:  # every path was checked: relative, identifiers only
            target = (staging / path).resolve()
            if staging.resolve() not in target.parents:
                raise PyProdError(f"upload path {path!r} leaves the staging folder", fix="send project-relative paths")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[path], encoding="utf-8")
        try:
            with imports_undone():
                built = build(str(staging / entry), validate=False, root=staging)  # module names as the client's
            if grammar.available():
                validate_classes(built.classes)
        except PyProdError as exc:
            raise PyProdError(str(exc).replace(str(staging) + os.sep, "")) from None
        return built
    finally:
        shutil.rmtree(staging, ignore_errors=True)
