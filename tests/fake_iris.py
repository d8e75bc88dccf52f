"""A small fake of the embedded ``iris`` module, for runtime unit tests (not shipped).

It records every call so tests can check the runtime speaks to IRIS as IRIS expects.
"""

from __future__ import annotations

from typing import Any, List, Tuple


class FakeStatusApi:
    def __init__(self, calls: List[Tuple[Any, ...]]) -> None:
        self._calls = calls

    def Error(self, code: int, text: str) -> str:
        self._calls.append(("Status.Error", code, text))
        return "0 " + chr(1) + f"ERROR #{code}: {text}"

    def GetErrorText(self, status: Any) -> str:
        return str(status).split(chr(1), 1)[-1]


class FakeLog:
    def __init__(self, calls: List[Tuple[Any, ...]]) -> None:
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        def log(*args: Any) -> int:
            self._calls.append(("Ens.Util.Log", name, *args))
            return 1
        return log


class FakeIris:
    def __init__(self) -> None:
        self.calls: List[Tuple[Any, ...]] = []

        class _System:
            Status = FakeStatusApi(self.calls)

        self.system = _System

    def cls(self, name: str) -> Any:
        if name == "Ens.Util.Log":
            return FakeLog(self.calls)
        raise RuntimeError(f"<CLASS DOES NOT EXIST> {name}")
