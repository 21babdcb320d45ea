"""Shared test setup: every async test runs on anyio (asyncio backend)."""

from __future__ import annotations

import inspect

import pytest


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One marker for every coroutine test, instead of a decorator on each.
    for item in items:
        if isinstance(item, pytest.Function) and inspect.iscoroutinefunction(item.obj):
            item.add_marker(pytest.mark.anyio)
