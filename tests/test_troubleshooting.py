"""The troubleshooting page and the error messages stay in step.

An entry of docs/guides/troubleshooting.md is a ``###`` heading (plain words, so the anchor is the
same on GitHub and on the site) followed by a ```text block quoting the message as printed, with
``…`` for the variable parts. The code names an entry with ``see("anchor")``
(``intersystems_pyprod.troubleshooting``). Checked here: every anchor the code names is an entry,
every entry is named by the code, and every quoted message is still built by the code (each
piece between ``…`` occurs in a string literal of the code, its f-string fields read as ``…``).
"""

from __future__ import annotations

import ast
import functools
import re
import unicodedata
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from intersystems_pyprod.troubleshooting import PAGE, see
from intersystems_pyprod_cli.main import main

from .helpers import REPO, write_script

SOURCES = [*sorted((REPO / "src" / "python" / "intersystems_pyprod").rglob("*.py")),
           *sorted((REPO / "cli" / "intersystems_pyprod_cli").rglob("*.py"))]
#: What the command line puts before a message; not part of the message the code builds.
PREFIXES = ("error:", "fix:", "warning:", "Load failed:")


def slug(heading: str) -> str:
    """The anchor of a heading, as the site's Markdown (its toc extension) and GitHub make it."""
    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def entries(text: str) -> Dict[str, List[str]]:
    """anchor -> the lines of the entry's first ```text block, for each ``###`` heading."""
    found: Dict[str, List[str]] = {}
    current = ""
    quoting = False
    for line in text.splitlines():
        if line.startswith("### "):
            current = slug(line[4:])
            assert current not in found, f"two entries with the anchor {current}"
            found[current] = []
            quoting = False
        elif current and line.strip() == "```text" and not found[current]:
            quoting = True
        elif quoting and line.startswith("```"):
            quoting = False
        elif quoting:
            found[current].append(line)
    return found


@functools.lru_cache(maxsize=1)
def code_strings() -> Tuple[str, ...]:
    """Every string literal of the library and the command line, f-string fields as ``…``."""
    out: List[str] = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                out.append("".join(v.value if isinstance(v, ast.Constant) else "…" for v in node.values))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.append(node.value)
    return tuple(out)


def referenced_anchors() -> Dict[str, List[str]]:
    """anchor -> ``file:line`` of each ``see("anchor")`` call in the code."""
    out: Dict[str, List[str]] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "see"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                out.setdefault(node.args[0].value, []).append(f"{path.relative_to(REPO)}:{node.lineno}")
    return out


ENTRIES = entries((REPO / PAGE).read_text(encoding="utf-8"))
REFERENCED = referenced_anchors()


def pieces(line: str) -> List[str]:
    """The fixed pieces of a quoted message line (between ``…``), each long enough to mean something."""
    line = line.strip()
    for prefix in PREFIXES:
        line = line.removeprefix(prefix).strip()
    return [p for p in (part.strip(" :;,.") for part in line.split("…")) if len(p) >= 4]


def test_the_page_has_entries_each_quoting_its_message():
    assert len(ENTRIES) >= 25
    for anchor, quoted in ENTRIES.items():
        assert quoted, f"entry #{anchor} quotes no message (a ```text block right under its heading)"


def test_headings_are_plain_words():
    """Anchors of plain words and spaces are the same on GitHub and on the site."""
    for line in (REPO / PAGE).read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            assert re.fullmatch(r"[A-Za-z0-9 ]+", line[4:]), f"heading {line!r}: use letters, digits and spaces"


def test_every_anchor_the_code_names_is_an_entry():
    assert REFERENCED, "no see(...) call found in the code"
    missing = {anchor: where for anchor, where in REFERENCED.items() if anchor not in ENTRIES}
    assert not missing, f"see() names anchors that {PAGE} has no entry for: {missing}"


def test_every_entry_is_named_by_the_code():
    unnamed = sorted(set(ENTRIES) - set(REFERENCED))
    assert not unnamed, f"entries no error message refers to (add see(...) to the message): {unnamed}"


@pytest.mark.parametrize("anchor", sorted(ENTRIES))
def test_the_quoted_message_is_still_built_by_the_code(anchor):
    strings = code_strings()
    for line in ENTRIES[anchor]:
        for piece in pieces(line):
            assert any(piece in s for s in strings), (f"{PAGE}#{anchor} quotes {piece!r}, which no string of the "
                                                      "code holds any more: update the entry to the message")


def test_a_changed_message_is_caught():
    """The check sees a message the code no longer builds."""
    strings = code_strings()
    assert all(any(p in s for s in strings) for p in pieces("cannot reach IRIS at …: …"))
    assert not all(any(p in s for s in strings) for p in pieces("could not reach IRIS at …: …"))


def test_see_names_the_page_and_the_anchor():
    assert see("cannot-reach-iris") == "see docs/guides/troubleshooting.md#cannot-reach-iris"
    assert (REPO / PAGE).is_file()


# -- the messages users get carry the reference --------------------------------------------------

def test_an_unreachable_server_names_its_entry(capsys, monkeypatch):
    for name in ("IRIS_HOST", "IRIS_PORT", "IRIS_TLS", "IRIS_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    code = main(["status", "--host", "127.0.0.1", "--port", "1", "--timeout", "2", "--username", "_SYSTEM",
                 "--password", "x"])
    err = capsys.readouterr().err
    assert code == 3
    assert "cannot reach IRIS at 127.0.0.1:1" in err and see("cannot-reach-iris") in err


def test_a_login_refusal_names_its_entry(server, capsys):
    code = main(["status", "--username", "_SYSTEM", "--password", "wrong"])
    err = capsys.readouterr().err
    assert code == 3 and "refused the login of _SYSTEM" in err and see("login-refused") in err


def test_run_local_with_nothing_to_run_names_its_entry(tmp_path: Path, capsys):
    script = write_script(tmp_path, "empty.py", "import intersystems_pyprod\n")
    code = main(["run-local", str(script)])
    err = capsys.readouterr().err
    assert code == 1 and "defines no components or production to run" in err and see("nothing-to-run") in err


def test_a_callback_with_the_wrong_parameters_names_its_entry(tmp_path: Path, capsys):
    script = write_script(tmp_path, "wrong.py", """
        from intersystems_pyprod import BusinessService

        class Front(BusinessService):
            def on_process_input(self):
                return 1
    """)
    code = main(["--dry-run", str(script)])
    err = capsys.readouterr().err
    assert code == 1 and f"{script}:5" in err and "has the wrong parameters" in err
    assert see("callback-has-the-wrong-parameters") in err


def test_a_load_refusal_names_its_entry(server, tmp_path: Path, capsys):
    """A class of another script: the refusal the loader sends back carries the reference."""
    login = ["--username", "_SYSTEM", "--password", "s3cret!"]
    (tmp_path / "a").mkdir()
    first = write_script(tmp_path / "a", "first.py", """
        from intersystems_pyprod import JsonSerialize
        iris_package_name = "shared"
        class Note(JsonSerialize):
            text: str
    """)
    (tmp_path / "b").mkdir()
    second = write_script(tmp_path / "b", "second.py", first.read_text())
    assert main([str(first), *login]) == 0
    capsys.readouterr()
    assert main([str(second), *login]) == 1
    out = capsys.readouterr().out
    assert "shared.Note is generated by script 'first'" in out and see("class-generated-by-another-script") in out
