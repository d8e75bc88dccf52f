"""The engine inside IRIS: statuses are real ``%Status`` values, the log is ``Ens.Util.Log``."""

from __future__ import annotations

from typing import Any

from ..api.engine import is_error_value
from . import irisapi

#: Event-log text is cut to this many characters (one IRIS string).
LOG_TEXT_MAX = 30_000


class IrisEngine:
    """``Engine`` on the embedded ``iris`` module."""

    def error_status(self, text: str) -> Any:
        return irisapi.get().cls("%SYSTEM.Status").Error(5001, text)

    def is_error(self, status: Any) -> bool:
        return is_error_value(status)

    def status_text(self, status: Any) -> str:
        if not self.is_error(status):
            return ""
        return str(irisapi.get().cls("%SYSTEM.Status").GetErrorText(status))

    def log(self, level: str, source_class: str, source_method: str, text: str) -> None:
        method = {"Info": "LogInfo", "Warning": "LogWarning", "Error": "LogError", "Alert": "LogAlert",
                  "Assert": "LogAssert", "Trace": "LogInfo"}.get(level, "LogInfo")
        if len(text) > LOG_TEXT_MAX:
            text = text[:LOG_TEXT_MAX] + f"... ({len(text) - LOG_TEXT_MAX} more characters)"
        getattr(irisapi.get().cls("Ens.Util.Log"), method)(source_class, source_method, text)
