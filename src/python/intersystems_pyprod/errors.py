"""Errors and warnings reported to users about their scripts."""

from __future__ import annotations

import dataclasses
from typing import Optional


@dataclasses.dataclass(frozen=True)
class Location:
    """A place in a user's source file."""

    file: str
    line: Optional[int] = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class PyProdError(Exception):
    """A problem in the user's input: names the cause, where it is and how to fix it."""

    def __init__(self, message: str, *, where: Optional[Location] = None, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.fix = fix

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


@dataclasses.dataclass(frozen=True)
class PyProdWarning:
    """Something worth knowing that does not stop a load."""

    message: str
    where: Optional[Location] = None

    def __str__(self) -> str:
        return f"{self.where}: warning: {self.message}" if self.where else f"warning: {self.message}"
