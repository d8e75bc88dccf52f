"""Results too long for one IRIS string, kept in the upload global for the client to read in parts.

An entry point's JSON document comes back to a Native SDK client as one string, and IRIS strings
hold at most 3,641,144 characters. A longer document (a load with its class texts, a listing of
many scripts) is stored, once the call's outcome is known, under a token of the upload global::

    (token, "user")              = the user the result belongs to (the caller)
    (token, "result", n)         = n-th part of the JSON text (n = 1, 2, ...)

and the caller gets a small pointer instead: ``{"ok", "script", "version", "chunked": parts,
"token"}``. ``PyProd.Loader.ResultChunk(token, n)`` returns part n to that user only, and removes
the result after its last part; the client removes it too when done. A result whose client went
away is purged with stale uploads (``upload.purge``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict

from ..errors import PyProdError
from .globals import Globals
from .upload import check_token

#: Longest document returned as it is (IRIS's limit is 3,641,144 characters; leave room).
INLINE = 3_000_000
#: Characters per stored part. A part is returned inside a JSON document, where escaping can at
#: most double it.
PART = 1_000_000
#: Fields of a document copied into its pointer, so the outcome is known even if no part is read.
_SUMMARY = ("ok", "script", "version", "error")


def new_token() -> str:
    return uuid.uuid4().hex


def reply(g: Globals, text: str, token: str, user: str) -> str:
    """``text`` when it is short; else ``text`` stored under ``token`` for ``user`` and a pointer to it."""
    if len(text) <= INLINE:
        return text
    document: Dict[str, Any] = json.loads(text)
    parts = [text[i:i + PART] for i in range(0, len(text), PART)]
    pointer: Dict[str, Any] = {k: document[k] for k in _SUMMARY if k in document and len(str(document[k])) < 10_000}
    try:
        g.kill((token,))
        g.set((token, "user"), user)
        for number, part in enumerate(parts, start=1):
            g.set((token, "result", number), part)
    except Exception as exc:  # the outcome still reaches the caller
        _discard(g, token)
        pointer.setdefault("warnings", []).append(
            f"the full result ({len(text)} characters) is too long to return at once and could not be "
            f"stored for reading in parts: {exc}")
        return json.dumps(pointer)
    pointer.update(chunked=len(parts), token=token)
    return json.dumps(pointer)


def _discard(g: Globals, token: str) -> None:
    try:
        g.kill((token,))
    except Exception:
        pass


def part(g: Globals, token: str, number: int, user: str) -> Dict[str, Any]:
    """Part ``number`` of a stored result, for the user it belongs to; the last part removes it."""
    token = check_token(token)
    owner = g.get((token, "user"))
    text = g.get((token, "result", int(number)))
    if owner in (None, "") or text is None:
        raise PyProdError(f"no stored result {token!r} part {number}",
                          fix="results are kept until read or for about an hour; run the command again")
    if str(owner) != user:
        raise PyProdError(f"stored result {token!r} belongs to another user, not to {user!r}",
                          fix="read a result over the connection of the user who made it")
    if g.get((token, "result", int(number) + 1)) is None:
        g.kill((token,))
    return {"ok": True, "part": str(text)}
