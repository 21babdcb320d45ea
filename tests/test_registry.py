"""server.json, the MCP registry entry, stays in step with the package it describes."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from jobmojito_mcp.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_server_json_matches_the_package() -> None:
    entry = json.loads((ROOT / "server.json").read_text("utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert re.fullmatch(r"[a-z0-9.-]+\.[a-z0-9-]+/[a-zA-Z0-9._-]+", entry["name"])
    assert entry["version"] == project["version"]
    (package,) = entry["packages"]
    assert package["registryType"] == "pypi" and package["identifier"] == project["name"]
    assert package["version"] == project["version"] and package["transport"] == {"type": "stdio"}
    settings = {f"JOBMOJITO_{name.upper()}" for name in Settings.model_fields}
    for variable in package["environmentVariables"]:
        assert variable["name"] in settings, variable["name"]
    # PyPI ownership marker the registry checks for.
    assert f"mcp-name: {entry['name']}" in (ROOT / "README.md").read_text("utf-8")
