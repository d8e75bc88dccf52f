"""A fake IRIS namespace for loader tests (not shipped): classes are texts in a dict."""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Set

from intersystems_pyprod.classgen import grammar


class FakeNamespace:
    def __init__(self) -> None:
        self.classes: Dict[str, str] = {}
        self.fail: Set[str] = set()
        self.running: Dict[str, List[str]] = {}
        self.installed: Dict[str, Mapping[str, str]] = {}
        self.compile_calls: List[List[str]] = []

    def existing(self, names: List[str]) -> Set[str]:
        have = {n.lower() for n in self.classes}
        return {n.lower() for n in names if n.lower() in have}

    def class_text(self, name: str) -> Optional[str]:
        return self.classes.get(name)

    def compile(self, texts: Mapping[str, str]) -> Dict[str, List[str]]:
        self.compile_calls.append(sorted(texts))
        errors = {}
        for name, text in texts.items():
            problems = [str(p) for p in grammar.check(text)]
            if name in self.fail:
                problems.append(f"ERROR #5000: {name} does not compile")
            if problems:
                errors[name] = problems
        for name, text in texts.items():  # IRIS keeps loaded definitions even when compile fails
            self.classes[name] = text
        return errors

    def delete(self, names: List[str]) -> List[str]:
        for name in names:
            self.classes.pop(name, None)
        return []

    def install_sources(self, script: str, files: Mapping[str, str]) -> None:
        self.installed[script] = dict(files)

    def restart_items(self, class_names: List[str]) -> List[str]:
        return sorted(item for name in class_names for item in self.running.get(name, []))

    def user(self) -> str:
        return "_SYSTEM"

    def now(self) -> str:
        return "2026-11-23 12:00:00"
