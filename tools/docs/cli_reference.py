"""MkDocs hook: the CLI reference page is generated from the real argparse parsers at build time.

``docs/reference/cli.md`` holds the marker ``<!-- cli-reference -->``; the build replaces it with
one section per command (usage, description, flags). A command the parsers gain or lose shows up
on the next build, so the page cannot drift from the code.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable, Dict, List

MARKER = "<!-- cli-reference -->"
PAGE = "reference/cli.md"
REPO = Path(__file__).resolve().parents[2]


def _main_module() -> Any:
    """The CLI's ``main`` module of this checkout (ahead of an installed copy)."""
    for folder in (REPO / "src" / "python", REPO / "cli"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    from intersystems_pyprod_cli import main

    return main


def parsers() -> Dict[str, argparse.ArgumentParser]:
    """Every command's parser, as ``intersystems_pyprod <command>`` builds it (``load`` is the default)."""
    main = _main_module()
    builders: Dict[str, Callable[[List[str]], argparse.ArgumentParser]] = {
        "load": main._load_parser, "run-local": main._run_local_parser, "graph": main._graph_parser,
        "plan": main._plan_parser,
    }
    found = {}
    for command in main.COMMANDS:
        if command in builders:
            found[command] = builders[command]([])
        else:
            found[command] = main._server_parser(command, [])
    return found


def _cell(text: str) -> str:
    """Text for a Markdown table cell: no pipes, no emphasis, no HTML."""
    text = " ".join(str(text).split())
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
            .replace("*", "\\*").replace("_", "\\_"))


def _description(text: str) -> List[str]:
    """Paragraphs of a description; runs of indented lines (command examples) become a text block."""
    out: List[str] = []
    for block in re.split(r"\n\s*\n", (text or "").strip("\n")):
        lines = block.split("\n")
        if all(line.startswith("  ") for line in lines if line.strip()):
            out += ["```text", *(line[2:] for line in lines), "```", ""]
        else:
            out += [_cell(block), ""]
    return out


def _flag_row(action: argparse.Action) -> str:
    if action.option_strings:
        names = ", ".join(action.option_strings)
        takes = action.nargs != 0
        value = action.metavar or (("{" + ",".join(map(str, action.choices)) + "}") if action.choices else
                                   action.dest.upper() if takes else "")
        if takes and isinstance(value, str) and value:
            names += f" {value}"
    else:
        names = str(action.metavar or action.dest)
        if action.nargs in ("*", "+"):
            names += " ..."
        elif action.nargs == "?":
            names = f"[{names}]"
    help_text = action.help if action.help and action.help != argparse.SUPPRESS else ""
    default = action.default
    if default not in (None, False, [], argparse.SUPPRESS, "") and action.nargs != 0 and "default" not in help_text:
        help_text += f" (default {default})"
    if isinstance(action, argparse._AppendAction):
        help_text += "" if "repeatable" in help_text else " (repeatable)"
    return f"| `{names}` | {_cell(help_text)} |"


def command_markdown(command: str, parser: argparse.ArgumentParser) -> str:
    """The section of one command: heading, usage, description, and a table per argument group."""
    usage = " ".join(parser.format_usage().replace("usage:", "", 1).split())
    wrapped = textwrap.wrap(usage, 76, subsequent_indent="    ", break_on_hyphens=False, break_long_words=False)
    lines = [f"## {command}", "", "```text", *wrapped, "```", "", *_description(parser.description or "")]
    for group in parser._action_groups:
        actions = list(group._group_actions)
        if not actions:
            continue
        title = group.title or "arguments"
        lines += [f"**{title[0].upper()}{title[1:]}**", "", "| argument | meaning |", "|---|---|"]
        lines += [_flag_row(a) for a in actions]
        lines.append("")
    return "\n".join(lines)


def reference_markdown() -> str:
    """The whole generated part of the page."""
    return "\n".join(command_markdown(command, parser) for command, parser in parsers().items())


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Fill the marker of the CLI reference page; the page without the marker is a build error."""
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        from mkdocs.exceptions import PluginError

        raise PluginError(f"docs/{PAGE} lost its {MARKER} line: put it back where the commands go")
    return markdown.replace(MARKER, reference_markdown())
