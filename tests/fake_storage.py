"""What the fake namespace knows of persistent classes (not shipped).

The IRIS rules modelled here:

* A class is persistent when its superclass chain reaches a persistent IRIS class; subclasses
  share the extent of the root (``Ens.MessageBody`` for messages, ``Ens.BusinessProcess`` for
  processes) and, by default, its index global: index ``N`` of any class of the extent files its
  entries under ``^<root>I("N")``. A ``<Index name="N"><Location>^G</Location></Index>`` entry in
  the class's storage puts them in ``^G`` instead (``%Dictionary.StorageIndexDefinition.Location``).
* Compiling writes the storage back into the class definition: a ``Storage Default`` block whose
  ``<Data>`` holds one slot per stored property; slots of existing properties never move, and
  ``<Index>`` entries already in the block stay.
* Every SQL field and table name of a persistent class must not be an SQL reserved word, unless
  ``SqlFieldName`` / ``SqlTableName`` gives another.
"""

from __future__ import annotations

import re
from typing import Dict, List, Mapping, Optional, Tuple

from intersystems_pyprod.naming import is_sql_reserved

#: IRIS classes (and PyProd base classes) that persistent generated classes reach, with their root.
EXTENT_ROOTS = {
    "PyProd.Message": "Ens.MessageBody", "PyProd.JsonMessage": "Ens.MessageBody",
    "PyProd.PickleMessage": "Ens.MessageBody", "Ens.Request": "Ens.MessageBody",
    "Ens.Response": "Ens.MessageBody", "Ens.MessageBody": "Ens.MessageBody",
    "PyProd.BusinessProcess": "Ens.BusinessProcess", "Ens.BusinessProcess": "Ens.BusinessProcess",
}
_CLASS = re.compile(r"^Class (\S+) Extends \(?([^)\s\[]+)", re.M)
_INDEX = re.compile(r"^Index (\w+) On", re.M)
_LOCATION = re.compile(r'<Index name="([^"]+)">\s*<Location>([^<]*)</Location>\s*</Index>')
_PROPERTY = re.compile(r"^Property (\w+) As [^;\[]*(?:\[([^\]]*)\])?;", re.M)


def index_locations(block: str) -> Dict[str, str]:
    """Index name -> global of the ``<Index>`` entries of a storage block."""
    return {m.group(1): m.group(2).strip() for m in _LOCATION.finditer(block)}


def _parent(text: str) -> str:
    found = _CLASS.search(text)
    return found.group(2) if found else ""


def _by_folded(texts: Mapping[str, str]) -> Dict[str, str]:
    return {name.lower(): text for name, text in texts.items()}


def extent_root(name: str, texts: Mapping[str, str]) -> Optional[str]:
    """The root of the extent class ``name`` stores in, or None when it is not persistent."""
    folded = _by_folded(texts)
    seen = set()
    while name.lower() in folded and name.lower() not in seen:
        seen.add(name.lower())
        name = _parent(folded[name.lower()])
    return EXTENT_ROOTS.get(name)


def _storage(text: str) -> str:
    found = re.search(r"^Storage \w+\n\{\n(.*?)^\}", text, re.M | re.S)
    return found.group(1) if found else ""


def _definer(name: str, index: str, folded: Dict[str, str]) -> str:
    """The class of the chain from ``name`` up that declares index ``index`` (the highest one)."""
    found = name
    current = name
    while current.lower() in folded:
        if index in _INDEX.findall(folded[current.lower()]):
            found = current
        current = _parent(folded[current.lower()])
    return found


def index_nodes(texts: Mapping[str, str]) -> Dict[Tuple[str, str], str]:
    """(class, index) -> the global node its entries go to, for every index of every persistent
    class in ``texts``. An inherited index resolves to its defining class's node; a class that
    places an inherited index elsewhere is an error (IRIS would pick one of two places)."""
    folded = _by_folded(texts)
    nodes: Dict[Tuple[str, str], str] = {}
    for name, text in texts.items():
        root = extent_root(name, texts)
        if root is None:
            continue
        indexes: List[str] = []
        current, seen = name, set()
        while current.lower() in folded and current.lower() not in seen:
            seen.add(current.lower())
            indexes += [i for i in _INDEX.findall(folded[current.lower()]) if i not in indexes]
            current = _parent(folded[current.lower()])
        for index in indexes:
            definer = _definer(name, index, folded)
            own = index_locations(_storage(folded[definer.lower()])).get(index)
            node = own or f'^{root}I("{index}")'
            here = index_locations(_storage(text)).get(index)
            if here is not None and here != node:
                raise AssertionError(f"{name} places inherited index {index} in {here}, {definer} in {node}")
            nodes[(name, index)] = node
    return nodes


def compile_problems(name: str, text: str, texts: Mapping[str, str]) -> List[str]:
    """What the class compiler refuses in a persistent class: SQL names that are reserved words."""
    if extent_root(name, texts) is None:
        return []
    problems = []
    header = text[:text.find("{")]
    short = name.rsplit(".", 1)[1]
    if is_sql_reserved(short) and "SqlTableName" not in header:
        problems.append(f"ERROR #5461: SQL table name {short} of class {name} is a reserved word")
    for prop, keywords in _PROPERTY.findall(text):
        if is_sql_reserved(prop) and "SqlFieldName" not in (keywords or "") and "Transient" not in (keywords or ""):
            problems.append(f"ERROR #5461: SQL field name {prop} of class {name} is a reserved word")
    return problems


def complete_storage(name: str, text: str, texts: Mapping[str, str]) -> str:
    """The definition as the compiler leaves it: the storage block completed with data slots."""
    if extent_root(name, texts) is None:
        return text
    short = name.rsplit(".", 1)[1]
    block = _storage(text)
    slots = re.findall(r"<Value>(\w+)</Value>", block)
    new = [p for p, _ in _PROPERTY.findall(text) if p not in slots]
    if not new and block:
        return text
    values = "".join(f'<Value name="{len(slots) + i + 1}">\n<Value>{p}</Value>\n</Value>\n'
                     for i, p in enumerate(new))
    if "<Data " in block:
        block = block.replace("</Data>", values + "</Data>", 1)
    else:
        block = (f'<Data name="{short}DefaultData">\n<Subscript>"{short}"</Subscript>\n{values}</Data>\n'
                 f"<DefaultData>{short}DefaultData</DefaultData>\n") + (block or "<Type>%Storage.Persistent</Type>\n")
    if _storage(text):
        return re.sub(r"^(Storage \w+\n\{\n)(.*?)^\}", lambda m: m.group(1) + block + "}", text, count=1,
                      flags=re.M | re.S)
    body = text.rstrip("\n")
    return body[:-1] + "Storage Default\n{\n" + block + "}\n\n}\n"
