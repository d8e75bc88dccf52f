"""A production changed in the portal is never overwritten silently (issue 29, point 4): the
portal saves its edits into the production class's XData, which a load regenerates; the load is
refused with the settings it would drop unless told to overwrite, and a changed definition
reaches the running production (``UpdateProduction``)."""

from __future__ import annotations

from intersystems_pyprod.loader.production import changes_since
from intersystems_pyprod.loader.service import load_sources

from ..fake_namespace import FakeDatabase, FakeNamespace

SCRIPT = '''
from intersystems_pyprod import *
iris_package_name = "Flow"

class Op(BusinessOperation):
    def on_message(self, request):
        return Status.OK()

class Prod(Production):
    operations = [OperationItem("Op", Op)]
'''
CHANGED = SCRIPT.replace('OperationItem("Op", Op)]', 'OperationItem("Op", Op), OperationItem("Op2", Op)]')


def load(ns: FakeNamespace, text: str, **options):
    return load_sources(ns, ns.store(), {"flow.py": text}, "flow.py", project="dev:/p", **options)


def portal_edit(db: FakeDatabase) -> None:
    """What the portal's Apply does: the item's new pool size and a host setting, saved into the XData."""
    name = db.find("Flow.Prod")
    text = db.classes[name].replace('ClassName="Flow.Op" PoolSize="1"', 'ClassName="Flow.Op" PoolSize="4"')
    db.classes[name] = text.replace('Schedule="">\n  </Item>', 'Schedule="">\n    <Setting Target="Host" '
                                    'Name="RetryInterval">30</Setting>\n  </Item>', 1)
    assert db.classes[name] != text


def test_a_load_that_would_drop_portal_changes_is_refused_and_lists_them():
    ns = FakeNamespace()
    assert load(ns, SCRIPT).ok
    portal_edit(ns.db)
    edited = ns.classes["Flow.Prod"]
    result = load(ns, CHANGED)
    assert not result.ok and "production Flow.Prod was changed since the last load" in result.error
    assert "item Op: PoolSize = '4' (the last load wrote '1')" in result.error
    assert "item Op: Host setting RetryInterval = '30' (added)" in result.error
    assert "--overwrite-production" in result.error
    assert ns.classes["Flow.Prod"] == edited and ns.store().active("flow") == 1
    forced = load(ns, CHANGED, overwrite_production=True)
    assert forced.ok and any("dropped changes made since the last load" in w for w in forced.warnings)
    assert 'PoolSize="4"' not in ns.classes["Flow.Prod"] and 'Name="Op2"' in ns.classes["Flow.Prod"]


def test_a_load_that_leaves_the_production_alone_is_not_refused():
    ns = FakeNamespace()
    assert load(ns, SCRIPT).ok
    portal_edit(ns.db)
    result = load(ns, SCRIPT + "\nX = 1\n")  # the production's text is unchanged: it is not compiled
    assert result.ok, result.error
    assert 'PoolSize="4"' in ns.classes["Flow.Prod"]


def test_changes_the_script_makes_too_are_not_reported_as_lost():
    written = '<Production Name="P"><Item Name="A" PoolSize="1"></Item></Production>'
    xdata = "XData ProductionDefinition\n{\n%s\n}\n"
    current = xdata % written.replace('"1"', '"4"')
    assert changes_since(xdata % written, current, current) == []
    assert changes_since(xdata % written, current, xdata % written) == [
        "item A: PoolSize = '4' (the last load wrote '1')"]


def test_a_changed_production_reaches_the_running_namespace():
    ns = FakeNamespace()
    assert load(ns, SCRIPT).ok
    ns.db.running_production, ns.db.running_definition = "Flow.Prod", ns.classes["Flow.Prod"]
    result = load(ns, CHANGED)
    assert result.ok and result.updated == ["Flow.Prod"]
    assert ns.db.running_definition == ns.classes["Flow.Prod"] and 'Name="Op2"' in ns.db.running_definition
    assert load(ns, CHANGED + "\nX = 1\n").updated == []
