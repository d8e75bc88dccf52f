"""Storage of generated persistent classes: a global of its own for every index, and the merge
that keeps an existing class's storage (its data slots) when the class is generated again.

Message classes extend ``Ens.MessageBody`` and share its extent, so by default the entries of
every index of every message class go to the extent's index global, under the index name: two
message classes with an index ``nameIDX`` would write into one node. Each generated index gets
its own global instead, named after the class and the index (``^PyProd.Ix.<hash>``), the same on
every load and within the 31 characters that tell global names apart.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Dict, List, Optional, Sequence, Tuple

#: Globals holding the entries of generated indexes.
INDEX_GLOBAL_PREFIX = "^PyProd.Ix."
#: Characters of the hash in an index global name (80 bits; the whole name stays under 31).
_HASH_CHARS = 16
_INDEX_ENTRY = re.compile(r'[ \t]*<Index name="([^"]+)">\s*<Location>([^<]*)</Location>\s*</Index>[ \t]*\n?')


def index_global(class_name: str, index_name: str) -> str:
    """The global of index ``index_name`` of class ``class_name`` (class names compare without case,
    as in IRIS)."""
    digest = hashlib.sha256(f"{class_name.lower()}\0{index_name}".encode()).digest()
    return INDEX_GLOBAL_PREFIX + base64.b32encode(digest).decode()[:_HASH_CHARS]


def storage_lines(indexes: Sequence[Tuple[str, str]]) -> List[str]:
    """A ``Storage Default`` block that places each (index name, defining class) in its global;
    the compiler adds the data slots."""
    lines = ["Storage Default", "{"]
    for name, owner in indexes:
        lines += [f'<Index name="{name}">', f"<Location>{index_global(owner, name)}</Location>", "</Index>"]
    lines += ["<Type>%Storage.Persistent</Type>", "}"]
    return lines


def _blocks(text: str) -> List[Tuple[int, int]]:
    """(first line, last line) of each ``Storage`` block of a class text."""
    lines = text.splitlines()
    found = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("Storage "):
            start = i
            while i < len(lines) and lines[i] != "}":
                i += 1
            found.append((start, i))
        i += 1
    return found


def index_locations(block: str) -> Dict[str, str]:
    """Index name -> global of the ``<Index>`` entries of a storage block."""
    return {m.group(1): m.group(2).strip() for m in _INDEX_ENTRY.finditer(block)}


def merge_storage(old_text: Optional[str], new_text: str) -> Tuple[str, List[str]]:
    """``new_text`` with the storage of the existing class (``old_text``), so stored rows keep their
    slots; the index globals of ``new_text`` are added to it. Also returns the indexes the existing
    storage did not place: rows stored before are not in them until the index is rebuilt."""
    new_lines = new_text.rstrip("\n").splitlines()
    wanted: Dict[str, str] = {}
    for start, end in reversed(_blocks(new_text)):
        wanted.update(index_locations("\n".join(new_lines[start:end + 1])))
        del new_lines[start:end + 1]
        while start > 0 and start - 1 < len(new_lines) and not new_lines[start - 1].strip():
            del new_lines[start - 1]
            start -= 1
    old_lines = (old_text or "").splitlines()
    old_blocks = ["\n".join(old_lines[s:e + 1]) for s, e in _blocks(old_text or "")]
    if not old_blocks:
        return new_text, []
    first = old_blocks[0]
    have = index_locations(first)
    added = [name for name in wanted if name not in have]

    def keep(match: re.Match[str]) -> str:
        gone = match.group(2).strip().startswith(INDEX_GLOBAL_PREFIX) and match.group(1) not in wanted
        return "" if gone else match.group(0)

    first = _INDEX_ENTRY.sub(keep, first)
    if added:
        entries = "".join(f'<Index name="{n}">\n<Location>{wanted[n]}</Location>\n</Index>\n' for n in added)
        at = first.find("<Type>")
        at = at if at >= 0 else first.rfind("}")
        first = first[:at] + entries + first[at:]
    blocks = [first, *old_blocks[1:]]
    body = "\n".join(new_lines)
    assert body.endswith("}")
    return body[:-1] + "\n".join(blocks) + "\n\n}\n", added


__all__ = ["INDEX_GLOBAL_PREFIX", "index_global", "index_locations", "merge_storage", "storage_lines"]
