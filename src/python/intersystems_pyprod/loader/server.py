"""Entry points of ``PyProd.Loader`` (called through Embedded Python); each returns JSON text.

    Load(path, t, o)    load_file(path, t, o)   a script on the server's file system
    LoadUploaded(...)   load_upload(token, texts, digest, take_over, overwrite)  sources a client staged
    Restore(script, n, o)  restore_version(script, n, o)  n = 0: the version before the active one
    History(script)     script_history(script)
    PlanUploaded(...)   plan_upload(token, digest, take_over, overwrite, diff)  what a load would do
    Unload(script)      unload_script(script)
    BeforeUninstall()   before_uninstall()      run by IPM before it removes PyProd (module.xml)
    List()              list_scripts()
    Info()              info()
    MessageBody(c, id)  message_body(c, id)
    ProductionSummary() production_summary()
    ResultChunk(t, n)   result_chunk(t, n)      part n of a result too long for one string
"""

from __future__ import annotations

import json
import traceback
from typing import Any, Callable, Dict

from ..errors import PyProdError
from . import results
from .globals import IrisGlobals
from .history import history
from .importer import import_script, imports_undone
from .preview import plan_sources
from .service import LoadResult, listing, load_sources, restore, unload
from .store import LIBRARY_GLOBAL, iris_store
from .uninstall import before_uninstall as _before_uninstall
from .upload import UPLOAD_GLOBAL, is_token, load_staged


def _json(run: Callable[[], Any], token: str = "") -> str:
    """The outcome of ``run`` as JSON text; a document too long for one IRIS string is stored for the
    caller under ``token`` (a new one if empty) and a pointer to it returned (see ``results``)."""
    try:
        outcome = run()
        document: Dict[str, Any] = outcome.as_dict() if isinstance(outcome, LoadResult) else outcome
    except PyProdError as exc:
        document = {"ok": False, "error": str(exc)}
    except Exception as exc:  # reported as data: the caller is often a remote client
        document = {"ok": False, "error": f"internal error: {type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc()}
    text = json.dumps(document)
    if len(text) <= results.INLINE:
        return text
    return results.reply(IrisGlobals(UPLOAD_GLOBAL), text, token or results.new_token(), _namespace().user())


def _namespace() -> Any:
    from .iris_namespace import IrisNamespace

    return IrisNamespace(iris_store())


def _load(files: Dict[str, str], entry: str, with_texts: bool = False, take_over: bool = False,
          project: str = "", overwrite: bool = False) -> Any:
    sources = iris_store()
    namespace = _namespace()
    problem = namespace.preflight()
    if problem:
        return {"ok": False, "error": problem}
    return load_sources(namespace, sources, files, entry, with_texts, take_over=take_over, project=project,
                        overwrite_production=overwrite)


def _flag(value: Any) -> bool:
    return bool(int(value or 0))


def load_file(path: str, take_over: int = 0, overwrite_production: int = 0) -> str:
    """Load the script at ``path`` (and the project modules it imports). The calling process keeps
    its ``sys.path`` and modules as they were, on every outcome: the project is imported to find
    its files, and its modules are not left importable from disk afterwards."""

    def run() -> Any:
        import socket

        with imports_undone():
            imported = import_script(path)
            root = imported.root
            files = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in imported.files}
            return _load(files, imported.path.relative_to(root).as_posix(), take_over=_flag(take_over),
                         project=f"{socket.gethostname()}:{root}", overwrite=_flag(overwrite_production))

    return _json(run)


def _staged(token: str, digest: str, then: Callable[[Dict[str, str], str, str], Any]) -> str:
    """Run ``then(files, entry, project)`` on sources a client staged (see ``upload.load_staged``):
    the upload is removed on every outcome, uploads of clients that went away are purged, and a
    result too long for one string is kept under the upload's token for the client to read."""

    def run() -> Any:
        import time

        return load_staged(IrisGlobals(UPLOAD_GLOBAL), token, digest, _namespace().user(), then, int(time.time()))

    return _json(run, token if is_token(token) else "")


def load_upload(token: str, with_texts: int = 0, digest: str = "", take_over: int = 0,
                overwrite_production: int = 0) -> str:
    """Load sources a client staged (see ``upload``)."""
    return _staged(token, digest, lambda files, entry, project: _load(
        files, entry, _flag(with_texts), _flag(take_over), project, _flag(overwrite_production)))


