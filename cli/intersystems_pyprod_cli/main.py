"""Command-line entry point. Keep imports here light: ``--help`` must start fast."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import __version__, exitcodes
from .argtypes import seconds, whole
from .output import fail, safe_streams, wants_json
from .secrets import safe_parser, secret_values, settings_password

DESCRIPTION = """\
Load Python production scripts into InterSystems IRIS, generate their classes offline, or run
their production in-process.

  intersystems_pyprod SCRIPT.py [MORE.py ...]         load into IRIS (same as: load SCRIPT.py)
  intersystems_pyprod --dry-run [-o DIR] SCRIPT.py   generate and check the classes, no server
  intersystems_pyprod --manual [-o DIR] SCRIPT.py    the same, always writing the classes to files
  intersystems_pyprod -m PKG.MODULE [-s DIR] ...      a module instead of a script path
  intersystems_pyprod run-local SCRIPT.py [...]      run the production in-process, no server
  intersystems_pyprod graph SCRIPT.py [-o page.html]  draw the production (Mermaid, DOT, JSON, HTML)
  intersystems_pyprod unload|status|start|stop|update|restart|messages|log|doctor [...]
  intersystems_pyprod plan SCRIPT.py [--diff] [--exit-code]   what a load would do, changing nothing
  intersystems_pyprod history SCRIPT | rollback SCRIPT [--to N]   stored versions, and going back
  intersystems_pyprod export PRODUCTION [-o FILE.py]  a production of the namespace as Python

Connection: --host --port --namespace --username --password --tls --timeout, else the
environment (IRIS_HOST, IRIS_PORT, IRIS_NAMESPACE, IRIS_USERNAME, IRIS_PASSWORD, IRIS_TLS,
IRIS_TIMEOUT; also IRISNAMESPACE, IRISUSERNAME, IRISPASSWORD), else .env or
[tool.intersystems_pyprod] in pyproject.toml, else localhost:1972/USER.

