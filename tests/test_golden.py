"""Golden tests: the classes generated from examples/ match the reviewed files in tests/golden.

After an intended change to generation, regenerate with
``intersystems_pyprod --dry-run -o tests/golden/<example> examples/<example>/<script>.py``
and review the diff.
"""

from __future__ import annotations

import pytest

from intersystems_pyprod.loader.build import build

from .helpers import EXAMPLES, REPO, members

GOLDEN = REPO / "tests" / "golden"
CASES = {"hello_world": EXAMPLES / "hello_world" / "HelloWorld.py", "orders": EXAMPLES / "orders" / "orders.py",
         "quotes": EXAMPLES / "quotes" / "quotes.py"}


@pytest.mark.parametrize("example", sorted(CASES))
def test_generated_classes_match_golden_files(example):
    result = build(str(CASES[example]), validate=True)
    generated = {c.relative_path: c.text for c in result.classes}
    expected = {p.relative_to(GOLDEN / example).as_posix(): p.read_text(encoding="utf-8")
                for p in (GOLDEN / example).rglob("*.cls")}
    assert sorted(generated) == sorted(expected)
    for path, text in generated.items():
        assert text == expected[path], f"{path} differs from tests/golden/{example}/{path}"


def test_orders_golden_covers_every_feature():
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (GOLDEN / "orders").rglob("*.cls")}
    kinds = {t.split("Extends ")[1].split()[0] for t in texts.values()}
    assert kinds == {"PyProd.InboundAdapter", "PyProd.OutboundAdapter", "PyProd.BusinessService",
                     "PyProd.BusinessProcess", "PyProd.BusinessOperation", "PyProd.JsonMessage",
                     "PyProd.PickleMessage", "Ens.Production"}
    assert ("index", "OrderIdIDX") in members(texts["OrderRequest"])
    settings = texts["OrderRouter"] + texts["OrderFileAdapter"] + texts["OrderService"]
    for entry in ("folder:Basic:directorySelector", "retries::spinner", "-LegacyCode",
                  "target:Basic:selector?context={Ens.ContextSearch/ProductionItems?targets=1"):
        assert entry in settings, entry
    assert ("xdata", "MessageMap") in members(texts["Warehouse"])
    assert ("xdata", "ProductionDefinition") in members(texts["OrdersProduction"])


def test_generated_hosts_are_declarations_only():
    """Only message-map entry points may carry code, and each is a single quit line."""
    for path in GOLDEN.rglob("*.cls"):
        text = path.read_text(encoding="utf-8")
        for kind, name in members(text):
            if kind == "method":
                body = text.split(f"Method {name}(", 1)[1].split("{", 1)[1].split("\n}", 1)[0]
                code = [line for line in body.splitlines() if line.strip()]
                assert len(code) == 1 and code[0].startswith("\tquit ..PyDispatchMessage("), path
            assert kind != "classmethod", path
