"""Fixtures: one sandbox for the whole session (reset before each test) and a client for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from sandbox_support import AUTH

from jobmojito_mcp.sandbox import DEFAULT_TEMPLATE_ID, RunningSandbox, run_sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox() as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_sandbox(sandbox: RunningSandbox) -> None:
    sandbox.reset()
    sandbox.state.latency = 0.0


@pytest.fixture(scope="session")
def client(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.base_url, headers=AUTH, timeout=10) as http:
        yield http


@pytest.fixture(scope="session")
def bare_client(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    """A client without credentials, rooted at the server (for 401 cases and the admin API)."""
    with httpx2.Client(base_url=sandbox.root_url, timeout=10) as http:
        yield http


@pytest.fixture
def interview_body() -> dict[str, Any]:
    """The smallest valid job-interview-create body."""
    return {
        "name": "Senior Backend Engineer",
        "location": "Remote (EU)",
        "interview_template_id": DEFAULT_TEMPLATE_ID,
        "mojito_language_code": "en",
        "status": "active",
        "type": "interview",
        "visibility": "merchant_invite",
    }


@pytest.fixture
def questions_body(interview_body: dict[str, Any]) -> dict[str, Any]:
    """The smallest valid job-interview-create-from-array body."""
    return {**interview_body, "description": "Backend screening", "questions": [{"question": "Why us?"}]}


@pytest.fixture
def candidate_body() -> dict[str, Any]:
    """A valid for-candidate body describing a new position."""
    return {
        "candidate_name": "Peter Parker",
        "candidate_email": "peter@parker.com",
        "candidate_country_code": "US",
        "candidate_resume": "Photographer with a science background.",
        "position_name": "Senior Backend Engineer",
        "position_location": "Remote (EU)",
        "position_country_code": "DE",
        "mojito_language_code": "en",
    }


@pytest.fixture
def interview_id(client: httpx2.Client, interview_body: dict[str, Any]) -> str:
    """A stored, active interview (AI-written questions, the default template)."""
    response = client.post("job-interview-create", json=interview_body)
    assert response.status_code == 200, response.text
    return str(response.json()["interview_def_set_id"])


@pytest.fixture
def update_body(interview_id: str) -> dict[str, Any]:
    """A valid job-interview-update body that also replaces the questions."""
    return {"position_id": interview_id, "questions": [{"question": "Why us?"}]}
