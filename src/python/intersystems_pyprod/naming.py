"""IRIS naming rules, in one place.

Class names are ``package.ShortName``: every dot-piece starts with a letter and holds only
letters and digits. On a Unicode instance a letter may be any letter of the Basic Multilingual
Plane (``Grüße``, ``Ωmega``, ``名前``): IRIS's identifier rules allow alphabetic characters above
ASCII; digits are ``0``-``9``. A name IRIS refuses gets an ASCII transliteration as the suggested
fix (``Grüße_Welt`` -> ``GruesseWelt``). Short class names are unique in their first 60 characters, packages in
their first 189, and two names that differ only by case are the same name. Member names
(properties, parameters, methods, indexes) follow the same letter/digit rule.

A Python name becomes an IRIS name by the rule of pyprod 0.2.0, so that scripts, production
definitions and ObjectScript callers written for it keep their names: a snake_case name that is
all lower or all upper case (``my_target``, ``MAX_RETRY``) becomes PascalCase (``MyTarget``,
``MaxRetry``); every other name (``target``, ``camelCase``, ``TargetConfigName``) is kept as
written. Class names are always kept as written.
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from functools import lru_cache
from typing import Any, Dict, Iterable, Optional

from .errors import Location, PyProdError
from .troubleshooting import see

SHORT_CLASS_NAME_MAX = 60
PACKAGE_NAME_MAX = 189
#: No IRIS member-name limit is documented beyond Caché's 31 and SQL's 128 characters;
#: 96 keeps member names, their generated methods and SQL names within every reported limit.
MEMBER_NAME_MAX = 96

#: Packages that belong to InterSystems or to this product; user classes may not live there.
RESERVED_PACKAGES = ("Ens", "EnsLib", "EnsPortal", "CSPX", "PyProd")

#: Characters that IRIS text values (parameters, settings lists) cannot hold raw.
CONTROL_CHARS = frozenset({chr(c) for c in range(32)} | {"\x7f", "\x85", "\u2028", "\u2029"})


def has_control_chars(text: str) -> bool:
    """True when ``text`` holds a line break or another control character."""
    return any(ch in CONTROL_CHARS for ch in text)


_PIECE = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
#: Letters with no decomposition to ASCII, written as German, Nordic and other usage writes them.
_TRANSLITERATION = {"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "ø": "oe", "Ø": "Oe", "œ": "oe", "Œ": "Oe",
                    "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "\u0131": "i",
                    "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
_WORD_SPLIT = re.compile(r"_+")


@lru_cache(maxsize=4096)
def iris_name(name: str) -> str:
    """The IRIS form of a Python member name: ``my_target`` -> ``MyTarget``, ``MAX_RETRY`` ->
    ``MaxRetry``; ``target``, ``camelCase`` and ``Mixed_Case`` are kept as written."""
    if "_" in name and (name.lower() == name or name.upper() == name):
        return "".join(word.capitalize() for word in name.split("_") if word)
    return name


def _words_pascal(name: str) -> str:
    """Every ``_``-separated word capitalised (``hello_world`` -> ``HelloWorld``), for suggestions."""
    return "".join(p[0].upper() + p[1:] for p in _WORD_SPLIT.split(name) if p)


def _ascii_ident(text: str) -> bool:
    return bool(_PIECE.match(text)) and text.isascii()


def _is_letter(ch: str) -> bool:
    return ch.isalpha() and ord(ch) <= 0xFFFF


def _ident(text: str) -> bool:
    """An IRIS identifier piece: a letter, then letters and digits 0-9 (letters beyond ASCII
    included, as a Unicode instance takes them)."""
    return bool(text) and _is_letter(text[0]) and all(_is_letter(ch) or ch in "0123456789" for ch in text)


def transliterate(text: str) -> str:
    """``text`` in ASCII letters where it has others: ``Grüße`` -> ``Gruesse``, ``café`` -> ``cafe``."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out.append(ch)
        elif ch in _TRANSLITERATION:
            out.append(_TRANSLITERATION[ch])
        else:
            out.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii"))
    return "".join(out)


