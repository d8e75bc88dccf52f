"""Which ``MessageMap`` entry handles a request, as an IRIS business operation chooses.

An entry naming the request's own class wins; otherwise the first entry, in map order, whose
class the request's class extends. A message class of the script extends the IRIS class of its
Python base message class (the model's ``extends``), then the PyProd and Ens message bases.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from ..model.types import ClassModel, MapEntryModel

#: IRIS superclasses of the PyProd message bases, nearest first.
_BASES = {"JsonMessage": ("PyProd.JsonMessage", "PyProd.Message", "Ens.Request", "Ens.MessageBody", "%Persistent"),
          "PickleMessage": ("PyProd.PickleMessage", "PyProd.Message", "Ens.Request", "Ens.MessageBody", "%Persistent")}


class MessageClasses:
    """The IRIS class ancestry of a script's message classes, as the generated classes declare it."""

    def __init__(self, classes: List[ClassModel]) -> None:
        self._by_name: Dict[str, ClassModel] = {c.iris_name: c for c in classes if c.kind in _BASES}

    def ancestors(self, class_name: str) -> List[str]:
        """``class_name`` and the IRIS classes it extends, nearest first."""
        model = self._by_name.get(class_name)
        if model is None:
            return [class_name]
        kind = model.kind
        found: List[str] = []
        while model is not None:
            found.append(model.iris_name)
            model = self._by_name.get(model.extends) if model.extends else None
        return found + list(_BASES[kind])

    def entry_for(self, class_name: str, entries: Tuple[MapEntryModel, ...]) -> Optional[MapEntryModel]:
        """The entry that handles a request of ``class_name``, or None (``OnMessage`` handles it)."""
        for entry in entries:
            if entry.message_class == class_name:
                return entry
        ancestors = set(self.ancestors(class_name)[1:])
        return next((e for e in entries if e.message_class in ancestors), None)
