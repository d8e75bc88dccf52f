"""``graph``: draw a production as a Mermaid flowchart, DOT, JSON, or a self-contained HTML page."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional, Tuple

from . import exitcodes
from .output import emit, fail, user_output_to_stderr

FORMATS = ("mermaid", "dot", "json")
#: What ``-o FILE`` writes, by the file's ending.
SUFFIXES = {".html": "html", ".htm": "html", ".svg": "svg", ".dot": "dot", ".gv": "dot", ".json": "json",
            ".mmd": "mermaid", ".mermaid": "mermaid"}
WRITES = ".html or .htm (a page showing the diagram), .svg, .dot or .gv (Graphviz), .json, .mmd (Mermaid)"
#: Endings of images and documents graph does not draw.
PICTURES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".pdf")


def output_format(output: Optional[Path], requested: Optional[str], as_json: bool) -> Tuple[str, str]:
    """(format to write, "") or ("", why ``-o output`` cannot be written as its name says)."""
    if output is None:
        return requested or ("json" if as_json else "mermaid"), ""
    suffix = output.suffix.lower()
    if suffix in PICTURES:
        return "", (f"cannot write {output}: graph does not draw {suffix[1:].upper()} files; it writes {WRITES}\n"
                    f"  fix: write {output.with_suffix('.svg')} or {output.with_suffix('.html')} and open it in a "
                    f"browser, or {output.with_suffix('.dot')} and convert it with Graphviz "
                    f"(dot -T{suffix[1:]} {output.with_suffix('.dot')} -o {output})")
    named = SUFFIXES.get(suffix)
    if named and requested and requested != named:
        return "", (f"-o {output} names a {named} file but --format is {requested}\n"
                    f"  fix: leave out --format, or name the file with the ending of {requested}")
    if named or requested:
        return named or requested or "", ""
    return "", (f"cannot tell which format to write to {output}: graph writes {WRITES}\n"
                f"  fix: end the file name with one of these, or pass --format {'|'.join(FORMATS)}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("script", metavar="SCRIPT.py", nargs="?", help="the script that defines the components")
    parser.add_argument("--production", metavar="NAME|PATH.cls",
                        help="the Production class to draw, or an ObjectScript production class file (.cls) whose "
                             "items use the script's classes (default: the script's hosts and target defaults)")
    parser.add_argument("--remote", metavar="PRODUCTION",
                        help="draw production PRODUCTION as configured in IRIS (connection options apply)")
    parser.add_argument("--format", choices=FORMATS, help="text format (default mermaid; -o FILE.html writes a page)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write to FILE instead of printing; FILE.html is a page that shows the diagram "
                             "offline, FILE.svg the drawing alone")


def _graph(args: argparse.Namespace) -> Any:
    if args.remote:
        from intersystems_pyprod.director.connection import INSTALL_PYPROD, DirectorError, connect
        from intersystems_pyprod.graph import graph_from_document

        from .remote import settings_from

        with connect(settings_from(args)) as remote:
            if not remote.has_class("PyProd.Graph"):
                raise DirectorError("PyProd.Graph is not installed on the server",
                                    f"install or upgrade PyProd: {INSTALL_PYPROD}")
            document = remote.call_json("PyProd.Graph", "Production", args.remote)
        if not document.get("ok"):
            raise DirectorError(str(document.get("error") or "reading the production failed"),
                                "check the production name (intersystems_pyprod status shows the current one)")
        return graph_from_document(document)
    from intersystems_pyprod.graph import graph_from_script

    return graph_from_script(args.script, args.production)


def _render(graph: Any, fmt: str) -> str:
    from intersystems_pyprod import graph as drawing

    renderers = {"mermaid": drawing.to_mermaid, "dot": drawing.to_dot, "json": drawing.to_json,
                 "html": drawing.html_page, "svg": lambda g: drawing.svg_diagram(g) + "\n"}
    return str(renderers[fmt](graph))


def _write(path: Path, text: str) -> None:
    """Write ``text`` whole or not at all (a temporary file renamed into place)."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def run_graph(args: argparse.Namespace) -> int:
    """Draw the graph; exit 1 when the script or the server cannot be read."""
    from intersystems_pyprod.director.connection import DirectorError
    from intersystems_pyprod.errors import PyProdError
    from intersystems_pyprod.testing import HarnessError

    as_json = bool(getattr(args, "json", False))

    def usage(message: str) -> int:
        fail(message, as_json, "intersystems_pyprod graph: error")
        return exitcodes.USAGE

    if bool(args.script) == bool(args.remote):
        return usage("pass a SCRIPT.py or --remote PRODUCTION (one of the two)")
    if args.remote and args.production:
        return usage("--production is for scripts; --remote names the production itself")
    output = Path(args.output) if args.output else None
    if as_json and output is None and args.format not in (None, "json"):
        return usage(f"--json prints the graph as JSON; leave out --format {args.format} or --json")
    if output is not None and not output.parent.is_dir():
        return usage(f"cannot write {output}: folder {output.parent} does not exist")
    if output is not None and output.is_dir():
        return usage(f"cannot write {output}: it is a folder; pass a file name such as {output / 'graph.html'}")
    if output is not None and not os.access(output.parent, os.W_OK | os.X_OK):
        return usage(f"cannot write {output}: folder {output.parent} is not writable for this user")
    fmt, problem = output_format(output, args.format, as_json)
    if problem:
        return usage(problem)
    try:
        with user_output_to_stderr(as_json):
            graph = _graph(args)
    except DirectorError as exc:
        fail(str(exc), as_json, "error")
        from .remote import CODES

        return CODES.get(exc.kind, exitcodes.FAILED)
    except (PyProdError, HarnessError) as exc:
        fail(str(exc), as_json, "error")
        return exitcodes.FAILED
    text = _render(graph, fmt)
    for node in graph.nodes:
        for problem in node.problems if node.kind != "missing" else []:
            print(f"warning: item {node.name}: {problem}", file=sys.stderr)
    if output is None and as_json:
        import json

        emit({"ok": True, **json.loads(text)})
        return exitcodes.OK
    if output is None:
        sys.stdout.write(text)
        return exitcodes.OK
    try:
        _write(output, text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}", as_json, "error")
        return exitcodes.FAILED
    if as_json:
        emit({"ok": True, "output": str(output), "format": fmt, "nodes": len(graph.nodes),
              "arrows": len(graph.edges)})
    else:
        print(f"Wrote {output} ({len(graph.nodes)} nodes, {len(graph.edges)} arrows).")
    return exitcodes.OK


__all__ = ["add_arguments", "run_graph"]
