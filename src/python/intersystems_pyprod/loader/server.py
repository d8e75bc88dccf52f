"""Entry points of ``PyProd.Loader`` (called through Embedded Python); each returns JSON text.

    Load(path)          load_file(path)         a script on the server's file system
    LoadUploaded(token) load_upload(token)      sources a client staged in ^PyProd.Upload(token)
    Restore(script, n)  restore_version(script, n)
    Unload(script)      unload_script(script)
    List()              list_scripts()
    Info()              info()
    MessageBody(c, id)  message_body(c, id)
    ProductionSummary() production_summary()
"""

from __future__ import annotations

import json
import traceback
from typing import Any, Callable, Dict

from ..errors import PyProdError
from .globals import IrisGlobals
from .importer import import_script
from .service import LoadResult, listing, load_sources, restore, unload
from .store import SourceStore

SOURCES_GLOBAL = "^PyProd.Sources"
OWNERS_GLOBAL = "^PyProd.Owners"
UPLOAD_GLOBAL = "^PyProd.Upload"


def store() -> SourceStore:
    """The namespace's source store."""
    return SourceStore(IrisGlobals(SOURCES_GLOBAL), IrisGlobals(OWNERS_GLOBAL))


def _json(run: Callable[[], Any]) -> str:
    try:
        outcome = run()
        document: Dict[str, Any] = outcome.as_dict() if isinstance(outcome, LoadResult) else outcome
    except PyProdError as exc:
        document = {"ok": False, "error": str(exc)}
    except Exception as exc:  # reported as data: the caller is often a remote client
        document = {"ok": False, "error": f"internal error: {type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc()}
    return json.dumps(document)


def _load(files: Dict[str, str], entry: str, with_texts: bool = False) -> Any:
    from .iris_namespace import IrisNamespace

    sources = store()
    namespace = IrisNamespace(sources)
    problem = namespace.preflight()
    if problem:
        return {"ok": False, "error": problem}
    return load_sources(namespace, sources, files, entry, with_texts)


def load_file(path: str) -> str:
    """Load the script at ``path`` (and the project modules it imports)."""

    def run() -> Any:
        imported = import_script(path)
        root = imported.root
        files = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in imported.files}
        return _load(files, imported.path.relative_to(root).as_posix())

    return _json(run)


def load_upload(token: str, with_texts: int = 0) -> str:
    """Load sources staged as ``^PyProd.Upload(token, "entry")`` and ``(token, "f", path, i)``;
    with ``with_texts`` the result also holds the generated class texts."""

    def run() -> Any:
        upload = IrisGlobals(UPLOAD_GLOBAL)
        try:
            entry = upload.get((token, "entry"))
            if not entry:
                return {"ok": False, "error": f"no upload {token!r}: stage the files first"}
            files = {str(p): "".join(str(upload.get((token, "f", p, i)) or "")
                                     for i in upload.children((token, "f", p)))
                     for p in upload.children((token, "f"))}
            return _load(files, str(entry), bool(int(with_texts or 0)))
        finally:
            upload.kill((token,))

    return _json(run)


def restore_version(script: str, version: int) -> str:
    """Make stored version ``version`` of ``script`` the active one again."""

    def run() -> Any:
        from .iris_namespace import IrisNamespace

        sources = store()
        namespace = IrisNamespace(sources)
        problem = namespace.preflight()
        if problem:
            return {"ok": False, "error": problem}
        return restore(namespace, sources, script, int(version))

    return _json(run)


def unload_script(script: str) -> str:
    """Delete the classes of ``script`` and forget its sources."""

    def run() -> Any:
        from .iris_namespace import IrisNamespace

        sources = store()
        return unload(IrisNamespace(sources), sources, script)

    return _json(run)


def info() -> str:
    """Versions of the library and of Embedded Python in this namespace."""
    import sys

    from .. import __version__

    return _json(lambda: {"ok": True, "version": __version__, "python": sys.version.split()[0]})


#: Characters of a message body returned to a client.
BODY_LIMIT = 100_000


def _is_message_body(api: Any, class_name: str, body_id: str) -> bool:
    """True when a message header points at this body. MessageBody requires only
    %Ens_MessageContent:USE, which grants reading message contents, not opening any object."""
    query = api.sql.prepare("SELECT TOP 1 ID FROM Ens.MessageHeader WHERE MessageBodyClassName = ? "
                            "AND MessageBodyId = ?")
    return any(True for _ in query.execute(str(class_name), str(body_id)))


def message_body(class_name: str, body_id: str) -> str:
    """A stored message body as text: the JSON of a PyProd JSON message, the repr of a pickle
    message, the JSON export of other %JSON.Adaptor messages."""

    def run() -> Any:
        from ..api.messages import ProductionMessage
        from ..runtime import irisapi, messages
        from ..runtime.display import bounded_repr
        from .paths import ensure_sources

        api = irisapi.get()
        if not _is_message_body(api, class_name, body_id):
            return {"ok": False, "error": f"no message has the body {class_name} {body_id}"}
        obj = api.cls(class_name)._OpenId(body_id)
        if obj is None or obj == "":
            return {"ok": False, "error": f"no {class_name} with ID {body_id}"}
        ensure_sources()
        message = messages.from_iris(obj)
        if isinstance(message, ProductionMessage):
            text = messages.to_json(message) if message._pyprod_serializer == "json" else bounded_repr(message)
        else:
            exported = api.ref()
            try:
                obj._JSONExportToString(exported)
                text = str(exported.value)
            except Exception:  # not a %JSON.Adaptor: name the object instead
                text = f"<{class_name} {body_id}>"
        if len(text) > BODY_LIMIT:
            text = text[:BODY_LIMIT] + f"... ({len(text) - BODY_LIMIT} more characters)"
        return {"ok": True, "body": text}

    return _json(run)


def list_scripts() -> str:
    """The loaded scripts, their versions and classes."""
    return _json(lambda: {"ok": True, "scripts": listing(store())})


def production_summary() -> str:
    """``Ens.Director.GetProductionSummary`` as JSON, for clients that cannot receive the array."""
    from ..director.backends import summary_document

    return _json(summary_document)
