"""Shared helpers of the sandbox tests: the contract as the oracle for every answer.

The nullable translation is written again here, on purpose, rather than imported from the
sandbox: the oracle should not share code with what it checks.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import httpx2
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

CONTRACT: dict[str, Any] = json.loads(
    resources.files("jobmojito_mcp.sandbox").joinpath("contract.json").read_text("utf-8")
)
TOOLS = tuple(CONTRACT)
ENDPOINT = {tool: spec["path"].strip("/") for tool, spec in CONTRACT.items()}
TOKEN = "sandbox-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LANGUAGES = tuple(CONTRACT["create_interview"]["body"]["properties"]["mojito_language_code"]["enum"])


def _allow_null(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_allow_null(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _allow_null(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


@functools.cache
def response_validator(tool: str, status: int) -> Any:
    responses = CONTRACT[tool]["responses"]
    assert str(status) in responses, f"{tool} answered {status}, which the contract does not document"
    return Draft202012Validator(_allow_null(responses[str(status)]))


def check(tool: str, response: httpx2.Response) -> httpx2.Response:
    """Assert the answer has a documented status and matches its documented schema."""
    response_validator(tool, response.status_code).validate(response.json())
    return response


def call(
    client: httpx2.Client,
    tool: str,
    payload: dict[str, Any] | None = None,
    *,
    method: str | None = None,
) -> httpx2.Response:
    """Call a tool's endpoint the documented way (query for GET, JSON body for POST) and check it."""
    spec = CONTRACT[tool]
    method = method or spec["method"]
    if method == "GET":
        response = client.get(ENDPOINT[tool], params=payload)
    else:
        response = client.request(method, ENDPOINT[tool], json=payload)
    return check(tool, response)


def ok(response: httpx2.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def error(response: httpx2.Response, status: int, name: str | None = None) -> str:
    """Assert the documented error shape; returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    assert body.get("name") == name, body
    message: str = body["error"]
    return message
