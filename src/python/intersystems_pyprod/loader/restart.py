"""Bringing a running production up to date after a load, without editing its definition.

A load changes Python code and may change the production class. Running jobs keep the Python
objects they made, so the items whose code changed are restarted (a changed production class is
applied before, by ``IrisNamespace.update_production``: bug magnet 33).

An item is restarted with ``Ens.Director.TempStopConfigItem(item, 1, 1)`` then ``(item, 0, 1)``,
which stop and start its jobs; ``EnableConfigItem`` would write the item's Enabled flag into the
production definition, and a failed second call would leave it disabled across production
restarts (bug magnet 28). That ``TempStopConfigItem`` leaves the stored flag alone is UNCONFIRMED,
so the flag is read again after the restart and set back when a call changed it.

What a job that was not restarted runs, per kind of item (``KEEPS``): a business process makes a
new Python object at every callback, so it runs the new code from its next callback (its
``OnInit`` ran in the old code); services, operations and adapters make their Python object once,
in ``OnInit``, and run the old code until their jobs restart.
"""

from __future__ import annotations

from typing import Any, List, Set, Tuple

#: Seconds IRIS may take to stop or update an item's jobs.
TIMEOUT = 10
#: What a running item of each kind runs when it was not restarted.
KEEPS = {
    "process": "its callbacks run the new code from the next one on, but what its OnInit set comes "
               "from the old code until its jobs restart",
    "host": "its jobs keep running the old code (their Python object is made once, in OnInit) until the "
            "item restarts: restart it in the portal, or restart the production",
}


def _is_error(status: Any) -> bool:
    return not str(status if status is not None else "").startswith("1")


class Restarter:
    """One pass over the running production of the current namespace."""

    def __init__(self, api: Any, dry: bool = False) -> None:
        self.api = api
        #: Only say which items would be restarted (a plan), stopping none.
        self.dry = dry
        self.director = api.cls("Ens.Director")
        self.problems: List[str] = []

    def text(self, status: Any) -> str:
        return str(self.api.cls("%SYSTEM.Status").GetErrorText(status))

    def run(self, class_names: List[str]) -> Tuple[List[str], List[str], List[str]]:
        name, state = self.api.ref(), self.api.ref()
        status = self.director.GetProductionStatus(name, state, TIMEOUT, 0)
        if _is_error(status):
            return [], [], [f"reading the production status failed: {self.text(status)}; running items were "
                            "not restarted"]
        if str(state.value) != "1" or not name.value:  # 1 = running
            return [], [], []
        production_name = str(name.value)
        production = self.api.cls("Ens.Config.Production")._OpenId(production_name)
        if production is None or production == "":
            return [], [], [f"production {production_name} could not be opened to restart its items"]
        wanted = {n.lower() for n in class_names}
        restarted: List[str] = []
        shared: List[str] = []
        items = production.Items
        for i in range(1, int(items.Count()) + 1):
            item = items.GetAt(i)
            class_name = str(item.ClassName)
            if not int(item.Enabled or 0) or not self.uses(class_name, wanted):
                continue
            item_name = str(item.Name)
            if not int(item.PoolSize or 0):  # the shared actor pool (or no job): nothing of its own to stop
                shared.append(item_name)
            elif self.dry or self.restart(production_name, item, item_name, self.kind(class_name)):
                restarted.append(item_name)
        return sorted(restarted), sorted(shared), self.problems

    def uses(self, class_name: str, wanted: Set[str]) -> bool:
        """Whether the item's class, or its adapter's, is one of the changed classes."""
        if class_name.lower() in wanted:
            return True
        try:
            adapter = str(self.api.cls(class_name)._GetParameter("ADAPTER") or "")
        except Exception:
            return False
        return adapter.lower() in wanted

    def kind(self, class_name: str) -> str:
        try:
            return "process" if int(self.api.cls(class_name)._Extends("Ens.BusinessProcess") or 0) else "host"
        except Exception:
            return "host"

    def restart(self, production_name: str, item: Any, item_name: str, kind: str) -> bool:
        """Stop and start the item's jobs; True when both succeeded. The start is asked for even
        after a failed stop (which may have stopped the jobs all the same), and the stored Enabled
        flag is left (or put back) as it was."""
        stopped = self.director.TempStopConfigItem(item_name, 1, 1)
        started = self.director.TempStopConfigItem(item_name, 0, 1)
        if _is_error(started):  # once more: the item must not stay stopped
            started = self.director.TempStopConfigItem(item_name, 0, 1)
        if _is_error(stopped):
            self.problems.append(f"stopping {item_name} to restart it failed: {self.text(stopped)}; unless its "
                                 f"jobs stopped all the same, {KEEPS[kind]}")
        if _is_error(started):
            self.problems.append(
                f"starting {item_name} again failed: {self.text(started)}; its jobs stay stopped until you "
                f"start it (##class(Ens.Director).TempStopConfigItem(\"{item_name}\",0,1)) or restart the "
                "production; it is still enabled in the production definition")
        self.keep_enabled(production_name, item, item_name)
        return not _is_error(stopped) and not _is_error(started)

    def keep_enabled(self, production_name: str, item: Any, item_name: str) -> None:
        """Put back the stored Enabled flag of an item that was enabled, should a call have cleared it."""
        if self.stored_enabled(item) is not False:
            return
        status = self.director.EnableConfigItem(item_name, 1, 1)
        if _is_error(status) or self.stored_enabled(item) is False:
            detail = self.text(status) if _is_error(status) else "the flag stayed cleared"
            self.problems.append(f"{item_name} is disabled in the definition of production {production_name} "
                                 f"after its restart, and enabling it again failed ({detail}); enable it in "
                                 "the portal")

    @staticmethod
    def stored_enabled(item: Any) -> Any:
        """The item's Enabled flag as stored (True/False), or None when it cannot be read."""
        try:
            status = item._Reload()
            if _is_error(status):
                return None
            return bool(int(item.Enabled or 0))
        except Exception:
            return None
