"""Command-line entry point. Keep imports here light: ``--help`` must start fast."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from . import __version__, exitcodes

DESCRIPTION = """\
Load a Python production script into InterSystems IRIS, generate its classes offline, or run
its production in-process.

  intersystems_pyprod --dry-run [-o DIR] SCRIPT.py   generate and check the classes, no server
  intersystems_pyprod run-local SCRIPT.py [...]      run the production in-process, no server

Exit codes: 0 success, 1 the input or the load failed, 2 usage error,
3 cannot reach or log in to the server.
"""

COMMANDS = ("load", "run-local")


def _load_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intersystems_pyprod", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"intersystems_pyprod {__version__}")
    parser.add_argument("script", metavar="SCRIPT.py", help="the Python script that defines the components")
    parser.add_argument("--dry-run", action="store_true",
                        help="work offline: generate and check the classes, send nothing to IRIS")
    parser.add_argument("-o", "--output", metavar="DIR", help="also write the generated classes under DIR")
    parser.add_argument("--json", action="store_true", help="print one JSON result object instead of text")
    parser.add_argument("--no-validate", action="store_true",
                        help="skip the ObjectScript grammar check of the generated classes")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks of internal errors")
    return parser


def _run_local_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intersystems_pyprod run-local",
        description="Run a script's production in-process (no IRIS) and print its event log and message "
                    "trace. Exit 0 when no error was logged, 1 otherwise.",
    )
    parser.add_argument("script", metavar="SCRIPT.py")
    parser.add_argument("--production", metavar="NAME", help="the Production class to run (when there are several)")
    parser.add_argument("--setting", action="append", default=[], metavar="ITEM.NAME=VALUE",
                        help="set a host or adapter setting by its Python attribute name (repeatable)")
    parser.add_argument("--send", action="append", default=[], metavar="ITEM=TEXT",
                        help="call that service's ProcessInput with TEXT (repeatable)")
    parser.add_argument("--duration", type=float, default=0.0, metavar="SECONDS",
                        help="run inbound adapters on their call interval for this long")
    parser.add_argument("--json", action="store_true", help='print {"log": [...], "trace": [...]}')
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks of internal errors")
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
    args_list = sys.argv[1:] if argv is None else argv
    command = args_list[0] if args_list and args_list[0] in COMMANDS else "load"
    if args_list and args_list[0] in COMMANDS:
        args_list = args_list[1:]
    try:
        if command == "run-local":
            args = _parse(_run_local_parser(), args_list)
            if args is None:
                return exitcodes.USAGE
            from .runlocal import run_local

            return run_local(args)
        args = _parse(_load_parser(), args_list)
    except SystemExit:
        return exitcodes.OK
    if args is None:
        return exitcodes.USAGE
    if not args.dry_run:
        print("intersystems_pyprod: loading into a server is not available in this version; "
              "use --dry-run to generate the classes offline, or run-local to run them in-process",
              file=sys.stderr)
        return exitcodes.USAGE
    from .dryrun import run_dry

    return run_dry(args)


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
