"""The stored layout of the shipped persistent classes cannot move between releases: each carries a
``Storage Default`` block, and its data slots match the committed record (tests/storage_layout.json),
where existing slots never change and new ones only append (bug magnet 31)."""

from __future__ import annotations

import json
import re
from typing import Dict, List

import pytest

from intersystems_pyprod.classgen import grammar

from ..helpers import REPO

CLS = REPO / "src" / "cls" / "PyProd"
RECORD = json.loads((REPO / "tests" / "storage_layout.json").read_text(encoding="utf-8"))["classes"]
#: Persistent roots a shipped class may extend (its rows then live in that extent).
PERSISTENT = {"%Persistent", "%Library.Persistent", "Ens.MessageBody", "Ens.Request", "Ens.Response",
              "Ens.BusinessProcess"}


def supers(text: str) -> List[str]:
    found = re.search(r"^Class \S+ Extends \(?([^)\[\n]+)\)?", text, re.M)
    return [s.strip() for s in found.group(1).split(",")] if found else []


def persistent(name: str, seen: Dict[str, str]) -> bool:
    if name in PERSISTENT:
        return True
    text = seen.get(name)
    return text is not None and any(persistent(s, seen) for s in supers(text))


def shipped() -> Dict[str, str]:
    return {f"PyProd.{p.stem}": p.read_text(encoding="utf-8") for p in sorted(CLS.glob("*.cls"))}


def storage_block(text: str) -> str:
    found = re.search(r"^Storage Default\n\{\n(.*?)^\}", text, re.M | re.S)
    return found.group(1) if found else ""


def layout(text: str) -> Dict[str, Dict[str, object]]:
    """Data node -> {"subscript", "slots": {n: property}} of a class's Storage Default block."""
    nodes = {}
    for name, body in re.findall(r'<Data name="([^"]+)">\n(.*?)</Data>', storage_block(text), re.S):
        subscript = re.search(r"<Subscript>(.*?)</Subscript>", body)
        slots = dict(re.findall(r'<Value name="(\d+)">\s*<Value>([^<]+)</Value>\s*</Value>', body))
        attribute = re.search(r"<Attribute>(.*?)</Attribute>", body)
        nodes[name] = {"subscript": subscript.group(1) if subscript else "", "slots": slots,
                       **({"attribute": attribute.group(1)} if attribute else {})}
    return nodes


def stored_properties(text: str) -> List[str]:
    return [m.group(1) for m in re.finditer(r"^Property (\w+) As [^\n\[]+(\[[^\]]*\])?", text, re.M)
            if not re.search(r"\b(Transient|Calculated)\b", m.group(2) or "")]


def layout_problems(name: str, text: str, record: Dict[str, Dict[str, object]]) -> List[str]:
    """Why ``text`` would read stored rows of class ``name`` from other slots than ``record``."""
    if not storage_block(text):
        return [f"{name} has no Storage Default block: the compiler would choose its slots at each install"]
    now = layout(text)
    problems = []
    for node, was in record.items():
        current = now.get(node)
        if current is None:
            problems.append(f"{name}: data node {node} is gone")
            continue
        if current["subscript"] != was["subscript"]:
            problems.append(f"{name}: data node {node} moved from {was['subscript']} to {current['subscript']}")
        slots = current["slots"]
        assert isinstance(slots, dict)
        for slot, prop in dict(was["slots"]).items():  # type: ignore[call-overload]
            if slots.get(slot) != prop:
                problems.append(f"{name}: slot {slot} of {node} holds {slots.get(slot)!r}, not {prop!r}")
        last = max([int(s) for s in dict(was["slots"])] or [0])  # type: ignore[call-overload]
        gaps = sorted(int(s) for s in slots if s not in dict(was["slots"]) and int(s) <= last)  # type: ignore
        if gaps:
            problems.append(f"{name}: new slots {gaps} of {node} are not after the last existing one ({last})")
    placed = {p for node in now.values() for p in [*dict(node["slots"]).values(),  # type: ignore[call-overload]
                                                     node.get("attribute")] if p}
    for prop in stored_properties(text):
        if prop not in placed:
            problems.append(f"{name}: stored property {prop} has no slot in its Storage block (append one)")
    return problems


def test_every_shipped_persistent_class_pins_its_layout_as_recorded():
    classes = shipped()
    persistent_ones = sorted(n for n in classes if persistent(n, classes))
    assert persistent_ones == sorted(RECORD), "record every shipped persistent class in tests/storage_layout.json"
    for name in persistent_ones:
        assert layout_problems(name, classes[name], RECORD[name]) == []
        assert grammar.check(classes[name]) == [], name


@pytest.mark.parametrize("change, words", [
    (lambda t: t.replace("<Value>JsonBody</Value>", "<Value>Extra</Value>")
     .replace("</Data>", '<Value name="3">\n<Value>JsonBody</Value>\n</Value>\n</Data>'), "slot 1"),
    (lambda t: t.replace('<Subscript>"JsonMessage"</Subscript>', '<Subscript>"Json"</Subscript>'), "moved"),
    (lambda t: re.sub(r"Storage Default\n\{.*?\n\}\n", "", t, flags=re.S), "no Storage Default"),
    (lambda t: t.replace("/// The message body as JSON text.", "/// New.\nProperty Format As %String;\n\n"
                         "/// The message body as JSON text."), "Format has no slot"),
])
def test_a_release_that_would_move_a_slot_is_caught(change, words):
    name = "PyProd.JsonMessage"
    changed = change(shipped()[name])
    assert any(words in p for p in layout_problems(name, changed, RECORD[name]))


def test_a_new_property_appended_after_the_last_slot_is_accepted():
    name = "PyProd.JsonMessage"
    text = shipped()[name].replace("/// The message body as JSON text.",
                                   "/// New.\nProperty Format As %String;\n\n/// The message body as JSON text.")
    text = text.replace("<Value>JsonFields</Value>\n</Value>\n",
                        '<Value>JsonFields</Value>\n</Value>\n<Value name="3">\n<Value>Format</Value>\n</Value>\n')
    assert layout_problems(name, text, RECORD[name]) == []


def test_generated_classes_never_claim_the_shipped_data_nodes():
    """Generated message and process classes extend the shipped ones and get their own storage
    (classgen/storage.py, kept across loads by merge_storage): it must not name a data node or a
    subscript of a shipped class, or both would write the same slots of a row."""
    shipped_names = {node for record in RECORD.values() for node in record}
    shipped_subscripts = {str(n["subscript"]) for record in RECORD.values() for n in record.values()}
    generated = [p for p in (REPO / "tests" / "golden").rglob("*.cls")]
    assert generated
    for path in generated:
        text = path.read_text(encoding="utf-8")
        for node, info in layout(text).items():
            assert node not in shipped_names and info["subscript"] not in shipped_subscripts, path
