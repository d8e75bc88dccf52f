"""The code the documentation shows runs: every fenced ```python block of README.md and
docs/**/*.md, and the command transcripts a page marks, are run here.

How a page says what a block is: HTML comments on the lines right before the fence (several may be
stacked, one per line; the fence may be indented, as in a list item, and the block is dedented).

``<!-- needs-iris -->``
    Needs a live IRIS (the ``director`` API, ``iris.cls``...): not run; it must still compile.
``<!-- fragment -->``
    Part of something (a method shown alone, a line of a settings file): neither run nor compiled.
``<!-- file: NAME.py -->``
    Saved as ``NAME.py`` in the page's folder, where the page's other blocks and its transcripts
    find it (a later block may ``import NAME``). It is also checked as below.
``<!-- run-local: ARGS -->``
    Run with ``intersystems_pyprod run-local BLOCK.py ARGS`` (e.g. ``--send Front=World`` or
    ``--duration 1``): it must exit 0 with no traceback.

A block without ``needs-iris`` or ``fragment`` is run:

* a block that imports ``intersystems_pyprod`` and defines a class goes through the real command
  line's ``--dry-run`` (and ``run-local`` too when marked so);
* a block that defines ``test_...`` functions is run by pytest, from the repository root (the
  library's pytest plugin gives it the ``pyprod_harness`` fixture);
* any other block is run by Python, from the repository root.

A failing block fails the test named ``PAGE:LINE`` (the line of its fence).

``<!-- transcript -->`` before a ```console block: each ``$ intersystems_pyprod ...`` line is run
by the real command line in the page's folder (where its ``file:`` blocks are), and what it prints
on stdout must be the lines shown after it, up to the next ``$`` line. ``$ export NAME=VALUE ...``
lines set the environment; commands that talk to IRIS reach a fake IRIS whose server side runs the
real loader (one per page, so a ``load`` followed by ``start`` and ``status`` sees its own work),
which accepts the ``IRIS_PASSWORD`` the transcript exports. Other lines beginning with ``$`` are
not allowed in a transcript.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from intersystems_pyprod_cli.main import main

from .helpers import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
PYTHON_FENCES = ("python", "py", "python3")
#: The markers of this test, and ``graph`` (a ```mermaid diagram that tests/test_readme_graph.py redraws).
MARKERS = ("needs-iris", "fragment", "file", "run-local", "transcript", "graph")
#: Blocks that README showed before these markers existed, by their first line: they need IRIS
#: and carry no marker yet. A failure of one is an expected failure until README marks it.
COMMENT = re.compile(r"^\s*<!--\s*([\w-]+)\s*(?::\s*(.*?))?\s*-->\s*$")


@dataclass
class Block:
    """One fenced block of a page."""

    page: str
    line: int  # the fence's line
    language: str
    text: str
    marks: Dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def blocks(path: Path) -> List[Block]:
    """The fenced blocks of ``path``, dedented, each with the markers written right above it."""
    page = str(path.relative_to(REPO))
    lines = path.read_text(encoding="utf-8").splitlines()
    found: List[Block] = []
    number = 0
    while number < len(lines):
        fence = re.match(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)", lines[number])
        if not fence:
            number += 1
            continue
        indent, ticks, language = fence.groups()
        marks: Dict[str, str] = {}
        above = number - 1
        while above >= 0 and COMMENT.match(lines[above]):
            match = COMMENT.match(lines[above])
            assert match is not None
            marks[match.group(1)] = match.group(2) or ""
            above -= 1
        end = number + 1
        while end < len(lines) and not lines[end].strip().startswith(ticks):
            end += 1
        body = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines[number + 1:end]]
        found.append(Block(page, number + 1, language.lower(), textwrap.dedent("\n".join(body)) + "\n", marks))
        number = end + 1
    return found


ALL = [block for path in PAGES for block in blocks(path)]
PYTHON = [b for b in ALL if b.language in PYTHON_FENCES]
TRANSCRIPTS = [b for b in ALL if "transcript" in b.marks]


def _page_folder(root: Path, page: str) -> Path:
    """The page's own folder under ``root``, holding every ``file:`` block of the page."""
    folder = root / re.sub(r"\W", "_", page)
    if not folder.exists():
        folder.mkdir(parents=True)
        for block in ALL:
            if block.page == page and "file" in block.marks:
                (folder / block.marks["file"]).write_text(block.text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def pages_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pages")


def _defines(tree: ast.Module) -> Tuple[bool, bool]:
    """(imports intersystems_pyprod and defines a class, defines test functions)."""
    imports = any(isinstance(node, (ast.Import, ast.ImportFrom)) and "intersystems_pyprod" in ast.unparse(node)
                  for node in ast.walk(tree))
    classes = any(isinstance(node, ast.ClassDef) for node in tree.body)
    tests = any(isinstance(node, ast.FunctionDef) and node.name.startswith("test_") for node in tree.body)
    return imports and classes, tests


def _environment() -> Dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IRIS")}
    paths = [str(REPO / "src" / "python"), str(REPO / "cli"), environment.get("PYTHONPATH", "")]
    environment["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    return environment


def _run(argv: List[str], cwd: Path, capsys) -> Tuple[int, str, str]:
    """The command line's ``main`` in ``cwd``; (exit code, stdout, stderr)."""
    before = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(argv)
    finally:
        os.chdir(before)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_pages_are_found_and_their_markers_known():
    """The extraction sees the blocks (a broken one would pass everything), and every marker
    comment above a fence is one this test knows."""
    assert any(b.page == "docs/quickstart.md" and "file" in b.marks for b in PYTHON)
    assert any(b.page == "docs/quickstart.md" for b in TRANSCRIPTS)
    assert len(PYTHON) >= 5
    for block in ALL:
        unknown = set(block.marks) - set(MARKERS)
        assert not unknown, f"{block.where}: unknown marker(s) {sorted(unknown)}; known: {MARKERS}"
        if "transcript" in block.marks:
            assert block.language == "console", f"{block.where}: a transcript is a ```console block"


@pytest.mark.parametrize("block", PYTHON, ids=lambda b: b.where)
def test_python_blocks_run(block: Block, pages_root: Path, capsys):
    if "fragment" in block.marks:
        return
    try:
        tree = ast.parse(block.text, filename=block.where)
    except SyntaxError as exc:
        pytest.fail(f"{block.where}: does not compile ({exc.msg}, block line {exc.lineno}); fix it or mark it "
                    "<!-- fragment -->")
    if "needs-iris" in block.marks:
        return
    folder = _page_folder(pages_root, block.page)
    name = block.marks.get("file") or f"block_{block.line}.py"
    script = folder / name
    if not script.exists():
        script.write_text(block.text, encoding="utf-8")
    hosts, tests = _defines(tree)
    if hosts:
        code, out, err = _run(["--dry-run", str(script)], REPO, capsys)
        assert code == 0, f"{block.where}: --dry-run failed\n{out}\n{err}"
    if "run-local" in block.marks:
        argv = ["run-local", str(script), *shlex.split(block.marks["run-local"])]
        code, out, err = _run(argv, REPO, capsys)
        assert code == 0 and "Traceback" not in out + err, f"{block.where}: run-local failed\n{out}\n{err}"
    if tests:
        (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
                               str(folder / "pytest.ini"), "--rootdir", str(folder), str(script)],
                              cwd=REPO, env=_environment(), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{block.where}: its tests failed\n{done.stdout}\n{done.stderr}"
    elif not hosts:
        done = subprocess.run([sys.executable, str(script)], cwd=REPO, env=_environment(), capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, f"{block.where}: failed (mark it <!-- needs-iris --> or <!-- fragment --> " \
                                     f"if it cannot run here)\n{done.stdout}\n{done.stderr}"


def transcript_steps(block: Block) -> List[Tuple[int, str, List[str]]]:
    """(line, command, the output lines shown after it) for each ``$`` line of a transcript."""
    steps: List[Tuple[int, str, List[str]]] = []
    for offset, line in enumerate(block.text.rstrip("\n").split("\n"), 1):
        if line.startswith("$ "):
            steps.append((block.line + offset, line[2:].strip(), []))
        elif steps:
            steps[-1][2].append(line.rstrip())
        else:
            raise AssertionError(f"{block.page}:{block.line + offset}: a transcript starts with a $ line")
    return steps


@pytest.fixture
def fake_iris_by_page(monkeypatch):
    """A fake IRIS per page, made on first use with the password the transcript exported."""
    from intersystems_pyprod.director import connection

    from .fake_native import FakeSDK, FakeServer

    servers: Dict[str, FakeServer] = {}

    def for_page(page: str, password: str) -> FakeServer:
        server = servers.setdefault(page, FakeServer())
        server.password = password
        monkeypatch.setattr(connection, "native_sdk", lambda: FakeSDK(server))
        return server

    return for_page


def check_transcript(block: Block, folder: Path, fake_iris, monkeypatch, capsys) -> None:
    """Run each step of a transcript; an AssertionError names the first step that printed
    something else than the page shows."""
    for line, command, shown in transcript_steps(block):
        words = shlex.split(command)
        if words[0] == "export":
            for assignment in words[1:]:
                name, _, value = assignment.partition("=")
                monkeypatch.setenv(name, value)
            assert not shown, f"{block.page}:{line}: export prints nothing"
            continue
        assert words[0] == "intersystems_pyprod", f"{block.page}:{line}: a transcript runs only intersystems_pyprod"
        fake_iris(block.page, os.environ.get("IRIS_PASSWORD", ""))
        code, out, err = _run(words[1:], folder, capsys)
        printed = [text.rstrip() for text in out.rstrip("\n").split("\n")] if out.strip() else []
        assert printed == shown, (f"{block.page}:{line}: `{command}` (exit {code}) printed\n" + "\n".join(printed)
                                  + f"\n{err}\nwhere the page shows\n" + "\n".join(shown))


@pytest.mark.parametrize("page", sorted({b.page for b in TRANSCRIPTS}))
def test_transcripts_print_what_they_show(page: str, pages_root: Path, fake_iris_by_page, monkeypatch, capsys):
    for name in [n for n in os.environ if n.startswith("IRIS")]:
        monkeypatch.delenv(name)
    folder = _page_folder(pages_root, page)
    for block in [b for b in TRANSCRIPTS if b.page == page]:
        check_transcript(block, folder, fake_iris_by_page, monkeypatch, capsys)


def test_a_transcript_that_shows_other_output_fails(pages_root: Path, fake_iris_by_page, monkeypatch, capsys):
    """The comparison sees a difference: the quick start's run-local step with one word changed."""
    block = next(b for b in TRANSCRIPTS if b.page == "docs/quickstart.md" and "run-local" in b.text)
    changed = Block(block.page, block.line, block.language, block.text.replace("Hello, World", "Hello, Earth"),
                    block.marks)
    folder = _page_folder(pages_root, block.page)
    check_transcript(block, folder, fake_iris_by_page, monkeypatch, capsys)
    with pytest.raises(AssertionError, match="where the page shows"):
        check_transcript(changed, folder, fake_iris_by_page, monkeypatch, capsys)
