"""The server-side load: sources in, compiled classes out, all or nothing.

``load_sources`` checks every name, imports the script from a private staging folder, generates
every class in memory and plans the change against what the namespace holds. Then, under the
namespace's load lock (see ``guard``), it records its intent, compiles all new and changed
classes in one step, commits the new source version and class records in one transaction,
deletes the classes that are gone and restarts the running items whose code changed. A failure
at any step leaves the previous classes and source version in force.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from ..classgen.storage import index_global, merge_storage
from ..errors import PyProdError
from ..troubleshooting import see
from .build import build_staged
from .guard import Namespace, begin, locked, settle, transaction
from .history import known_script, version_before
from .inuse import check_deletions
from .names import check_project, check_script, check_upload, script_name, shadowed
from .plan import Plan, case_conflicts, make_plan
from .production import changes_since
from .store import SourceStore, check_references, module_of


def carry_storage(old_text: Optional[str], new_text: str) -> str:
    """Keep the ``Storage`` blocks of an existing persistent class in its regenerated text, so
    stored messages and process instances keep their layout (see ``classgen.storage``)."""
    return merge_storage(old_text, new_text)[0]


def rebuild_note(class_name: str, index: str) -> str:
    """The warning for an index that rows stored before a load are missing from."""
    return (f"{class_name}: index {index} now keeps its entries in a global of its own "
            f"({index_global(class_name, index)}); messages stored before this load are not in it until you "
            f"rebuild it in this namespace: do ##class({class_name}).%BuildIndices($lb(\"{index}\"))")


@dataclasses.dataclass
class LoadResult:
    """The structured result of a load (serialised to JSON for the CLI)."""

    ok: bool
    script: str
    version: Optional[int] = None
    classes: List[Dict[str, Any]] = dataclasses.field(default_factory=list)
    restarted: List[str] = dataclasses.field(default_factory=list)
    #: Running items without jobs of their own (PoolSize=0): new code at their next callback.
    refreshed: List[str] = dataclasses.field(default_factory=list)
    warnings: List[str] = dataclasses.field(default_factory=list)
    #: The running production a changed definition was applied to (``UpdateProduction``).
    updated: List[str] = dataclasses.field(default_factory=list)
    error: Optional[str] = None
    #: Generated class texts, when the caller asked for them (``-o DIR`` of the CLI).
    texts: Dict[str, str] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


#: Kinds of generated classes that run no Python code of their own in a production job.
PASSIVE_KINDS = ("JsonMessage", "PickleMessage", "Production")


def restart_hosts(kinds: Mapping[str, str]) -> List[str]:
    """The classes whose running items a load that changes the script's code restarts."""
    return sorted(n for n, k in kinds.items() if k not in PASSIVE_KINDS)


def _identity_problem(store: SourceStore, script: str, modules: List[str], project: str,
                      take_over: bool) -> Optional[str]:
    """Why this load would take over another project's script or modules, or None."""
    if take_over:
        return None
    known = store.project(script)
    if store.active(script) is not None and known != project:  # an unnamed project ("") is a project too
        versions = store.versions(script)
        by = f" (version {versions[-1].number} by {versions[-1].user} at {versions[-1].time})" if versions else ""
        return (f"script {script!r} was loaded from another project, {known}{by}; pass --take-over "
                "(Loader argument pTakeOver=1) to replace it, or load this one from a folder that names it apart; "
                + see("script-from-another-project"))
    owners = store.module_owners()
    for module in modules:
        other = owners.get(module)
        if other and other != script and store.project(other) != project:
            return (f"module {module} of script {script!r} is also module {module} of script {other!r} from "
                    f"another project; every job of the namespace imports a module name from one script: rename "
                    f"one of them, or pass --take-over to serve {module} from {script!r}; "
                    + see("module-of-another-project"))
    return None


