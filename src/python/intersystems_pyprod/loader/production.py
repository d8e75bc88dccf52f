"""What an operator changed in a production since the last load (IRIS_REFERENCE bug magnet 33).

The portal saves configuration changes into the production class's ``XData
ProductionDefinition``, and compiling the class reloads ``Ens.Config.Production`` from it: a load
that regenerates the class drops those changes. The loader compares the XData the class holds now
with the one it generated last time, and names every setting the load would drop.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional

_XDATA = re.compile(r"^XData\s+ProductionDefinition\b[^{]*\{\s*(<Production\b.*?</Production>)", re.M | re.S)
_ITEM_FIELDS = ("ClassName", "Category", "PoolSize", "Enabled", "Foreground", "Comment", "LogTraceEvents",
                "Schedule")


def settings_of(text: str) -> Optional[Dict[str, str]]:
    """Every setting of a production class's definition as ``where -> value`` (``production
    ActorPoolSize``, ``item Op: PoolSize``, ``item Op: Host setting FilePath``...); None when the
    text holds no definition that can be read."""
    found = _XDATA.search(text or "")
    if not found:
        return None
    try:
        root = ET.fromstring(found.group(1))
    except ET.ParseError:
        return None
    out: Dict[str, str] = {}
    for field in ("TestingEnabled", "LogGeneralTraceEvents"):
        if field in root.attrib:
            out[f"production {field}"] = root.attrib[field]
    for child in root:
        if child.tag == "Setting":
            out[f"production setting {child.get('Name', '')}"] = (child.text or "").strip()
        elif child.tag != "Item":
            out[f"production {child.tag}"] = (child.text or "").strip()
    for item in root.iter("Item"):
        where = f"item {item.get('Name', '')}"
        out[where] = "present"
        for field in _ITEM_FIELDS:
            if field in item.attrib:
                out[f"{where}: {field}"] = item.attrib[field]
        for setting in item.iter("Setting"):
            key = f"{where}: {setting.get('Target', '')} setting {setting.get('Name', '')}"
            out[key] = (setting.text or "").strip()
    return out


def changes_since(written: str, current: str, new: str) -> List[str]:
    """The settings ``current`` holds that differ from ``written`` (what the last load generated)
    and that ``new`` (what this load generates) does not keep, one line each; [] when nothing
    would be lost or a definition cannot be read."""
    before, now, after = settings_of(written), settings_of(current), settings_of(new)
    if before is None or now is None or after is None:
        return []
    lines = []
    for key in sorted(set(before) | set(now)):
        if before.get(key) == now.get(key) or after.get(key) == now.get(key):
            continue
        if key not in before:
            lines.append(f"{key} = {now[key]!r} (added)")
        elif key not in now:
            lines.append(f"{key} removed (was {before[key]!r})")
        else:
            lines.append(f"{key} = {now[key]!r} (the last load wrote {before[key]!r})")
    return lines
