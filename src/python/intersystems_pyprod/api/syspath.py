"""``_add_to_sys_path``: the helper pyprod 0.2.0 exports for adding a folder to ``sys.path``."""

from __future__ import annotations

import sys


def _add_to_sys_path(path: str) -> None:
    """Append ``path`` to ``sys.path`` unless it is already there (kept for pyprod 0.2.0 scripts)."""
    if not isinstance(path, str) or not path:
        raise TypeError(f"_add_to_sys_path needs a folder path, not {path!r}")
    if path not in sys.path:
        sys.path.append(path)
