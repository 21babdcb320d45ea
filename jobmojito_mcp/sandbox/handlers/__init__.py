"""The endpoints' behaviour, on already schema-checked parameters: one module per toolset, as in
``jobmojito_mcp.toolsets``; ``ROUTES`` maps every endpoint to its handler.

Each handler takes the state and the request's parameters (JSON body, or coerced query) and
returns the JSON answer, or raises :class:`ApiError`. Unknown ids are answered the way the real
API answers them, which differs per endpoint: each module's docstring has its table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jobmojito_mcp.sandbox.handlers import (
    account,
    candidates,
    coaching,
    interviews,
    knowledge,
    results,
    screening,
)
from jobmojito_mcp.sandbox.state import SandboxState
from jobmojito_mcp.sandbox.updates import update


@dataclass(frozen=True)
class Route:
    """How one endpoint is reached: its contract tool, its methods, its handler."""

    tool: str
    methods: frozenset[str]
    handle: Callable[[SandboxState, dict[str, Any]], Any]


ROUTES: dict[str, Route] = {
    "merchant-avatar-list": Route("list_avatars", frozenset({"GET"}), interviews.list_avatars),
    "job-interview-create": Route("create_interview", frozenset({"POST"}), interviews.create_interview),
    "job-interview-create-from-array": Route(
        "create_interview_from_questions", frozenset({"POST"}), interviews.create_from_array
    ),
    "job-interview-create-for-candidate-with-token": Route(
        "create_interview_for_candidate", frozenset({"POST"}), interviews.create_for_candidate
    ),
    "job-interview-set-state": Route("set_interview_state", frozenset({"POST"}), interviews.set_state),
    # GET per the OpenAPI description; POST with a JSON body too, as the cookbook says.
    "job-interview-get": Route(
        "get_interview_definition", frozenset({"GET", "POST"}), interviews.get_interview
    ),
    "merchant-interview-list": Route("list_interviews", frozenset({"GET"}), interviews.list_interviews),
    "job-interview-update": Route("update_interview", frozenset({"POST"}), update),
    "job-interview-register-users": Route(
        "register_users_for_interview", frozenset({"POST"}), candidates.register_users
    ),
    "merchant-result-list": Route("list_interview_results", frozenset({"GET"}), results.list_results),
    # GET per the OpenAPI description; POST with a JSON body too, as the cookbook calls it.
    "job-interview-details": Route(
        "get_interview_result_details", frozenset({"GET", "POST"}), results.result_details
    ),
    "job-interview-pdf": Route("generate_interview_report", frozenset({"POST"}), results.report),
    "merchant-status": Route("get_merchant_status", frozenset({"GET"}), account.merchant_status),
    "merchant-candidate-list": Route("list_candidates", frozenset({"GET"}), candidates.list_candidates),
    "job-interview-result-request-another-attempt": Route(
        "request_another_interview_attempt", frozenset({"POST"}), candidates.another_attempt
    ),
    "job-interview-token": Route("generate_interview_url", frozenset({"POST"}), candidates.interview_token),
    "platform-languages-list": Route("list_languages", frozenset({"GET"}), account.list_languages),
    "merchant-analytics": Route("get_merchant_analytics", frozenset({"GET"}), account.analytics),
    "merchant-analytics-credits-used": Route(
        "get_merchant_credit_usage", frozenset({"GET"}), account.credits_used
    ),
    "merchant-sub-merchant-list": Route("list_sub_merchants", frozenset({"GET"}), account.sub_merchants),
    "invite-users": Route("invite_users", frozenset({"POST"}), account.invite_users),
    "pre-screening-create": Route("upsert_pre_screening", frozenset({"POST"}), screening.upsert),
    "job-interview-pre-screening-api-resume-text": Route(
        "pre_screen_resume_text", frozenset({"POST"}), screening.resume_text
    ),
    "job-interview-pre-screening-api-resume-binary": Route(
        "pre_screen_resume_binary", frozenset({"POST"}), screening.resume_binary
    ),
    "knowledge-base-document-upload": Route(
        "upload_knowledge_base_document", frozenset({"POST"}), knowledge.upload
    ),
    "persona-create": Route("create_persona", frozenset({"POST"}), coaching.create_persona),
    "catalogue-tag-list": Route("list_catalogue_directories", frozenset({"GET"}), coaching.list_directories),
    "catalogue-tag-get": Route("get_catalogue_directory", frozenset({"GET"}), coaching.get_directory),
    "catalogue-tag-create": Route(
        "create_catalogue_directory", frozenset({"POST"}), coaching.create_directory
    ),
    "catalogue-tag-update": Route(
        "update_catalogue_directory", frozenset({"POST"}), coaching.update_directory
    ),
}
