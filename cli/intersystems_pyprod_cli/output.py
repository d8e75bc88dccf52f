"""Where the command line's output goes: with ``--json`` stdout carries exactly one JSON document,
and everything else (a user's ``print()``, warnings, progress) goes to stderr."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, TextIO


def wants_json(argv: List[str]) -> bool:
    """Whether ``--json`` is among the options (not after ``--``)."""
    for token in argv:
        if token == "--":
            return False
        if token == "--json":
            return True
    return False


def safe_streams() -> None:
    """Text that cannot be encoded (a lone surrogate, a character the terminal's code page lacks) is
    printed as a backslash escape instead of ending the command with a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream that cannot change (already written, detached)
                pass


@contextlib.contextmanager
def user_output_to_stderr(active: bool = True) -> Iterator[TextIO]:
    """While the user's code runs, its ``print()`` goes to stderr (when ``active``); yields the
    real stdout, where the JSON document is written."""
    real = sys.stdout
    if not active:
        yield real
        return
    with contextlib.redirect_stdout(sys.stderr):
        yield real


def emit(document: Dict[str, Any], stream: Any = None) -> None:
    """Print ``document`` as the one JSON document of the command."""
    out = sys.stdout if stream is None else stream
    out.write(json.dumps(document, indent=2, default=str) + "\n")
    out.flush()


def fail(message: str, as_json: bool, prog: str = "error", stream: Any = None, **extra: Any) -> None:
    """Report a failure: ``{"ok": false, "error": ...}`` on stdout with ``--json``, else
    ``PROG: MESSAGE`` on stderr."""
    if as_json:
        emit({"ok": False, "error": message, **extra}, stream)
    else:
        print(f"{prog}: {message}", file=sys.stderr)


def folder_problem(folder: str) -> str:
    """Why the output folder ``folder`` cannot be written ("" when it can): checked before anything
    is generated, so a refused folder never leaves half the files."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        return f"-o {folder} is a file, not a folder; pass a folder (it is created when missing)"
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        return f"-o {folder}: {probe} is a file, so the folder cannot be created there"
    if not os.access(probe, os.W_OK | os.X_OK):
        made = "" if probe == path else f" (to create {folder} in)"
        return f"-o {folder}: folder {probe}{made} is not writable for this user"
    return ""


def print_changes(result: Dict[str, Any]) -> None:
    """One line per class of a load, restore or rollback result (with its compile errors), and its
    warnings on stderr."""
    for cls in result.get("classes", []):
        print(f"  {cls['action']:<10} {cls['name']}")
        for error in cls.get("errors") or []:
            print(f"             {error}")
    for warning in result.get("warnings") or []:
        print(f"warning: {warning}", file=sys.stderr)