def checked_build(result: LoadResult, files: Mapping[str, str], entry: str, project: str
                  ) -> Optional[Tuple[str, str, List[str], Dict[str, str], Dict[str, str]]]:
    """Check what a client sent and generate its classes, before anything is read or written in
    the namespace: (entry, project, modules, class texts, class kinds), or None with
    ``result.error`` set. ``result`` gets the script name and the model's warnings."""
    try:
        entry = check_upload(files, entry)
        project = check_project(project)
        result.script = script = script_name(entry)
        modules = sorted(module_of(p) for p in files)
        hidden = shadowed(modules)
        if hidden:
            raise PyProdError(f"script {script!r} has modules that would hide others: {', '.join(hidden)}",
                              fix="rename those modules of the project (e.g. put them in a package); "
                                  + see("modules-that-would-hide-others"))
        built = build_staged(files, entry)
        check_references(script, sorted(files), [c.name for c in built.classes])
    except PyProdError as exc:
        result.error = str(exc)
        return None
    result.warnings = [str(w) for w in built.model.warnings]
    return (entry, project, modules, {c.name: c.text for c in built.classes},
            {c.name: c.kind for c in built.classes})


def load_sources(ns: Namespace, store: SourceStore, files: Mapping[str, str], entry: str,
                 with_texts: bool = False, *, take_over: bool = False, project: str = "",
                 overwrite_production: bool = False) -> LoadResult:
    """Load a script given as its source files (project-relative path -> text). A production
    changed since the last load is regenerated only with ``overwrite_production``."""
    result = LoadResult(ok=False, script="")
    checked = checked_build(result, files, entry, project)
    if checked is None:
        return result
    entry, project, modules, texts, kinds = checked
    script = result.script
    if with_texts:
        result.texts = dict(texts)
    try:
        with locked(ns, store, f"load of {script}") as notes:
            result.warnings += notes
            changed = _apply(ns, store, result, files, entry, texts, kinds, take_over, project, modules,
                             overwrite_production)
            _update_production(ns, result, [c["name"] for c in result.classes
                                            if c["kind"] == "Production" and c["action"] != "unchanged"])
            if changed:  # new Python code: running jobs must import it afresh
                _restart(ns, result, restart_hosts(kinds))
    except PyProdError as exc:
        result.ok, result.version, result.error = False, None, str(exc)
    return result


@dataclasses.dataclass
class Prepared:
    """What a load decided before it writes anything (a plan stops here)."""

    plan: Plan
    #: Classes the load would delete but keeps (stored messages have bodies of them).
    kept: List[str]
    #: The current text of every class the load compiles (from the namespace, else as recorded).
    previous: Dict[str, str]
    #: Lower-case names of classes a settle put back uncompiled.
    broken: Set[str]
    mark: str
    #: Why the load would be refused (only a plan collects them all; a load raises the first).
    conflicts: List[str] = dataclasses.field(default_factory=list)


def _prepare(ns: Namespace, store: SourceStore, result: LoadResult, texts: Mapping[str, str],
             kinds: Mapping[str, str], take_over: bool, project: str, modules: List[str],
             overwrite_production: bool, dry: bool = False) -> Prepared:
    """Every decision and check of a load, reading only: a load stops at the first refusal, a
    plan (``dry``) goes on and collects them all."""
    script = result.script
    conflicts: List[str] = []

    def refuse(problems: List[str]) -> None:
        if problems and not dry:
            raise PyProdError("; ".join(problems))
        conflicts.extend(p for p in problems if p not in conflicts)

    problem = _identity_problem(store, script, modules, project, take_over)
    refuse([problem] if problem else [])
    recorded = store.recorded(script)
    mark = ns.base_mark()
    plan = make_plan(script, texts, recorded, store.owners(), ns.existing(sorted(texts)), take_over,
                     rebuild=bool(recorded) and store.base_mark(script) != mark)
    plan.conflicts += case_conflicts(script, texts, recorded, store.spellings())
    refuse(plan.conflicts)
    kept: List[str] = []
    if plan.delete:
        kept, refused, notes = check_deletions(ns.uses(plan.delete), plan.delete, [*texts, *plan.delete])
        refuse(refused)
        result.warnings += notes
    plan.delete = [n for n in plan.delete if n not in kept]
    broken = set(store.uncompiled())  # put back by a settle, not compiled: compile them now
    plan.recompile = sorted(plan.recompile + [n for n in plan.unchanged if n.lower() in broken])
    plan.unchanged = [n for n in plan.unchanged if n.lower() not in broken]
    previous = {n: ns.class_text(n) or store.class_text(plan.taken.get(n, script), n) or ""
                for n in plan.update + plan.recompile}
    refuse(_portal_changes(store, result, plan.update + plan.recompile, texts, kinds, previous, plan.taken,
                           overwrite_production))
    return Prepared(plan, kept, previous, broken, mark, conflicts)


