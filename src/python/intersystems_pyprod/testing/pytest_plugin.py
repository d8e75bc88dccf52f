"""pytest plugin: the ``pyprod_harness`` fixture starts a harness and stops it after the test."""

from __future__ import annotations

from typing import Any, Callable, Iterator, List

import pytest

from .harness import Harness


@pytest.fixture
def pyprod_harness() -> Iterator[Callable[..., Harness]]:
    """``pyprod_harness("script.py", settings={...})`` returns a started ``Harness``.

    A pytest fixture, registered when the library is installed (its ``pytest11`` entry point):
    a test that names it gets a factory taking the arguments of
    [`Harness`][intersystems_pyprod.testing.Harness]. Every harness it started is stopped
    after the test (``OnTearDown`` runs).

    Examples:
        ```python
        def test_best_quote(pyprod_harness):
            h = pyprod_harness("examples/quotes/quotes.py", settings={"VendorC.unit_price": 1.5})
            status, quote = h.request("BestQuote", h.module.QuoteRequest("nuts", 2))
            assert quote.vendor == "VendorC" and not h.errors()
        ```
    """
    started: List[Harness] = []

    def factory(script: str, **options: Any) -> Harness:
        harness = Harness(script, **options).start()
        started.append(harness)
        return harness

    yield factory
    for harness in reversed(started):
        harness.stop()
