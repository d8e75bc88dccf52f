"""Sources a client stages in the namespace for ``LoadUploaded``, and the checks on them.

Layout of the upload global, per token (32 hex digits)::

    (token, "entry")            = project-relative path of the entry script
    (token, "project")          = where the sources come from (client host and folder)
    (token, "user"), "job"      = user name and process ($JOB) of the connection that staged it
                                  (the process is recorded for diagnosis, not checked)
    (token, "f", path, i)       = i-th chunk of a source file
    (token, "seen")             = server time (seconds) a purge first saw the upload
    (token, "result", n)        = a result too long for one string, once the load is done (``results``)

The client passes the digest of what it staged as an argument of ``LoadUploaded``; an upload
someone else added to or changed does not match it and is refused.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Callable, Dict, List, Mapping, Tuple

from ..errors import PyProdError
from .globals import Globals
from .names import MAX_FILES, check_path

#: The global clients stage uploads in.
UPLOAD_GLOBAL = "^PyProd.Upload"
#: Uploads are removed this many seconds after a purge first saw them, if still there.
STALE_AFTER = 3600
#: Most characters one upload may hold.
MAX_CHARS = 50_000_000
_TOKEN = re.compile(r"[0-9a-f]{32}")


def upload_digest(files: Mapping[str, str], entry: str, project: str) -> str:
    """SHA-256 over an upload's entry, project and files (paths and texts)."""
    digest = hashlib.sha256()
    for part in (entry, project):
        digest.update(part.encode("utf-8") + b"\0")
    for path in sorted(files):
        digest.update(path.encode("utf-8") + b"\0" + files[path].encode("utf-8") + b"\0")
    return digest.hexdigest()


def is_token(token: object) -> bool:
    return isinstance(token, str) and bool(_TOKEN.fullmatch(token))


def check_token(token: object) -> str:
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise PyProdError(f"upload token {str(token)[:40]!r} is not 32 hex digits", fix="stage the files first")
    return token


def read_upload(g: Globals, token: str) -> Tuple[Dict[str, str], str, Dict[str, str]]:
    """(files, entry, {"project", "user", "job"}) of a staged upload; every name checked first."""
    entry = g.get((token, "entry"))
    if entry in (None, ""):
        raise PyProdError(f"no upload {token!r}", fix="stage the files first (uploads are removed after use)")
    paths: List[str] = [str(p) for p in g.children((token, "f"))]
    if len(paths) > MAX_FILES:
        raise PyProdError(f"the upload holds {len(paths)} files, more than {MAX_FILES}",
                          fix="load a script that imports fewer project modules")
    files: Dict[str, str] = {}
    total = 0
    for path in paths:
        check_path(path)
        pieces = []
        for i in g.children((token, "f", path)):
            piece = str(g.get((token, "f", path, i)) or "")
            total += len(piece)
            if total > MAX_CHARS:
                raise PyProdError(f"the upload holds more than {MAX_CHARS} characters", fix="upload less")
            pieces.append(piece)
        files[path] = "".join(pieces)
    meta = {key: str(g.get((token, key)) or "") for key in ("project", "user", "job")}
    return files, str(entry), meta


def check_owner(meta: Mapping[str, str], user: str) -> None:
    """The upload was staged by this user. What protects its content is the digest the client passes
    with ``LoadUploaded``; the recorded process (``job``) is kept for diagnosis only, because whether
    one Native SDK connection is always served by one IRIS process is not confirmed."""
    if meta.get("user") != user:
        raise PyProdError(f"the upload was staged by user {meta.get('user') or '(unknown)'!r}, not by {user!r}",
                          fix="stage and load the files over one connection")


def purge(g: Globals, now: int, keep: str = "") -> List[str]:
    """Remove uploads a purge saw more than ``STALE_AFTER`` seconds ago; mark new ones. The tokens
    removed (``keep`` is left alone)."""
    removed = []
    for token in [str(t) for t in g.children(())]:
        if token == keep:
            continue
        seen = g.get((token, "seen"))
        if seen in (None, ""):
            g.set((token, "seen"), now)
        elif now - int(seen) > STALE_AFTER:
            g.kill((token,))
            removed.append(token)
    return removed


def load_staged(g: Globals, token: object, digest: object, user: str,
                load: Callable[[Dict[str, str], str, str], Any], now: int) -> Any:
    """Check the upload ``token`` that ``user`` staged against the client's ``digest`` and run
    ``load(files, entry, project)`` on it. The upload is removed on every outcome; uploads (and
    stored results) of clients that went away are purged first."""
    valid = check_token(token)
    try:
        purge(g, now, keep=valid)
        files, entry, meta = read_upload(g, valid)
        check_owner(meta, user)
        if not digest or upload_digest(files, entry, meta["project"]) != str(digest):
            raise PyProdError("the staged upload differs from what the client sent (or no digest was given); it "
                              "was not loaded", fix="load again; if it recurs, find out who writes ^PyProd.Upload")
        return load(files, entry, meta["project"])
    finally:
        g.kill((valid,))
