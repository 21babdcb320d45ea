"""Everything a client reads before calling a tool, pinned byte for byte: the handshake's
instructions and capabilities, tools/list, prompts/list and each prompt's text, resources/list,
resources/templates/list and the languages resource, for the whole server and for narrowed ones.

This is what a reorganisation of the package must leave alone (and what any deliberate change to
what agents read must show in review): the lines are compared exactly as a stdio server writes
them. A change: review it, then rewrite with UPDATE_SNAPSHOTS=1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "snapshots" / "published_surface.json"

# One prompt call each, with every argument given, so the whole text of each prompt is pinned.
PROMPT_CALLS: dict[str, dict[str, str]] = {
    "interview_from_job_description": {
        "job_description": "Senior Python developer, remote, Django and Postgres.",
        "language": "en-us",
        "location": "Berlin",
        "seniority": "senior",
    },
    "interview_from_my_questions": {
        "title": "Support lead",
        "questions": "Why us?\nWhat did you build last?",
        "language": "de",
        "location": "Remote",
    },
    "screen_candidate": {
        "candidate_name": "Ada Lovelace",
        "candidate_email": "ada@example.com",
        "candidate_country_code": "GB",
        "resume": "Analyst, ten years of engines.",
        "position": "Analyst",
    },
    "invite_candidates": {"interview": "Backend", "candidates": "a@example.com", "email_them": "yes"},
    "review_results": {"interview": "Backend", "shortlist": "2"},
}
# The whole server, and narrowings that hide tools, prompts and resources by each rule.
VARIANTS: dict[str, tuple[str, ...]] = {
    "all": (),
    "read-only": ("--read-only",),
    "toolsets results,account": ("--toolsets", "results,account"),
    "tools list_avatars,create_interview": ("--tools", "list_avatars,create_interview"),
    "toolsets all": ("--toolsets", "all"),
    "dynamic toolsets": ("--dynamic-toolsets",),
}


def _surface(flags: tuple[str, ...]) -> dict[str, str]:
    """Each answer's JSON-RPC line as a stdio server on the sandbox writes it (the `id` varies only)."""
    hello = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("initialize", "initialize", hello),
        ("tools/list", "tools/list", {}),
        ("prompts/list", "prompts/list", {}),
        ("resources/list", "resources/list", {}),
        ("resources/templates/list", "resources/templates/list", {}),
        ("resources/read languages", "resources/read", {"uri": "jobmojito://languages"}),
    ]
    requests += [
        (f"prompts/get {name}", "prompts/get", {"name": name, "arguments": arguments})
        for name, arguments in PROMPT_CALLS.items()
    ]
    env = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    server = subprocess.Popen(  # one request, one answer at a time: a closed stdin ends the server
        [sys.executable, "-m", "jobmojito_mcp", "--sandbox", *flags],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env | {"PYTHONHASHSEED": "0"},
    )
    assert server.stdin is not None and server.stdout is not None
    answers: dict[str, str] = {}
    try:
        for index, (label, method, params) in enumerate(requests):
            message = {"jsonrpc": "2.0", "id": index, "method": method, "params": params}
            server.stdin.write(json.dumps(message).encode() + b"\n")
            if method == "initialize":
                server.stdin.write(b'{"jsonrpc": "2.0", "method": "notifications/initialized"}\n')
            server.stdin.flush()
            answers[label] = server.stdout.readline().decode().rstrip("\n")
            assert json.loads(answers[label])["id"] == index, answers[label][:300]
    finally:
        server.stdin.close()
        server.wait(timeout=20)
        server.stdout.close()
    # The server's version is in the handshake; it is not part of what a layout change may alter.
    return {label: line.replace(_version(), "<version>") for label, line in answers.items()}


def _version() -> str:
    from jobmojito_mcp import __version__

    return f'"version":"{__version__}"'


def test_the_published_surface_is_byte_identical() -> None:
    current = {variant: _surface(flags) for variant, flags in VARIANTS.items()}
    rendered = json.dumps(current, indent=1, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot: UPDATE_SNAPSHOTS=1, then review"
    pinned = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for variant in VARIANTS:
        for label, line in current[variant].items():
            assert line == pinned[variant][label], (
                f"{variant}: {label} changed (UPDATE_SNAPSHOTS=1, then review)"
            )
    assert current.keys() == pinned.keys()
