"""Which ``MessageMap`` entry handles a request, as an IRIS business operation chooses.

An entry naming the request's own class wins; otherwise the first entry, in map order, whose
class the request's class extends. Message classes of the script extend their Python base
message classes (as the generated IRIS classes do), then the PyProd and Ens message bases.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from ..api.messages import ProductionMessage
from ..model.types import ClassModel, MapEntryModel
from ..runtime import messages

#: IRIS superclasses of the PyProd message bases, nearest first.
_BASES = {"JsonMessage": ("PyProd.JsonMessage", "PyProd.Message", "Ens.MessageBody", "%Persistent"),
          "PickleMessage": ("PyProd.PickleMessage", "PyProd.Message", "Ens.MessageBody", "%Persistent")}


class MessageClasses:
    """The IRIS class ancestry of a script's message classes."""

    def __init__(self, classes: List[ClassModel]) -> None:
        self._by_python: Dict[Tuple[str, str], ClassModel] = {
            (c.py_module, c.py_class): c for c in classes if c.kind in _BASES}

    def ancestors(self, class_name: str) -> List[str]:
        """``class_name`` and the IRIS classes it extends, nearest first."""
        cls = messages.python_class(class_name)
        if cls is None:
            return [class_name]
        found: List[str] = []
        kind = ""
        for klass in cls.__mro__:
            model = self._by_python.get((klass.__module__, klass.__qualname__))
            if model is not None and issubclass(klass, ProductionMessage):
                found.append(model.iris_name)
                kind = kind or model.kind
        if not found:
            return [class_name]
        return found + list(_BASES[kind])

    def entry_for(self, class_name: str, entries: Tuple[MapEntryModel, ...]) -> Optional[MapEntryModel]:
        """The entry that handles a request of ``class_name``, or None (``OnMessage`` handles it)."""
        for entry in entries:
            if entry.message_class == class_name:
                return entry
        ancestors = set(self.ancestors(class_name)[1:])
        return next((e for e in entries if e.message_class in ancestors), None)
