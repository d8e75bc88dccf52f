"""Versioned script sources, the record of which script generated which class, and the
loader's own state (a load's recorded intent, who holds the load lock, what jobs must re-import).

Layout of the sources global (one per namespace)::

    (script, "active")                      = version number in force
    (script, "project")                     = where the script's project lives (client and folder)
    (script, "v", n)                        = JSON {"hash", "time", "user", "entry", "project", "classes"}
    (script, "v", n, "f", path, i)          = i-th chunk of a source file
    (script, "class", name)                 = hash of the class text last compiled
    (script, "text", name, i)               = i-th chunk of that text (kept to roll back)
    (script, "base")                        = mark of the PyProd base classes those were compiled on

of the owners global: (lower-case class name) = script; and of the state global::

    ("intent")                              = JSON of the class changes of a load in progress
    ("intent", "prev", name, i)             = previous text of a class that load replaces
    ("holder")                              = JSON {"what", "user", "time"} of the lock holder
    ("generation")                          = counter, raised whenever active code changes
    ("uncompiled", lower-case class name)   = 1: put back by a settle but it did not compile
    ("module", dotted name)                 = script whose active version serves that module

and of the seal global (``^PyProd.Seal``): ("key") = the key that seals pickle bodies.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any, Dict, List, Mapping, Optional

from ..errors import PyProdError
from ..runtime import sealing
from ..troubleshooting import see
from .globals import REFERENCE_LIMIT, Globals, IrisGlobals, MemoryGlobals, reference_length
from .plan import text_hash

#: Characters per global node; far below the IRIS string limit.
CHUNK = 1_000_000


@dataclasses.dataclass(frozen=True)
class Version:
    """One stored version of a script's sources."""

    number: int
    hash: str
    time: str
    user: str
    entry: str
    #: Where the version was loaded from ("" when stored before the loader recorded it).
    project: str = ""
    #: The classes the version generated (None when stored before the loader recorded them).
    classes: Optional[List[str]] = None


