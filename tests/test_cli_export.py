# ruff: noqa: E501  (the production definition below is as IRIS writes it, one line per item)
"""``export`` (issue 23): a production of the namespace as a Python declaration that ``--dry-run``
accepts and whose generated production has the same items and settings."""

from __future__ import annotations

import json

from intersystems_pyprod import director
from intersystems_pyprod.loader.build import build
from intersystems_pyprod.loader.production import settings_of
from intersystems_pyprod_cli.main import main

from .test_cli_versions import LOGIN, run

HOSTS = '''
from intersystems_pyprod import *
iris_package_name = "Shop"

class Writer(BusinessOperation):
    path = IRISProperty(settings="Basic")
    def on_message(self, request):
        return Status.OK()
'''
#: A production written in ObjectScript (as the portal saves it), with a Python host and ObjectScript ones.
LEGACY = '''Class Legacy.Prod Extends Ens.Production
{

XData ProductionDefinition
{
<Production Name="Legacy.Prod" TestingEnabled="true" LogGeneralTraceEvents="false">
  <Description>Orders from files</Description>
  <ActorPoolSize>3</ActorPoolSize>
  <Setting Target="" Name="ShutdownTimeout">60</Setting>
  <Item Name="In" Category="files,intake" ClassName="EnsLib.File.PassthroughService" PoolSize="1" Enabled="true" Foreground="false" Comment="reads orders" LogTraceEvents="true" Schedule="">
    <Setting Target="Adapter" Name="FilePath">/data/in</Setting>
    <Setting Target="Host" Name="TargetConfigNames">Out,Py</Setting>
  </Item>
  <Item Name="Out" Category="" ClassName="EnsLib.File.PassthroughOperation" PoolSize="2" Enabled="false" Foreground="false" Comment="" LogTraceEvents="false" Schedule="">
    <Setting Target="Adapter" Name="FilePath">/data/out</Setting>
  </Item>
  <Item Name="Py" Category="" ClassName="Shop.Writer" PoolSize="1" Enabled="true" Foreground="false" Comment="" LogTraceEvents="false" Schedule="">
    <Setting Target="Host" Name="path">/data/py</Setting>
  </Item>
</Production>
}

}
'''


def test_export_round_trips_through_dry_run(server, capsys, tmp_path):
    (tmp_path / "shop.py").write_text(HOSTS, encoding="utf-8")
    assert main([str(tmp_path / "shop.py"), *LOGIN]) == 0
    server.namespace.classes["Legacy.Prod"] = LEGACY
    capsys.readouterr()
    target = tmp_path / "legacy_prod.py"
    code, out, _ = run(capsys, "export", "Legacy.Prod", "-o", str(target), *LOGIN)
    assert code == 0 and f"written to {target}" in out
    source = target.read_text()
    assert "import shop\n" in source and "shop.Writer" in source and "'EnsLib.File.PassthroughService'" in source
    assert run(capsys, "--dry-run", str(target))[0] == 0
    built = build(str(target), validate=True)
    (production,) = [c for c in built.classes if c.kind == "Production"]
    assert production.name == "Legacy.Prod"
    assert settings_of(production.text) == settings_of(LEGACY)


def test_export_to_stdout_and_json(server, capsys):
    server.namespace.classes["Legacy.Prod"] = LEGACY.replace('ClassName="Shop.Writer"', 'ClassName="Missing.Host"')
    code, out, err = run(capsys, "export", "Legacy.Prod", *LOGIN)
    assert code == 0 and out.startswith('"""Production Legacy.Prod, exported from IRIS')
    assert "warning: item Py: class Missing.Host is not a compiled service, process or operation" in err
    assert "'Missing.Host'" in out
    assert "class Prod(Production):" in out and "shutdown_timeout = 60" in out
    code, out, _ = run(capsys, "export", "Legacy.Prod", "--json", *LOGIN)
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["source"].startswith('"""Production Legacy.Prod')


def test_export_errors(server, capsys, tmp_path):
    code, _, err = run(capsys, "export", "No.Such", *LOGIN)
    assert code == 1 and err.strip() == "Export failed: no production named No.Such in this namespace"
    server.namespace.classes["Legacy.Prod"] = LEGACY
    code, _, err = run(capsys, "export", "Legacy.Prod", "-o", str(tmp_path / "missing" / "x.py"), *LOGIN)
    assert code == 1 and "cannot write" in err
    code, _, err = run(capsys, "export", *LOGIN)
    assert code == 2
    server.pyprod_installed = False
    code, _, err = run(capsys, "export", "Legacy.Prod", *LOGIN)
    assert code == 1 and "PyProd is not installed" in err
    server.reachable = False
    code, _, err = run(capsys, "export", "Legacy.Prod", *LOGIN)
    assert code == 3


def test_director_export_returns_data(server):
    server.namespace.classes["Legacy.Prod"] = LEGACY
    with director.connect(username="_SYSTEM", password="s3cret!") as iris:
        exported = iris.export_production("Legacy.Prod")
        assert exported["ok"] and "class Prod(Production):" in exported["source"]
        assert not iris.export_production("No.Such")["ok"]


def test_module_level_functions_return_data(server, capsys, tmp_path):
    from intersystems_pyprod.director import backends

    (tmp_path / "shop.py").write_text(HOSTS, encoding="utf-8")
    server.namespace.classes["Legacy.Prod"] = LEGACY
    with director.connect(username="_SYSTEM", password="s3cret!") as iris:
        director.use_connection(iris)
        try:
            planned = director.plan(str(tmp_path / "shop.py"))
            assert planned["ok"] and planned["changed"] and server.store.scripts() == []
            assert iris.load_script(str(tmp_path / "shop.py"))["ok"]
            assert [v["number"] for v in director.history("shop")["versions"]] == [1]
            assert "no version before its active version 1" in director.rollback("shop")["error"]
            assert director.export_production("Legacy.Prod")["source"].count("Item(") == 3
        finally:
            backends.use_backend(None)
