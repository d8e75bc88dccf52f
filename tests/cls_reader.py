"""Read ObjectScript classes with the tree-sitter grammar: members, signatures, bridge calls."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from .helpers import _parser


@dataclasses.dataclass
class MethodInfo:
    name: str
    args: int
    varargs: bool
    class_method: bool


@dataclasses.dataclass
class ClassInfo:
    name: str
    supers: List[str]
    parameters: Dict[str, str] = dataclasses.field(default_factory=dict)
    properties: Dict[str, str] = dataclasses.field(default_factory=dict)
    methods: Dict[str, MethodInfo] = dataclasses.field(default_factory=dict)
    #: (python function, argument count, calling method, wrapped in ..PyUnpack())
    bridge_calls: List[Tuple[str, int, str, bool]] = dataclasses.field(default_factory=list)
    #: (python function, argument count, calling method) on the loader module
    loader_calls: List[Tuple[str, int, str]] = dataclasses.field(default_factory=list)
    #: (python function, argument count, calling method) on the message-viewer module
    viewer_calls: List[Tuple[str, int, str]] = dataclasses.field(default_factory=list)
    paths_calls: List[Tuple[str, int, str]] = dataclasses.field(default_factory=list)
    #: (method called on the object itself, argument count, calling method)
    self_calls: List[Tuple[str, int, str]] = dataclasses.field(default_factory=list)


def _first(node: Any, kind: str) -> Optional[Any]:
    stack = [node]
    while stack:
        current = stack.pop(0)
        if current.type == kind:
            return current
        stack.extend(current.children)
    return None


def _all(node: Any, kind: str) -> List[Any]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if current.type == kind:
            found.append(current)
        stack.extend(reversed(current.children))
    return found


def _text(node: Any) -> str:
    return node.text.decode("utf-8")


def _name(node: Any) -> str:
    return _text(node).strip('"')


def read_class(text: str) -> ClassInfo:
    tree = _parser().parse(text.encode("utf-8"))
    definition = _first(tree.root_node, "class_definition")
    assert definition is not None, "no class definition"
    name = _text(_first(definition, "class_name"))
    extends = _first(definition, "class_extends")
    supers = [_text(n) for n in extends.children if n.type == "class_name"] if extends else []
    info = ClassInfo(name, supers)
    body = _first(definition, "class_body")
    for statement in (c for c in body.children if c.type == "class_statement"):
        member = statement.named_children[0]
        if member.type == "parameter":
            default = _first(member, "default_argument_value")
            value = _text(default).lstrip("=").strip().strip('"') if default else ""
            info.parameters[_text(_first(member, "parameter_name"))] = value
        elif member.type == "property":
            info.properties[_text(_first(member, "property_name"))] = _text(_first(member, "typename"))
        elif member.type in ("method", "classmethod"):
            definition_node = _first(member, "method_definition")
            method_name = _name(_first(definition_node, "method_name"))
            arguments = _first(definition_node, "arguments")
            args = [a for a in arguments.children if a.type == "argument"] if arguments else []
            varargs = arguments is not None and "..." in _text(arguments)
            info.methods[method_name] = MethodInfo(method_name, len(args), varargs, member.type == "classmethod")
            _calls(definition_node, method_name, info)
    return info


_BRIDGE = re.compile(r'^(bridge|loader|viewer|paths)\.(?:"([^"]+)"|(\w+))\(')


def _arg_count(oref_method: Any) -> int:
    args = _first(oref_method, "method_args")
    return len([a for a in args.children if a.type == "method_arg"]) if args else 0


def _calls(method: Any, caller: str, info: ClassInfo) -> None:
    for chain in _all(method, "oref_chain_expr"):
        match = _BRIDGE.match(_text(chain))
        if match:
            oref = _first(chain, "oref_method")
            parent = chain.parent
            wrapped = False
            while parent is not None and parent.type != "statement":
                if parent.type == "relative_dot_method" and _text(parent).startswith("..PyUnpack("):
                    wrapped = True
                parent = parent.parent
            function = match.group(2) or match.group(3)
            if match.group(1) == "loader":
                info.loader_calls.append((function, _arg_count(oref), caller))
            elif match.group(1) == "paths":
                info.paths_calls.append((function, _arg_count(oref), caller))
            elif match.group(1) == "viewer":
                info.viewer_calls.append((function, _arg_count(oref), caller))
            else:
                info.bridge_calls.append((function, _arg_count(oref), caller, wrapped))
    for call in _all(method, "relative_dot_method"):
        oref = _first(call, "oref_method")
        if oref is not None:
            info.self_calls.append((_name(_first(oref, "method_name")), _arg_count(oref), caller))


def read_tree(folder: Path) -> Dict[str, ClassInfo]:
    classes = {}
    for path in sorted(folder.rglob("*.cls")):
        info = read_class(path.read_text(encoding="utf-8"))
        classes[info.name] = info
    return classes


def lookup(classes: Dict[str, ClassInfo], class_name: str, member: str, kind: str) -> Optional[Any]:
    """A member of ``class_name`` or of its PyProd superclasses (``kind``: methods/properties/parameters)."""
    seen, todo = set(), [class_name]
    while todo:
        current = todo.pop(0)
        if current in seen or current not in classes:
            continue
        seen.add(current)
        found = getattr(classes[current], kind).get(member)
        if found is not None:
            return found
        todo.extend(classes[current].supers)
    return None


def python_methods(text: str) -> Dict[str, Tuple[List[str], str]]:
    """Name -> (argument names, body) of each ``[ Language = python ]`` method, as the grammar reads
    them; the body is dedented, ready to be the body of a ``def``."""
    import textwrap

    tree = _parser().parse(text.encode("utf-8"))
    found: Dict[str, Tuple[List[str], str]] = {}
    for definition in _all(tree.root_node, "method_definition"):
        keywords = _first(definition, "external_method_keywords")
        body = _first(definition, "external_method_body_content")
        if keywords is None or body is None or not re.search(r"Language\s*=\s*python", _text(keywords), re.I):
            continue
        arguments = _first(definition, "arguments")
        names = [_text(a).split()[0] for a in arguments.children if a.type == "argument"] if arguments else []
        found[_name(_first(definition, "method_name"))] = (names, textwrap.dedent(_text(body)).strip("\n") + "\n")
    return found
