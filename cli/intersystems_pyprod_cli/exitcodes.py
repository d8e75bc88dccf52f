"""Exit codes shared by every command."""

OK = 0
#: The input or the load failed (bad script, compile error, failed command).
FAILED = 1
#: The command line is wrong.
USAGE = 2
#: The server cannot be reached or refused the login.
UNREACHABLE = 3


def internal_error(exc: BaseException, debug: bool) -> str:
    """The one-line report of an unexpected exception; the traceback goes to stderr with --debug."""
    if debug:
        import traceback

        traceback.print_exc()
    return f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)"
