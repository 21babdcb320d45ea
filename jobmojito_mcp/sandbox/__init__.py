"""The built-in JobMojito sandbox: a contract-faithful simulator of the thirteen functions endpoints.

No machine here can reach JobMojito and JobMojito has no test mode, so the project carries its
own simulator, like stripe-mock for Stripe. It is what a newcomer runs first, the upstream every
test talks to over real loopback HTTP, and a feature: agent builders rehearse whole flows without
creating real, billable interviews. See ``docs/sandbox.md``.

It depends on nothing else in ``jobmojito_mcp`` (it validates against ``contract.json``, not
against the server's models), so the two cannot share a mistake.
"""

from jobmojito_mcp.sandbox.app import create_app
from jobmojito_mcp.sandbox.catalogue import (
    ARCHIVED_TEMPLATE_ID,
    DEFAULT_TEMPLATE_ID,
    DELETED_TEMPLATE_ID,
    DRAFT_TEMPLATE_ID,
    KNOWLEDGE_BASE_ID,
    LEGACY_SYNTHESIA_TEMPLATE_ID,
    LEGACY_TEMPLATE_ID,
    OFFLINE_TEMPLATE_ID,
    PLATFORM_MERCHANT_ID,
    PLATFORM_TEMPLATE_ID,
    SANDBOX_MERCHANT_ID,
    VOICE_TEMPLATE_ID,
)
from jobmojito_mcp.sandbox.faults import FaultKind
from jobmojito_mcp.sandbox.journal import RecordedRequest
from jobmojito_mcp.sandbox.runner import RunningSandbox, run_sandbox, serve
from jobmojito_mcp.sandbox.screening import DEMO_POSITION_ID, FOREIGN_POSITION_ID
from jobmojito_mcp.sandbox.state import SandboxState
from jobmojito_mcp.sandbox.takes import TakeRefused
from jobmojito_mcp.sandbox.wire import ConnectionDropped

__all__ = [
    "ARCHIVED_TEMPLATE_ID",
    "DEFAULT_TEMPLATE_ID",
    "DELETED_TEMPLATE_ID",
    "DEMO_POSITION_ID",
    "DRAFT_TEMPLATE_ID",
    "FOREIGN_POSITION_ID",
    "KNOWLEDGE_BASE_ID",
    "LEGACY_SYNTHESIA_TEMPLATE_ID",
    "LEGACY_TEMPLATE_ID",
    "OFFLINE_TEMPLATE_ID",
    "PLATFORM_MERCHANT_ID",
    "PLATFORM_TEMPLATE_ID",
    "SANDBOX_MERCHANT_ID",
    "VOICE_TEMPLATE_ID",
    "ConnectionDropped",
    "FaultKind",
    "RecordedRequest",
    "RunningSandbox",
    "SandboxState",
    "TakeRefused",
    "create_app",
    "run_sandbox",
    "serve",
]
