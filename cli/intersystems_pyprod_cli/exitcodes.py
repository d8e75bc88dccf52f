"""Exit codes shared by every command."""

from typing import Iterable

OK = 0
#: The input or the load failed (bad script, compile error, failed command).
FAILED = 1
#: The command line is wrong.
USAGE = 2
#: The server cannot be reached or refused the login.
UNREACHABLE = 3
#: Ctrl-C stopped the command (128 + SIGINT, as shells report it).
INTERRUPTED = 130


def internal_error(exc: BaseException, debug: bool, secrets: Iterable[str] = ()) -> str:
    """The one-line report of an unexpected exception; the traceback goes to stderr with --debug.
    Both have every one of ``secrets`` replaced by ``***``."""
    from .secrets import scrub

    if debug:
        import sys
        import traceback

        print(scrub(traceback.format_exc(), secrets), end="", file=sys.stderr)
    return scrub(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)", secrets)
