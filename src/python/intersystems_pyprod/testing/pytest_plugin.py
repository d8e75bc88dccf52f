"""pytest plugin: the ``pyprod_harness`` fixture starts a harness and stops it after the test."""

from __future__ import annotations

from typing import Any, Callable, Iterator, List

import pytest

from .harness import Harness


@pytest.fixture
def pyprod_harness() -> Iterator[Callable[..., Harness]]:
    """``pyprod_harness("script.py", settings={...})`` returns a started :class:`Harness`."""
    started: List[Harness] = []

    def factory(script: str, **options: Any) -> Harness:
        harness = Harness(script, **options).start()
        started.append(harness)
        return harness

    yield factory
    for harness in reversed(started):
        harness.stop()
