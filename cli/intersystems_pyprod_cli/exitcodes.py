"""Exit codes shared by every command."""

OK = 0
#: The input or the load failed (bad script, compile error, failed command).
FAILED = 1
#: The command line is wrong.
USAGE = 2
#: The server cannot be reached or refused the login.
UNREACHABLE = 3
