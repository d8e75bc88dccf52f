"""Where the module-level director functions run: inside IRIS (Embedded Python) or over a connection.

Inside an IRIS process ``import iris`` gives the embedded module (it has ``iris.cls``), and the
functions call ``Ens.Director`` in the same process. Elsewhere they use one connection of
:mod:`intersystems_pyprod.director`, opened on the first call with the usual settings (environment,
``.env``, pyproject.toml) and kept for the later calls; :func:`use_connection` picks another one.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Protocol, Sequence, Tuple

from . import listcodec
from .connection import Director, DirectorError, connect_with


class Backend(Protocol):
    """The few primitives the director functions are written with."""

    def call(self, cls: str, method: str, *args: Any) -> Any:
        """A class method's return value (a ``%Status`` comes back as it is, never raised)."""

    def ref(self) -> Any:
        """A holder for an Output argument."""

    def value(self, ref: Any) -> Any:
        """What the call put in ``ref`` (the holder is released)."""

    def summary(self) -> Tuple[Any, Dict[str, List[Any]]]:
        """``Ens.Director.GetProductionSummary``: (status, {production: [fields of its $LIST]})."""

    def rows(self, sql: str, params: Sequence[Any]) -> List[Tuple[Any, ...]]:
        """Rows of a parameterised SQL query."""

    def invoke(self, obj: Any, method: str, *args: Any) -> Any:
        """An instance method of an IRIS object."""

    def get(self, obj: Any, name: str) -> Any:
        """A property of an IRIS object."""

    def set(self, obj: Any, name: str, value: Any) -> None:
        """Set a property of an IRIS object."""


class EmbeddedBackend:
    """Inside IRIS: the embedded ``iris`` module."""

    def __init__(self, iris: Any) -> None:
        self.iris = iris

    def call(self, cls: str, method: str, *args: Any) -> Any:
        return getattr(self.iris.cls(cls), _python_name(method))(*args)

    def ref(self) -> Any:
        return self.iris.ref()

    def value(self, ref: Any) -> Any:
        found = ref.value
        ref.value = None  # release what the reference holds on the IRIS side
        return found

    def summary(self) -> Tuple[Any, Dict[str, List[Any]]]:
        holder = self.iris.arrayref()
        status = self.call("Ens.Director", "GetProductionSummary", holder)
        table = holder.value or {}
        holder.value = None
        return status, {str(name): _fields(row) for name, row in table.items()}

    def rows(self, sql: str, params: Sequence[Any]) -> List[Tuple[Any, ...]]:
        return [tuple(row) for row in self.iris.sql.prepare(sql).execute(*params)]

    def invoke(self, obj: Any, method: str, *args: Any) -> Any:
        return getattr(obj, _python_name(method))(*args)

    def get(self, obj: Any, name: str) -> Any:
        return getattr(obj, name)

    def set(self, obj: Any, name: str, value: Any) -> None:
        setattr(obj, name, value)


def _python_name(member: str) -> str:
    """``%ExistsId`` is ``_ExistsId`` in Embedded Python."""
    return "_" + member[1:] if member.startswith("%") else member


def _fields(row: Any) -> List[Any]:
    if isinstance(row, (list, tuple)):
        return list(row)
    try:
        return listcodec.decode(row)
    except listcodec.ListFormatError:
        return [row]


class RemoteBackend:
    """Outside IRIS: a :class:`Director` connection (Native SDK)."""

    def __init__(self, director: Director, owned: bool = False) -> None:
        self.director = director
        self.owned = owned  # opened by current(): closed when another connection replaces it

    def call(self, cls: str, method: str, *args: Any) -> Any:
        return _watched(self, lambda: self.director.call(cls, method, *args))

    def ref(self) -> Any:
        return self.director.sdk_ref(None)

    def value(self, ref: Any) -> Any:
        found = ref.getValue()
        try:
            ref.setValue(None)  # the reference no longer keeps the object alive
        except Exception:
            pass
        return found

    def summary(self) -> Tuple[Any, Dict[str, List[Any]]]:
        # The output array cannot cross the connection; PyProd.Loader reads it inside IRIS.
        self.director.require_pyprod()
        document = self.director.call_json("PyProd.Loader", "ProductionSummary")
        if not document.get("ok"):
            raise DirectorError(f"reading the production summary failed: {document.get('error')}")
        productions = document.get("productions") or {}
        return document.get("status"), {str(k): list(v) for k, v in productions.items()}

    def rows(self, sql: str, params: Sequence[Any]) -> List[Tuple[Any, ...]]:
        return _watched(self, lambda: [tuple(row.values()) for row in self.director.query(sql, list(params))])

    def invoke(self, obj: Any, method: str, *args: Any) -> Any:
        return obj.invoke(method, *args)

    def get(self, obj: Any, name: str) -> Any:
        return obj.get(name)

    def set(self, obj: Any, name: str, value: Any) -> None:
        obj.set(name, value)


_chosen: Optional[Backend] = None


def _watched(backend: RemoteBackend, work: Any) -> Any:
    """Run ``work``; when the link is lost, forget the connection so that the next call opens a
    new one (the failed call is not repeated: it may have run on the server)."""
    global _chosen
    try:
        return work()
    except DirectorError as exc:
        if not exc.lost:
            raise
        if backend.owned:
            if _chosen is backend:
                _chosen = None
            backend.director.close()
            exc.fix = "call again: the next call opens a new connection (this call may or may not have run)"
        else:
            exc.fix = ("open a new connection with director.connect() and pass it to director.use_connection() "
                       "(this call may or may not have run)")
        raise


def embedded_iris() -> Optional[Any]:
    """The embedded ``iris`` module when this process runs inside IRIS, else None."""
    try:
        import iris
    except ImportError:
        return None
    return iris if hasattr(iris, "cls") and hasattr(iris, "ref") else None


def current() -> Backend:
    """The backend in force: the one chosen before, else Embedded Python, else a new connection."""
    global _chosen
    if _chosen is None:
        module = embedded_iris()
        if module is not None:
            _chosen = EmbeddedBackend(module)
        else:
            _chosen = RemoteBackend(connect_with({}), owned=True)
    return _chosen


def use_connection(director: Optional[Director]) -> None:
    """Run the module-level functions over ``director`` (None: choose again on the next call;
    a connection opened by the functions themselves is closed).

    Args:
        director: A connection from ``connect``, or ``None``.

    Examples:
        ```python
        from intersystems_pyprod import director

        with director.connect(host="iris.example.com", namespace="ORDERS") as iris:
            director.use_connection(iris)
            director.start_production("Orders.OrdersProduction")
            director.use_connection(None)
        ```
    """
    global _chosen
    if isinstance(_chosen, RemoteBackend) and _chosen.owned and _chosen.director is not director:
        _chosen.director.close()
    _chosen = RemoteBackend(director) if director is not None else None


def use_backend(backend: Optional[Backend]) -> None:
    """Use this backend (tests and embedders); None chooses again on the next call."""
    global _chosen
    _chosen = backend


def summary_document() -> Dict[str, Any]:
    """Inside IRIS, for ``PyProd.Loader.ProductionSummary``: the summary as a JSON-ready dict."""
    module = embedded_iris()
    if module is None:
        return {"ok": False, "error": "not running inside IRIS"}
    status, table = EmbeddedBackend(module).summary()
    return {"ok": True, "status": status if isinstance(status, (int, str)) else str(status),
            "productions": {name: [v if isinstance(v, (int, float, str)) or v is None else str(v) for v in row]
                            for name, row in table.items()}}