Exit codes: 0 success, 1 the input or the load failed, 2 usage error,
3 cannot reach or log in to the server, 130 Ctrl-C stopped run-local or a server command.
"""

SERVER_COMMANDS = ("unload", "status", "start", "stop", "update", "restart", "messages", "log", "doctor",
                   "history", "rollback", "export")
COMMANDS = ("load", "run-local", "graph", "plan", *SERVER_COMMANDS)


def _connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument("--host", help="IRIS host (IRIS_HOST; default localhost)")
    group.add_argument("--port", help="superserver port (IRIS_PORT; default 1972)")
    group.add_argument("--namespace", help="namespace (IRIS_NAMESPACE; default USER)")
    group.add_argument("--username", help="user (IRIS_USERNAME)")
    group.add_argument("--password", help="password (IRIS_PASSWORD; prefer the environment)")
    group.add_argument("--tls", metavar="CONFIG", help="client TLS configuration name (IRIS_TLS)")
    group.add_argument("--timeout", help="connection timeout in seconds (IRIS_TIMEOUT; default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON result object instead of text")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks of internal errors")


def _load_parser(secrets: List[str]) -> argparse.ArgumentParser:
    parser = safe_parser(secrets, prog="intersystems_pyprod", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"intersystems_pyprod {__version__}")
    parser.add_argument("scripts", metavar="SCRIPT.py", nargs="*", help="scripts that define the components")
    parser.add_argument("--dry-run", action="store_true",
                        help="work offline: generate and check the classes, send nothing to IRIS")
    parser.add_argument("-o", "--output", metavar="DIR", help="also write the generated classes under DIR")
    parser.add_argument("--manual", action="store_true",
                        help="write the classes to files to load yourself, send nothing to IRIS (--dry-run "
                             "that writes to -o DIR, else to PACKAGE_classes beside the script)")
    parser.add_argument("-m", "--module", metavar="DOTTED.NAME",
                        help="the module to load, found under the source root or the current folder "
                             "(instead of SCRIPT.py)")
    parser.add_argument("-s", "--source-root", metavar="DIR",
                        help="the project's source root: module names are the scripts' paths relative to it")
    parser.add_argument("--no-validate", action="store_true",
                        help="skip the ObjectScript grammar check of the generated classes (--dry-run)")
    parser.add_argument("--watch", action="store_true",
                        help="keep running: load again whenever the scripts or the project modules they import "
                             "change (Ctrl-C stops)")
    parser.add_argument("--take-over", action="store_true",
                        help="replace a loaded script of the same name from another project, and take over "
                             "the classes and modules other scripts generated")
    parser.add_argument("--overwrite-production", action="store_true",
                        help="regenerate a production changed in the portal since the last load, dropping "
                             "those changes (without it such a load is refused and lists them)")
    _connection_options(parser)
    return parser


def _plan_parser(secrets: List[str]) -> argparse.ArgumentParser:
    from .plan import add_arguments

    parser = safe_parser(secrets, prog="intersystems_pyprod plan",
                         description="Show what loading the scripts would do, changing nothing: classes created, "
                                     "updated, deleted or unchanged, production items and settings, restarts "
                                     "and conflicts. Exit 1 when the load would be refused.")
    parser.add_argument("scripts", metavar="SCRIPT.py", nargs="*", help="scripts that define the components")
    parser.add_argument("-m", "--module", metavar="DOTTED.NAME", help="the module to plan (instead of SCRIPT.py)")
    parser.add_argument("-s", "--source-root", metavar="DIR", help="the project's source root")
    parser.add_argument("--take-over", action="store_true", help="plan a load with --take-over")
    parser.add_argument("--overwrite-production", action="store_true",
                        help="plan a load with --overwrite-production")
    add_arguments(parser)
    _connection_options(parser)
    return parser


def _run_local_parser(secrets: List[str]) -> argparse.ArgumentParser:
    parser = safe_parser(
        secrets,
        prog="intersystems_pyprod run-local",
        description="Run a script's production in-process (no IRIS) and print its event log and message "
                    "trace. Exit 0 when no error was logged, 1 otherwise.",
    )
    parser.add_argument("script", metavar="SCRIPT.py")
    parser.add_argument("--production", metavar="NAME|PATH.cls",
                        help="the Production class to run (when there are several), or an ObjectScript production "
                             "class file (.cls) whose items use the script's classes")
    parser.add_argument("--setting", action="append", default=[], metavar="ITEM.NAME=VALUE",
                        help="set a host or adapter setting by its Python attribute name or exact IRIS name "
                             "(repeatable)")
    parser.add_argument("--send", action="append", default=[], metavar="ITEM=TEXT",
                        help="call that service's ProcessInput with TEXT (repeatable)")
    parser.add_argument("--duration", type=seconds(0, "0 or more seconds"), default=0.0, metavar="SECONDS",
                        help="run inbound adapters on their call interval for this long")
    parser.add_argument("--timeout", type=seconds(0, "0 (no limit) or more seconds"), default=0.0,
                        metavar="SECONDS",
                        help="stop and exit 1 when the run takes longer than this (0: no limit)")
    parser.add_argument("--json", action="store_true",
                        help='print one JSON document {"ok", "errors", "error", "log": [...], "trace": [...]} '
                             'with whole message bodies')
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks of internal errors")
    parser.add_argument("--watch", action="store_true",
                        help="keep running: run again whenever the script, its project modules or the .cls "
                             "production change (Ctrl-C stops)")
    return parser


def _graph_parser(secrets: List[str]) -> argparse.ArgumentParser:
    from .graph import add_arguments

    parser = safe_parser(secrets, prog="intersystems_pyprod graph",
                         description="Draw a production: one node per item, an arrow for each setting that names "
                                     "other items, labelled with the setting and the messages sent through it.")
    add_arguments(parser)
    _connection_options(parser)
    return parser


def _server_parser(command: str, secrets: List[str]) -> argparse.ArgumentParser:
    helps = {
        "unload": "Delete the classes a script generated and forget its sources.",
        "status": "Show the production status and the loaded scripts.",
        "start": "Start a production (the last one when no name is given).",
        "stop": "Stop the running production.", "update": "Apply configuration changes to the running production.",
        "restart": "Restart the running production.",
        "messages": "Show recent messages (of one session) with their bodies.",
        "log": "Show the end of the event log; --follow keeps printing new entries.",
        "doctor": "Check the connection, Interoperability, PyProd and its version, and Embedded Python.",
        "history": "List the stored versions of a loaded script, newest first (* marks the active one).",
        "export": "Write a production of the namespace as a Python production declaration of this library "
                  "(Python hosts by their classes, ObjectScript hosts by class name).",
        "rollback": "Make a stored version of a loaded script active again (default: the one before the active "
                    "one), all or nothing, as a load.",
    }
    parser = safe_parser(secrets, prog=f"intersystems_pyprod {command}", description=helps[command])
    if command in ("unload", "history", "rollback"):
        parser.add_argument("script", metavar="SCRIPT", help="script path or loaded script name")
    if command == "rollback":
        parser.add_argument("--to", type=int, metavar="N", help="the version to restore (see history; default: the "
                                                                 "one before the active one)")
        parser.add_argument("--overwrite-production", action="store_true",
                            help="restore even when it drops changes made in the portal to a production")
    if command == "start":
        parser.add_argument("production", nargs="?", help="production class name")
    if command == "export":
        parser.add_argument("production", metavar="PRODUCTION", help="production class name")
        parser.add_argument("-o", "--output", metavar="FILE.py", help="write the declaration here (default: stdout)")
    if command == "messages":
        parser.add_argument("--session", type=whole(1, "a session number"), help="only this session")
        parser.add_argument("--limit", type=whole(1, "how many messages, 1 or more"), default=20,
                            help="how many (default 20)")
    if command == "log":
        parser.add_argument("--limit", type=whole(0, "how many entries, 0 or more"), default=50,
                            help="how many entries first (default 50)")
        parser.add_argument("--follow", action="store_true", help="keep printing new entries (Ctrl-C stops)")
        parser.add_argument("--interval", type=seconds(0, "more than 0 seconds", above=True), default=1.0,
                            help="seconds between polls with --follow")
    if command in ("stop", "update", "restart"):
        parser.add_argument("--wait", dest="timeout_stop", type=whole(0, "whole seconds, 0 or more"), default=10,
                            metavar="SECONDS",
                            help="seconds to wait for jobs (default 10)")
        parser.add_argument("--force", action="store_true", help="force jobs down after the wait")
    _connection_options(parser)
    return parser


def _parse(parser: argparse.ArgumentParser, argv: List[str]) -> Optional[argparse.Namespace]:
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:
        if exc.code in (0, None):
            raise
        return None


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit code."""
    safe_streams()
    args_list = sys.argv[1:] if argv is None else argv
    as_json = wants_json(args_list)
    command = args_list[0] if args_list and args_list[0] in COMMANDS else "load"
    if args_list and args_list[0] in COMMANDS:
        args_list = args_list[1:]
    secrets = secret_values(args_list)
    mistyped = _mistyped_command(args_list) if command == "load" else None
    if mistyped:
        fail(mistyped, as_json, "intersystems_pyprod: error")
        return exitcodes.USAGE
    builders: Dict[str, Callable[[List[str]], argparse.ArgumentParser]] = {"load": _load_parser,
                                                                             "run-local": _run_local_parser,
                                                                             "graph": _graph_parser,
                                                                             "plan": _plan_parser}
    parser = builders.get(command, lambda s: _server_parser(command, s))(secrets)
    if hasattr(parser, "as_json"):
        parser.as_json = as_json
    try:
        args = _parse(parser, args_list)
    except SystemExit:
        return exitcodes.OK
    if args is None:
        return exitcodes.USAGE
    if command == "graph":
        from .graph import run_graph

        return run_graph(args)
    if command == "run-local":
        from .runlocal import run_local

        if args.watch:
            return _watch(lambda: run_local(args), [args.script], [None], args.production, "")
        return run_local(args)
    if command in ("load", "plan"):
        from .targets import TargetError, resolve_targets

        try:
            args.targets = resolve_targets(args)
        except TargetError as exc:
            fail(str(exc), args.json, "intersystems_pyprod: error")
            return exitcodes.USAGE
        from .output import folder_problem

        output = getattr(args, "output", None)  # plan writes nothing
        problem = folder_problem(output) if output else ""
        if problem:
            fail(problem, args.json, "intersystems_pyprod: error")
            return exitcodes.USAGE
    if command == "load" and args.watch:
        kept = "the classes written last stay" if args.dry_run or args.manual else "the version loaded last stays"
        return _watch(lambda: _load_or_run(args, command, secrets), [t.path for t in args.targets],
                      [t.root for t in args.targets], None, f"; {kept} in place",
                      fatal=() if args.dry_run or args.manual else (exitcodes.UNREACHABLE, exitcodes.USAGE))
    return _load_or_run(args, command, secrets)


