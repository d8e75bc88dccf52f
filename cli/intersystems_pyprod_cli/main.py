"""Command-line entry point. Keep imports here light: ``--help`` must start fast."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from . import __version__, exitcodes

DESCRIPTION = """\
Load a Python production script into InterSystems IRIS, or generate its classes offline.

  intersystems_pyprod --dry-run [-o DIR] SCRIPT.py   generate and check the classes, no server

Exit codes: 0 success, 1 the input or the load failed, 2 usage error,
3 cannot reach or log in to the server.
"""


def _parser() -> argparse.ArgumentParser:
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


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit code."""
    args_list = sys.argv[1:] if argv is None else argv
    if args_list and args_list[0] == "load":
        args_list = args_list[1:]
    parser = _parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:
        return exitcodes.USAGE if exc.code not in (0, None) else exitcodes.OK
    if not args.dry_run:
        print("intersystems_pyprod: loading into a server is not available in this version; "
              "use --dry-run to generate the classes offline", file=sys.stderr)
        return exitcodes.USAGE
    from .dryrun import run_dry

    return run_dry(args)


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
