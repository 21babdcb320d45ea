"""Issue 21, finding 3: the metrics an outsider feeds are bounded, and a rebound name cannot read them.

Before: any JSON-RPC method name became an `mcp_method_name` label value (300 random methods, 300
series; long names, a 713 MB scrape and a 2 GB server), and `/metrics` answered `Host:
attacker.example`, so DNS rebinding could read it. Now only the methods MCP defines are recorded,
others as `_OTHER` (as tool and prompt names already were), and `/metrics` is behind the same Host
check as `/mcp`, on the MCP port and on a listener of its own; with a metrics token, the token guards it.
"""

from __future__ import annotations

import secrets

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families

from jobmojito_mcp.sandbox import RunningSandbox
from tests.security.attack import RawSession
from tests.support import http_server, server_env

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


def method_labels(text: str) -> set[str]:
    return {
        sample.labels["mcp_method_name"]
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if "mcp_method_name" in sample.labels
    }


async def test_random_methods_share_one_series_and_metrics_keep_the_host_check(
    sandbox: RunningSandbox,
) -> None:
    async with (
        http_server(server_env(sandbox.base_url), ["--transport", "http", "--metrics"]) as server,
        httpx2.AsyncClient(timeout=30) as http,
    ):
        session = RawSession(http, server.url, [])
        assert (await session.open()).status_code == 200
        names = [f"x/{secrets.token_hex(8)}" + "y" * 2000 for _ in range(100)]
        for name in names:
            await session.request(name)
        await session.request("tools/list")
        answer = await http.get(f"{server.url}/metrics")
        assert answer.status_code == 200
        labels = method_labels(answer.text)
        assert "_OTHER" in labels and "tools/list" in labels and "initialize" in labels
        assert len(labels) <= 4 and not any(name in answer.text for name in names)
        assert len(answer.content) < 200_000
        rebound = await http.get(f"{server.url}/metrics", headers={"Host": "attacker.example"})
        assert rebound.status_code == 421
        mcp = await http.get(f"{server.url}/mcp", headers={"Host": "attacker.example"})
        assert mcp.status_code == 421


async def test_its_own_listener_checks_the_host_too(sandbox: RunningSandbox) -> None:
    args = ["--transport", "streamable-http", "--metrics", "127.0.0.1:0"]
    async with http_server(server_env(sandbox.base_url), args) as server:
        printed = [
            line for line in server.stderr().splitlines() if line.startswith("jobmojito-mcp metrics on ")
        ]
        url = printed[0].rsplit(" ", 1)[1]
        async with httpx2.AsyncClient() as http:
            assert (await http.get(url)).status_code == 200
            assert (await http.get(url, headers={"Host": "localhost"})).status_code == 200
            assert (await http.get(url, headers={"Host": "attacker.example:80"})).status_code == 421


async def test_with_a_token_the_token_guards_it(sandbox: RunningSandbox) -> None:
    token = "metrics-token-" + secrets.token_hex(12)
    env = server_env(sandbox.base_url, MCP_METRICS_TOKEN=token)
    async with http_server(env, ["--transport", "http", "--metrics"]) as server, httpx2.AsyncClient() as http:
        pod = {"Host": "10.1.2.3:9000"}  # Prometheus addresses a pod by its IP
        assert (await http.get(f"{server.url}/metrics", headers=pod)).status_code == 401
        scraped = await http.get(f"{server.url}/metrics", headers=pod | {"Authorization": f"Bearer {token}"})
        assert scraped.status_code == 200
