"""Argument types that name the flag's rule when a value breaks it (argparse adds the flag)."""

from __future__ import annotations

import argparse
import math
from typing import Callable


def whole(low: int, what: str) -> Callable[[str], int]:
    """A whole number of at least ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; give {what}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{text} is too small; give {what}")
        return value

    return parse


def seconds(low: float, what: str, *, above: bool = False) -> Callable[[str], float]:
    """A finite number of seconds, at least ``low`` (more than ``low`` when ``above``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds; give {what}") from None
        if not math.isfinite(value) or value < low or (above and value == low):
            raise argparse.ArgumentTypeError(f"{text} cannot be used; give {what}")
        return value

    return parse
