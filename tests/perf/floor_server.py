"""The floor: a bare SDK `MCPServer`, what any MCP server costs at least.

    python tests/perf/floor_server.py                                   # stdio
    python tests/perf/floor_server.py --transport streamable-http --port 0 [--stateless]   # prints its URL

`echo` is the floor proper. `fetch` is the floor of a server that wraps an HTTP API: one GET
with a shared, reused httpx2 client, the body returned as it came (what our tools do, minus
validation, retries, limits and summaries).
"""

from __future__ import annotations

import argparse
import socket
import sys

import anyio
import httpx2
import uvicorn
from mcp.server.mcpserver import MCPServer

server = MCPServer("floor")
_http: list[httpx2.AsyncClient] = []  # created on first use: the cold start stays bare


@server.tool()
async def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


@server.tool()
async def fetch(url: str) -> str:
    """GET the URL (any bearer token) and return the body."""
    if not _http:
        _http.append(httpx2.AsyncClient(headers={"Authorization": "Bearer floor"}))
    return (await _http[0].get(url)).raise_for_status().text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transport", choices=["stdio", "streamable-http"], default="stdio")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stateless", action="store_true")
    args = parser.parse_args()
    if args.transport == "stdio":
        server.run()
    else:
        # What `server.run("streamable-http")` does, on a socket bound here: `--port 0` names its port.
        sock = socket.create_server(("127.0.0.1", args.port))
        print(f"floor listening on http://127.0.0.1:{sock.getsockname()[1]}", file=sys.stderr, flush=True)
        app = server.streamable_http_app(stateless_http=args.stateless, host="127.0.0.1")
        config = uvicorn.Config(app, log_level=server.settings.log_level.lower())
        anyio.run(lambda: uvicorn.Server(config).serve(sockets=[sock]))


if __name__ == "__main__":
    main()
