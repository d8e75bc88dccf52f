"""Inside IRIS: the active source version of every loaded script is on the embedded Python path.

The sources live in the namespace database; the folders under ``<mgr>/python/pyprod_sources``
are a cache, rewritten from the database when missing or stale (after a restart, on a mirror
member, after a load), so generated classes never depend on a client's files.
"""

from __future__ import annotations

import sys
from typing import Set

_done: Set[str] = set()
MARKER = ".pyprod-version"


def ensure_sources() -> None:
    """Make every loaded script's active sources importable in this job (once per job)."""
    from .iris_namespace import IrisNamespace, write_sources
    from .server import store

    sources = store()
    namespace = IrisNamespace(sources)
    for script in sources.scripts():
        active = sources.active(script)
        if active is None:
            continue
        folder = namespace.source_dir(script)
        marker = folder / MARKER
        if not marker.is_file() or marker.read_text().strip() != str(active):
            write_sources(folder, sources.files(script, active))
            marker.write_text(str(active))
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
        _done.add(script)
