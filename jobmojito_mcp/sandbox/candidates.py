"""The sandbox's stand-in for AI résumé pre-screening: a small, documented, deterministic rule.

JobMojito's real screening is an AI judgement the sandbox cannot reproduce; what tests and agent
rehearsals need is that every outcome is reachable on purpose. The rule, in order:

1. **Marker phrase.** A résumé containing ``[sandbox:<status>]`` (case-insensitive) gets that
   status, for ``<status>`` one of ``ai_accept``, ``recruiter_accept``, ``recruiter_action``,
   ``ai_reject``, ``recruiter_reject``. The first marker in the text wins.
2. **Keyword overlap.** Otherwise the position's keywords (words of 3+ letters or digits, minus
   common stop words, from its name, description, long description and candidate expectations)
   are matched against the résumé's words. ``score = matched / position keywords``:

   =================  ====================
   score              status
   =================  ====================
   >= 0.6             ``ai_accept``
   >= 0.4             ``recruiter_accept``
   >= 0.2             ``recruiter_action``
   >= 0.1             ``recruiter_reject``
   < 0.1              ``ai_reject``
   =================  ====================

   A position without keywords gives ``recruiter_action``.

(``already-applied`` is decided before this rule: same e-mail, same position.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STATUSES = ("ai_accept", "recruiter_accept", "recruiter_action", "ai_reject", "recruiter_reject")
THRESHOLDS = (
    (0.6, "ai_accept"),
    (0.4, "recruiter_accept"),
    (0.2, "recruiter_action"),
    (0.1, "recruiter_reject"),
)
REJECTIONS = frozenset({"ai_reject", "recruiter_reject"})

_MARKER = re.compile(r"\[sandbox:(" + "|".join(STATUSES) + r")\]", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]{3,}")
# fmt: off
_STOP_WORDS = frozenset({
    "the", "and", "for", "with", "you", "your", "our", "are", "was", "were", "will", "this", "that",
    "from", "have", "has", "into", "about", "who", "what", "when", "where", "which", "while", "would",
    "should", "could", "can", "all", "any", "but", "not", "role", "team", "work", "job", "position",
    "years", "year", "experience",
})
# fmt: on


@dataclass(frozen=True)
class Decision:
    """The screening outcome: a status, and a reason for the rejections."""

    status: str
    reason: str | None = None


def keywords(text: str) -> set[str]:
    """Lower-cased words of 3+ letters/digits, minus stop words."""
    return {word for word in _WORD.findall(text.casefold()) if word not in _STOP_WORDS}


def decide(resume: str, position_text: str) -> Decision:
    """Screen ``resume`` against the position text (see the module docstring for the rule)."""
    marker = _MARKER.search(resume)
    if marker:
        status = marker.group(1).lower()
        return Decision(status, "Sandbox marker phrase in the résumé." if status in REJECTIONS else None)
    wanted = keywords(position_text)
    if not wanted:
        return Decision("recruiter_action")
    matched = len(wanted & keywords(resume))
    score = matched / len(wanted)
    status = next((name for floor, name in THRESHOLDS if score >= floor), "ai_reject")
    if status == "ai_reject":
        found = sorted(wanted & keywords(resume))
        return Decision(
            status,
            f"The résumé matches {matched} of {len(wanted)} position keywords "
            f"(matched: {', '.join(found) or 'none'}; missing: {', '.join(sorted(wanted - set(found)))}).",
        )
    if status == "recruiter_reject":
        return Decision(status, "A recruiter reviewed the application and declined it.")
    return Decision(status)
