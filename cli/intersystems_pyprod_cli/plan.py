"""``plan``: what a load would do, asked of the server's loader, changing nothing. The work is
done by :meth:`intersystems_pyprod.director.Director.plan`; this module presents it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List

from intersystems_pyprod.director.collect import CollectError, collect, project_identity
from intersystems_pyprod.director.connection import DirectorError, connect

from . import exitcodes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The plan's own flags (the script, module and connection flags are the load's)."""
    parser.add_argument("--diff", action="store_true", help="show a unified diff of each class's text")
    parser.add_argument("--exit-code", action="store_true",
                        help="exit 1 when the load would change anything, 0 when not (for CI drift checks)")


def run_plan(args: argparse.Namespace, settings: Any) -> int:
    bundles = []
    for target in args.targets:
        if not target.path.is_file():
            raise DirectorError(f"script {target.path} does not exist", "check the path")
        try:
            bundles.append(collect(target.path, target.root))
        except CollectError as exc:
            raise DirectorError(str(exc), "correct the script") from None
    plans: List[Dict[str, Any]] = []
    with connect(settings) as remote:
        remote.require_pyprod()
        for root, entry, files in bundles:
            plan = remote.plan(files, entry, project=project_identity(root), diff=bool(args.diff),
                               take_over=bool(args.take_over), overwrite_production=bool(args.overwrite_production))
            plans.append(plan)
            if not args.json:
                show(plan, entry, settings.where)
    ok = all(p.get("ok") and not p.get("conflicts") for p in plans)
    if args.json:
        print(json.dumps(plans[0] if len(plans) == 1 else {"ok": ok, "scripts": plans}, indent=2))
    if not ok:
        return exitcodes.FAILED
    changed = any(p.get("changed") for p in plans)
    return exitcodes.FAILED if args.exit_code and changed else exitcodes.OK


def show(plan: Dict[str, Any], entry: str, where: str) -> None:
    """The plan as text: one line per class, then per production, restarts and conflicts."""
    if not plan.get("ok"):
        print(f"Plan failed: {plan.get('error')}")
        return
    for warning in plan.get("warnings") or []:
        print(f"warning: {warning}", file=sys.stderr)
    if not plan.get("changed") and not plan.get("conflicts"):
        print(f"No changes: loading {entry} into IRIS at {where} would change nothing.")
        return
    print(f"Loading {entry} into IRIS at {where} would do this (nothing was changed):")
    counts: Dict[str, int] = {}
    for cls in plan.get("classes") or []:
        counts[cls["action"]] = counts.get(cls["action"], 0) + 1
        print(f"  {cls['action']:<10} {cls['name']}")
    if plan.get("version") is None:
        print("  the sources would be stored as a new version of the script and made active")
    for _, diff in sorted((plan.get("diffs") or {}).items()):
        print(diff, end="")
    for production in plan.get("productions") or []:
        print(f"Production {production['name']} ({production['action']}):")
        for item in production.get("added") or []:
            print(f"  + item {item}")
        for item in production.get("removed") or []:
            print(f"  - item {item}")
        for change in production.get("changed") or []:
            print(f"  ~ {change['setting']}: {_shown(change['old'])} -> {_shown(change['new'])}")
    restarted, refreshed = plan.get("restarted") or [], plan.get("refreshed") or []
    if restarted:
        print(f"Running items that would restart: {', '.join(restarted)}")
    if refreshed:
        print(f"Running items that would run the new code at their next callback: {', '.join(refreshed)}")
    for conflict in plan.get("conflicts") or []:
        print(f"  conflict: {conflict}")
    summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
    verdict = "the load would be refused" if plan.get("conflicts") else "the load would succeed"
    print(f"Plan: {summary or 'no class changes'}; {verdict}.")


def _shown(value: Any) -> str:
    return "(none)" if value is None else repr(value)
