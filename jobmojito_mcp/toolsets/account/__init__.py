"""The account toolset: the merchant's status, languages and sub-merchants (`status`), activity and
spending (`usage`), and inviting people into the account (`invite`). `TOOLS` is the toolset's order in
`tools/list`."""

from __future__ import annotations

from typing import Any

from jobmojito_mcp.tooling.spec import ToolSpec
from jobmojito_mcp.toolsets.account import invite, status, usage

TOOLS: tuple[ToolSpec[Any, Any], ...] = (
    status.GET_MERCHANT_STATUS,
    status.LIST_LANGUAGES,
    usage.GET_MERCHANT_ANALYTICS,
    usage.GET_MERCHANT_CREDIT_USAGE,
    status.LIST_SUB_MERCHANTS,
    invite.INVITE_USERS,
)
