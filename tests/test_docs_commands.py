"""What the documentation promises works as printed: every ``intersystems_pyprod`` command shown in
README.md, examples/*/README.md and docs/**/*.md names a command and flags the real parser has, and
the offline ones (``--dry-run``, ``--manual``, ``run-local``, ``graph``) that name files of the
repository run from a fresh shell in the repository root, with only what README says to do first
(activate the venv).

Where commands are found: the lines of fenced blocks marked ``sh``, ``bash``, ``shell``,
``console`` or unmarked (a ``$ `` prompt is dropped, continuation lines are joined, a line is split
at ``&&`` and ``;``), and inline code spans that start with the program name. A line with ``[``,
``|`` or ``...`` is a usage synopsis: its commands and flags must exist, it is not run. A command
whose script is not a file of the repository (a script of your own, such as the quick start's
``greetings.py``) is parsed, not run; tests/test_docs_code.py runs the transcripts a page marks."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import pytest

from intersystems_pyprod_cli import main as cli_main

from .helpers import REPO

PROGRAM = "intersystems_pyprod"
VENV_PROGRAM = f".venv/bin/{PROGRAM}"
READMES = [REPO / "README.md", *sorted(REPO.glob("examples/*/README.md"))]
DOCS = [*READMES, *sorted((REPO / "docs").rglob("*.md"))]
ACTIVATE = ". .venv/bin/activate"
#: Fenced blocks whose lines are shell (or a transcript of one); others hold Python, ini, Mermaid.
SHELL_FENCES = ("", "sh", "bash", "console", "shell")


@dataclass
class Shown:
    """One command as a README shows it."""

    doc: str
    line: int
    text: str  # the command alone, from the program word on
    program: str  # how it is called: intersystems_pyprod or .venv/bin/intersystems_pyprod
    cwd_changed: bool  # an earlier `cd` in the same line

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}: {self.text}"

    @property
    def synopsis(self) -> bool:
        """A usage line (``[-o DIR]``, ``unload|status``, ``...``) rather than a command to run."""
        return bool(re.search(r"\[|\||\.\.\.", self.text))

    def words(self) -> List[str]:
        return shlex.split(self.text)[1:]


def _segments(line: str) -> List[str]:
    """The commands of one shell line, split at ``&&``, ``||`` and ``;``, its comment dropped."""
    line = re.sub(r"\s+#\s.*$", "", line)
    return [part.strip() for part in re.split(r"&&|;", line)]


def _from_line(doc: str, number: int, line: str, found: List[Shown]) -> None:
    cwd_changed = False
    for part in _segments(line.removeprefix("$ ")):
        first = part.split(" ", 1)[0]
        if first in (PROGRAM, VENV_PROGRAM):
            found.append(Shown(doc, number, part, first, cwd_changed))
        cwd_changed = cwd_changed or first == "cd"


def shown_commands(path: Path) -> List[Shown]:
    """Every ``intersystems_pyprod`` command in the fenced shell blocks and the inline code of
    ``path`` (continuation lines joined)."""
    doc = str(path.relative_to(REPO))
    found: List[Shown] = []
    fence: Optional[str] = None
    pending, start = "", 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            fence = line[3:].strip() if fence is None else None
            continue
        if fence is None:
            for span in re.findall(r"`([^`]+)`", line):
                if span.split(" ", 1)[0] in (PROGRAM, VENV_PROGRAM) and " " in span:
                    _from_line(doc, number, span, found)
            continue
        if fence not in SHELL_FENCES:
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        _from_line(doc, start, pending + line, found)
        pending = ""
    return found


ALL = [shown for path in DOCS for shown in shown_commands(path)]


def _parser(command: str):
    builders = {"load": cli_main._load_parser, "run-local": cli_main._run_local_parser,
                "graph": cli_main._graph_parser, "plan": cli_main._plan_parser}
    return builders.get(command, lambda secrets: cli_main._server_parser(command, secrets))([])


def _split_command(words: List[str]):
    """(command, its arguments), as main() dispatches them."""
    if words and words[0] in cli_main.COMMANDS:
        return words[0], words[1:]
    return "load", words


def test_the_pages_show_commands():
    """The extraction finds the commands (a broken extractor would pass everything)."""
    texts = {s.text for s in ALL}
    assert f"{VENV_PROGRAM} --dry-run -o out examples/hello_world/HelloWorld.py" in texts
    assert "intersystems_pyprod run-local greetings.py --send Front=World" in texts  # a $ line of a transcript
    assert any(s.doc.startswith("examples/") for s in ALL)
    assert any(s.doc.startswith("docs/") for s in ALL)
    assert len(ALL) >= 20


@pytest.mark.parametrize("shown", [s for s in ALL if s.synopsis], ids=lambda s: s.where)
def test_usage_lines_name_commands_and_flags_that_exist(shown):
    text = shown.text.split(" ", 1)[1] if " " in shown.text else ""
    heads = [text.split(" ", 1)[0], *(part.strip().split(" ", 1)[0] for part in text.split(" | ")[1:])]
    commands: List[str] = []
    for head in heads:
        names = [n for n in head.strip("[]").split("|") if n]
        if names and not names[0].startswith("-") and not names[0].isupper() and not names[0].endswith(".py"):
            unknown = [n for n in names if n not in cli_main.COMMANDS]
            assert not unknown, f"{shown.where}: no command {unknown}"
            commands += names
    commands = commands or ["load"]
    flags = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", text))
    options = set().union(*(_parser(c)._option_string_actions for c in commands))
    assert flags <= options, f"{shown.where}: {sorted(flags - options)} are options of none of {commands}"


@pytest.mark.parametrize("shown", [s for s in ALL if not s.synopsis], ids=lambda s: s.where)
def test_commands_parse_with_the_real_parser(shown, capsys):
    command, args = _split_command(shown.words())
    if command == "load":
        assert not cli_main._mistyped_command(args), shown.where
    try:
        parsed = cli_main._parse(_parser(command), args)
    except SystemExit as exc:  # --help and --version print and end there
        assert exc.code in (0, None), shown.where
        return
    assert parsed is not None, f"{shown.where}: {capsys.readouterr().err}"


def test_commands_say_how_they_are_called_one_way():
    """In the READMEs, the set-up line calls the venv's program by its path; every other command
    the program the activated venv puts on the PATH, and each README says to activate it."""
    setup = [s for s in ALL if s.program == VENV_PROGRAM and REPO / s.doc in READMES]
    assert [(s.doc, s.text.split()[1]) for s in setup] == [("README.md", "--dry-run")]
    for path in READMES:
        text = path.read_text(encoding="utf-8")
        assert ACTIVATE in text, f"{path.relative_to(REPO)} does not say to activate the venv"


def _offline(shown: Shown) -> bool:
    """Commands that need no server, run nothing forever and name only files of the repository
    (others illustrate a project of your own)."""
    command, args = _split_command(shown.words())
    if shown.synopsis or shown.cwd_changed or "--watch" in args or "--remote" in args:
        return False
    if command == "load" and not {"--dry-run", "--manual"} & set(args):
        return False
    if command not in ("load", "run-local", "graph"):
        return False
    files = [a for a in args if a.endswith((".py", ".cls"))]
    return bool(files) and all((REPO / f).is_file() for f in files)


OFFLINE = [s for s in ALL if _offline(s)]


@pytest.fixture(scope="module")
def fresh_root(tmp_path_factory):
    """The repository root as a new user has it after the set-up command: the checkout (linked,
    so what commands write lands here) and a ``.venv`` whose program runs this checkout's code."""
    root = tmp_path_factory.mktemp("checkout")
    for entry in REPO.iterdir():
        if entry.name not in (".venv", ".git", "out"):
            (root / entry.name).symlink_to(entry)
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    path = os.pathsep.join([str(REPO / "src" / "python"), str(REPO / "cli")])
    program = bin_dir / PROGRAM
    program.write_text(f"#!/bin/sh\nPYTHONPATH={shlex.quote(path)} exec {shlex.quote(sys.executable)} "
                       f"-m intersystems_pyprod_cli \"$@\"\n")
    program.chmod(0o755)
    (bin_dir / "activate").write_text(f"VIRTUAL_ENV={shlex.quote(str(root / '.venv'))}\nexport VIRTUAL_ENV\n"
                                      "PATH=\"$VIRTUAL_ENV/bin:$PATH\"\nexport PATH\n")
    return root