def member_name(py_name: str, what: str, where: Optional[Location] = None) -> str:
    """The IRIS member name for a Python attribute or method name, validated."""
    result = iris_name(py_name)
    if not _ident(result):
        hint = _ascii_hint(py_name)
        raise PyProdError(
            f"{what} {py_name!r} cannot be an IRIS member name ({result!r}): IRIS names are letters and "
            "digits 0-9 and start with a letter (no '_' or marks); only all-lower or all-upper snake_case "
            "names lose their underscores",
            where=where,
            fix=(f"rename it, e.g. {hint!r}" if hint else "rename it with ASCII letters and digits") + "; "
                + see("name-iris-cannot-take"),
        )
    if len(result) > MEMBER_NAME_MAX:
        raise PyProdError(
            f"{what} {py_name!r} is {len(result)} characters long as an IRIS member name; "
            f"the limit is {MEMBER_NAME_MAX}",
            where=where,
            fix="use a shorter name",
        )
    return result


def _ascii_hint(py_name: str) -> str:
    """A valid name close to ``py_name``, or "" when none is obvious."""
    candidate = _words_pascal(re.sub(r"[^A-Za-z0-9_]", "", transliterate(py_name))).lstrip("0123456789")
    return candidate if _ascii_ident(candidate) else ""


def package_name(package: str, where: Optional[Location] = None, *, derived: bool = False) -> str:
    """Validate an IRIS package name (``helloworld``, ``Demo.Orders``)."""
    origin = "derived from the script file name" if derived else "set by iris_package_name"
    if not isinstance(package, str) or not package:
        raise PyProdError(
            f"the IRIS package name {package!r} is empty or not a string",
            where=where,
            fix='set iris_package_name = "MyPackage" at the top of the script',
        )
    pieces = package.split(".")
    if not all(_ident(p) for p in pieces):
        raise PyProdError(
            f"invalid IRIS package name {package!r} ({origin}): each dot-separated part must start "
            "with a letter and contain only letters and digits 0-9 (no '_', '-' or spaces)",
            where=where,
            fix=f'set iris_package_name = "{suggest_package(package)}"; ' + see("name-iris-cannot-take"),
        )
    if len(package) > PACKAGE_NAME_MAX:
        raise PyProdError(
            f"IRIS package name {package!r} is {len(package)} characters long; the limit is "
            f"{PACKAGE_NAME_MAX}",
            where=where,
            fix="use a shorter iris_package_name",
        )
    first = pieces[0].lower()
    for reserved in RESERVED_PACKAGES:
        if first == reserved.lower():
            raise PyProdError(
                f"IRIS package name {package!r} is inside the reserved package {reserved!r} "
                "(reserved for InterSystems and PyProd classes)",
                where=where,
                fix='choose your own package name, e.g. iris_package_name = "MyProject"',
            )
    return package


def suggest_package(text: str) -> str:
    """A valid package name close to ``text`` (used in hints and for file-name defaults)."""
    pieces = []
    for raw in text.split("."):
        piece = _words_pascal(re.sub(r"[^A-Za-z0-9_]", "_", transliterate(raw)))
        piece = piece.lstrip("0123456789")
        if piece:
            pieces.append(piece)
    return ".".join(pieces) or "MyPackage"


def package_from_filename(stem: str, where: Optional[Location] = None) -> str:
    """The default package of a script: its file name, made a valid IRIS name."""
    if _ident(stem):
        return package_name(stem, where, derived=True)
    return package_name(suggest_package(stem), where, derived=True)


