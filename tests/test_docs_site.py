"""The documentation site builds with ``mkdocs build --strict`` (no broken link, anchor or API
reference), every page of its navigation has content, the API page documents every public name
with its signature and an example, and the CLI page shows every command with every flag its
parser takes."""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import inspect
import io
import os
import re
import subprocess
import sys
import textwrap
from html import unescape
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

from .helpers import REPO

SITE_TIMEOUT = 300
_built: Dict[str, Path] = {}


def _require_mkdocs() -> None:
    if importlib.util.find_spec("mkdocs") is None:
        if os.environ.get("CI"):
            pytest.fail("mkdocs is missing in CI: tools/test.sh installs the docs extra of src/python")
        pytest.skip("mkdocs is not installed: pip install './src/python[docs]' (tools/test.sh does)")


def mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` as tools/test.sh runs it (never with --quiet, which drops the
    warnings --strict counts, so a broken link would pass)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
                          cwd=config.parent, env=env, capture_output=True, text=True, timeout=SITE_TIMEOUT)


def build_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once per test session, strictly, into a temporary folder (never the repo)."""
    _require_mkdocs()
    if "site" not in _built:
        site = tmp_path_factory.mktemp("site")
        done = mkdocs_build(REPO / "mkdocs.yml", site)
        assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
        _built["site"] = site
    return _built["site"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory)


def nav_pages() -> List[Tuple[str, str]]:
    """(title, docs path) of every page in the mkdocs.yml navigation."""
    import yaml

    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    found: List[Tuple[str, str]] = []

    def walk(entries: list) -> None:
        for entry in entries:
            for title, value in entry.items():
                if isinstance(value, list):
                    walk(value)
                else:
                    found.append((title, value))

    walk(config["nav"])
    return found


def page_html(site: Path, doc: str) -> str:
    """The built HTML of a docs page (``guides/cli.md`` is ``guides/cli/index.html``)."""
    stem = doc[:-len(".md")]
    path = site / ("index.html" if stem == "index" else f"{stem}/index.html")
    assert path.is_file(), f"{doc} was not built to {path}"
    return path.read_text(encoding="utf-8")


def article(html: str) -> str:
    """The page's content (Material puts it in the one ``<article>``)."""
    match = re.search(r"<article[^>]*>(.*)</article>", html, re.S)
    assert match, "the page has no <article>"
    return match.group(1)


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_site_builds_strictly_and_outside_the_repository(site):
    assert (site / "index.html").is_file()
    assert (site / "search" / "search_index.json").is_file()
    assert not (REPO / "site").exists(), "the site was written into the repository"


@pytest.mark.parametrize("link, problem", [
    ("[a](missing.md)", "missing.md"),
    ("[a](other.md#no-such-heading)", "no-such-heading"),
    ("[a](#nowhere)", "nowhere"),
    ("[a](/other.md)", "/other.md"),
], ids=["page", "anchor", "own-anchor", "absolute"])
def test_the_site_settings_make_a_broken_link_fail_the_build(tmp_path, link, problem):
    """The validation settings of mkdocs.yml, on a two-page site: each kind of broken link fails
    the strict build, naming the link."""
    _require_mkdocs()
    import yaml

    settings = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(f"# Home\n\nSee {link}.\n", encoding="utf-8")
    (tmp_path / "docs" / "other.md").write_text("# Other\n\n## A heading\n", encoding="utf-8")
    config = {"site_name": "t", "docs_dir": "docs", "validation": settings["validation"],
              "nav": [{"Home": "index.md"}, {"Other": "other.md"}]}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    done = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0, f"a broken link {link} did not fail the build"
    assert problem in done.stderr
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nSee [a](other.md#a-heading).\n", encoding="utf-8")
    assert mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site").returncode == 0


def test_every_page_of_the_navigation_exists_and_has_more_than_a_title(site):
    pages = nav_pages()
    docs = {str(p.relative_to(REPO / "docs")) for p in (REPO / "docs").rglob("*.md")}
    assert docs == {doc for _, doc in pages}, "every page in docs/ is in the navigation, and only those"
    for title, doc in pages:
        content = article(page_html(site, doc))
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", content, re.S)
        assert heading, f"{doc} has no title"
        rest = text_of(content[heading.end():])
        assert len(rest) > 20, f"{doc} ({title}) has nothing but its title"


# -- the API page -------------------------------------------------------------------------------
API = "reference/api.md"


def object_section(html: str, ident: str) -> str:
    """The HTML of one documented object, up to its first member (its own signature and docstring)."""
    start = re.search(rf'<h[2-6] id="{re.escape(ident)}"', html)
    assert start, f"{ident} is not on the API page"
    rest = html[start.end():]
    following = re.search(r'<h[2-6] id="', rest)
    return rest[:following.start()] if following else rest


def assert_signature(section: str, ident: str) -> None:
    name = ident.rsplit(".", 1)[-1]
    signature = re.search(r'class="doc-signature[^"]*"(.*?)</pre>', section, re.S)
    assert signature, f"{ident} has no signature on the API page"
    assert re.search(rf"\b{re.escape(name)}\b", text_of(signature.group(1))), f"signature of {ident} lacks its name"


def own_members(cls: type) -> List[str]:
    """Public members a class defines itself, without the aliases (``ok = OK``)."""
    found = []
    for name, value in vars(cls).items():
        function = getattr(value, "__func__", value)
        if not name.startswith("_") and getattr(function, "__name__", name) == name:
            found.append(name)
    return found


def assert_signature_and_example(html: str, ident: str, obj: object) -> None:
    """The object's signature and an example; a class without a constructor of its own (``Status``,
    ``IRISLog``, ``Production``: never constructed with arguments; an exception that takes its
    message) shows the signature of each of its members instead."""
    section = object_section(html, ident)
    if inspect.isclass(obj) and not any("__init__" in vars(k) for k in obj.__mro__ if k.__module__ != "builtins"):
        members = own_members(obj)
        assert members or issubclass(obj, Exception), f"{ident} has neither a constructor nor members"
        for member in members:
            assert_signature(object_section(html, f"{ident}.{member}"), f"{ident}.{member}")
    else:
        assert_signature(section, ident)
    examples = section.find("Examples:")
    assert examples >= 0, f"{ident} has no Examples section"
    assert 'class="highlight"' in section[examples:] or "language-python" in section[examples:], \
        f"{ident}: its Examples section holds no code block"


def public_names(module: object) -> List[str]:
    return [n for n in module.__all__ if not n.startswith("_")]  # type: ignore[attr-defined]


def test_every_public_name_is_on_the_api_page_with_signature_and_example(site):
    import intersystems_pyprod
    from intersystems_pyprod import director

    html = page_html(site, API)
    for module in (intersystems_pyprod, director):
        for name in public_names(module):
            assert_signature_and_example(html, f"{module.__name__}.{name}", getattr(module, name))
    functions = [n for n in public_names(director) if inspect.isfunction(getattr(director, n))]
    assert len(functions) >= 15, "the director's module-level functions"


def test_the_test_harness_and_the_pytest_fixture_are_on_the_api_page(site):
    from intersystems_pyprod import testing

    html = page_html(site, API)
    for name in public_names(testing):
        ident, obj = f"intersystems_pyprod.testing.{name}", getattr(testing, name)
        if inspect.isclass(obj):
            assert_signature_and_example(html, ident, obj)
        else:  # NO_REPLY, a value
            assert "Examples:" in object_section(html, ident), f"{ident} has no example"
    from intersystems_pyprod.testing import pytest_plugin

    assert_signature_and_example(html, "intersystems_pyprod.testing.Harness", testing.Harness)
    assert_signature_and_example(html, "intersystems_pyprod.testing.pytest_plugin.pyprod_harness",
                                 pytest_plugin.pyprod_harness)
    harness_methods = [n for n, v in vars(testing.Harness).items() if callable(v) and not n.startswith("_")]
    for method in harness_methods:
        object_section(html, f"intersystems_pyprod.testing.Harness.{method}")


def test_every_callback_the_engine_calls_is_listed_on_its_host_class(site):
    from intersystems_pyprod.runtime import bridge

    html = page_html(site, API)
    hosts = {
        "InboundAdapter": ["OnTask"], "BusinessService": ["OnProcessInput"],
        "BusinessProcess": ["OnRequest", "OnResponse", "OnComplete", "OnError", "OnTimeout"],
        "BusinessOperation": ["OnMessage", "MessageMap"], "OutboundAdapter": [],
    }
    listed = set()
    for host, callbacks in hosts.items():
        own = text_of(object_section(html, f"intersystems_pyprod.{host}"))
        for callback in [*callbacks, "OnInit", "OnTearDown"]:
            assert callback in own, f"{host} does not list its callback {callback}"
            listed.add(callback)
    # a callback the runtime bridge gains must be documented too
    engine_calls = {"".join(w.title() for w in n.split("_")) for n in bridge.__all__ if n.startswith("on_")}
    assert engine_calls <= listed, f"callbacks the engine calls but no host page lists: {engine_calls - listed}"
    for host in ("BusinessService", "BusinessProcess", "BusinessOperation"):
        for method in ("SendRequestSync", "SendRequestAsync"):
            ident = f"intersystems_pyprod.{host}.{method}"
            section = object_section(html, ident)
            assert "target_dispatch_name" in text_of(section), f"{ident} does not show its parameters"


def docstring_examples() -> Iterator[Tuple[str, str]]:
    """(file, code) of every fenced Python example in the library's docstrings, as the pages show
    them (the docstrings' values, escapes applied)."""
    for path in sorted((REPO / "src" / "python" / "intersystems_pyprod").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            value = node.value.value if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) else None
            if isinstance(value, str):
                text = inspect.cleandoc(value)
                for match in re.finditer(r"```python\n(.*?)```", text, re.S):
                    yield str(path.relative_to(REPO)), textwrap.dedent(match.group(1))


def test_every_docstring_example_is_valid_python():
    examples = list(docstring_examples())
    assert len(examples) > 60
    for where, code in examples:
        try:
            ast.parse("def example():\n" + textwrap.indent(code, "    "))  # fragments may return
        except SyntaxError as exc:
            pytest.fail(f"an example in {where} is not valid Python: {exc}\n{code}")


def test_every_complete_docstring_example_builds_into_valid_classes(tmp_path):
    """An example that imports the library and declares classes is a whole script: it builds, its
    generated classes pass the ObjectScript grammar, and it draws no warning."""
    from intersystems_pyprod.loader.build import build

    scripts = [(where, code) for where, code in docstring_examples()
               if re.search(r"^from intersystems_pyprod import", code, re.M) and re.search(r"^class ", code, re.M)]
    assert len(scripts) >= 12
    for number, (where, code) in enumerate(scripts):
        path = tmp_path / f"docstring_example_{number}.py"
        path.write_text(code, encoding="utf-8")
        result = build(str(path), validate=True)
        assert result.classes, f"an example in {where} generates no class"
        # a pickle message always says where its body can be read; the example says so too
        warnings = [w for w in result.model.warnings if "is a pickle message" not in w.message]
        assert not warnings, f"an example in {where} draws warnings: {warnings}"


# -- the CLI page -------------------------------------------------------------------------------
def cli_help(command: str) -> str:
    """What ``intersystems_pyprod <command> --help`` prints."""
    from intersystems_pyprod_cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main.main([command, "--help"]) == 0
    return out.getvalue()


def test_every_cli_command_and_flag_is_on_the_cli_page(site):
    from intersystems_pyprod_cli import main

    html = article(page_html(site, "reference/cli.md"))
    for command in main.COMMANDS:
        start = re.search(rf'<h2 id="{re.escape(command)}"', html)
        assert start, f"the CLI page has no section for {command}"
        following = re.search(r"<h2 ", html[start.end():])
        section = html[start.end():start.end() + following.start()] if following else html[start.end():]
        help_text = cli_help(command)
        prog = "intersystems_pyprod" if command == "load" else f"intersystems_pyprod {command}"
        assert f"{prog} [-h]" in text_of(section), f"{command}: no usage line"
        # every flag of the usage line is a row of the section's tables, with its help text
        rows = {unescape(code): text_of(meaning) for code, meaning in
                re.findall(r"<tr>\s*<td><code>(.*?)</code></td>\s*<td>(.*?)</td>", section, re.S)}
        listed = {word for code in rows for word in re.split(r"[ ,]+", code)}
        usage = help_text.split("\n\n", 1)[0]
        flags = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", usage))
        assert len(flags) > 2, f"no flags read from the help of {command}"
        for flag in sorted(flags):
            assert flag in listed, f"{command}: flag {flag} is missing from the tables of the CLI page"
        for line in help_text.splitlines():  # "  --flag VALUE   help text": the help is on the page
            found = re.match(r"\s+(-[\w-]+(?:, --[\w-]+)?)(?: \S+)?\s{2,}(\S.*)", line)
            if found:
                row = next((m for c, m in rows.items() if c.split(" ")[0].rstrip(",") == found.group(1).split(",")[0]),
                           None)
                assert row is not None and " ".join(found.group(2).split()[:3]) in row, \
                    f"{command}: {found.group(1)} is not shown with its help ({found.group(2)!r})"