def run_in_fresh_shell(text: str, root: Path) -> subprocess.CompletedProcess:
    """``text`` in a new bash at the repository root, with the environment of a new login (no venv,
    no PYTHONPATH, no IRIS settings) and the venv activated first, as README says."""
    environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(root), "LANG": "C.UTF-8",
                   "PYTHONDONTWRITEBYTECODE": "1"}
    script = text if text.startswith(VENV_PROGRAM) else f"{ACTIVATE} && {text}"
    return subprocess.run(["bash", "-c", script], cwd=root, env=environment, capture_output=True, text=True,
                          timeout=120)


def test_the_offline_commands_are_found():
    runs = {(s.doc, _split_command(s.words())[0]) for s in OFFLINE}
    assert {"load", "run-local", "graph"} <= {command for _doc, command in runs}
    assert ("README.md", "load") in runs
    for path in sorted(REPO.glob("examples/*/README.md")):
        assert (str(path.relative_to(REPO)), "run-local") in runs, f"{path} shows no run-local command"


@pytest.mark.parametrize("shown", OFFLINE, ids=lambda s: s.where)
def test_offline_commands_run_as_printed(shown, fresh_root):
    done = run_in_fresh_shell(shown.text, fresh_root)
    assert done.returncode == 0, f"{shown.where}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    if _split_command(shown.words())[0] == "run-local":
        finished = re.search(r"Run finished: (\d+) messages, 0 errors logged", done.stdout)
        assert finished and int(finished.group(1)) > 0, f"{shown.where} traced no message:\n{done.stdout}"


@pytest.mark.parametrize("folder", sorted(p.name for p in (REPO / "examples").iterdir() if p.is_dir()))
def test_each_example_has_a_readme_with_a_run_local_command(folder):
    readme = REPO / "examples" / folder / "README.md"
    assert readme.is_file(), f"examples/{folder} has no README.md"
    runs = [s for s in shown_commands(readme) if _offline(s) and s.words()[0] == "run-local"]
    assert runs and all(f"examples/{folder}/" in s.text for s in runs), f"examples/{folder}/README.md"
