"""Script path -> generated classes, all in memory, then (optionally) written to a folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import List, Optional

from ..classgen import grammar
from ..classgen.generate import GeneratedClass, generate
from ..errors import PyProdError
from ..model.introspect import build_model
from ..model.types import ScriptModel
from .importer import ImportedScript, import_script


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