def _apply(ns: Namespace, store: SourceStore, result: LoadResult, files: Mapping[str, str], entry: str,
           texts: Mapping[str, str], kinds: Mapping[str, str], take_over: bool, project: str,
           modules: List[str], overwrite_production: bool = False) -> bool:
    """The load's changes, under the lock; True when the active code changed."""
    script = result.script
    prepared = _prepare(ns, store, result, texts, kinds, take_over, project, modules, overwrite_production)
    plan, kept, previous, broken, mark = (prepared.plan, prepared.kept, prepared.previous, prepared.broken,
                                          prepared.mark)
    merged = {n: merge_storage(previous.get(n), texts[n]) for n in plan.to_compile}
    to_compile = {n: text for n, (text, _) in merged.items()}
    notes = [rebuild_note(n, index) for n, (_, added) in sorted(merged.items()) for index in added]
    before = store.active(script)
    committed = False
    try:
        if to_compile or plan.delete:
            begin(ns, store, {"op": "load", "script": script, "create": plan.create, "delete": plan.delete},
                  {n: t for n, t in previous.items() if t})
        errors = ns.compile(to_compile) if to_compile else {}
        if any(errors.values()):
            result.classes = [{"name": n, "kind": kinds[n], "action": "failed" if errors.get(n) else "not loaded",
                               "errors": errors.get(n, [])} for n in sorted(texts)]
            try:
                result.warnings += settle(ns, store)
            except PyProdError as exc:  # the compile errors above stay the answer
                result.warnings.append(str(exc))
            raise PyProdError("compilation failed; the previous classes stay in force")
        with transaction(ns):
            store.ensure_seal_key()
            store.record(script, {n: texts[n] for n in plan.to_compile}, plan.delete + kept)
            for name in kept:
                store.keep_owner(name, script)
            store.set_base_mark(script, mark)
            store.clear_uncompiled([n for n in plan.to_compile + plan.delete if n.lower() in broken])
            version = store.save(script, files, entry, ns.user(), ns.now(), project, sorted(texts))
            if version != before or take_over:
                store.activate(script, version, project)
            if to_compile or plan.delete:
                store.commit_intent()
        committed = True
    except BaseException:
        if not committed and store.intent() is not None:
            try:
                settle(ns, store)
            except BaseException:  # the next call completes it
                pass
        raise
    _finish(ns, store, result)
    result.version = version
    result.classes = [{"name": n, "kind": kinds.get(n, ""), "action": "kept" if n in kept else plan.action(n),
                       "errors": []} for n in sorted([*texts, *plan.delete, *kept])]
    result.warnings += [f"took over {n} from script {owner!r}" for n, owner in sorted(plan.taken.items())]
    result.warnings += notes
    result.ok = True
    return version != before


def _portal_changes(store: SourceStore, result: LoadResult, compiled: List[str], texts: Mapping[str, str],
                    kinds: Mapping[str, str], current: Mapping[str, str], taken: Mapping[str, str],
                    overwrite: bool) -> List[str]:
    """Why regenerating a production whose definition changed since the last load (the portal
    saves its edits into the class) is refused, unless told to overwrite: then the dropped
    settings are warnings."""
    refused: List[str] = []
    for name in sorted(n for n in compiled if kinds.get(n) == "Production"):
        lost = changes_since(store.class_text(taken.get(name, result.script), name), current.get(name) or "",
                             texts[name])
        if not lost:
            continue
        listed = "; ".join(lost)
        if not overwrite:
            refused.append(str(PyProdError(
                f"production {name} was changed since the last load (in the portal or by hand), and this load "
                f"would drop: {listed}", fix="make those changes in the script, or load with --overwrite-production "
                                             "(Loader argument pOverwriteProduction=1) to drop them; "
                                             + see("production-changed-in-the-portal"))))
            continue
        result.warnings.append(f"production {name}: dropped changes made since the last load: {listed}")
    return refused


