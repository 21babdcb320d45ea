"""A real MCP Apps host for the views' browser tests: the host page (host.html) with the
`@modelcontextprotocol/ext-apps` AppBridge bundled from `.ci/node` by esbuild, served on loopback
with each view behind the Content-Security-Policy its resource declares (`_meta.ui.csp`, mapped as
the MCP Apps specification tells hosts to), and a "remote" witness server that records any request
a view manages to make to an origin it did not declare."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
NODE = HERE.parent.parent / ".ci" / "node"
ESBUILD = NODE / "node_modules" / ".bin" / "esbuild"
CHROMIUM = Path("/usr/bin/chromium")


def bundle_bridge(into: Path) -> bytes:
    """The ext-apps host side (AppBridge, PostMessageTransport) as one browser module, built from
    the pinned package in .ci/node (installed by .ci/run)."""
    if not ESBUILD.exists() or not (NODE / "node_modules" / "@modelcontextprotocol" / "ext-apps").is_dir():
        pytest.fail("@modelcontextprotocol/ext-apps and esbuild are missing from .ci/node: run .ci/run")
    entry = NODE / "apps-host-entry.mjs"
    entry.write_text(
        'export { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";\n'
    )
    out = into / "bridge.js"
    try:
        subprocess.run(
            [
                str(ESBUILD),
                str(entry),
                "--bundle",
                "--format=esm",
                "--platform=browser",
                f"--outfile={out}",
                "--log-level=warning",
            ],
            check=True,
            timeout=60,
        )
    finally:
        entry.unlink()
    return out.read_bytes()


def csp_header(declared: Mapping[str, Any] | None) -> str:
    """The policy a host puts on a view: nothing remote unless the resource declared the domain
    (resourceDomains: images, media, fonts, styles, scripts; connectDomains: fetch and sockets)."""
    declared = declared or {}
    resources = " ".join(declared.get("resourceDomains") or [])
    connects = " ".join(declared.get("connectDomains") or [])
    frames = " ".join(declared.get("frameDomains") or []) or "'none'"
    return (
        "default-src 'none'; "
        f"script-src 'unsafe-inline' {resources}; style-src 'unsafe-inline' {resources}; "
        f"img-src data: {resources}; media-src data: {resources}; font-src {resources}; "
        f"connect-src {connects or chr(39) + 'none' + chr(39)}; frame-src {frames}; "
        "object-src 'none'; base-uri 'none'; form-action 'none'"
    )


@dataclass
class Site:
    """The host page's origin: /, /bridge.js, and /view/<n> (what the test put there)."""

    url: str
    bridge: bytes
    views: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (html, csp)

    def put_view(self, name: str, html: str, csp: Mapping[str, Any] | None) -> str:
        self.views[f"/view/{name}"] = (html, csp_header(csp))
        return f"{self.url}/view/{name}"


@dataclass
class Witness:
    """A server on another origin: any request reaching it is a request the CSP failed to block."""

    url: str
    hits: list[str] = field(default_factory=list)


def _serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host!s}:{port}"


@contextmanager
def serving(tmp: Path) -> Iterator[tuple[Site, Witness]]:
    host_page = (HERE / "host.html").read_bytes()
    site = Site(url="", bridge=bundle_bridge(tmp))
    witness = Witness(url="")

    class SiteHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/":
                self._send(host_page, "text/html; charset=utf-8")
            elif self.path == "/bridge.js":
                self._send(site.bridge, "text/javascript; charset=utf-8")
            elif self.path in site.views:
                html, csp = site.views[self.path]
                self._send(html.encode(), "text/html; charset=utf-8", {"Content-Security-Policy": csp})
            elif self.path == "/favicon.ico":
                self._send(b"", "image/x-icon")  # what a browser asks for first; a 404 would log an error
            else:
                self.send_error(404)

        def _send(self, body: bytes, kind: str, headers: Mapping[str, str] | None = None) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    class WitnessHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            witness.hits.append(self.path)
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: Any) -> None:
            pass

    site_server, site.url = _serve(SiteHandler)
    witness_server, witness.url = _serve(WitnessHandler)
    try:
        yield site, witness
    finally:
        for server in (site_server, witness_server):
            server.shutdown()
            server.server_close()