def sources_hash(files: Mapping[str, str]) -> str:
    """Fingerprint of a set of source files (paths and texts)."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode("utf-8") + b"\0" + files[path].encode("utf-8") + b"\0")
    return digest.hexdigest()


def module_of(path: str) -> str:
    """Dotted module name of a project-relative ``.py`` path (``pkg/__init__.py`` is ``pkg``)."""
    parts = path[:-3].split("/")
    if len(parts) > 1 and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _load_json(value: Any) -> Optional[Dict[str, Any]]:
    try:
        found = json.loads(str(value))
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


class SourceStore:
    """Sources and class records of every loaded script."""

    def __init__(self, sources: Globals, owners: Globals, state: Optional[Globals] = None,
                 seal: Optional[Globals] = None) -> None:
        self._g = sources
        self._owners = owners
        self._state: Globals = state if state is not None else MemoryGlobals()
        self._seal: Globals = seal if seal is not None else MemoryGlobals()

    def ensure_seal_key(self) -> bool:
        """Give the namespace the key that seals pickle bodies (see :mod:`..runtime.sealing`) unless
        it has one; True when one was written."""
        return sealing.ensure_key(self._seal)

    # -- chunked text -----------------------------------------------------------------------
    def _write_text(self, g: Globals, subs: tuple, text: str) -> None:
        g.kill(subs)
        for i, start in enumerate(range(0, max(len(text), 1), CHUNK), start=1):
            g.set((*subs, i), text[start:start + CHUNK])

    def _read_text(self, g: Globals, subs: tuple) -> str:
        return "".join(str(g.get((*subs, i)) or "") for i in g.children(subs))

    # -- versions ---------------------------------------------------------------------------
    def scripts(self) -> List[str]:
        return [str(s) for s in self._g.children(())]

    def versions(self, script: str) -> List[Version]:
        out = []
        for n in self._g.children((script, "v")):
            meta = _load_json(self._g.get((script, "v", n)))
            if meta is None:  # a version whose metadata is not whole was never activated
                continue
            classes = meta.get("classes")
            out.append(Version(int(n), str(meta.get("hash", "")), str(meta.get("time", "")),
                               str(meta.get("user", "")), str(meta.get("entry", "")), str(meta.get("project", "")),
                               [str(c) for c in classes] if isinstance(classes, list) else None))
        return out

    def active(self, script: str) -> Optional[int]:
        value = self._g.get((script, "active"))
        return int(value) if value not in (None, "") else None

    def project(self, script: str) -> str:
        return str(self._g.get((script, "project")) or "")

    def stored(self, script: str, files: Mapping[str, str], entry: str) -> Optional[int]:
        """The number of the stored version with exactly these sources, or None."""
        digest = sources_hash(files)
        for version in self.versions(script):
            if version.hash == digest and version.entry == entry:
                return version.number
        return None

    def save(self, script: str, files: Mapping[str, str], entry: str, user: str, time: str, project: str = "",
             classes: Optional[List[str]] = None) -> int:
        """Store a version (reusing the number of an identical one); it is not yet active."""
        found = self.stored(script, files, entry)
        if found is not None:
            return found
        number = max([int(n) for n in self._g.children((script, "v"))], default=0) + 1
        for path, text in files.items():
            self._write_text(self._g, (script, "v", number, "f", path), text)
        meta = {"hash": sources_hash(files), "time": time, "user": user, "entry": entry, "project": project,
                "classes": sorted(classes or [])}
        self._g.set((script, "v", number), json.dumps(meta))
        return number

    def paths(self, script: str, number: int) -> List[str]:
        return [str(p) for p in self._g.children((script, "v", number, "f"))]

    def files(self, script: str, number: int) -> Dict[str, str]:
        return {p: self.file(script, number, p) for p in self.paths(script, number)}

    def file(self, script: str, number: int, path: str) -> str:
        return self._read_text(self._g, (script, "v", number, "f", path))

    def activate(self, script: str, number: int, project: Optional[str] = None) -> None:
        """Make a stored version the one in force (recording the project it came from, when
        given), and tell every job to pick it up."""
        self._g.set((script, "active"), number)
        if project is not None:
            self._g.set((script, "project"), project)
        modules = {module_of(path) for path in self.paths(script, number)}
        for module, owner in self.module_owners().items():
            if owner == script and module not in modules:  # a module this version no longer has
                self._state.kill(("module", module))
        for module in modules:
            self._state.set(("module", module), script)
        self.bump()

    def bump(self) -> None:
        """Raise the generation counter every job compares at its next callback."""
        self._state.set(("generation",), int(self._state.get(("generation",)) or 0) + 1)

    def generation(self) -> int:
        return int(self._state.get(("generation",)) or 0)

    def module_script(self, dotted: str) -> Optional[str]:
        """The script whose active version serves module ``dotted``."""
        value = self._state.get(("module", dotted))
        return str(value) if value not in (None, "") else None

    def module_owners(self) -> Dict[str, str]:
        return {str(m): str(self._state.get(("module", m))) for m in self._state.children(("module",))}

    # -- generated classes -------------------------------------------------------------------
    def base_mark(self, script: str) -> Optional[str]:
        """The mark of the PyProd base classes the script's classes were last compiled against."""
        value = self._g.get((script, "base"))
        return str(value) if value not in (None, "") else None

    def set_base_mark(self, script: str, mark: str) -> None:
        self._g.set((script, "base"), mark)

    def recorded(self, script: str) -> Dict[str, str]:
        """Class name -> text hash of the classes the script's active version generated."""
        return {str(n): str(self._g.get((script, "class", n))) for n in self._g.children((script, "class"))}

    def class_text(self, script: str, name: str) -> str:
        for recorded in self._g.children((script, "text")):
            if str(recorded).lower() == name.lower():
                return self._read_text(self._g, (script, "text", recorded))
        return ""

    def spellings(self) -> Dict[str, str]:
        """Every class any script generated, as spelled when it was generated -> that script."""
        return {str(n): str(s) for s in self.scripts() for n in self._g.children((s, "class"))}

    def owners(self) -> Dict[str, str]:
        return {str(n): str(self._owners.get((n,))) for n in self._owners.children(())}

    def _drop_class(self, script: str, name: str) -> None:
        for recorded in self._g.children((script, "class")):  # class names compare without case
            if str(recorded).lower() == name.lower():
                self._g.kill((script, "class", recorded))
                self._g.kill((script, "text", recorded))

    def record(self, script: str, classes: Mapping[str, str], deleted: List[str]) -> None:
        """After a successful load: the classes now generated by ``script``, and those removed."""
        for name in deleted:
            self._drop_class(script, name)
            if str(self._owners.get((name.lower(),)) or "") == script:
                self._owners.kill((name.lower(),))
        for name, text in classes.items():
            previous = self._owners.get((name.lower(),))
            if previous not in (None, "", script):  # taken over: the other script no longer has it
                self._drop_class(str(previous), name)
            self._drop_class(script, name)
            self._g.set((script, "class", name), text_hash(text))
            self._write_text(self._g, (script, "text", name), text)
            self._owners.set((name.lower(),), script)

    def keep_owner(self, name: str, script: str) -> None:
        """A class the script no longer generates but that stays (stored bodies use it): the script
        still owns it, so that no other script takes it by mistake and a later load adopts it."""
        self._owners.set((name.lower(),), script)

    def forget(self, script: str) -> None:
        """Drop a script entirely (after its classes were deleted)."""
        for name in self.recorded(script):
            if str(self._owners.get((name.lower(),)) or "") == script:
                self._owners.kill((name.lower(),))
        for module, owner in self.module_owners().items():
            if owner == script:
                self._state.kill(("module", module))
        self._g.kill((script,))
        self.bump()

    # -- the recorded intent of a load in progress ---------------------------------------------
    def intent(self) -> Optional[Dict[str, Any]]:
        value = self._state.get(("intent",))
        return _load_json(value) if value not in (None, "") else None

    def set_intent(self, intent: Mapping[str, Any], previous: Mapping[str, str]) -> None:
        """Record what a load is about to do to class definitions (call inside a transaction)."""
        self._state.kill(("intent",))
        for name, text in previous.items():
            self._write_text(self._state, ("intent", "prev", name), text)
        self._state.set(("intent",), json.dumps(dict(intent)))

    def intent_previous(self) -> Dict[str, str]:
        return {str(n): self._read_text(self._state, ("intent", "prev", n))
                for n in self._state.children(("intent", "prev"))}

    def commit_intent(self) -> None:
        """Mark the recorded intent as committed: from now on it is completed, never undone."""
        intent = self.intent() or {}
        self._state.set(("intent",), json.dumps({**intent, "phase": "committed"}))

    def clear_intent(self) -> None:
        self._state.kill(("intent",))

    # -- classes a settle put back without compiling them ----------------------------------------
    def mark_uncompiled(self, names: List[str]) -> None:
        for name in names:
            self._state.set(("uncompiled", name.lower()), 1)

    def uncompiled(self) -> List[str]:
        """Lower-case names of classes whose definition is in place but did not compile."""
        return [str(n) for n in self._state.children(("uncompiled",))]

    def clear_uncompiled(self, names: List[str]) -> None:
        for name in names:
            self._state.kill(("uncompiled", name.lower()))

    # -- who holds the load lock ---------------------------------------------------------------
    def holder(self) -> Optional[Dict[str, Any]]:
        value = self._state.get(("holder",))
        return _load_json(value) if value not in (None, "") else None

    def set_holder(self, holder: Optional[Mapping[str, str]]) -> None:
        if holder is None:
            self._state.kill(("holder",))
        else:
            self._state.set(("holder",), json.dumps(dict(holder)))

    # -- removing everything (before PyProd is uninstalled) -------------------------------------
    def drop_all(self) -> None:
        """Empty the sources, owners, state and seal globals."""
        for g in (self._g, self._owners, self._state, self._seal):
            empty(g)


