"""What a load would do, without doing it: the loader's plan, made by the code a load runs.

``plan_sources`` checks and generates the script as ``load_sources`` does, then runs the load's
own decisions and checks (``service._prepare``: the class plan, other projects' scripts and
classes, names IRIS refuses, classes still in use, portal changes a load would drop) in the mode
that collects every refusal instead of stopping at the first, and stops before anything is
written. It takes no lock and settles nothing, so it changes nothing in the namespace.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Dict, List, Mapping

from ..classgen.storage import merge_storage
from ..errors import PyProdError
from .guard import Namespace
from .production import settings_of
from .service import LoadResult, _prepare, checked_build, restart_hosts
from .store import SourceStore


@dataclasses.dataclass
class PlanResult(LoadResult):
    """A load's result as it would be: ``classes`` with the actions a load would take,
    ``restarted`` / ``refreshed`` the running items it would restart, plus what a load does
    not report."""

    #: True when the load would change anything (classes, the active version, the script's owner).
    changed: bool = False
    #: Why the load would be refused; a load refuses on the first.
    conflicts: List[str] = dataclasses.field(default_factory=list)
    #: Per production class the load compiles or deletes: {"name", "action", "added", "removed",
    #: "changed": [{"setting", "old", "new"}]}.
    productions: List[Dict[str, Any]] = dataclasses.field(default_factory=list)
    #: Unified diff of each class's text (when asked): the namespace's text -> the load's text.
    diffs: Dict[str, str] = dataclasses.field(default_factory=dict)


def plan_sources(ns: Namespace, store: SourceStore, files: Mapping[str, str], entry: str,
                 with_diff: bool = False, *, take_over: bool = False, project: str = "",
                 overwrite_production: bool = False) -> PlanResult:
    """The plan of ``load_sources`` with the same arguments; ``ok`` is False only when the script
    itself is refused (it does not build), with ``error`` set."""
    result = PlanResult(ok=False, script="")
    checked = checked_build(result, files, entry, project)
    if checked is None:
        return result
    entry, project, modules, texts, kinds = checked
    script = result.script
    try:
        result.warnings += _pending(store)
        prepared = _prepare(ns, store, result, texts, kinds, take_over, project, modules, overwrite_production,
                            dry=True)
    except PyProdError as exc:
        result.error = str(exc)
        return result
    plan, kept = prepared.plan, prepared.kept
    result.conflicts = prepared.conflicts
    result.classes = [{"name": n, "kind": kinds.get(n, ""), "action": "kept" if n in kept else plan.action(n),
                       "errors": []} for n in sorted([*texts, *plan.delete, *kept])]
    result.warnings += [f"would take over {n} from script {owner!r}" for n, owner in sorted(plan.taken.items())]
    found = store.stored(script, files, entry)
    new_code = found is None or found != store.active(script)
    result.version = found
    result.changed = bool(plan.to_compile or plan.delete or new_code or (take_over and plan.taken))
    merged = {n: merge_storage(prepared.previous.get(n), texts[n])[0] for n in plan.to_compile}
    current = {n: ns.class_text(n) or "" for n in [*plan.create, *plan.delete]}
    current.update({n: prepared.previous.get(n, "") for n in plan.update + plan.recompile})
    result.productions = production_changes(
        {n: t for n, t in current.items() if kinds.get(n) == "Production" or (n in plan.delete and "XData "
                                                                               "ProductionDefinition" in t)},
        {n: t for n, t in merged.items() if kinds.get(n) == "Production"})
    if with_diff:
        result.diffs = {n: class_diff(n, current.get(n, ""), merged.get(n, ""))
                        for n in sorted([*merged, *plan.delete]) if current.get(n, "") != merged.get(n, "")}
    if new_code and not result.conflicts:
        result.restarted, result.refreshed, problems = ns.restart_items(restart_hosts(kinds), dry=True)
        result.warnings += problems
    result.ok = True
    return result


def _pending(store: SourceStore) -> List[str]:
    """Warnings about work that a load would do first and that may change the plan."""
    notes: List[str] = []
    intent = store.intent()
    if intent is not None:
        notes.append(f"an interrupted {intent.get('op', 'load')} of script {intent.get('script')!r} is pending; the "
                     "next load completes or undoes it first, which may change what it does")
    holder = store.holder()
    if holder:
        notes.append(f"a {holder.get('what', 'load')} by {holder.get('user', 'another user')} is in progress since "
                     f"{holder.get('time', 'an unknown time')}; this plan may be out of date when it finishes")
    return notes


def class_diff(name: str, old: str, new: str) -> str:
    """A unified diff of a class's text."""
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=f"{name} (in IRIS)" if old else "/dev/null",
                                 tofile=f"{name} (this load)" if new else "/dev/null")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def production_changes(old: Mapping[str, str], new: Mapping[str, str]) -> List[Dict[str, Any]]:
    """Per production class: the items added and removed, and every setting whose value changes
    (``old`` / ``new`` None when the setting is absent), from the class texts' definitions."""
    out: List[Dict[str, Any]] = []
    for name in sorted(set(old) | set(new)):
        before: Dict[str, str] = settings_of(old.get(name, "")) or {}
        after: Dict[str, str] = settings_of(new.get(name, "")) or {}
        action = "created" if name not in old or not old[name] else "deleted" if name not in new else "updated"
        items_before = {k[5:] for k in before if _item_key(k)}
        items_after = {k[5:] for k in after if _item_key(k)}
        moved = {f"item {i}" for i in items_before ^ items_after}
        changed = [{"setting": key, "old": before.get(key), "new": after.get(key)}
                   for key in sorted(set(before) | set(after))
                   if before.get(key) != after.get(key) and not _item_key(key) and key.split(":")[0] not in moved]
        entry = {"name": name, "action": action, "added": sorted(items_after - items_before),
                 "removed": sorted(items_before - items_after), "changed": changed}
        if action != "updated" or entry["added"] or entry["removed"] or changed:
            out.append(entry)
    return out


def _item_key(key: str) -> bool:
    """True for the key that says an item is present (its addition or removal is listed apart)."""
    return key.startswith("item ") and ":" not in key
