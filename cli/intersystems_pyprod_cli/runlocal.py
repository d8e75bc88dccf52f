"""``run-local``: run a script's production in-process and print its log and trace."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List, Tuple

from . import exitcodes


def _pairs(values: List[str], sep: str, what: str) -> List[Tuple[str, str]]:
    pairs = []
    for value in values:
        key, found, rest = value.partition(sep)
        if not found or not key:
            form = "ITEM.NAME=VALUE" if what == "--setting" else "ITEM=TEXT"
            raise ValueError(f"{what} {value!r} must look like {form}")
        pairs.append((key, rest))
    return pairs


def run_local(args: argparse.Namespace) -> int:
    """Run the production; exit 0 when no error was logged."""
    from intersystems_pyprod.errors import PyProdError
    from intersystems_pyprod.testing import Harness, HarnessError

    try:
        settings = dict(_pairs(args.setting, "=", "--setting"))
        sends = _pairs(args.send, "=", "--send")
    except ValueError as exc:
        print(f"intersystems_pyprod run-local: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    try:
        harness = Harness(args.script, production=args.production, settings=settings)
        with harness:
            for item, text in sends:
                harness.send(item, text)
            if args.duration > 0:
                harness.run(args.duration)
    except (PyProdError, HarnessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exitcodes.FAILED
    except Exception as exc:  # an internal error: say so plainly, trace only on request
        print(f"error: {exitcodes.internal_error(exc, args.debug)}", file=sys.stderr)
        return exitcodes.FAILED
    log: List[Dict[str, Any]] = [{"level": e.level, "source": e.source, "text": e.text} for e in harness.log]
    trace = [{"source": t.source, "target": t.target, "class": t.message_class, "body": t.body}
             for t in harness.trace]
    if args.json:
        print(json.dumps({"log": log, "trace": trace}, indent=2))
    else:
        print("Event log:")
        for entry in harness.log:
            origin = f"{entry.class_name}.{entry.method}"
            print(f"  [{entry.level}] {entry.source or '-'} ({origin}): {entry.text}")
        print("Message trace:")
        for hop in harness.trace:
            print(f"  {hop.source} -> {hop.target}  {hop.message_class}  {hop.body}")
        errors = len(harness.errors())
        print(f"Run finished: {len(trace)} messages, {errors} error{'s' if errors != 1 else ''} logged.")
    return exitcodes.FAILED if harness.errors() else exitcodes.OK
