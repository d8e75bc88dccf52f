"""``run-local``: run a script's production in-process and print its log and trace."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any, Dict, List, Optional, Tuple

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


class _Run:
    """The harness run, on a worker thread so that ``--timeout`` can stop waiting for it."""

    def __init__(self, args: argparse.Namespace, settings: Dict[str, str], sends: List[Tuple[str, str]]) -> None:
        self.args, self.settings, self.sends = args, settings, sends
        self.harness: Any = None
        self.failure: Optional[BaseException] = None

    def __call__(self) -> None:
        from intersystems_pyprod.testing import Harness

        try:
            self.harness = Harness(self.args.script, production=self.args.production, settings=self.settings)
            with self.harness:
                for item, text in self.sends:
                    self.harness.send(item, text)
                if self.args.duration > 0:
                    self.harness.run(self.args.duration)
        except BaseException as exc:  # reported by the main thread
            self.failure = exc


def _document(log: List[Any], trace: List[Any], error: Optional[str] = None) -> Dict[str, Any]:
    """The ``--json`` result: ok when no error was logged and the run did not fail."""
    errors = len([e for e in log if e.level == "Error"])
    return {"ok": not errors and error is None, "errors": errors, "error": error,
            "log": [{"level": e.level, "source": e.source, "text": e.text} for e in log],
            "trace": [{"source": t.source, "target": t.target, "class": t.message_class,
                       "header_id": t.header_id or None, "body_id": t.body_id or None,
                       "body": t.body} for t in trace]}


def _print(harness: Any, as_json: bool, log: List[Any], trace: List[Any], stdout: Any = None) -> None:
    if as_json:
        emit(_document(log, trace), stdout)
        return
    print("Event log:")
    for entry in log:
        print(f"  [{entry.level}] {entry.source or '-'} ({entry.class_name}.{entry.method}): {entry.text}")
    print("Message trace:")
    for hop in trace:
        ids = f"  header {hop.header_id} body {hop.body_id or '-'}" if hop.header_id else ""
        print(f"  {hop.source} -> {hop.target}  {hop.message_class}{ids}  {shorten(hop.body)}")
    errors = len([e for e in log if e.level == "Error"])
    print(f"Run finished: {len(trace)} messages, {errors} error{'s' if errors != 1 else ''} logged.")


def run_local(args: argparse.Namespace) -> int:
    """Run the production; exit 0 when no error was logged."""
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
    with user_output_to_stderr(args.json) as stdout:
        worker = threading.Thread(target=run, name="run-local", daemon=True)
        worker.start()
        worker.join(args.timeout if args.timeout > 0 else None)
        if worker.is_alive():
            harness = run.harness
            busy = harness._acting_stack[-1] if harness is not None and harness._acting_stack else ""
            log, trace = (list(harness.log), list(harness.trace)) if harness is not None else ([], [])
            where = f" ({busy} was still busy)" if busy else ""
            message = (f"the run did not finish within --timeout {args.timeout:g} seconds{where}; stopped it. "
                       "Look for a callback that loops or waits, or raise --timeout")
            if args.json:
                emit(_document(log, trace, message), stdout)
            else:
                if log or trace:
                    _print(harness, False, log, trace)
                print(f"error: {message}", file=sys.stderr)
            return exitcodes.FAILED
    if run.failure is not None:
        if isinstance(run.failure, (PyProdError, HarnessError)):
            message = str(run.failure)
        else:  # an internal error: say so plainly, trace only on request
            if args.debug:
                import traceback

                traceback.print_exception(type(run.failure), run.failure, run.failure.__traceback__)
            message = exitcodes.internal_error(run.failure, False)
        fail(message, args.json, log=[], trace=[])
        return exitcodes.FAILED
    harness = run.harness
    _print(harness, args.json, harness.log, harness.trace, stdout)
    return exitcodes.FAILED if harness.errors() else exitcodes.OK