def _finish(ns: Namespace, store: SourceStore, result: LoadResult) -> None:
    """Delete the classes a committed change removes; tried twice, then left to the next call
    (a warning). An interruption (``KeyboardInterrupt``...) is raised once the work is done."""
    try:
        settle(ns, store)
    except BaseException as first:
        try:
            settle(ns, store)
        except Exception as exc:
            result.warnings.append(f"classes that are gone are deleted by the next load or unload: {exc}")
        if not isinstance(first, Exception):
            raise


def _update_production(ns: Namespace, result: LoadResult, productions: List[str]) -> None:
    """Apply a compiled production definition to the running production (``UpdateProduction``
    when IRIS says it needs one); a problem is a warning (the load is committed)."""
    if not productions:
        return
    try:
        result.updated, problems = ns.update_production(productions)
    except Exception as exc:
        problems = [f"updating the running production failed: {type(exc).__name__}: {exc}; update it in the "
                    "portal (Production Configuration, Update)"]
    result.warnings += problems


def _restart(ns: Namespace, result: LoadResult, hosts: List[str]) -> None:
    """Restart the items with their own jobs; a problem is a warning (the load is committed)."""
    try:
        restarted, refreshed, problems = ns.restart_items(hosts)
    except Exception as exc:
        restarted, refreshed = [], []
        problems = [f"restarting the production items failed: {type(exc).__name__}: {exc}; business processes "
                    "run the new code from their next callback, other items once their jobs restart"]
    result.restarted, result.refreshed = restarted, refreshed
    result.warnings += problems


def restore(ns: Namespace, store: SourceStore, script: str, version: Optional[int] = None, *,
            overwrite_production: bool = False) -> LoadResult:
    """Load a stored version of a script again (it becomes the active version), as a load does:
    all or nothing. ``version`` None: the newest version older than the active one."""
    result = LoadResult(ok=False, script=str(script))
    try:
        script = known_script(store, script)
        number = version_before(store, script) if version is None else version
    except PyProdError as exc:
        result.error = str(exc)
        return result
    known = {v.number: v for v in store.versions(script)}
    if number not in known:
        numbers = ", ".join(str(n) for n in sorted(known)) or "none"
        result.error = f"script {script!r} has no stored version {number} (versions: {numbers})"
        return result
    return load_sources(ns, store, store.files(script, number), known[number].entry,
                        project=store.project(script), overwrite_production=overwrite_production)


def unload(ns: Namespace, store: SourceStore, script: str) -> LoadResult:
    """Delete every class a script generated and forget its sources."""
    result = LoadResult(ok=False, script=str(script))
    try:
        check_script(script)
        with locked(ns, store, f"unload of {script}", unloading=script) as notes:
            result.warnings += notes
            recorded = store.recorded(script)
            if not recorded and script not in store.scripts():
                raise PyProdError(f"no script {script!r} is loaded in this namespace", fix="see the names List shows")
            pending = store.intent()  # an interrupted load of this script, left to this unload
            created = list(pending.get("create", [])) if pending and pending.get("script") == script else []
            doomed = sorted({n.lower(): n for n in [*recorded, *created]}.values())
            kept: List[str] = []
            if doomed:
                kept, refused, notes = check_deletions(ns.uses(doomed), doomed, doomed)
                if refused:
                    raise PyProdError("; ".join(refused))
                result.warnings += notes
            doomed = [n for n in doomed if n not in kept]
            broken = set(store.uncompiled())
            with transaction(ns):
                store.forget(script)
                for name in kept:
                    store.keep_owner(name, script)
                store.clear_uncompiled([n for n in doomed if n.lower() in broken])
                store.set_intent({"op": "unload", "script": script, "phase": "committed", "delete": doomed}, {})
            _finish(ns, store, result)
    except PyProdError as exc:
        result.error = str(exc)
        return result
    result.classes = [{"name": n, "kind": "", "action": "kept" if n in kept else "deleted", "errors": []}
                      for n in sorted([*doomed, *kept])]
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
