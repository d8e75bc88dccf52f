"""Commands that talk to IRIS: load, unload, status, start, stop, update, restart, messages, log,
doctor. The work is done by :mod:`intersystems_pyprod.director`; this module presents it."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

from intersystems_pyprod.director.collect import CollectError, collect, project_identity
from intersystems_pyprod.director.connection import INSTALL_PYPROD, USAGE, Director, DirectorError, connect
from intersystems_pyprod.director.settings import ConnectionSettings, SettingsError, resolve
from intersystems_pyprod.troubleshooting import see

from . import __version__, exitcodes
from .output import emit, print_changes
from .targets import Target
from .versions import run_export, run_history, run_rollback, script_name

CODES = {"failed": exitcodes.FAILED, "usage": exitcodes.USAGE, "unreachable": exitcodes.UNREACHABLE}


def settings_from(args: argparse.Namespace) -> ConnectionSettings:
    flags = {k: getattr(args, k, None) for k in ("host", "port", "namespace", "username", "password", "tls",
                                                  "timeout")}
    try:
        settings = resolve(flags)
    except SettingsError as exc:
        raise DirectorError(str(exc), "correct the setting", USAGE) from None
    return settings


def run(args: argparse.Namespace, command: str) -> int:
    """Run a server command; every failure is one message and an exit code."""
    try:
        if command == "load":
            return _load(args)
        settings = settings_from(args)
        if command == "plan":
            from .plan import run_plan

            return run_plan(args, settings)
        with connect(settings) as remote:
            handlers = {"unload": _unload, "status": _status, "start": _start, "doctor": _doctor,
                        "messages": _messages, "log": _log, "history": run_history, "rollback": run_rollback,
                        "export": run_export}
            handler = handlers[command] if command in handlers else _lifecycle(command)
            return handler(remote, args)
    except DirectorError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"ok": False, "error": exc.message, "fix": exc.fix}))
        else:
            print(f"error: {exc}", file=sys.stderr)
        return CODES[exc.kind]


def _scripts(args: argparse.Namespace) -> List[Target]:
    targets: List[Target] = args.targets
    for target in targets:
        path = target.path
        if not path.is_file():
            raise DirectorError(f"script {path} does not exist", "check the path")
        if path.suffix != ".py":
            raise DirectorError(f"{path} is not a .py file", "pass the Python script that defines your components")
    return targets


def _load(args: argparse.Namespace) -> int:
    targets = _scripts(args)  # checked before connecting
    bundles = []
    for target in targets:
        try:
            bundles.append(collect(target.path, target.root))
        except CollectError as exc:
            raise DirectorError(str(exc), "correct the script") from None
    settings = settings_from(args)
    results: List[Dict[str, Any]] = []
    with connect(settings) as remote:
        remote.require_pyprod()
        for root, entry, files in bundles:
            if not args.json:
                print(f"Loading {entry} into IRIS at {settings.where}...")
            result = remote.load(files, entry, texts=bool(args.output), project=project_identity(root),
                                 take_over=bool(getattr(args, "take_over", False)),
                                 overwrite_production=bool(getattr(args, "overwrite_production", False)))
            results.append(result)
            if args.output and result.get("ok") and result.get("incomplete"):
                result["ok"], result["committed"] = False, True  # loaded, but -o cannot be honoured
                result["error"] = (f"no class was written to {args.output}: {result['incomplete']}; load again with "
                                   "-o to get them")
                result["warnings"] = [w for w in result.get("warnings") or [] if w != result["incomplete"]]
            elif args.output and result.get("ok"):
                _write(Path(args.output), result.get("texts") or {})
            if not args.json:
                _print_result(result)
            if not result.get("ok"):
                break
    ok = all(r.get("ok") for r in results)
    if args.json:
        for result in results:
            result.pop("texts", None)
        print(json.dumps(results[0] if len(results) == 1 else {"ok": ok, "scripts": results}, indent=2))
    return exitcodes.OK if ok else exitcodes.FAILED


def _write(folder: Path, texts: Dict[str, str]) -> None:
    """Write the class texts the server returned: all or none, and only at paths their names give."""
    from intersystems_pyprod.loader.outfiles import class_file, write_all

    try:
        files = {class_file(name): str(text) for name, text in texts.items()}
        write_all(files, str(folder))
    except (ValueError, OSError) as exc:
        raise DirectorError(f"cannot write the classes to {folder}: {exc}", "no file was written; check -o DIR "
                           "and that the server is the PyProd loader you expect") from None


def _print_result(result: Dict[str, Any]) -> None:
    print_changes(result)
    if result.get("ok"):
        extra = f" (version {result.get('version')}"
        restarted = result.get("restarted") or []
        refreshed = result.get("refreshed") or []
        extra += f"; restarted {', '.join(restarted)}" if restarted else ""
        extra += f"; new code at the next callback of {', '.join(refreshed)}" if refreshed else ""
        extra += ")"
        print(f"Load finished successfully.{extra}")
    elif result.get("committed"):
        print(f"Load committed (version {result.get('version')}), but {result.get('error')}")
    else:
        print(f"Load failed: {result.get('error')}")


def _unload(remote: Director, args: argparse.Namespace) -> int:
    remote.require_pyprod()
    result = remote.unload(script_name(args.script))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for cls in result.get("classes", []):
            print(f"  {cls['action']:<10} {cls['name']}")
        print("Unload finished successfully." if result.get("ok") else f"Unload failed: {result.get('error')}")
    return exitcodes.OK if result.get("ok") else exitcodes.FAILED


def _status(remote: Director, args: argparse.Namespace) -> int:
    production = remote.production_status()
    scripts = remote.listing().get("scripts", []) if remote.has_class("PyProd.Loader") else []
    if args.json:
        print(json.dumps({"ok": True, **production, "scripts": scripts}, indent=2))
        return exitcodes.OK
    print(f"Production: {production['production'] or '(none)'}  state: {production['state']}")
    for script in scripts:
        print(f"Script {script['script']}: version {script['active']}, {len(script['classes'])} classes")
    return exitcodes.OK


def _start(remote: Director, args: argparse.Namespace) -> int:
    remote.director("StartProduction", *([args.production] if args.production else []))
    production = remote.production_status()['production']
    if args.json:
        emit({"ok": True, "started": production})
    else:
        print(f"Production started: {production}")
    return exitcodes.OK


#: stop/update/restart: the Ens.Director method and what to print after it.
LIFECYCLE = {"stop": ("StopProduction", "stopped"), "update": ("UpdateProduction", "updated"),
             "restart": ("RestartProduction", "restarted")}


def _lifecycle(command: str) -> Any:
    method, done = LIFECYCLE[command]

    def handler(remote: Director, args: argparse.Namespace) -> int:
        remote.director(method, args.timeout_stop, int(args.force))
        if args.json:
            emit({"ok": True, done: True})
        else:
            print(f"Production {done}.")
        return exitcodes.OK

    return handler


def _messages(remote: Director, args: argparse.Namespace) -> int:
    rows = remote.messages(session=args.session, limit=args.limit)
    if args.json:
        print(json.dumps({"ok": True, "messages": rows}, indent=2, default=str))
        return exitcodes.OK
    for row in rows:
        flag = "  ERROR" if row.get("IsError") else ""
        print(f"#{row['ID']} session {row['SessionId']} {row['TimeCreated']}  {row['SourceConfigName']} -> "
              f"{row['TargetConfigName']}  {row['MessageBodyClassName']} [{row['Status']}]{flag}")
        if row.get("Body"):
            print("    " + str(row["Body"]).replace("\n", "\n    "))
    return exitcodes.OK


def _log(remote: Director, args: argparse.Namespace) -> int:
    last = 0
    rows = remote.log(limit=args.limit)
    if args.json and not args.follow:  # one document; --follow prints one JSON line per entry
        emit({"ok": True, "entries": rows})
        return exitcodes.OK
    while True:
        for row in rows:
            last = max(last, int(row["ID"]))
            if args.json:
                print(json.dumps(row, default=str))
            else:
                print(f"{row['TimeLogged']} [{row['Type']}] {row['ConfigName'] or '-'} "
                      f"({row['SourceClass']}.{row['SourceMethod']}): {row['Text']}")
        if not args.follow:
            return exitcodes.OK
        sys.stdout.flush()
        time.sleep(args.interval)
        rows = remote.log(limit=1000, after_id=last)


#: Resources the commands need (the Requires keywords of PyProd.Loader, and Ens.Director's):
#: writing classes needs %Development; reading needs only what an interoperability operator has.
PRIVILEGES = (("%Development", "USE", "load, unload and restore"),
              ("%Ens_ProductionRun", "USE", "start, stop, update and restart"),
              ("%Ens_Portal", "USE", "status and the version check"),
              ("%Ens_MessageContent", "USE", "message bodies in messages"),
              ("%Ens_ProductionConfig", "READ", "graph --remote"))


def _library_check(namespace: str, running: str, library: Dict[str, Any]) -> Dict[str, Any]:
    """Whether the library the server runs for this namespace is the one its PyProd classes were
    installed with, from the namespace's own database (which a mirror fails over with it)."""
    stored, file = str(library.get("stored") or ""), str(library.get("file") or "")
    check: Dict[str, Any] = {"check": "pyprod library", "ok": False, "fix": ""}
    if not stored:
        check["detail"] = (f"namespace {namespace} holds no copy of the library (^PyProd.Lib); the server "
                           f"imported {running} from {file}, which is not mirrored and may not match the classes")
        check["fix"] = f"install PyProd in this namespace with IPM, which stores the library there: {INSTALL_PYPROD}"
    elif stored != running or not file.startswith("/pyprod-lib/"):
        check["detail"] = (f"the classes were installed with {stored}, but the server process runs {running} "
                           f"from {file}")
        check["fix"] = (f"reconnect (a process runs one library version); if it stays, install PyProd again: "
                        f"{INSTALL_PYPROD}")
    else:
        check.update(ok=True, detail=f"{stored} from namespace {namespace}'s database (^PyProd.Lib): it fails "
                                     "over with that database on a mirror")
    return check


