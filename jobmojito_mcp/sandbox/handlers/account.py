"""The account toolset's endpoint: the merchant's status.

==============================  ==================================================================
merchant-status                 another merchant_id: 403
==============================  ==================================================================
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jobmojito_mcp.sandbox.catalogue import SANDBOX_MERCHANT_ID
from jobmojito_mcp.sandbox.lookups import check_merchant
from jobmojito_mcp.sandbox.state import SandboxState
from jobmojito_mcp.sandbox.takes import days_ago

Answer = dict[str, Any]

SANDBOX_PROFILE_ID = "5a0d8b3e-0000-4000-8000-0000000000a1"  # the caller's own profile

HISTORY_DAYS = 14


def merchant_status(state: SandboxState, query: dict[str, Any]) -> Answer:
    check_merchant(query, status=403)
    account = state.account
    results = [r for r in state.results.all() if not r.is_test]
    started = [r for r in results if r.started_at]
    profiles = {
        email: profile["created_at"]
        for interview in state.interviews.all()
        for email, profile in interview.candidates.items()
    }
    today = datetime.now(UTC)

    def history(stamps: list[str]) -> list[int]:
        ages = [days_ago(stamp, today) for stamp in stamps]
        return [ages.count(day) for day in range(HISTORY_DAYS)]

    return {
        "profile_id": SANDBOX_PROFILE_ID,
        "default_merchant_id": SANDBOX_MERCHANT_ID,
        "merchant_id": SANDBOX_MERCHANT_ID,
        "credits_interview_monthly": account.credits_interview_monthly,
        "credits_interview_monthly_limit": account.credits_interview_monthly_limit,
        "credits_interview_extra": account.credits_interview_extra,
        "credits_interview_single": account.credits_interview_single,
        "definitions_active": sum(
            1 for i in state.interviews.all() if i.definition.get("status") == "active"
        ),
        "interviews_without_credits": sum(1 for r in results if r.completed and not r.charged),
        "interviews_undecided": sum(1 for r in results if r.completed and r.decision_status is None),
        "interviews_ongoing": sum(1 for r in started if not r.completed),
        "interview_results": len(started),
        "candidates": len(profiles),
        "candidates_history": history(list(profiles.values())),
        "interview_result_history": history([r.started_at for r in started if r.started_at]),
        "subscription_type": account.subscription_type,
        "subscription_status": account.subscription_status,
        "invitations_sent": account.invitations_sent,
        "invitations_limit": account.invitations_limit,
        "invitations_available": account.invitations_available,
    }
