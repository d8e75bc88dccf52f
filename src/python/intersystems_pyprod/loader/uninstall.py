"""What PyProd does when IPM is about to uninstall it from a namespace.

``zpm "uninstall pyprod"`` runs the module's Clean phase (``%IPM.Storage.Module.Uninstall``). The
module lifecycle's ``%Clean`` first checks that no other module needs PyProd, then runs the
Unconfigure phase, then deletes the module's resources and its ``<FileCopy>`` target
(``%IPM.Lifecycle.Module.%Clean``, ``%IPM.Lifecycle.Base.%Clean``). module.xml declares
``<Invoke Class="PyProd.Loader" Method="BeforeUninstall" Phase="Unconfigure" When="Before"/>``:
the invoke runs while the classes and the library are still there, and an error ``%Status`` from
it fails the phase, which ends the uninstall before anything is deleted
(``%IPM.Storage.Module.ExecutePhases``, ``%IPM.Storage.InvokeReference.doInvoke``; IPM 0.10.9).

The classes the loader generated are no IPM resources, so IPM would leave them behind, extending
base classes that are gone. PyProd never deletes a user's classes unasked: while scripts are
loaded, the uninstall is refused with the command that unloads each. Once none is loaded, PyProd's
own globals are removed, so nothing of it stays in the namespace.
"""

from __future__ import annotations

from typing import Sequence

from ..errors import PyProdError
from ..troubleshooting import see
from .globals import Globals
from .guard import Namespace, locked, transaction
from .store import SourceStore, empty


def unload_commands(script: str) -> str:
    """The two ways to unload ``script``: the command line and ObjectScript."""
    quoted = script.replace('"', '""')
    return f'intersystems_pyprod unload {script}   (or: write ##class(PyProd.Loader).Unload("{quoted}"))'


def before_uninstall(ns: Namespace, store: SourceStore, others: Sequence[Globals]) -> None:
    """Refuse (:class:`PyProdError`) while scripts are loaded; otherwise empty the store's globals
    and ``others`` (the upload global) in one transaction. Runs under the load lock, after an
    interrupted load or unload was completed or undone (so none of its classes is left over)."""
    with locked(ns, store, "uninstall of PyProd"):
        scripts = store.scripts()
        if scripts:
            loaded = ", ".join(f"{s} ({_classes(len(store.recorded(s)))})" for s in scripts)
            steps = "".join(f"\n    {unload_commands(s)}" for s in scripts)
            raise PyProdError(
                f"PyProd was not uninstalled: {len(scripts)} script{'s' if len(scripts) > 1 else ''} "
                f"loaded in this namespace generated classes that IPM would leave behind: {loaded}",
                fix=f"unload each script, then uninstall PyProd again ({see('uninstall-refused')}):{steps}")
        with transaction(ns):
            store.drop_all()
            for g in others:
                empty(g)


def _classes(count: int) -> str:
    """``1 class``, ``4 classes``."""
    return f"{count} class" + ("" if count == 1 else "es")