def short_class_name(py_name: str, where: Optional[Location] = None) -> str:
    """The short IRIS class name of a Python class: the Python name as written, validated."""
    if not _ident(py_name):
        hint = _ascii_hint(py_name)
        raise PyProdError(
            f"class {py_name!r} cannot be an IRIS class name: IRIS class names are letters and digits "
            "0-9 and start with a letter (no '_' or marks)",
            where=where,
            fix=f"rename the class, e.g. to {hint!r}" if hint else "rename the class with ASCII letters and digits",
        )
    if len(py_name) > SHORT_CLASS_NAME_MAX:
        raise PyProdError(
            f"class name {py_name!r} is {len(py_name)} characters long; IRIS short class names "
            f"are limited to {SHORT_CLASS_NAME_MAX}",
            where=where,
            fix=f"rename the class to at most {SHORT_CLASS_NAME_MAX} characters",
        )
    return py_name


def is_class_name(text: str) -> bool:
    """True when ``text`` is a syntactically valid full IRIS class name (``Pkg.Cls``, ``%Lib.X``)."""
    return is_type_name(text) and "." in text


def is_type_name(text: str) -> bool:
    """True for ``%String``, ``%Library.String``, ``Pkg.Cls`` or ``Grüße.Straße``."""
    if not isinstance(text, str):
        return False
    pieces = (text[1:] if text.startswith("%") else text).split(".")
    return all(_ident(p) for p in pieces)


class ClashChecker:
    """Finds names that IRIS would treat as the same (case-insensitive)."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._seen: Dict[str, tuple] = {}

    def add(self, iris_name: str, origin: str, where: Optional[Location] = None) -> None:
        key = iris_name.lower()
        if key in self._seen:
            other_name, other_origin = self._seen[key]
            raise PyProdError(
                f"{self._what} {iris_name!r} (from {origin}) clashes with {other_name!r} (from "
                f"{other_origin}): IRIS names are case-insensitive",
                where=where,
                fix=f"rename one of {origin} and {other_origin}",
            )
        self._seen[key] = (iris_name, origin)

    def reserve(self, names: Iterable[str], origin: str) -> None:
        for name in names:
            self._seen[name.lower()] = (name, origin)


@lru_cache(maxsize=1)
def _sql_reserved() -> frozenset:
    from .sql_reserved import SQL_RESERVED_WORDS

    return SQL_RESERVED_WORDS


def is_sql_reserved(name: str) -> bool:
    """True when ``name`` is an InterSystems SQL reserved word (case-insensitive)."""
    return name.upper() in _sql_reserved()


def sql_safe_name(name: str, suffix: str) -> Optional[str]:
    """The SQL name to use instead of ``name`` (``name`` + ``suffix``) when it is reserved, else ``None``."""
    if is_sql_reserved(name):
        return name + suffix
    return None


def is_python_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _library_class(klass: type) -> bool:
    """True for the library's own classes and builtins: where a user class's own MRO ends."""
    module = klass.__module__
    return module == "builtins" or module == "intersystems_pyprod" or module.startswith("intersystems_pyprod.")


def class_level_package(cls: type) -> Optional[Any]:
    """An ``iris_package_name`` set on the class or a user base class (ignored: see ``package_of``)."""
    for klass in cls.__mro__:
        if _library_class(klass):
            break
        if "iris_package_name" in klass.__dict__:
            return klass.__dict__["iris_package_name"]
    return None


def package_of(cls: type) -> str:
    """``iris_package_name`` of the class's module, else the module's file name. A class-level
    ``iris_package_name`` is ignored, as pyprod 0.2.0's generator ignores it, so a class keeps the
    name pyprod gave it (the model warns)."""
    where = getattr(cls, "_pyprod_where", None)
    module = sys.modules.get(cls.__module__)
    value = getattr(module, "iris_package_name", None)
    if value is not None:
        file = getattr(module, "__file__", None)
        return package_name(value, Location(file) if file else where)
    return package_from_filename(cls.__module__.rsplit(".", 1)[-1], where)


def iris_class_name(cls: type) -> str:
    """The full IRIS class name generated for ``cls``."""
    where = getattr(cls, "_pyprod_where", None)
    return f"{package_of(cls)}.{short_class_name(cls.__name__, where)}"
