"""Class parameters (``IRISParameter``): their IRIS type and keyword list, checked."""

from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

from ..errors import Location, PyProdError, PyProdWarning
from ..naming import has_control_chars

#: The parameter types IRIS knows (``Parameter NAME As TYPE``); not class names.
PARAMETER_TYPES = (
    "BOOLEAN", "CLASSNAME", "COSCODE", "COSEXPRESSION", "COSIDENTIFIER", "INTEGER", "SQL", "SQLIDENTIFIER",
    "STRING", "TEXT", "CONFIGVALUE",
)
#: Python types and their names -> parameter types (``float`` has none: IRIS has no NUMBER type).
_FROM_PYTHON = {"str": "STRING", "int": "INTEGER", "bool": "BOOLEAN", "float": ""}
#: Keywords a parameter may carry, by their lower-case spelling.
_FLAG_KEYWORDS = {k.lower(): k for k in ("Abstract", "Deprecated", "Final", "Internal")}
_VALUE_KEYWORDS = {k.lower(): k for k in ("Constraint", "Flags")}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
_KEYWORD_ITEM = re.compile(r'\s*([A-Za-z]+)\s*(?:=\s*("(?:[^"]|"")*"|[A-Za-z][A-Za-z0-9,]*))?\s*(?:,|\Z)')


def parameter_type(datatype: Any, annotation: Any, what: str, where: Optional[Location],
                   warnings: List[PyProdWarning]) -> str:
    """The ``As`` type of a parameter ("" for none): an IRIS parameter type, or one derived from a
    Python type given as ``datatype`` or as the annotation."""
    spec = datatype if datatype not in (None, "") else annotation
    if spec is None or spec == "":
        return ""
    name = spec if isinstance(spec, str) else getattr(spec, "__name__", repr(spec))
    if name in _FROM_PYTHON:
        return _FROM_PYTHON[name]
    if not isinstance(spec, str):
        warnings.append(PyProdWarning(f"{what} has datatype {name!r}, which has no IRIS parameter type; "
                                      "it is declared without one", where))
        return ""
    if not _WORD.match(name):
        raise PyProdError(f"{what} has datatype {spec!r}, which is not a parameter type", where=where,
                          fix=f"use one of {', '.join(PARAMETER_TYPES)}, or str, int, bool (or leave it out)")
    upper = name.upper()
    if upper not in PARAMETER_TYPES:
        warnings.append(PyProdWarning(f"{what} has datatype {spec!r}, which is not an IRIS parameter type "
                                      f"({', '.join(PARAMETER_TYPES)}); it is declared without one", where))
        return ""
    return upper


def parameter_keywords(keyword_list: Any, what: str, where: Optional[Location]) -> Tuple[str, ...]:
    """The keywords of a parameter, from ``"Final"``, ``"Internal, Final"`` or
    ``'Constraint = "A,B", Flags = ENUM'``, in their canonical spelling."""
    if keyword_list in (None, ""):
        return ()
    if not isinstance(keyword_list, str) or has_control_chars(keyword_list):
        raise PyProdError(f"{what} has keyword_list {keyword_list!r}", where=where,
                          fix="pass the keywords as one line of text, e.g. keyword_list=\"Final\"")
    text = keyword_list.strip()
    out: List[str] = []
    position = 0
    while position < len(text):
        match = _KEYWORD_ITEM.match(text, position)
        if match is None or match.end() == position:
            raise PyProdError(f"{what} has keyword_list {keyword_list!r}, which cannot be read at "
                              f"{text[position:]!r}", where=where, fix=_KEYWORD_FIX)
        word, value = match.group(1).lower(), match.group(2)
        if word in _FLAG_KEYWORDS and value is None:
            out.append(_FLAG_KEYWORDS[word])
        elif word in _VALUE_KEYWORDS and value is not None:
            out.append(f"{_VALUE_KEYWORDS[word]} = {value}")
        else:
            raise PyProdError(f"{what} has keyword {match.group(0).strip(' ,')!r}", where=where, fix=_KEYWORD_FIX)
        position = match.end()
    return tuple(out)


_KEYWORD_FIX = ("use Abstract, Deprecated, Final, Internal, Constraint = \"...\" or Flags = ENUM, "
                "separated by commas")