def plan_upload(token: str, digest: str = "", take_over: int = 0, overwrite_production: int = 0,
                with_diff: int = 0) -> str:
    """What loading sources a client staged would do, changing nothing (``preview.plan_sources``)."""

    def plan(files: Dict[str, str], entry: str, project: str) -> Any:
        namespace = _namespace()
        problem = namespace.preflight()
        if problem:
            return {"ok": False, "error": problem}
        return plan_sources(namespace, iris_store(), files, entry, _flag(with_diff), take_over=_flag(take_over),
                            project=project, overwrite_production=_flag(overwrite_production))

    return _staged(token, digest, plan)


def restore_version(script: str, version: Any = 0, overwrite_production: int = 0) -> str:
    """Make stored version ``version`` of ``script`` the active one again (0 or "": the newest
    version older than the active one)."""

    def run() -> Any:
        sources = iris_store()
        namespace = _namespace()
        problem = namespace.preflight()
        if problem:
            return {"ok": False, "error": problem}
        number = int(version or 0) or None
        return restore(namespace, sources, str(script), number, overwrite_production=_flag(overwrite_production))

    return _json(run)


def script_history(script: str) -> str:
    """The stored versions of ``script``, newest first (see ``history.history``)."""
    return _json(lambda: history(iris_store(), str(script)))


def unload_script(script: str) -> str:
    """Delete the classes of ``script`` and forget its sources."""
    return _json(lambda: unload(_namespace(), iris_store(), str(script)))


def before_uninstall() -> str:
    """Refuse the uninstall while scripts are loaded; otherwise remove PyProd's globals, this
    namespace's copy of the library included (processes that imported it keep their modules)."""

    def run() -> Any:
        _before_uninstall(_namespace(), iris_store(), [IrisGlobals(UPLOAD_GLOBAL), IrisGlobals(LIBRARY_GLOBAL)])
        return {"ok": True}

    return _json(run)


def info() -> str:
    """Versions of the library and of Embedded Python in this namespace, and where the library
    was imported from: ``library.file`` starts with ``/pyprod-lib/<namespace>/<version>/`` when
    it came from the namespace's database (PyProd.Library), else it is a file on ``sys.path``;
    ``library.stored`` is the version the namespace's ``^PyProd.Lib`` holds (None: none)."""
    import sys

    from .. import __file__ as file
    from .. import __version__

    def run() -> Dict[str, Any]:
        stored = IrisGlobals(LIBRARY_GLOBAL).get(("active",))
        return {"ok": True, "version": __version__, "python": sys.version.split()[0],
                "library": {"file": file, "stored": None if stored in (None, "") else str(stored)}}

    return _json(run)


#: Characters of a message body returned to a client.
BODY_LIMIT = 100_000


def _is_message_body(api: Any, class_name: str, body_id: str) -> bool:
    """True when a message header points at this body. MessageBody requires only
    %Ens_MessageContent:USE, which grants reading message contents, not opening any object, and
    no SQL privilege on Ens.MessageHeader: the check is embedded SQL in PyProd.Loader, which IRIS
    runs without SQL privilege checks (dynamic SQL would need SELECT on the table)."""
    return bool(int(api.cls("PyProd.Loader").IsMessageBody(str(class_name), str(body_id)) or 0))


def message_body(class_name: str, body_id: str) -> str:
    """A stored message body as text: the JSON of a PyProd JSON message, the repr of a pickle
    message, the JSON export of other %JSON.Adaptor messages."""

    def run() -> Any:
        from ..api.messages import ProductionMessage
        from ..runtime import irisapi, messages
        from ..runtime.display import bounded_repr
        from .paths import ensure_sources, refresh

        api = irisapi.get()
        if not _is_message_body(api, class_name, body_id):
            return {"ok": False, "error": f"no message has the body {class_name} {body_id}"}
        obj = api.cls(class_name)._OpenId(body_id)
        if obj is None or obj == "":
            return {"ok": False, "error": f"no {class_name} with ID {body_id}"}
        ensure_sources()
        refresh()  # this namespace's modules and seal key, whatever the process served before
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
    return _json(lambda: {"ok": True, "scripts": listing(iris_store())})


def production_summary() -> str:
    """``Ens.Director.GetProductionSummary`` as JSON, for clients that cannot receive the array."""
    from ..director.backends import summary_document

    return _json(summary_document)


def result_chunk(token: str, number: int) -> str:
    """Part ``number`` of a result stored because it was too long for one string (see ``results``);
    only the user it was made for reads it."""
    return _json(lambda: results.part(IrisGlobals(UPLOAD_GLOBAL), token, int(number), _namespace().user()))
