"""``--dry-run``: generate and check a script's classes without a server."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Dict, List, Tuple

from . import exitcodes
from .output import emit, user_output_to_stderr
from .targets import Target, manual_folder


def _package(built: Any) -> str:
    """The IRIS package of the script's own classes (0.2.0 names the --manual folder after it)."""
    own = [c.package for c in built.model.classes if c.py_module == built.model.module]
    return (own or [c.package for c in built.model.classes])[0]


def _server_checks(target: Target) -> Tuple[str, Dict[str, str], List[str]]:
    """The checks the server's loader runs on an upload before importing it (the same functions):
    its paths and names, and module names that would hide the standard library or an installed
    package. Returns the script name, the project files and warnings."""
    from intersystems_pyprod.director.collect import CollectError, collect
    from intersystems_pyprod.errors import PyProdError
    from intersystems_pyprod.loader.names import check_upload, script_name, shadowed
    from intersystems_pyprod.loader.store import module_of
    from intersystems_pyprod.troubleshooting import see

    if not target.path.is_file():
        return target.path.stem, {}, []  # the build names the missing file
    try:
        _root, entry, files = collect(target.path, target.root)
    except CollectError as exc:
        raise PyProdError(str(exc)) from None
    script = script_name(check_upload(files, entry))
    hidden = shadowed(sorted(module_of(p) for p in files))
    # a package installed here may be missing on the server (and the reverse): a warning only
    installed = [h for h in hidden if "(installed at " in h]
    hidden = [h for h in hidden if h not in installed]
    if hidden:
        raise PyProdError(f"script {script!r} has modules that would hide others: {', '.join(hidden)}",
                          fix="rename those modules of the project (e.g. put them in a package); "
                              + see("modules-that-would-hide-others"))
    return script, files, [f"module {h}: the server refuses the load if it has that package installed too"
                           for h in installed]


def run_dry(args: argparse.Namespace) -> int:
    """Build the classes of ``args.target`` in memory; write them only when all succeeded (to
    ``-o DIR``, or for ``--manual`` without it to the 0.2.0 folder beside the script)."""
    code, result = dry_result(args)
    return _finish(args, result, code)


def dry_result(args: argparse.Namespace) -> Tuple[int, Dict[str, Any]]:
    """The exit code and the result document of the dry run of ``args.target``."""
    from intersystems_pyprod.classgen import grammar
    from intersystems_pyprod.errors import PyProdError
    from intersystems_pyprod.loader.build import build, write_classes
    from intersystems_pyprod.loader.store import check_references

    result: Dict[str, Any] = {"ok": False, "dry_run": True, "classes": [], "warnings": [], "error": None}
    validate = False if args.no_validate else None
    target: Target = args.target
    folder = args.output
    try:
        script, files, notes = _server_checks(target)
        with user_output_to_stderr(args.json):
            built = build(str(target.path), validate=validate, root=target.root)
        check_references(script, sorted(files), [c.name for c in built.classes])
        if args.manual and not folder:
            folder = str(manual_folder(target, _package(built)))
        written = write_classes(built.classes, folder) if folder else []
    except PyProdError as exc:
        result["error"] = str(exc)
        return exitcodes.FAILED, result
    except OSError as exc:
        result["error"] = f"cannot write the classes to {folder}: {exc}"
        return exitcodes.FAILED, result
    except Exception as exc:  # an internal error: say so plainly, trace only on request
        result["error"] = exitcodes.internal_error(exc, args.debug)
        return exitcodes.FAILED, result

    paths = {cls.name: str(path) for cls, path in zip(built.classes, written)}
    result["ok"] = True
    result["classes"] = [{"name": c.name, "kind": c.kind, "action": "generated", "path": paths.get(c.name)}
                         for c in built.classes]
    result["warnings"] = [str(w) for w in built.model.warnings] + notes
    result["validated"] = built.validated
    result["output"] = folder
    if not built.validated and not args.no_validate:
        result["warnings"].append(f"warning: grammar check skipped: {grammar.REQUIREMENT} is not installed "
                                  "(pip install 'intersystems-pyprod-cli[validate]')")
    return exitcodes.OK, result


def _finish(args: argparse.Namespace, result: Dict[str, Any], code: int) -> int:
    if args.json:
        emit(result)
        return code
    for warning in result["warnings"]:
        print(warning if "warning:" in warning else f"warning: {warning}", file=sys.stderr)
    sys.stderr.flush()
    if result["error"]:
        print(f"error: {result['error']}", file=sys.stderr)
        print("Dry run failed; no files were written.", file=sys.stderr)
        return code
    classes: List[Dict[str, Any]] = result["classes"]
    width = max(len(c["name"]) for c in classes)
    kind_width = max(len(c["kind"]) for c in classes)
    for cls in classes:
        where = f"  -> {cls['path']}" if cls["path"] else ""
        print(f"Generated {cls['name']:<{width}}  {cls['kind']:<{kind_width}}{where}".rstrip())
    check = "grammar check passed" if result.get("validated") else "grammar check skipped"
    written = f", written to {result['output']}" if result.get("output") else ""
    count = f"{len(classes)} class" + ("" if len(classes) == 1 else "es")
    print(f"Dry run finished successfully: {count}, {check}{written}; nothing was sent to IRIS.")
    return code
