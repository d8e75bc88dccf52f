"""What a load or unload may delete: nothing a production, a process in flight or a stored
message still uses (IRIS_REFERENCE bug magnet 34).

``Namespace.uses`` answers, for each class about to be deleted, which production items name it
(``Ens.Config.Item``), whether any message header names it as its body class, whether instances
of it as a business process are not completed, and which production is running. The rules:

* an item of a production this change does not regenerate or delete names the class: refused
  (deleting it would leave that item without its class);
* the class is the running production, or an item of it: refused until the production stops;
* process instances of it are in flight: refused (they could not be reopened);
* stored messages have bodies of it: the class is kept (the Message Viewer opens them through
  it), still owned by the script, and the result says how to delete it once they are purged.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Mapping, Tuple

from ..troubleshooting import see


def check_deletions(uses: Mapping[str, Mapping[str, Any]], names: List[str],
                    own: Iterable[str]) -> Tuple[List[str], List[str], List[str]]:
    """(classes to keep, reasons the change is refused, warnings) for deleting ``names``; ``own``:
    the classes the change regenerates or deletes (its own productions among them)."""
    mine = {n.lower() for n in own}
    kept: List[str] = []
    refused: List[str] = []
    warnings: List[str] = []
    for name in names:
        use = uses.get(name) or {}
        running = str(use.get("running") or "")
        if running and running.lower() == name.lower():
            refused.append(f"production {name} is running; stop it before its class is deleted; {see('class-in-use')}")
            continue
        for production, item in use.get("items") or []:
            if str(production).lower() not in mine:
                refused.append(f"{name} is the class of item {item} of production {production}; remove that item "
                               "(or give it another class) first, or keep the class in the script; "
                               + see("class-in-use"))
            elif running and str(production).lower() == running.lower():
                refused.append(f"{name} is the class of item {item} of the running production {production}; stop "
                               "the production, load again, then start it; " + see("class-in-use"))
        if use.get("inflight"):
            refused.append(f"{name} has business process instances that have not completed; let them complete "
                           "(or abort them in the portal) before its class is deleted; " + see("class-in-use"))
        if use.get("bodies") and not refused:
            kept.append(name)
            warnings.append(f"kept {name}: stored messages have bodies of it, which the Message Viewer opens through "
                            f"the class; delete it by hand once they are purged (do $SYSTEM.OBJ.Delete(\"{name}\"))")
    return kept, refused, warnings
