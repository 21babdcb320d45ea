"""Reliability suites: the `slow` ones run only when asked for, and every figure is printed at the end.

`slow` tests (the 11,700-example fuzz profile, load, soak) are skipped unless the run selects them:
`pytest -m slow tests/reliability`, or RELIABILITY_SLOW=1 for the whole suite.

Property-based tests run under one of two Hypothesis profiles (registered in tests/conftest.py):

- `repeatable` (the default, and what CI runs): derandomized, no example database. The same code
  draws the same examples on every machine, so CI goes red only for a change, never for a seed.
- `explore` (`HYPOTHESIS_PROFILE=explore`, or `--hypothesis-profile=explore`): a fresh random seed
  each run, looking for what the repeatable draw does not reach, with the example database in
  `.hypothesis/examples` so a failure found is replayed first on the next exploring run. A case
  found this way becomes a pinned, deterministic test (see docs/testing.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.reliability.reporting import FIGURES

_HERE = Path(__file__).parent


def _slow_selected(config: pytest.Config) -> bool:
    markexpr = str(config.getoption("markexpr", "") or "")
    return os.environ.get("RELIABILITY_SLOW") == "1" or ("slow" in markexpr and "not slow" not in markexpr)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _slow_selected(config):
        return
    skip = pytest.mark.skip(reason="slow reliability suite: select with -m slow or RELIABILITY_SLOW=1")
    for item in items:
        if item.get_closest_marker("slow") and _HERE in Path(str(item.path)).parents:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    for suite, text in FIGURES:
        terminalreporter.write_line(f"[{suite}] {text}")
