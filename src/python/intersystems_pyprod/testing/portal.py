"""The portal's message viewer, standing in for ``EnsPortal.MessageContents``.

The page serves what a message's ``%ShowContents`` writes under a content type: the one its
``%GetContentType`` declares, or ``application/json`` when the user asked for JSON explicitly
(the page then sets ``%response.ContentType``). ``pZenOutput`` is 1 from the page, but a message
must not depend on it. :func:`show` does the same with the stand-in's message objects and checks
the rule: the output parses as the type it is served under.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import re
from html.parser import HTMLParser
from typing import Any, List

from . import standin

#: Elements that have no end tag.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BARE_AMPERSAND = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)")


class RenderingError(AssertionError):
    """What ``%ShowContents`` wrote is not valid content of the type it is served under."""


@dataclasses.dataclass
class PortalView:
    """What the browser gets: the content type served, the declared one, and the text."""

    content_type: str
    declared: str
    text: str


def show(obj: Any, zen_output: int = 1, requested: str = "") -> PortalView:
    """Show the IRIS message object ``obj`` as the page does; ``requested`` is the type the user
    asked for explicitly (``""``: the declared one). Raises :class:`RenderingError` when the
    output does not parse as the type served."""
    declared = obj._GetContentType()
    served = requested or declared
    previous, standin.response.ContentType = standin.response.ContentType, served
    device = io.StringIO()
    try:
        with contextlib.redirect_stdout(device):
            obj._ShowContents(zen_output)
    finally:
        standin.response.ContentType = previous
    view = PortalView(served, declared, device.getvalue())
    check(view.content_type, view.text)
    return view


def check(content_type: str, text: str) -> None:
    """Raise :class:`RenderingError` unless ``text`` is valid ``content_type`` content:
    strict JSON (no ``NaN``), well-nested HTML with escaped ``&``, or any non-empty plain text."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not text:
        raise RenderingError(f"nothing was written for {kind}")
    if kind == "application/json":
        try:
            json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise RenderingError(f"served as application/json but not JSON: {exc}: {text[:200]!r}") from None
    elif kind == "text/html":
        _check_html(text)
    elif kind != "text/plain":
        raise RenderingError(f"no browser view is known for the content type {content_type!r}")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _Nesting(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: List[str] = []
        self.problems: List[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in _VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1] if self.open else 'nothing'}")
        else:
            self.open.pop()


def _check_html(text: str) -> None:
    bare = _BARE_AMPERSAND.search(text)
    if bare:
        around = text[max(0, bare.start() - 40):bare.start() + 40]
        raise RenderingError(f"served as text/html with an unescaped '&': {around!r}")
    parser = _Nesting()
    parser.feed(text)
    parser.close()
    if parser.open:
        parser.problems.append(f"<{parser.open[-1]}> is never closed")
    if parser.problems:
        raise RenderingError(f"served as text/html but not well-nested HTML: {parser.problems[0]}")


__all__ = ["PortalView", "RenderingError", "check", "show"]