def _mistyped_command(argv: List[str]) -> Optional[str]:
    """For ``runlocal`` and the like (a first word that is no command, file or script): the error
    naming the command meant."""
    import difflib
    from pathlib import Path

    if not argv or argv[0].startswith("-") or argv[0].endswith(".py") or Path(argv[0]).exists():
        return None
    word = argv[0]
    known = (*COMMANDS, "--dry-run", "--manual", "--watch")
    squashed = {c.replace("-", ""): c for c in known}
    close = squashed.get(word.lower().replace("-", "").replace("_", "")) or next(
        iter(difflib.get_close_matches(word.lower(), known, n=1, cutoff=0.75)), None)
    if close is None:
        return None
    helping = "intersystems_pyprod --help" if close.startswith("-") else f"intersystems_pyprod {close} --help"
    return f"unknown command {word!r}; did you mean {close!r}? ({helping} shows the options)"


def _watch(command: Callable[[], int], scripts: List[str], roots: List[Any], production: Optional[str],
           kept: str, fatal: Tuple[int, ...] = ()) -> int:
    """Run ``command`` now and after every change to the project's files, until Ctrl-C; a first run
    that ends with an exit code in ``fatal`` (no server, bad settings) ends the watch with it."""
    from pathlib import Path

    from .watch import Watcher, project_files

    sys.dont_write_bytecode = True  # every run imports the edited sources, never a stale cache

    def once() -> int:
        code = command()
        if code != exitcodes.OK:
            print(f"That failed{kept}. Fix the error and save again.", flush=True)
        return code

    def files() -> List[Path]:
        found = project_files([Path(s) for s in scripts], roots)
        if production and production.lower().endswith(".cls"):
            found.append(Path(production).resolve())
        return found

    return Watcher(once, files, fatal=fatal).run()


