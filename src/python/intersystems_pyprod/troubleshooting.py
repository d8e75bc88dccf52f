"""Where an error message sends its reader: an entry of the troubleshooting page.

Every message that has an entry ends with ``see(anchor)``. The page's path is written as it is in
the repository; on the documentation site the same page is ``guides/troubleshooting/`` and the
anchor is the same (anchors are heading slugs of plain words, which GitHub and the site agree on).
tests/test_troubleshooting.py checks that each anchor named here is a heading of the page and that
each message the page quotes is still built by the code.
"""

from __future__ import annotations

#: The troubleshooting page, relative to the repository root.
PAGE = "docs/guides/troubleshooting.md"


def see(anchor: str) -> str:
    """``see docs/guides/troubleshooting.md#anchor``: the reference an error message ends with."""
    return f"see {PAGE}#{anchor}"
