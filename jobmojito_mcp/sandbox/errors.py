"""The error every sandbox endpoint answers with: an HTTP status and the documented body.

JobMojito's error body is ``{"error": "<message>", "name": "<offending field>"}`` with ``name``
optional; handlers raise :class:`ApiError` and the app turns it into exactly that.
"""

from __future__ import annotations


class ApiError(Exception):
    """An API-level failure the caller is meant to see (4xx/5xx with a JSON error body)."""

    def __init__(self, status: int, message: str, name: str | None = None) -> None:
        super().__init__(f"{status} {message}" + (f" ({name})" if name else ""))
        self.status = status
        self.message = message
        self.name = name

    def body(self) -> dict[str, str]:
        """The documented error body."""
        if self.name is None:
            return {"error": self.message}
        return {"error": self.message, "name": self.name}