def interrupted(command: str) -> str:
    """What Ctrl-C during a server command leaves: the call may still finish on the server."""
    if command in ("load", "unload", "rollback", "update", "restart", "start", "stop"):
        return (f"interrupted (Ctrl-C) while waiting for IRIS; a {command} already sent runs to its end "
                "there (all or nothing), so look with `intersystems_pyprod status` and `intersystems_pyprod "
                "history` before running it again")
    return "interrupted (Ctrl-C) while waiting for IRIS; nothing was changed by this command"


def _load_or_run(args: argparse.Namespace, command: str, secrets: List[str]) -> int:
    if command == "load" and (args.dry_run or args.manual):
        from .dryrun import dry_result, run_dry

        code = exitcodes.OK
        results = []
        for target in args.targets:
            args.target = target
            if args.json and len(args.targets) > 1:  # one document for all the scripts
                target_code, result = dry_result(args)
                code = max(code, target_code)
                results.append(result)
            else:
                code = max(code, run_dry(args))
        if results:
            from .output import emit

            emit({"ok": code == exitcodes.OK, "dry_run": True, "scripts": results})
        return code
    from .remote import run

    try:
        return run(args, command)
    except KeyboardInterrupt:
        if getattr(args, "watch", False):
            raise  # the watch loop ends
        if command == "log" and getattr(args, "follow", False):
            return exitcodes.OK  # log --follow ends with Ctrl-C
        fail(interrupted(command), args.json, interrupted=True)
        return exitcodes.INTERRUPTED
    except Exception as exc:  # an internal error: say so plainly, trace only on request
        hidden = secrets + settings_password(args)
        fail(exitcodes.internal_error(exc, args.debug, hidden), args.json)
        return exitcodes.FAILED


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
