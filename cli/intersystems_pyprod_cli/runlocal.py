"""``run-local``: run a script's production in-process and print its log and trace."""

from __future__ import annotations

import argparse
import collections
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from intersystems_pyprod.troubleshooting import see

from . import exitcodes
from .output import emit, fail, user_output_to_stderr

#: Message bodies longer than this are cut in the text output (``--json`` keeps them whole).
BODY_MAX = 400


def _pairs(values: List[str], sep: str, what: str) -> List[Tuple[str, str]]:
    pairs = []
    for value in values:
        key, found, rest = value.partition(sep)
        if not found or not key:
            form = "ITEM.NAME=VALUE" if what == "--setting" else "ITEM=TEXT"
            raise ValueError(f"{what} {value!r} must look like {form}")
        pairs.append((key, rest))
    return pairs


def shorten(text: str, limit: int = BODY_MAX) -> str:
    """``text`` cut to ``limit`` characters, saying how many were cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters; --json shows all)"


class _Feed(List[Any]):
    """A harness list (log or trace) that also queues each new entry, so the entries print as they
    happen and in the order they happened."""

    def __init__(self, kind: str, entries: List[Any], queue: collections.deque[Tuple[str, Any]]) -> None:
        super().__init__(entries)
        self.kind, self.queue = kind, queue
        for entry in entries:
            queue.append((kind, entry))

    def append(self, entry: Any) -> None:
        super().append(entry)
        self.queue.append((self.kind, entry))

    def extend(self, entries: Any) -> None:
        for entry in entries:
            self.append(entry)


class _Run:
    """The harness run, on a worker thread so that ``--timeout`` and Ctrl-C can stop waiting for it."""

    def __init__(self, args: argparse.Namespace, settings: Dict[str, str], sends: List[Tuple[str, str]]) -> None:
        self.args, self.settings, self.sends = args, settings, sends
        self.harness: Any = None
        self.failure: Optional[BaseException] = None
        self.queue: collections.deque[Tuple[str, Any]] = collections.deque()

    def __call__(self) -> None:
        from intersystems_pyprod.testing import Harness, HarnessError

        try:
            harness = Harness(self.args.script, production=self.args.production, settings=self.settings)
            harness.log = _Feed("log", harness.log, self.queue)
            harness.trace = _Feed("trace", harness.trace, self.queue)
            self.harness = harness
            if not harness.items:
                raise HarnessError(f"{Path(self.args.script).name} defines no components or production to run\n"
                                   "  fix: subclass BusinessService, BusinessProcess, BusinessOperation or "
                                   "Production in the script; " + see("nothing-to-run"))
            with harness:
                for item, text in self.sends:
                    harness.send(item, text)
                if self.args.duration > 0:
                    harness.run(self.args.duration)
        except BaseException as exc:  # reported by the main thread
            self.failure = exc

    def entries(self) -> Tuple[List[Any], List[Any]]:
        harness = self.harness
        return (list(harness.log), list(harness.trace)) if harness is not None else ([], [])

    def busy(self, worker: threading.Thread) -> str:
        """Which item was busy, and where in the user's code the run is now."""
        harness = self.harness
        item = harness._acting_stack[-1] if harness is not None and harness._acting_stack else ""
        where = _user_line(worker, Path(self.args.script).resolve().parent)
        doing = (item and f"{item} was still busy") or ("the script was still being imported" if harness is None
                                                      else "")
        return ", ".join(p for p in (doing, where and f"at {where}") if p)


def _user_line(worker: threading.Thread, folder: Path) -> str:
    """``file:line`` of the innermost frame of the worker in the script's folder ("" when none)."""
    frame = sys._current_frames().get(worker.ident or -1)
    while frame is not None:
        if str(Path(frame.f_code.co_filename).resolve()).startswith(str(folder) + os.sep):
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return ""


def _line(kind: str, entry: Any) -> str:
    if kind == "log":
        return f"  [{entry.level}] {entry.source or '-'} ({entry.class_name}.{entry.method}): {entry.text}"
    ids = f"  header {entry.header_id} body {entry.body_id or '-'}" if entry.header_id else ""
    return f"  {entry.source} -> {entry.target}  {entry.message_class}{ids}  {shorten(entry.body)}"


