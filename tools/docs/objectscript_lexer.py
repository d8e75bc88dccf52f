"""A Pygments lexer for the ```objectscript blocks of the site (Pygments ships none), registered
as an mkdocs hook so the build colours class definitions and terminal code like the others."""

from __future__ import annotations

import sys
import types
from typing import Any

from pygments import lexers
from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace

__all__ = ["ObjectScriptLexer"]

#: Commands, in full (the one-letter abbreviations read as names, which they also are).
COMMANDS = ("break", "catch", "close", "continue", "do", "else", "elseif", "for", "goto", "halt", "hang",
            "if", "job", "kill", "lock", "merge", "new", "open", "quit", "read", "return", "set", "tcommit",
            "throw", "trollback", "try", "tstart", "use", "view", "while", "write", "xecute", "zwrite", "zw",
            "zn", "zpm")
#: Keywords of a class definition.
DEFINITIONS = ("Class", "ClassMethod", "Extends", "ForeignKey", "Index", "Method", "Parameter", "Projection",
               "Property", "Query", "Relationship", "Storage", "Trigger", "XData", "As", "Of")
MODULE = "intersystems_pyprod_docs_objectscript"


class ObjectScriptLexer(RegexLexer):
    """InterSystems ObjectScript: class definitions (UDL), methods and terminal lines."""

    name = "ObjectScript"
    aliases = ["objectscript", "cos"]
    filenames: list[str] = []
    tokens = {
        "root": [
            (r"\s+", Whitespace),
            (r"///.*?$", String.Doc),
            (r"(//|#;|;).*?$", Comment.Single),
            (r"/\*.*?\*/", Comment.Multiline),
            (r'"(?:[^"]|"")*"', String.Double),
            (r"(##class)(\()([%\w.]+)(\))", bygroups(Keyword, Punctuation, Name.Class, Punctuation)),
            (r"\$\$\$\w+", Name.Constant),
            (r"\$\$?[A-Za-z]\w*", Name.Builtin),
            (r"\^[%\w.]+", Name.Variable.Global),
            (words(DEFINITIONS, prefix=r"(?<![\w.%])", suffix=r"\b"), Keyword.Declaration),
            (words(COMMANDS, prefix=r"(?i)(?<![\w.%$])", suffix=r"\b"), Keyword),
            (r"\d+(\.\d+)?([eE][+-]?\d+)?", Number),
            (r"\.\.%?\w+", Name.Function),
            (r"%?[A-Za-z]\w*(\.[A-Za-z]\w*)*", Name),
            (r"[-+*/\\#_=<>!&'\[\]?@]+", Operator),
            (r"[(){},.:]", Punctuation),
            (r".", Text),
        ],
    }


def on_config(config: Any) -> Any:
    """Make the lexer known to Pygments under ``objectscript`` before any page is highlighted."""
    module = types.ModuleType(MODULE)
    module.ObjectScriptLexer = ObjectScriptLexer  # type: ignore[attr-defined]
    module.__all__ = __all__  # type: ignore[attr-defined]
    sys.modules[MODULE] = module  # Pygments imports a lexer's module by name
    lexers.LEXERS["ObjectScriptLexer"] = (MODULE, ObjectScriptLexer.name, tuple(ObjectScriptLexer.aliases), (), ())
    return config
