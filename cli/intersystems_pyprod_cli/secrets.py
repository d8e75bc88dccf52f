"""Keep passwords out of everything the command line prints."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Iterable, List, NoReturn, Optional

#: Environment variables that hold the password.
PASSWORD_VARIABLES = ("IRIS_PASSWORD", "IRISPASSWORD")


def _looks_like_password_option(token: str) -> bool:
    name = token.lstrip("-").split("=", 1)[0].lower().replace("_", "").replace("-", "")
    return token.startswith("-") and ("pass" in name or name in ("pw", "pwd", "pasword", "passwrd", "secret"))


def secret_values(argv: Iterable[str]) -> List[str]:
    """Values that may be passwords: the word after a password-like option, ``--password=VALUE``, the environment."""
    tokens = list(argv)
    found: List[str] = []
    for index, token in enumerate(tokens):
        if not _looks_like_password_option(token):
            continue
        if "=" in token:
            found.append(token.split("=", 1)[1])
        elif index + 1 < len(tokens):
            found.append(tokens[index + 1])
    found.extend(os.environ[v] for v in PASSWORD_VARIABLES if os.environ.get(v))
    return [v for v in found if v]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***`` where it stands as a value (see
    :func:`intersystems_pyprod.director.settings.mask`)."""
    from intersystems_pyprod.director.settings import mask

    return mask(text, secrets)


class SafeParser(argparse.ArgumentParser):
    """An argument parser whose errors never echo argument values."""

    secrets: List[str] = []
    #: With ``--json`` the error is a JSON document on stdout, like every other outcome.
    as_json: bool = False

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            names = [t for t in message[len(prefix):].split() if t.startswith("-")]
            message = (f"unrecognized options: {' '.join(n.split('=', 1)[0] for n in names)}" if names
                       else "unexpected extra arguments") + " (values are not shown)"
        message = scrub(message, self.secrets)
        if self.as_json:
            from .output import emit

            emit({"ok": False, "error": f"{self.prog}: {message}", "usage": self.format_usage().strip()})
            self.exit(2)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def safe_parser(secrets: List[str], as_json: bool = False, **options: Any) -> SafeParser:
    """A :class:`SafeParser` that also scrubs ``secrets`` (and reports in JSON when ``as_json``)."""
    parser = SafeParser(**options)
    parser.secrets = secrets
    parser.as_json = as_json
    return parser


def settings_password(args: Optional[argparse.Namespace]) -> List[str]:
    """The password the connection settings resolve to (flags, environment, .env, pyproject), if any."""
    if args is None:
        return []
    try:
        from intersystems_pyprod.director.settings import resolve

        flags = {k: getattr(args, k, None) for k in ("host", "port", "namespace", "username", "password", "tls",
                                                      "timeout")}
        password = resolve(flags).password
    except Exception:  # the settings themselves are broken: nothing more to hide
        return []
    return [password] if password else []