def _flush(run: _Run, as_json: bool) -> None:
    """Print the entries recorded since the last call (text output only)."""
    while run.queue:
        kind, entry = run.queue.popleft()
        if not as_json:
            print(_line(kind, entry), flush=True)


def _document(log: List[Any], trace: List[Any], error: Optional[str] = None) -> Dict[str, Any]:
    """The ``--json`` result: ok when no error was logged and the run did not fail."""
    errors = len([e for e in log if e.level == "Error"])
    return {"ok": not errors and error is None, "errors": errors, "error": error,
            "log": [{"level": e.level, "source": e.source, "text": e.text} for e in log],
            "trace": [{"source": t.source, "target": t.target, "class": t.message_class,
                       "header_id": t.header_id or None, "body_id": t.body_id or None,
                       "body": t.body} for t in trace]}


def _summary(log: List[Any], trace: List[Any]) -> str:
    errors = len([e for e in log if e.level == "Error"])
    return f"{len(trace)} messages, {errors} error{'s' if errors != 1 else ''} logged"


def _stopped(run: _Run, worker: threading.Thread, args: argparse.Namespace, stdout: Any, why: str) -> None:
    """Report a run stopped before it finished (timeout or Ctrl-C), with what it recorded so far."""
    _flush(run, args.json)
    log, trace = run.entries()
    busy = run.busy(worker)
    message = why.replace("{busy}", f" ({busy})" if busy else "")
    if args.json:
        emit(_document(log, trace, message), stdout)
        return
    print(f"Run stopped: {_summary(log, trace)} so far.", flush=True)
    print(f"error: {message}", file=sys.stderr)


def run_local(args: argparse.Namespace) -> int:
    """Run the production; exit 0 when no error was logged, 1 when one was or the run failed,
    130 when Ctrl-C stopped it."""
    from intersystems_pyprod.errors import PyProdError
    from intersystems_pyprod.testing import HarnessError

    try:
        settings = dict(_pairs(args.setting, "=", "--setting"))
        sends = _pairs(args.send, "=", "--send")
        if args.timeout < 0:
            raise ValueError("--timeout must be 0 (no limit) or more seconds")
    except ValueError as exc:
        fail(str(exc), args.json, "intersystems_pyprod run-local: error")
        return exitcodes.USAGE
    run = _Run(args, settings, sends)
    deadline = time.monotonic() + args.timeout if args.timeout > 0 else None
    with user_output_to_stderr(args.json) as stdout:
        worker = threading.Thread(target=run, name="run-local", daemon=True)
        if not args.json:
            print(f"Running {args.script} (event log and message trace as they happen):", flush=True)
        worker.start()
        try:
            while worker.is_alive():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    _stopped(run, worker, args, stdout, f"the run did not finish within --timeout "
                                                        f"{args.timeout:g} seconds{{busy}}; stopped it. Look for a "
                                                        "callback that loops or waits, or raise --timeout; "
                                                        + see("run-did-not-finish"))
                    return exitcodes.FAILED
                worker.join(0.1 if left is None else min(0.1, left))
                _flush(run, args.json)
        except KeyboardInterrupt:
            _stopped(run, worker, args, stdout, "interrupted (Ctrl-C){busy}")
            if getattr(args, "watch", False):
                raise  # the watch loop ends too
            return exitcodes.INTERRUPTED
        _flush(run, args.json)
    if run.failure is not None:
        if isinstance(run.failure, (PyProdError, HarnessError)):
            message = str(run.failure)
        else:  # an internal error: say so plainly, trace only on request
            if args.debug:
                import traceback

                traceback.print_exception(type(run.failure), run.failure, run.failure.__traceback__)
            message = exitcodes.internal_error(run.failure, False)
        log, trace = run.entries()
        if args.json:
            emit(_document(log, trace, message), stdout)
        else:
            if log or trace:
                print(f"Run failed: {_summary(log, trace)}.")
            print(f"error: {message}", file=sys.stderr)
        return exitcodes.FAILED
    log, trace = run.entries()
    if args.json:
        emit(_document(log, trace), stdout)
    else:
        print(f"Run finished: {_summary(log, trace)}.")
    return exitcodes.FAILED if run.harness.errors() else exitcodes.OK
