"""Which settings of a host name other items (its targets).

A setting is a target when its control on the configuration page is the production-item
selector with ``targets=1`` (what ``IRISProperty(..., target=True)`` declares), so the portal's
diagram, ``graph`` and the harness agree on one rule.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Optional

#: The control of a target setting: pick one or more production items.
TARGET_CONTROL = ("selector?multiSelect=1&context={Ens.ContextSearch/ProductionItems?targets=1"
                  "&productionName=@productionId}")
#: Settings of ObjectScript hosts that name targets by IRIS convention.
CONVENTIONAL = ("TargetConfigName", "TargetConfigNames")


def with_target_control(settings: Optional[str]) -> str:
    """A ``settings`` text of ``IRISProperty`` with the target selector as its control:
    ``None``/``""`` -> ``Basic:<selector>``, ``"Category"`` -> ``Category:<selector>``. A text that
    names another control is a ``ValueError``."""
    text = (settings or "").strip()
    category, _, control = text.partition(":")
    if text == "-" or (control.strip() and not is_target_entry(f"x:{text}")):
        raise ValueError(f"settings={settings!r} cannot be combined with target=True, which gives the setting "
                         "the target selector")
    if control.strip():
        return text
    return f"{category.strip() or 'Basic'}:{TARGET_CONTROL}"


def is_target_entry(entry: str) -> bool:
    """True for a SETTINGS entry (``Name:Category:control``) whose control selects target items."""
    control = entry.split(":", 2)[2] if entry.count(":") >= 2 else ""
    return "Ens.ContextSearch/ProductionItems" in control and "targets=1" in control


def is_conventional_target(iris_name: str) -> bool:
    """True for setting names that name targets in IRIS's own hosts (``TargetConfigNames``, ...)."""
    return iris_name.endswith(CONVENTIONAL)


def split_targets(value: Any) -> List[str]:
    """Item names in a setting value: a comma-separated list, blanks dropped (as IRIS reads it)."""
    if value is None:
        return []
    return [part.strip() for part in str(value).split(",") if part.strip()]


def target_names(entries: Iterable[str]) -> List[str]:
    """IRIS names of the target settings among SETTINGS entries."""
    return [entry.split(":", 1)[0] for entry in entries if is_target_entry(entry)]
