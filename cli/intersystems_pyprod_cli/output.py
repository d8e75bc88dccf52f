"""Where the command line's output goes: with ``--json`` stdout carries exactly one JSON document,
and everything else (a user's ``print()``, warnings, progress) goes to stderr."""

from __future__ import annotations

import contextlib
import json
import sys
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
