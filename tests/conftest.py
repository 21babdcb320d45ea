"""Shared test setup: async tests (marked `anyio`) run on asyncio; one sandbox per test module; the
Hypothesis profiles: `repeatable` (the default, and CI's: derandomized, no example database) and
`explore` (HYPOTHESIS_PROFILE=explore or --hypothesis-profile=explore: a fresh seed each run, found
failures kept in .hypothesis/examples and replayed first). See docs/testing.md."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

from jobmojito_mcp.sandbox import RunningSandbox, run_sandbox

_EXAMPLES = Path(__file__).parent.parent / ".hypothesis" / "examples"
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, database=DirectoryBasedExampleDatabase(_EXAMPLES))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session", autouse=True)
def private_config_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep every test (and every server it starts) away from the developer's own sign-in: the
    credentials file lives in the user's config directory, which platformdirs finds through XDG."""
    home = tmp_path_factory.mktemp("config-home")
    saved = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(home)
    yield home
    if saved is None:
        del os.environ["XDG_CONFIG_HOME"]
    else:
        os.environ["XDG_CONFIG_HOME"] = saved


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """The JobMojito simulator on a loopback port: the upstream every end-to-end test talks to."""
    with run_sandbox() as running:
        yield running
