"""The e2e workflow tests what users install: IPM from the checkout, on every IRIS module.xml allows."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .helpers import REPO

WORKFLOW = (REPO / ".github" / "workflows" / "e2e.yml").read_text(encoding="utf-8")


def test_matrix_starts_at_the_oldest_release_module_xml_accepts():
    requirements = ET.parse(REPO / "module.xml").find(".//SystemRequirements")
    assert requirements is not None
    oldest = requirements.get("Version", "").removeprefix(">=")
    matrix = re.search(r"^\s*iris: \[(.*)\]", WORKFLOW, re.M)
    assert matrix, "no iris matrix in e2e.yml"
    versions = [v.strip().strip('"') for v in matrix.group(1).split(",")]
    assert oldest in versions and min(versions, key=lambda v: tuple(map(int, v.split(".")))) == oldest


def test_pyprod_is_installed_with_zpm_and_not_mounted():
    assert 'zpm "load /opt/pyprod' in WORKFLOW
    assert "mgr/python/intersystems_pyprod:" not in WORKFLOW  # the library comes from <FileCopy>
    assert "LoadDir" not in (REPO / "tests" / "e2e" / "conftest.py").read_text(encoding="utf-8")
