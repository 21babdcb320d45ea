"""Id lookups the endpoints share, each answering the way the calling endpoint does when it fails.

Lookups are not validation: the status for an unknown id differs per endpoint (see the tables in
the modules of ``handlers/``), so the caller says which.
"""

from __future__ import annotations

from typing import Any

from jobmojito_mcp.sandbox.catalogue import (
    KNOWLEDGE_BASE_ID,
    LEGACY_TYPES,
    SANDBOX_MERCHANT_ID,
    Template,
    find_template,
)
from jobmojito_mcp.sandbox.errors import ApiError


def check_merchant(params: dict[str, Any], *, status: int) -> None:
    """Only the sandbox merchant may be named: any other is "not permitted" (`status`)."""
    merchant_id = params.get("merchant_id")
    if merchant_id is not None and merchant_id != SANDBOX_MERCHANT_ID:
        raise ApiError(status, "Not permitted for this merchant.", "merchant_id")


def usable_template(template_id: str, *, unknown_status: int) -> Template:
    """The template interviews may use: unknown or deleted is `unknown_status`, legacy always 422."""
    template = find_template(template_id)
    if template is None or template.status == "deleted":
        raise ApiError(unknown_status, "Unknown interview template.", "interview_template_id")
    if template.type in LEGACY_TYPES:
        message = f"Template type {template.type} is legacy and cannot be used to create interviews."
        raise ApiError(422, message, "interview_template_id")
    return template


def check_knowledge_base(kb_id: str | None, name: str, *, unknown_status: int) -> None:
    if kb_id is not None and kb_id != KNOWLEDGE_BASE_ID:
        raise ApiError(unknown_status, "Unknown knowledge base.", name)
