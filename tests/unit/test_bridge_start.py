"""A host whose Python object cannot be made logs the Python traceback with file:line."""

from __future__ import annotations

import sys
import textwrap

import pytest

from intersystems_pyprod.api import engine
from intersystems_pyprod.runtime import bridge


class Recorder(engine.OfflineEngine):
    def __init__(self) -> None:
        self.entries: list = []

    def log(self, level: str, source_class: str, source_method: str, text: str) -> None:
        self.entries.append((level, source_class, source_method, text))


@pytest.fixture
def recorder(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    rec = Recorder()
    previous = engine.install(rec)
    yield rec, tmp_path
    engine.install(previous)
    for name in ("startbad_syntax", "startbad_import", "startbad_init", "startgood"):
        sys.modules.pop(name, None)


def _write(folder, name, text):
    (folder / f"{name}.py").write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.mark.parametrize("module, source, kind, line", [
    ("startbad_syntax", """
        from intersystems_pyprod import BusinessOperation

        class Op(BusinessOperation)
            pass
        """, "SyntaxError", 4),
    ("startbad_import", """
        from intersystems_pyprod import BusinessOperation
        import no_such_module_for_start

        class Op(BusinessOperation):
            pass
        """, "ModuleNotFoundError", 3),
    ("startbad_init", """
        from intersystems_pyprod import BusinessOperation

        class Op(BusinessOperation):
            def __init__(self, host):
                raise RuntimeError("no connection")
        """, "RuntimeError", 6),
])
def test_start_failure_is_logged_with_file_and_line(recorder, module, source, kind, line):
    rec, folder = recorder
    _write(folder, module, source)
    status, component = bridge.start(object(), module, "Op")
    assert engine.is_error_value(status) and component == ""
    assert f"{kind}" in status.text and f"{module}.Op" in status.text and "load it again" in status.text
    [(level, owner, method, text)] = rec.entries
    assert (level, owner, method) == ("Error", "Op", "OnInit")
    assert f'{module}.py", line {line}' in text and kind in text


def test_bp_init_returns_the_error_status_instead_of_raising(recorder):
    rec, folder = recorder
    _write(folder, "startbad_import", "import no_such_module_for_start\n")
    status = bridge.bp_init(object(), "startbad_import", "Flow")
    assert engine.is_error_value(status) and "ModuleNotFoundError" in status.text
    assert 'startbad_import.py", line 1' in rec.entries[0][3]


def test_start_gives_the_component(recorder):
    rec, folder = recorder
    _write(folder, "startgood", """
        from intersystems_pyprod import BusinessOperation

        class Op(BusinessOperation):
            pass
        """)
    host = object()
    status, component = bridge.start(host, "startgood", "Op")
    assert status == bridge.OK and type(component).__name__ == "Op" and rec.entries == []
