"""What a Python host sends, read from its source without running it: for each call of
``SendRequestSync``/``SendRequestAsync`` (either spelling) on ``self``, where it goes (a setting
attribute or a literal item name) and the message class, when the code makes that plain."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from typing import Dict, List, Optional, Tuple

SEND_METHODS = {"SendRequestSync", "SendRequestAsync", "send_request_sync", "send_request_async"}


@dataclasses.dataclass(frozen=True)
class Send:
    """One send: ``via`` is ``("setting", attribute)`` or ``("item", name)``; ``message`` a class name or ""."""

    via: Tuple[str, str]
    message: str


def _class_node(cls: type) -> Optional[ast.ClassDef]:
    try:
        source = inspect.getsource(inspect.getmodule(cls))  # type: ignore[arg-type]
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            return node
    return None


def _message_class(expr: Optional[ast.expr], assigned: Dict[str, str]) -> str:
    if isinstance(expr, ast.Call) and isinstance(expr.func, (ast.Name, ast.Attribute)):
        return expr.func.id if isinstance(expr.func, ast.Name) else expr.func.attr
    if isinstance(expr, ast.Name):
        return assigned.get(expr.id, "")
    return ""


def _target(expr: Optional[ast.expr]) -> Optional[Tuple[str, str]]:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return ("item", expr.value)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        return ("setting", expr.attr)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):  # self.targets.split(",")[0] etc.
        return _target(expr.func.value)
    if isinstance(expr, ast.Subscript):
        return _target(expr.value)
    return None


def _argument(call: ast.Call, index: int, names: Tuple[str, ...]) -> Optional[ast.expr]:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg in names), None)


def sends_of(cls: type) -> List[Send]:
    """The sends in the methods of ``cls`` (its own source only)."""
    node = _class_node(cls)
    if node is None:
        return []
    out: List[Send] = []
    for func in node.body:
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        assigned: Dict[str, str] = {}
        for stmt in ast.walk(func):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                found = _message_class(stmt.value, {})
                if found:
                    assigned[stmt.targets[0].id] = found
        for call in ast.walk(func):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr in SEND_METHODS and isinstance(call.func.value, ast.Name)
                    and call.func.value.id == "self"):
                continue
            via = _target(_argument(call, 0, ("target_dispatch_name", "target")))
            if via is not None:
                out.append(Send(via, _message_class(_argument(call, 1, ("request",)), assigned)))
    return out
