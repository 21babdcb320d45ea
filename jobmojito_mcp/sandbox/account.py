"""The sandbox merchant's account: credits, what was spent on what, and invitation headroom.

JobMojito bills interview sessions in credits and tracks invitations against a limit of 4x the
credits available (``merchant-status``). The sandbox keeps one account with a ledger, so an
agent can see its own calls in the numbers. Prices, from the facts the API documents:

==============================================  ===============================================
a candidate completes an interview              1 credit per started 20 minutes of the
                                                interview's ``max_duration`` (default 1200 s: 1),
                                                +0.2 with ``recording_full_session`` audio_all,
                                                +0.4 with video_all; test runs are free
a report translated into another language       0.1 per result whose own language differs
a candidate link minted (registration,           one invitation (not a credit); refused once
for-candidate enrolment)                        ``invitations_available`` is 0; test links free
creating or updating an interview               nothing by itself: it sets the session price
==============================================  ===============================================

Credits are taken from the monthly allowance first, then from the extra credits. A completed
interview the account cannot pay for stays uncharged (``interviews_without_credits``) until
credits are added.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

# A fresh sandbox merchant: a monthly plan with room for a realistic rehearsal.
MONTHLY_CREDITS = 100.0
SESSION_MINUTES_PER_CREDIT = 20
FULL_SESSION_SURCHARGE = {"audio_all": 0.2, "video_all": 0.4}
TRANSLATION_CREDITS = 0.1
INVITATIONS_PER_CREDIT = 4


def session_price(definition: dict[str, Any]) -> float:
    """What one completed session of this interview costs, in credits."""
    seconds = definition.get("max_duration") or SESSION_MINUTES_PER_CREDIT * 60
    blocks = max(1, math.ceil(seconds / (SESSION_MINUTES_PER_CREDIT * 60)))
    return round(blocks + FULL_SESSION_SURCHARGE.get(definition.get("recording_full_session") or "", 0.0), 2)


@dataclass
class Account:
    """The one merchant's balances and ledger (saved as one record)."""

    KEY: ClassVar[str] = "merchant"

    credits_interview_monthly_limit: float = MONTHLY_CREDITS
    credits_interview_monthly: float = MONTHLY_CREDITS  # what is left of this month's allowance
    credits_interview_extra: float = 0.0
    credits_interview_single: float = 0.0
    invitations_sent: int = 0
    subscription_type: str | None = "business"
    subscription_status: str | None = "active"
    ledger: list[dict[str, Any]] = field(default_factory=list)  # {"at", "event", "credits", "ref"}

    @property
    def key(self) -> str:
        return self.KEY

    @property
    def available(self) -> float:
        return round(self.credits_interview_monthly + self.credits_interview_extra, 2)

    @property
    def invitations_limit(self) -> int:
        return math.floor(INVITATIONS_PER_CREDIT * self.available)

    @property
    def invitations_available(self) -> int:
        return max(0, self.invitations_limit - self.invitations_sent)

    def charge(self, credits: float, event: str, ref: str, at: str) -> bool:
        """Spend ``credits`` (monthly first, then extra) and write it down; False, spending nothing,
        when the account cannot pay."""
        if credits > self.available + 1e-9:
            return False
        from_monthly = min(credits, self.credits_interview_monthly)
        self.credits_interview_monthly = round(self.credits_interview_monthly - from_monthly, 2)
        self.credits_interview_extra = round(self.credits_interview_extra - (credits - from_monthly), 2)
        self.ledger.append({"at": at, "event": event, "credits": credits, "ref": ref})
        return True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Account:
        return cls(**data)


# What `POST /_sandbox/account` may set, and the type each must have.
KNOBS: dict[str, type | tuple[type, ...]] = {
    "credits_interview_monthly_limit": (int, float),
    "credits_interview_monthly": (int, float),
    "credits_interview_extra": (int, float),
    "credits_interview_single": (int, float),
    "invitations_sent": int,
    "subscription_type": (str, type(None)),
    "subscription_status": (str, type(None)),
}
