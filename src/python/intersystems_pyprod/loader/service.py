"""The server-side load: sources in, compiled classes out, all or nothing.

``load_sources`` imports the script from a staging folder, generates every class in memory,
plans the change against what the namespace holds, compiles all new and changed classes in one
step, and only then records the new source version, deletes the classes that are gone and
restarts the running items whose code changed. A failure at any step leaves the previous
classes and source version in force.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Protocol, Set

from ..classgen import grammar
from ..errors import PyProdError
from .build import build, validate_classes
from .plan import make_plan
from .store import SourceStore


class Namespace(Protocol):
    """What the load needs from the IRIS namespace."""

    def existing(self, names: List[str]) -> Set[str]:
        """Lower-case names of those classes that exist."""

    def class_text(self, name: str) -> Optional[str]:
        """The current UDL text of a class (with its Storage), or None."""

    def compile(self, texts: Mapping[str, str]) -> Dict[str, List[str]]:
        """Load these class texts and compile them in one step: class name -> errors ({} = ok)."""

    def delete(self, names: List[str]) -> List[str]:
        """Delete classes; the errors."""

    def install_sources(self, script: str, files: Mapping[str, str]) -> None:
        """Put the active version's files where Embedded Python imports them from."""

    def restart_items(self, class_names: List[str]) -> List[str]:
        """Restart running production items of these classes; their names."""

    def user(self) -> str: ...

    def now(self) -> str: ...


def carry_storage(old_text: Optional[str], new_text: str) -> str:
    """Keep the ``Storage`` blocks of an existing persistent class in its regenerated text, so
    stored messages and process instances keep their layout."""
    if not old_text:
        return new_text
    lines = old_text.splitlines()
    blocks: List[str] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("Storage "):
            start = i
            while i < len(lines) and lines[i] != "}":
                i += 1
            blocks.append("\n".join(lines[start:i + 1]))
        i += 1
    if not blocks:
        return new_text
    body = new_text.rstrip("\n")
    assert body.endswith("}")
    return body[:-1] + "\n".join(blocks) + "\n\n}\n"


@dataclasses.dataclass
class LoadResult:
    """The structured result of a load (serialised to JSON for the CLI)."""

    ok: bool
    script: str
    version: Optional[int] = None
    classes: List[Dict[str, Any]] = dataclasses.field(default_factory=list)
    restarted: List[str] = dataclasses.field(default_factory=list)
    warnings: List[str] = dataclasses.field(default_factory=list)
    error: Optional[str] = None
    #: Generated class texts, when the caller asked for them (``-o DIR`` of the CLI).
    texts: Dict[str, str] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


def script_name(entry: str) -> str:
    """The name a script is stored under: its entry path without ``.py``, with / separators."""
    return entry[:-3].replace(os.sep, "/") if entry.endswith(".py") else entry


def load_sources(ns: Namespace, store: SourceStore, files: Mapping[str, str], entry: str,
                 with_texts: bool = False) -> LoadResult:
    """Load a script given as its source files (relative path -> text)."""
    script = script_name(entry)
    result = LoadResult(ok=False, script=script)
    if entry not in files:
        result.error = f"the entry script {entry} is not among the uploaded files"
        return result
    staging = Path(tempfile.mkdtemp(prefix="pyprod-load-"))
    try:
        for path, text in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        try:
            built = build(str(staging / entry), validate=False, root=staging)  # module names as the client's
            if grammar.available():
                validate_classes(built.classes)
        except PyProdError as exc:
            result.error = str(exc).replace(str(staging) + os.sep, "")
            return result
    finally:
        if str(staging) in sys.path:
            sys.path.remove(str(staging))
        shutil.rmtree(staging, ignore_errors=True)
    result.warnings = [str(w) for w in built.model.warnings]
    texts = {c.name: c.text for c in built.classes}
    if with_texts:
        result.texts = dict(texts)
    kinds = {c.name: c.kind for c in built.classes}
    plan = make_plan(script, texts, store.recorded(script), store.owners(), ns.existing(sorted(texts)))
    if plan.conflicts:
        result.error = "; ".join(plan.conflicts)
        return result
    previous = {n: ns.class_text(n) or store.class_text(script, n) for n in plan.update}
    to_compile = {n: carry_storage(previous.get(n), texts[n]) for n in plan.to_compile}
    errors = ns.compile(to_compile) if to_compile else {}
    if any(errors.values()):
        _roll_back(ns, plan.create, previous)
        result.classes = [{"name": n, "kind": kinds[n], "action": "failed" if errors.get(n) else "not loaded",
                           "errors": errors.get(n, [])} for n in sorted(texts)]
        result.error = "compilation failed; the previous classes stay in force"
        return result
    delete_errors = ns.delete(plan.delete) if plan.delete else []
    store.record(script, {n: texts[n] for n in plan.to_compile}, plan.delete)
    previous_version = store.active(script)
    version = store.save(script, files, entry, ns.user(), ns.now())
    store.activate(script, version)
    ns.install_sources(script, files)
    result.version = version
    result.classes = [{"name": n, "kind": kinds.get(n, ""), "action": plan.action(n), "errors": []}
                      for n in sorted([*texts, *plan.delete])]
    if version != previous_version:  # new Python code: running jobs must import it afresh
        hosts = sorted(n for n, k in kinds.items() if k not in ("JsonMessage", "PickleMessage", "Production"))
        result.restarted = ns.restart_items(hosts)
    result.warnings += delete_errors
    result.ok = True
    return result


def _roll_back(ns: Namespace, created: List[str], previous: Mapping[str, Optional[str]]) -> None:
    """Put the previous definitions back and remove the classes this load created."""
    restore = {n: t for n, t in previous.items() if t}
    if restore:
        ns.compile(restore)
    if created:
        ns.delete(created)


def restore(ns: Namespace, store: SourceStore, script: str, version: int) -> LoadResult:
    """Load a stored earlier version of a script again (it becomes the active version)."""
    known = {v.number: v for v in store.versions(script)}
    if version not in known:
        result = LoadResult(ok=False, script=script)
        numbers = ", ".join(str(n) for n in sorted(known)) or "none"
        result.error = f"script {script!r} has no stored version {version} (versions: {numbers})"
        return result
    return load_sources(ns, store, store.files(script, version), known[version].entry)


def unload(ns: Namespace, store: SourceStore, script: str) -> LoadResult:
    """Delete every class a script generated and forget its sources."""
    result = LoadResult(ok=False, script=script)
    recorded = store.recorded(script)
    if not recorded and script not in store.scripts():
        result.error = f"no script {script!r} is loaded in this namespace"
        return result
    errors = ns.delete(sorted(recorded))
    if errors:
        result.error = "; ".join(errors)
        return result
    store.forget(script)
    result.classes = [{"name": n, "kind": "", "action": "deleted", "errors": []} for n in sorted(recorded)]
    result.ok = True
    return result


def listing(store: SourceStore) -> List[Dict[str, Any]]:
    """Every loaded script: active version, versions, classes."""
    out = []
    for script in store.scripts():
        out.append({"script": script, "active": store.active(script),
                    "versions": [dataclasses.asdict(v) for v in store.versions(script)],
                    "classes": sorted(store.recorded(script))})
    return out
