"""``--watch``: run a command again whenever one of the project's files changes.

Polling (standard library only): every ``interval`` seconds the watched files' contents are
fingerprinted; after a change, the loop waits until they stay the same for one more ``quiet``
period (an editor's save in several writes is one change), then runs the command again. Ctrl-C
ends the loop with exit code 0.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Tuple

Fingerprint = Dict[Path, Optional[str]]


def fingerprint(paths: Iterable[Path]) -> Fingerprint:
    """The SHA-256 of each file's bytes (None for a file that is missing or unreadable)."""
    out: Fingerprint = {}
    for path in paths:
        try:
            out[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            out[path] = None
    return out


def project_files(scripts: Iterable[Path], roots: Iterable[Optional[Path]]) -> List[Path]:
    """The scripts and the project modules they import (a script that cannot be parsed is still watched)."""
    from intersystems_pyprod.director.collect import CollectError, collect

    files = set()
    for script, root in zip(scripts, roots):
        files.add(script.resolve())
        try:
            base, _entry, found = collect(script, root)
        except (CollectError, OSError, ValueError):
            continue
        files.update((base / name).resolve() for name in found)
    return sorted(files)


class Watcher:
    """Runs ``command`` (which returns its exit code) now and after every change to ``files()``."""

    def __init__(self, command: Callable[[], int], files: Callable[[], List[Path]], *, interval: float = 0.5,
                 quiet: float = 0.3, sleep: Callable[[float], None] = time.sleep, fatal: Tuple[int, ...] = ()) -> None:
        self.command, self.files, self.fatal = command, files, fatal
        self.interval, self.quiet, self.sleep = interval, quiet, sleep

    def _changed(self, watched: List[Path], before: Fingerprint) -> List[Path]:
        """Poll until the files differ from ``before`` and then hold still; the changed files."""
        while True:
            self.sleep(self.interval)
            now = fingerprint(watched)
            if now == before:
                continue
            while True:  # debounce: wait for the writes to settle
                self.sleep(self.quiet)
                settled = fingerprint(watched)
                if settled == now:
                    return [p for p in watched if now.get(p) != before.get(p)]
                now = settled

    def run(self) -> int:
        """Loop until Ctrl-C; returns 0 (or the first run's exit code when it is one of ``fatal``)."""
        try:
            first = self.command()
            if first in self.fatal:
                print("Not watching: the first run could not reach the server or its settings are wrong.",
                      file=sys.stderr)
                return first
            while True:
                watched = self.files()
                before = fingerprint(watched)
                print(f"Watching {len(watched)} file{'s' if len(watched) != 1 else ''} for changes "
                      "(Ctrl-C stops)...", flush=True)
                changed = self._changed(watched, before)
                names = ", ".join(p.name for p in changed[:5]) + (" ..." if len(changed) > 5 else "")
                print(f"Changed: {names}; running again.", flush=True)
                self.command()
        except KeyboardInterrupt:
            print("Stopped watching.", file=sys.stderr)
            return 0
