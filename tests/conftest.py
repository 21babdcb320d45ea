"""Shared test setup: async tests (marked `anyio`) run on asyncio; one sandbox per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jobmojito_mcp.sandbox import RunningSandbox, run_sandbox


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """The JobMojito simulator on a loopback port: the upstream every end-to-end test talks to."""
    with run_sandbox() as running:
        yield running
