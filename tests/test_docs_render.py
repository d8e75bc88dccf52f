"""The built documentation site looks right in a browser: headless Chromium opens the quick start
and the API page, served over HTTP as a web host serves the site, and once the page's scripts have
run it finds the theme's stylesheet applied, the navigation laid out with every section, the
page's title, every fenced code block highlighted with its copy button, and a search box that
answers a query with results."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import select
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from .helpers import REPO
from .test_docs_site import build_site
from .test_graph_page import _chromium

WAIT = 60.0


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (fd 3 in, fd 4 out)."""

    def __init__(self, binary: str, profile: Path) -> None:
        self._to_chrome_r, self._to_chrome_w = os.pipe()
        self._from_chrome_r, self._from_chrome_w = os.pipe()
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--window-size=1400,1000",
                 "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"]
        # bash puts the two pipe ends on the descriptors the protocol uses, then becomes Chromium
        script = f'exec "$0" "$@" 3<&{self._to_chrome_r} 4>&{self._from_chrome_w}'
        self.process = subprocess.Popen(["bash", "-c", script, binary, *flags], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        pass_fds=(self._to_chrome_r, self._from_chrome_w))
        os.close(self._to_chrome_r)
        os.close(self._from_chrome_w)
        self._buffer = b""
        self._next = 0
        self.session = ""

    def call(self, method: str, params: Optional[Dict[str, Any]] = None, session: bool = True) -> Dict[str, Any]:
        self._next += 1
        message: Dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_chrome_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + WAIT
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self._next:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return dict(reply.get("result", {}))
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_chrome_r], [], [], max(left, 0))
            if not ready:
                raise TimeoutError(f"Chromium did not answer {method} in {WAIT:.0f} s")
            chunk = os.read(self._from_chrome_r, 1 << 16)
            if not chunk:
                raise RuntimeError(f"Chromium exited (code {self.process.poll()}) during {method}")
            self._buffer += chunk

    def open(self, url: str) -> None:
        if not self.session:
            page = next(t for t in self.call("Target.getTargets", session=False)["targetInfos"] if t["type"] == "page")
            self.session = self.call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True},
                                     session=False)["sessionId"]
        self.call("Page.navigate", {"url": url})

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str) -> Any:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"{what} did not happen within {WAIT:.0f} s")

    def close(self) -> None:
        os.close(self._to_chrome_w)  # Chromium exits when its protocol pipe closes
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._from_chrome_r)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built site over HTTP on a free local port (search runs in a web worker, which a
    ``file:`` page may not start)."""
    site = build_site(tmp_path_factory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    opened = Browser(_chromium(), tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield opened
    finally:
        opened.close()


#: What the page looks like once its scripts ran, read as the browser laid it out.
LOOK = """(() => {
  const shown = el => !!el && el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0
      && getComputedStyle(el).visibility !== "hidden";
  const article = document.querySelector("article");
  const blocks = article ? [...article.querySelectorAll("div.highlight")]
      .filter(b => !b.classList.contains("doc-signature")) : [];
  const sidebar = document.querySelector(".md-sidebar--primary");
  const search = document.querySelector(".md-search__input");
  return {
    ready: document.readyState === "complete" && document.documentElement.classList.contains("js"),
    header: getComputedStyle(document.querySelector(".md-header")).backgroundColor,
    title: article && article.querySelector("h1")
        ? article.querySelector("h1").innerText.replace("\u00b6", "").trim() : "",
    nav: shown(sidebar) ? sidebar.innerText : "",
    active: [...document.querySelectorAll(".md-sidebar--primary .md-nav__link--active")].map(a => a.innerText.trim()),
    blocks: blocks.length,
    highlighted: blocks.filter(b => shown(b.querySelector("pre code"))
        && (/language-/.test(b.className) || b.querySelector("pre code span[class]:not([class=''])"))).length,
    tokens: blocks.filter(b => b.querySelector("pre code span[class]:not([class=''])")).length,
    copy: blocks.filter(b => b.querySelector("button.md-code__button[data-md-type='copy'], button.md-clipboard"))
        .length,
    search: shown(search) && search.getAttribute("placeholder") || "",
  };
})()"""

RESULTS = """(() => [...document.querySelectorAll(".md-search-result__item")].map(i => i.innerText.trim()))()"""


def top_level_titles() -> List[str]:
    """The titles of the top level of the mkdocs.yml navigation (pages and sections)."""
    import yaml

    nav = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    return [title for entry in nav for title in entry]


def fenced_blocks(doc: str) -> int:
    """How many fenced code blocks the Markdown source of a page holds."""
    fences = re.findall(r"^\s*(```|~~~)", (REPO / "docs" / doc).read_text(encoding="utf-8"), re.M)
    return len(fences) // 2


def look_at(browser: Browser, url: str) -> Dict[str, Any]:
    browser.open(url)
    browser.wait_for(f"document.location.href === {json.dumps(url)} && document.readyState === 'complete'",
                     f"loading {url}")
    look = browser.wait_for(f"(() => {{ const l = {LOOK}; return l.ready && l ; }})()", f"the scripts of {url}")
    return dict(look)


def assert_looks_right(look: Dict[str, Any], title: str, blocks: int) -> None:
    assert look["header"] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)", ""), \
        f"the header has no theme colour ({look['header']}): the stylesheet did not apply"
    for name in top_level_titles():
        assert name in look["nav"], f"the navigation does not show {name!r}: {look['nav'][:300]!r}"
    assert title in look["active"], f"the navigation does not mark {title!r} as the current page: {look['active']}"
    assert look["title"], "the page shows no title"
    assert look["blocks"] == blocks, f"{blocks} code blocks in the source, {look['blocks']} rendered"
    assert look["highlighted"] == blocks, "a code block is not rendered by the highlighter"
    assert look["copy"] == blocks, "a code block has no copy button"
    assert look["search"], "the search box is not shown"


def test_quick_start_page_renders_navigation_code_and_search(served, browser):
    look = look_at(browser, served + "quickstart/")
    assert_looks_right(look, "Quick start", fenced_blocks("quickstart.md"))
    assert look["title"] == "Quick start"


def test_api_page_renders_highlighted_examples(served, browser):
    look = look_at(browser, served + "reference/api/")
    # the examples come from the docstrings: only the page's own fences are in its source
    assert look["blocks"] > 50, "the API page shows the docstrings' examples"
    assert_looks_right(look, "Python API", look["blocks"])
    assert look["tokens"] > 50, "the Python examples are not coloured by the highlighter"
    assert look["title"] == "Python API"


def test_search_box_finds_pages(served, browser):
    browser.open(served + "quickstart/?q=Harness")
    found: List[str] = browser.wait_for(f"(() => {{ const r = {RESULTS}; return r.length && r; }})()",
                                        "search results for 'Harness'")
    assert any("Harness" in text for text in found), found
