"""What a load does to the namespace: which classes it creates, updates, keeps and deletes.

Pure data in, data out, so that the decision is made (and tested) before anything is written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Dict, List, Mapping, Set

from ..troubleshooting import see


def text_hash(text: str) -> str:
    """The fingerprint a generated class's text is recorded under."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclasses.dataclass
class Plan:
    """The actions of one load, each list in class-name order."""

    create: List[str] = dataclasses.field(default_factory=list)
    update: List[str] = dataclasses.field(default_factory=list)
    unchanged: List[str] = dataclasses.field(default_factory=list)
    delete: List[str] = dataclasses.field(default_factory=list)
    conflicts: List[str] = dataclasses.field(default_factory=list)
    #: Classes another script generated that this load takes over: class name -> that script.
    taken: Dict[str, str] = dataclasses.field(default_factory=dict)
    #: Classes whose text is unchanged but that are compiled again: they extend a class this load
    #: changes, or the PyProd base classes changed since they were compiled.
    recompile: List[str] = dataclasses.field(default_factory=list)

    @property
    def to_compile(self) -> List[str]:
        """Classes whose text must be loaded and compiled together."""
        return sorted(self.create + self.update + self.recompile)

    def action(self, name: str) -> str:
        for action in ("create", "update", "recompile", "unchanged", "delete"):
            if name in getattr(self, action):
                return {"create": "created", "update": "updated", "recompile": "recompiled",
                        "unchanged": "unchanged", "delete": "deleted"}[action]
        return "conflict"


_EXTENDS = re.compile(r"^Class\s+\S+\s+Extends\s+(\([^)]*\)|[\w.%]+)", re.MULTILINE)


def supers_of(text: str) -> List[str]:
    """The classes a generated class text extends (lower case)."""
    found = _EXTENDS.search(text)
    if not found:
        return []
    return [part.strip().lower() for part in found.group(1).strip("()").split(",") if part.strip()]


def _dependents(generated: Mapping[str, str], changed: Set[str]) -> Set[str]:
    """Lower-case names of the generated classes that extend a changed class, however indirectly."""
    supers = {name.lower(): supers_of(text) for name, text in generated.items()}
    out: Set[str] = set()
    grew = True
    while grew:
        grew = False
        for name, parents in supers.items():
            if name not in out and name not in changed and any(p in changed or p in out for p in parents):
                out.add(name)
                grew = True
    return out


def _packages(name: str) -> List[str]:
    """The packages a class name lives in, outermost first: ``A.B.C`` -> ``A``, ``A.B``."""
    parts = name.split(".")[:-1]
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def case_conflicts(script: str, generated: Mapping[str, str], recorded: Mapping[str, str],
                   known: Mapping[str, str]) -> List[str]:
    """Names IRIS refuses because they differ only in case from another class or package
    (ERROR #5093): a class this script generated under another spelling, or a package another
    generated class spells otherwise. ``known``: class name -> script, every generated class."""
    out: List[str] = []
    spelled = {n.lower(): n for n in recorded}
    for name in sorted(generated):
        before = spelled.get(name.lower())
        if before is not None and before != name:
            out.append(f"{name} differs only in case from {before}, which script {script!r} generated: IRIS refuses "
                       "class names that differ only in case (ERROR #5093), so the class cannot be renamed in "
                       f"place; rename it in two loads (first to another name, then to {name}) or unload "
                       f"{script!r} first; " + see("names-differ-only-in-case"))
    packages: Dict[str, str] = {}
    owner_of: Dict[str, str] = {}
    others = {n: s for n, s in known.items() if n.lower() not in {g.lower() for g in generated}}
    for name, owner in [*sorted(others.items()), *((n, script) for n in sorted(generated))]:
        for package in _packages(name):
            first = packages.setdefault(package.lower(), package)
            owner_of.setdefault(package.lower(), owner)
            if first != package and name in generated:
                problem = (f"package {package} of {name} differs only in case from package {first} of script "
                           f"{owner_of[package.lower()]!r}: IRIS refuses package names that differ only in case "
                           f"(ERROR #5093); spell it {first} (iris_package_name); " + see("names-differ-only-in-case"))
                if problem not in out:
                    out.append(problem)
    return out


def make_plan(script: str, generated: Mapping[str, str], recorded: Mapping[str, str],
              owners: Mapping[str, str], existing: Set[str], take_over: bool = False,
              rebuild: bool = False) -> Plan:
    """Decide every class's fate.

    ``generated``: class name -> new text. ``recorded``: class name -> text hash of the classes
    this script generated last time. ``owners``: class name (lower case) -> script, for every
    class any script generated. ``existing``: class names (lower case) present in the namespace.
    ``take_over``: classes of other scripts become this script's instead of being conflicts.
    ``rebuild``: the PyProd base classes changed since this script's classes were compiled, so
    every unchanged class is compiled again. An unchanged class that extends a created or updated
    one is compiled again too (IRIS does not recompile subclasses of a changed class by itself).
    """
    plan = Plan()
    recorded_lower: Dict[str, str] = {k.lower(): v for k, v in recorded.items()}
    for name in sorted(generated):
        key = name.lower()
        owner = owners.get(key)
        if owner is not None and owner != script and take_over:
            plan.taken[name] = owner
            (plan.update if key in existing else plan.create).append(name)
        elif owner is not None and owner != script:
            plan.conflicts.append(f"{name} is generated by script {owner!r}; rename the class, unload {owner!r}, "
                                  "or take it over (--take-over); " + see("class-generated-by-another-script"))
        elif owner is None and key in existing:
            plan.conflicts.append(f"{name} already exists and was not generated by PyProd; it is left untouched "
                                  "(rename the Python class or change iris_package_name); "
                                  + see("class-not-generated-by-pyprod"))
        elif owner == script and key in existing and key not in recorded_lower:  # kept, now generated again
            plan.update.append(name)
        elif key in recorded_lower and key in existing:
            if recorded_lower[key] == text_hash(generated[name]):
                plan.unchanged.append(name)
            else:
                plan.update.append(name)
        else:
            plan.create.append(name)
    generated_lower = {n.lower() for n in generated}
    plan.delete = sorted(n for n in recorded if n.lower() not in generated_lower)
    if plan.conflicts:
        return plan
    follow = set() if rebuild else _dependents(generated, {n.lower() for n in plan.create + plan.update})
    plan.recompile = [n for n in plan.unchanged if rebuild or n.lower() in follow]
    plan.unchanged = [n for n in plan.unchanged if n not in plan.recompile]
    return plan
