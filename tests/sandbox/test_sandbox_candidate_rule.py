"""The screening rule as a pure function: markers first, then keyword-overlap thresholds."""

from __future__ import annotations

import pytest

from jobmojito_mcp.sandbox.candidates import decide, keywords


def test_keywords_drop_stop_words_and_short_words() -> None:
    assert keywords("The Python role, with AWS and an API at ACME!") == {"python", "aws", "api", "acme"}


def test_first_marker_wins_over_keywords() -> None:
    position = "python django"
    assert decide("python django [sandbox:ai_reject] [sandbox:ai_accept]", position).status == "ai_reject"


def test_unknown_marker_is_ignored() -> None:
    assert decide("[sandbox:maybe] python", "python").status == "ai_accept"


@pytest.mark.parametrize(
    ("score", "status"),
    [(1.0, "ai_accept"), (0.6, "ai_accept"), (0.55, "recruiter_accept"), (0.4, "recruiter_accept"),
     (0.35, "recruiter_action"), (0.2, "recruiter_action"), (0.15, "recruiter_reject"), (0.1, "recruiter_reject"),
     (0.05, "ai_reject"), (0.0, "ai_reject")],
)  # fmt: skip
def test_thresholds(score: float, status: str) -> None:
    wanted = [f"skill{i:02d}" for i in range(20)]
    resume = " ".join(wanted[: round(score * 20)])
    decision = decide(resume, " ".join(wanted))
    assert decision.status == status
    assert (decision.reason is not None) == (status in ("ai_reject", "recruiter_reject"))


def test_position_without_keywords_needs_a_recruiter() -> None:
    assert decide("anything", "the and of").status == "recruiter_action"
