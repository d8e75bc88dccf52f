"""``history`` and ``rollback``: the stored versions of a loaded script, and going back to one;
``export``: a production of the namespace as a Python declaration.
The work is done by :class:`intersystems_pyprod.director.Director`; this module presents it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict

from intersystems_pyprod.director.collect import project_root
from intersystems_pyprod.director.connection import Director

from . import exitcodes
from .output import print_changes


def script_name(text: str) -> str:
    """The loaded script a command names: a ``.py`` path (relative to its project's source root),
    or the name ``status`` and ``history`` show."""
    target = Path(text)
    if target.suffix != ".py":
        return text
    if not target.exists():
        return target.with_suffix("").as_posix()
    root, _ = project_root(target.resolve())
    return target.resolve().relative_to(root).with_suffix("").as_posix()


def run_history(remote: Director, args: argparse.Namespace) -> int:
    remote.require_pyprod()
    result = remote.history(script_name(args.script))
    if args.json:
        print(json.dumps(result, indent=2))
    elif not result.get("ok"):
        print(f"History failed: {result.get('error')}")
    else:
        print(f"Script {result['script']}" + (f" (project {result['project']})" if result.get("project") else ""))
        for version in result.get("versions") or []:
            print(_version_line(version))
    return exitcodes.OK if result.get("ok") else exitcodes.FAILED


def _version_line(version: Dict[str, Any]) -> str:
    mark = "*" if version.get("active") else " "
    classes = version.get("classes")
    counted = "classes not recorded" if classes is None else f"{len(classes)} classes"
    line = (f"{mark} {version['number']:>4}  {version.get('time') or '-':<19}  {version.get('user') or '-':<12}  "
            f"{str(version.get('hash') or '')[:12]}  {counted}")
    return line + ("  (active)" if version.get("active") else "")


def run_rollback(remote: Director, args: argparse.Namespace) -> int:
    remote.require_pyprod()
    name = script_name(args.script)
    result = remote.rollback(name, args.to, overwrite_production=bool(args.overwrite_production))
    if args.json:
        result.pop("texts", None)
        print(json.dumps(result, indent=2))
        return exitcodes.OK if result.get("ok") else exitcodes.FAILED
    print_changes(result)
    if result.get("ok"):
        restarted = result.get("restarted") or []
        extra = f"; restarted {', '.join(restarted)}" if restarted else ""
        print(f"Rollback finished successfully: script {name} is at version {result.get('version')}{extra}.")
    else:
        print(f"Rollback failed: {result.get('error')}")
    return exitcodes.OK if result.get("ok") else exitcodes.FAILED


def run_export(remote: Director, args: argparse.Namespace) -> int:
    """A production of the namespace as a Python declaration, to -o FILE or stdout."""
    result = remote.export_production(args.production)
    if result.get("ok") and args.output:
        try:
            Path(args.output).write_text(result["source"], encoding="utf-8")
        except OSError as exc:
            result = {**result, "ok": False, "error": f"cannot write {args.output}: {exc}"}
    if args.json:
        print(json.dumps(result, indent=2))
    elif not result.get("ok"):
        print(f"Export failed: {result.get('error')}", file=sys.stderr)
    else:
        for note in result.get("notes") or []:
            print(f"warning: {note}", file=sys.stderr)
        if args.output:
            print(f"Production {args.production} written to {args.output}; check it with: intersystems_pyprod "
                  f"--dry-run {args.output}")
        else:
            print(result["source"], end="")
    return exitcodes.OK if result.get("ok") else exitcodes.FAILED