def empty(g: Globals) -> None:
    """Kill every node of a global, one top-level subscript at a time (the forms the loader uses
    everywhere; no kill of the unsubscripted root is needed, as nothing is stored there)."""
    for sub in g.children(()):
        g.kill((sub,))


SOURCES_GLOBAL = "^PyProd.Sources"
OWNERS_GLOBAL = "^PyProd.Owners"
STATE_GLOBAL = "^PyProd.State"
#: The namespace's copy of this library, written by PyProd.Library.Install (IPM): ("active") = the
#: version in use, ("v", version, path, n) = the n-th chunk of a file.
LIBRARY_GLOBAL = "^PyProd.Lib"

#: The largest version and chunk numbers the references below are checked with.
_MOST = 999_999


def check_references(script: str, paths: List[str], class_names: List[str]) -> None:
    """Refuse names that would make one of the store's global references longer than IRIS allows,
    before anything is written (IRIS would fail inside the commit with ``<SUBSCRIPT>``)."""
    longest = [(f"file {p}", reference_length(SOURCES_GLOBAL, (script, "v", _MOST, "f", p, _MOST))) for p in paths]
    longest += [(f"module {module_of(p)}", reference_length(STATE_GLOBAL, ("module", module_of(p)))) for p in paths]
    for name in class_names:
        longest.append((f"class {name}", max(reference_length(SOURCES_GLOBAL, (script, "text", name, _MOST)),
                                             reference_length(STATE_GLOBAL, ("intent", "prev", name, _MOST)))))
    over = [(what, n) for what, n in longest if n > REFERENCE_LIMIT]
    if over:
        what, n = max(over, key=lambda item: item[1])
        raise PyProdError(f"script {script!r}: the loader would store {what} under a global reference of {n} "
                          f"characters, and IRIS allows {REFERENCE_LIMIT} in all",
                          fix="shorten the script's path, that file's path or that class's name; "
                              + see("name-too-long-for-a-global"))


def iris_store() -> SourceStore:
    """The source store of the namespace this IRIS process is in."""
    return SourceStore(IrisGlobals(SOURCES_GLOBAL), IrisGlobals(OWNERS_GLOBAL), IrisGlobals(STATE_GLOBAL),
                       IrisGlobals(sealing.KEY_GLOBAL))
