"""Signed links to stored files, as Supabase Storage serves them: reports, and (unserved) recordings.

JobMojito hands out short-lived signed URLs for report PDFs and session recordings. The sandbox
mints them the same way, ``<origin>/storage/v1/object/sign/<bucket>/<name>?token=...``, valid
until a stated time, and serves the reports it rendered at that address (recordings are
simulated, so their links answer 404: the sandbox keeps no media). ``<origin>`` is the address
the calling client used to reach the sandbox, so a link works from wherever the call came from.
"""

from __future__ import annotations

import secrets
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

STORAGE_PATH = "/storage/v1/object/sign"
# The origin of the call being answered: set by the app for each call, read when minting links.
request_origin: ContextVar[str] = ContextVar("request_origin", default="http://sandbox.invalid")


@dataclass(frozen=True)
class StoredFile:
    content_type: str
    body: bytes
    token: str
    expires: float  # epoch seconds


def signed_url(bucket: str, name: str, token: str, expires: float) -> str:
    return f"{request_origin.get()}{STORAGE_PATH}/{bucket}/{name}?token={token}&expires={int(expires)}"


def valid_until(expires: float) -> str:
    return datetime.fromtimestamp(expires, UTC).isoformat()


class FileStore:
    """Rendered reports by name, until their links expire (memory only: the links are short-lived)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, StoredFile] = {}

    def put(self, name: str, content_type: str, body: bytes, lifetime: float) -> tuple[str, float]:
        """Store a report under ``reports/<name>``; its signed URL and expiry (epoch seconds)."""
        token, expires = secrets.token_urlsafe(24), time.time() + lifetime
        with self._lock:
            self._files[name] = StoredFile(content_type, body, token, expires)
        return signed_url("reports", name, token, expires), expires

    def get(self, name: str) -> StoredFile | None:
        with self._lock:
            return self._files.get(name)

    def names(self) -> list[str]:
        with self._lock:
            return list(self._files)

    def clear(self) -> None:
        with self._lock:
            self._files.clear()


def storage_routes(files: FileStore) -> list[Route]:
    async def fetch(request: Request) -> Response:
        bucket, name = request.path_params["bucket"], request.path_params["name"]
        if bucket != "reports":
            return JSONResponse({"error": "Object not found: the sandbox keeps no media."}, status_code=404)
        stored = files.get(name)
        if stored is None:
            return JSONResponse({"error": "Object not found."}, status_code=404)
        if not secrets.compare_digest(request.query_params.get("token", ""), stored.token):
            return JSONResponse({"error": "Invalid signature."}, status_code=400)
        if time.time() > stored.expires:
            return JSONResponse({"error": "The signed URL has expired."}, status_code=400)
        return Response(stored.body, media_type=stored.content_type)

    return [Route(STORAGE_PATH + "/{bucket}/{name:path}", fetch, methods=["GET"])]
