"""Read an ObjectScript production class (``Class X Extends Ens.Production``) for the harness.

Only the ``XData ProductionDefinition`` block matters: its ``<Item>`` elements and their
``<Setting Target="Host"|"Adapter">`` children. Errors name the ``.cls`` file and line.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from xml.parsers import expat

from .records import HarnessError

_CLASS = re.compile(r"^Class\s+(%?[A-Za-z][A-Za-z0-9.]*)\b", re.MULTILINE)
_XDATA = re.compile(r"^XData\s+ProductionDefinition\b[^\n{]*", re.MULTILINE)
_TRUE = {"true": True, "1": True, "false": False, "0": False}


@dataclasses.dataclass(frozen=True)
class ClsSetting:
    """One ``<Setting>`` of an item."""

    name: str
    value: str
    line: int


@dataclasses.dataclass(frozen=True)
class ClsItem:
    """One ``<Item>`` of the production definition."""

    name: str
    class_name: str
    pool_size: int
    enabled: bool
    host_settings: Tuple[ClsSetting, ...]
    adapter_settings: Tuple[ClsSetting, ...]
    line: int


@dataclasses.dataclass(frozen=True)
class ClsProduction:
    """A production class file: its class name, production name and items."""

    path: str
    class_name: str
    name: str
    items: Tuple[ClsItem, ...]


@dataclasses.dataclass
class _Node:
    tag: str
    attrs: Dict[str, str]
    line: int
    children: List[_Node] = dataclasses.field(default_factory=list)
    text: str = ""


def is_production_file(production: Optional[str]) -> bool:
    """True when ``--production`` names a ``.cls`` file rather than a Python Production class."""
    return production is not None and (production.lower().endswith(".cls") or Path(production).is_file())


def _fail(path: str, line: int, problem: str, fix: str) -> HarnessError:
    return HarnessError(f"{path}:{line}: {problem}; {fix}")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _xdata(path: str, text: str) -> Tuple[str, int]:
    """The XML inside ``XData ProductionDefinition { ... }`` and the file line it starts on."""
    match = _XDATA.search(text)
    if match is None:
        raise HarnessError(f"{path}: no 'XData ProductionDefinition' block; a production class holds its items "
                           "there (export the production from IRIS, or write the block by hand)")
    open_at = text.find("{", match.end())
    if open_at < 0:
        raise _fail(path, _line_of(text, match.start()), "XData ProductionDefinition has no '{'",
                    "wrap the <Production> element in { }")
    start = text.find("<", open_at)
    close = re.compile(r"^\}", re.MULTILINE).search(text, open_at + 1)
    if start < 0 or close is None or close.start() < start:
        raise _fail(path, _line_of(text, open_at), "XData ProductionDefinition has no <Production> element or "
                    "no closing '}' at the start of a line", "close the block with '}' on its own line")
    return text[start:close.start()], _line_of(text, start)


def _parse_xml(path: str, xml: str, first_line: int) -> _Node:
    """A small element tree with line numbers; DOCTYPEs and entities are refused."""
    parser = expat.ParserCreate()
    stack: List[_Node] = [_Node("", {}, 0)]

    def start(tag: str, attrs: Dict[str, str]) -> None:
        node = _Node(tag, attrs, first_line + parser.CurrentLineNumber - 1)
        stack[-1].children.append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        stack[-1].text += data

    def doctype(*args: Any) -> None:
        raise _fail(path, first_line + parser.CurrentLineNumber - 1, "the production XML has a DOCTYPE",
                    "remove it: production definitions use plain XML")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise _fail(path, first_line + (exc.lineno or 1) - 1, f"the production XML is not valid XML "
                    f"({expat.ErrorString(exc.code)})", "fix the XML in XData ProductionDefinition") from None
    roots = stack[0].children
    if len(roots) != 1 or roots[0].tag != "Production":
        line = roots[0].line if roots else first_line
        raise _fail(path, line, "XData ProductionDefinition must hold one <Production> element",
                    'write <Production Name="Package.Production"> ... </Production>')
    return roots[0]


def _int(path: str, node: _Node, attr: str, default: int) -> int:
    raw = node.attrs.get(attr, "")
    if raw.strip() == "":
        return default
    if not raw.strip().isdigit():
        raise _fail(path, node.line, f"{attr}={raw!r} of item {node.attrs.get('Name', '')!r} is not a whole number",
                    f"write {attr}=\"1\"")
    return int(raw)


def _item(path: str, node: _Node) -> ClsItem:
    name = node.attrs.get("Name", "").strip()
    class_name = node.attrs.get("ClassName", "").strip()
    if not name or not class_name:
        raise _fail(path, node.line, "an <Item> has no Name or no ClassName",
                    'write <Item Name="MyService" ClassName="Package.MyService">')
    enabled_text = node.attrs.get("Enabled", "true").strip().lower()
    if enabled_text not in _TRUE:
        raise _fail(path, node.line, f"Enabled={node.attrs['Enabled']!r} of item {name!r}",
                    'write Enabled="true" or Enabled="false"')
    settings: Dict[str, List[ClsSetting]] = {"Host": [], "Adapter": []}
    for child in node.children:
        if child.tag != "Setting":
            continue
        target, setting = child.attrs.get("Target", ""), child.attrs.get("Name", "")
        if target not in settings:
            raise _fail(path, child.line, f"setting {setting!r} of item {name!r} has Target={target!r}",
                        'use Target="Host" or Target="Adapter"')
        if not setting:
            raise _fail(path, child.line, f"a <Setting> of item {name!r} has no Name", 'write Name="SettingName"')
        settings[target].append(ClsSetting(setting, child.text.strip(), child.line))
    return ClsItem(name, class_name, _int(path, node, "PoolSize", 1), _TRUE[enabled_text],
                   tuple(settings["Host"]), tuple(settings["Adapter"]), node.line)


def read_production(path: str) -> ClsProduction:
    """Parse the production class file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise HarnessError(f"{path}: cannot read the production class ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise HarnessError(f"{path}: not UTF-8 text; save the class file as UTF-8") from None
    header = _CLASS.search(text)
    if header is None:
        raise HarnessError(f"{path}: no 'Class Package.Name Extends Ens.Production' line; "
                           "pass an ObjectScript production class (.cls)")
    xml, first_line = _xdata(path, text)
    root = _parse_xml(path, xml, first_line)
    items: List[ClsItem] = []
    seen: Dict[str, int] = {}
    for node in root.children:
        if node.tag != "Item":
            continue
        item = _item(path, node)
        if item.name in seen:  # IRIS allows a name twice when at most one of them is enabled
            other = next(i for i in items if i.name == item.name)
            if item.enabled and other.enabled:
                raise _fail(path, item.line, f"item {item.name!r} is defined and enabled twice (first at line "
                            f"{seen[item.name]})", "disable one of them or give each its own Name")
            if item.enabled:
                items[items.index(other)] = item
            continue
        seen[item.name] = item.line
        items.append(item)
    return ClsProduction(path, header.group(1), root.attrs.get("Name", header.group(1)), tuple(items))