def _doctor(remote: Director, args: argparse.Namespace) -> int:
    """Every check with its result and, when it fails, the fix."""
    checks: List[Dict[str, Any]] = [{"check": "connection", "ok": True, "detail": remote.settings.where}]
    interop = remote.interoperability_enabled()
    checks.append({"check": "interoperability", "ok": interop,
                   "detail": "enabled" if interop else "not enabled in this namespace",
                   "fix": "" if interop else "use an interoperability-enabled namespace or enable it with "
                                             f'##class(%EnsembleMgr).EnableNamespace("{remote.settings.namespace}")'})
    granted_all = set()
    for resource, permission, why in PRIVILEGES:
        granted = remote.has_privilege(resource, permission)
        if granted:
            granted_all.add(resource)
        checks.append({"check": f"privilege {resource}:{permission}", "ok": granted,
                       "detail": f"granted (for {why})" if granted else f"missing (needed for {why})",
                       "fix": "" if granted else
                       f"give {remote.settings.username} a role holding {resource}:{permission}"})
    refused = remote.can_write_uploads()
    checks.append({"check": "upload global", "ok": not refused,
                   "detail": "can write ^PyProd.Upload (load stages the sources there)" if not refused
                   else refused.split("\n")[0], "fix": refused.split("fix: ", 1)[-1] if refused else ""})
    installed = remote.has_class("PyProd.Loader")
    checks.append({"check": "pyprod installed", "ok": installed, "detail": "PyProd.Loader found" if installed
                   else "PyProd.Loader missing",
                   "fix": "" if installed else f"{INSTALL_PYPROD}; {see('pyprod-not-installed')}"})
    if installed and "%Ens_Portal" in granted_all:  # Info requires it, like status
        info = remote.info()
        server = str(info.get("version", ""))
        same = server.split(".")[:2] == __version__.split(".")[:2]
        checks.append({"check": "pyprod version", "ok": same, "detail": f"server {server}, cli {__version__}",
                       "fix": "" if same else "install matching versions: pip install intersystems-pyprod-cli "
                                              f"of the server's minor version, or upgrade PyProd: {INSTALL_PYPROD}; "
                                              f"{see('pyprod-version-mismatch')}"})
        if isinstance(info.get("library"), dict):  # servers before 0.3.0 do not say
            checks.append(_library_check(remote.settings.namespace, server, info["library"]))
        checks.append({"check": "embedded python", "ok": bool(info.get("python")),
                       "detail": f"Python {info.get('python') or 'unavailable'}",
                       "fix": "" if info.get("python") else "enable Embedded Python on the server"})
    ok = all(c["ok"] for c in checks)
    if args.json:
        print(json.dumps({"ok": ok, "checks": checks}, indent=2))
    else:
        for check in checks:
            mark = "ok  " if check["ok"] else "FAIL"
            print(f"[{mark}] {check['check']}: {check['detail']}")
            if not check["ok"] and check.get("fix"):
                print(f"       fix: {check['fix']}")
    return exitcodes.OK if ok else exitcodes.FAILED
