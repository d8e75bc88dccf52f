"""The dry run refuses what the server's load refuses, with the same checks."""

from __future__ import annotations

import json

import pytest

from .helpers import cli, write_script

OP = """
from intersystems_pyprod import *

class Echo(BusinessOperation):
{body}
"""
PLAIN = "    def on_message(self, request):\n        pass\n"


def _op(body: str) -> str:
    return OP.format(body=body)


def _production(item_name: str, extra: str = "", settings: str = "{}") -> str:
    return f"""
from intersystems_pyprod import *

class Echo(BusinessOperation):
{extra or ''}    def on_message(self, request):
        pass

class Prod(Production):
    operations = [OperationItem({item_name!r}, Echo, host_settings={settings})]
"""


# (file name, script, exit code, words in the error or the warnings)
CASES = [
    ("json.py", _op(PLAIN), 1, "json (a standard-library module)"),
    ("stat.py", _op(PLAIN), 1, "stat (a standard-library module)"),
    ("asyncop.py", _op("    async def on_message(self, request):\n        pass\n"), 1,
     "Echo.on_message is an async def"),
    ("genop.py", _op("    def on_message(self, request):\n        yield request\n"), 1,
     "Echo.on_message is a generator"),
    ("staticop.py", _op("    @staticmethod\n    def on_message(request):\n        pass\n"), 1,
     "Echo.on_message must be a plain method"),
    ("mapop.py", _op("    MessageMap = {'Ens.StringRequest': 'handle'}\n    async def handle(self, request):\n"
                     "        pass\n"), 1, "Echo.handle is an async def"),
    ("braces.py", _op("    a = IRISProperty(settings='Basic:selector?context={Ens.ContextSearch/X')\n" + PLAIN), 1,
     "unbalanced braces"),
    ("parts.py", _op("    a = IRISProperty(settings='Basic:selector:extra')\n" + PLAIN), 1, "has 3 parts"),
    ("intdefault.py", _op("    count: int = IRISProperty(default='abc', settings='Basic')\n" + PLAIN), 1,
     "default 'abc', which does not fit its IRIS type %Integer"),
    ("comma.py", _production("A,B"), 1, "item name 'A,B' contains a comma"),
    ("long.py", _production("N" * 200), 1, "is 200 characters; IRIS stores at most 128"),
    ("target.py", _production("Echo", "    goes = IRISProperty(default='Nowhere', target=True)\n"), 0,
     "target setting goes names 'Nowhere', which is no item of production Prod"),
    ("target2.py", _production("Echo", settings="{'TargetConfigNames': 'Echo,Gone'}"), 0,
     "target setting TargetConfigNames names 'Gone'"),
    ("setfield.py", "from intersystems_pyprod import *\nclass M(JsonSerialize):\n    tags: set = Column()\n", 1,
     "column M.tags holds a set"),
    ("setdefault.py", "from intersystems_pyprod import *\nclass M(JsonSerialize):\n"
                      "    tags = Column(default=frozenset())\n", 1, "holds a set"),
    ("settyping.py", "from typing import Set\nfrom intersystems_pyprod import *\nclass M(JsonSerialize):\n"
                     "    tags: Set[str] = Column()\n", 1, "holds a set"),
    # fine as they are
    ("pickleset.py", "from intersystems_pyprod import *\nclass M(PickleSerialize):\n    tags: set = Column()\n", 0, ""),
    ("colon.py", _op("    a = IRISProperty(settings='Basic:selector?context={A/B?x=1:2}')\n" + PLAIN), 0, ""),
    ("okname.py", _production("My Echo-1.v2"), 0, ""),
]


@pytest.mark.parametrize("name, source, code, words", CASES)
def test_dry_run_checks(tmp_path, name, source, code, words):
    script = write_script(tmp_path, name, source)
    result = cli("--dry-run", str(script), "--json")
    assert result.returncode == code, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    said = str(doc["error"]) + " ".join(doc["warnings"])
    assert words in said, said
    assert "Traceback" not in result.stderr
