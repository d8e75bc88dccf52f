"""By-reference arguments are made as ``iris.ref()`` and then ``.value`` (IRIS_REFERENCE.md 1.6)."""

from __future__ import annotations

from typing import Any, List

import pytest

from intersystems_pyprod.runtime import calls, irisapi

from ..fake_iris import FakeIris


class StrictIris(FakeIris):
    """Records every reference made and refuses ``iris.ref(value)``."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: List[Any] = []

    def ref(self, *args: Any) -> Any:
        if args:
            raise AssertionError(f"iris.ref{args!r}: only iris.ref() is a confirmed form")
        made = super().ref()
        self.refs.append(made)
        return made


class Service:
    def __init__(self) -> None:
        self.seen: List[Any] = []

    def ProcessInput(self, input: Any, output: Any, hint: Any) -> int:
        self.seen.append((input, output.value, hint.value))
        output.value, hint.value = "out", "hint back"
        return 1


class Host:
    def __init__(self) -> None:
        self.BusinessHost = Service()


class Component:
    _pyprod_kind = "InboundAdapter"

    def __init__(self) -> None:
        self.host = Host()

    def _pyprod_host(self) -> Any:
        return self.host


@pytest.fixture
def strict():
    api = StrictIris()
    previous = irisapi.install(api)
    yield api
    irisapi.install(previous)


@pytest.mark.parametrize("hint, expected", [("", ""), ("h", "h")])
def test_process_input_passes_the_hint_through_value(strict, hint, expected):
    component = Component()
    result = calls.process_input(component, "payload", hint)
    assert component.host.BusinessHost.seen == [("payload", None, expected)]
    assert result == ((1, "out") if hint == "" else (1, "out", "hint back"))
    # both references are emptied after reading, so IRIS can release what they held
    assert [r.value for r in strict.refs] == [None, None]


def test_new_ref_sets_value_only_when_given(strict):
    assert irisapi.new_ref().value is None
    assert irisapi.new_ref(0).value == 0
    ref = irisapi.new_ref("x")
    assert irisapi.take(ref) == "x" and ref.value is None
