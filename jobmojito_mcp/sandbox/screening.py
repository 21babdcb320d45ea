"""Pre-screening positions and the sandbox's deterministic stand-in for JobMojito's AI screening.

JobMojito's screening is an AI judgement; the sandbox's is a documented rule, so tests and agent
rehearsals reach every outcome on purpose and can tell why. For one résumé (text) and form:

1. **Marker.** ``[sandbox:ai_accept]``, ``[sandbox:ai_reject]`` or ``[sandbox:recruiter_action]`` in
   the résumé decides the recommendation outright (score 10, 0 and 5).
2. **Match score** (0-10, one decimal): the share of the position's keywords (words of 3+ letters or
   digits, minus stop words, from its name, descriptions and candidate expectations) found in the
   résumé, times 10. ``resume_match`` compares it with its thresholds (defaults when the position
   has no such rule: reject below 3, accept from 6); 0 as ``resume_score_reject`` turns rejection
   off. It always applies, whatever its ``type``.
3. **Technical experience** (``resume_technical_experience``, always applies): the largest
   "N years" (or "N+ yrs") in the résumé against ``technical_experience_years``.
4. **Education** (``resume_education``, and ``form_education`` when of type ``screening``): the
   highest level the résumé names (doctorate/PhD, master/MSc/MBA, bachelor/BSc/BA, vocational,
   high school) or ``form.education``, against the rule's minimum.
5. **Form rules of type ``screening``**: nationality and residency (``form`` value, else
   ``candidate_country_code``; missing fails), languages (every listed language at its level or
   above), age, gender, visa. ``required``/``optional`` rules are never enforced.

A failed rule does what its ``action`` says (``mark_for_review`` by default, ``reject``); a
failed resume_match below its reject threshold rejects. Any rejection gives ``ai_reject``, else
any review ``recruiter_action``, else ``ai_accept``. The analysis names every rule that failed and
the position keywords the résumé lacks.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from jobmojito_mcp.sandbox.candidates import keywords

DEFAULT_REJECT_BELOW = 3
DEFAULT_ACCEPT_FROM = 6
# What one screening costs: JobMojito bills pre-screening (its credit ledger has a `pre_screening`
# event) without documenting a price; the sandbox's figure is its own.
SCREENING_CREDITS = 0.1

EDUCATION = (
    "primary school",
    "high school no graduation",
    "high school",
    "vocational",
    "bachelors",
    "masters",
    "doctorate",
)
LEVELS = ("beginner", "intermediate", "advanced", "fluent")
EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
_MARKER = re.compile(r"\[sandbox:(ai_accept|ai_reject|recruiter_action)\]", re.IGNORECASE)
_YEARS = re.compile(r"(\d{1,2})\s*\+?\s*(?:years?|yrs?)\b", re.IGNORECASE)
_EDUCATION_WORDS = (
    ("doctorate", re.compile(r"\b(?:ph\.?d|doctorate|doctoral)\b", re.IGNORECASE)),
    ("masters", re.compile(r"\b(?:master'?s?|msc|m\.sc|mba|ma)\b", re.IGNORECASE)),
    ("bachelors", re.compile(r"\b(?:bachelor'?s?|bsc|b\.sc|ba|beng)\b", re.IGNORECASE)),
    ("vocational", re.compile(r"\bvocational\b", re.IGNORECASE)),
    ("high school", re.compile(r"\bhigh school\b", re.IGNORECASE)),
)
_FORM_VALUES = {
    "form_nationality": "nationality",
    "form_residency": "residency",
    "form_visa": "visa",
    "form_age": "age",
    "form_gender": "gender",
}


@dataclass
class Position:
    """One pre-screening position (its ``position_def_set_id`` is ``id``)."""

    id: str
    pre_screening_id: str
    merchant_id: str
    definition: dict[str, Any]
    created_at: str
    updated_at: str
    screened: dict[str, dict[str, Any]] = field(default_factory=dict)  # e-mail -> the stored outcome

    @property
    def key(self) -> str:
        return self.id

    def text(self) -> str:
        return (
            " ".join(
                str(self.definition.get(name) or "")
                for name in ("position_name", "position_description", "position_description_long")
            )
            + " "
            + str(self.definition.get("candidate_expectations") or "")
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Position:
        return cls(**data)


@dataclass
class Verdict:
    """What the screening decided, and why."""

    recommendation: str
    score: float
    analysis: str
    education: str | None = None
    experience: float | None = None
    failed: list[str] = field(default_factory=list)


def screen(position: Position, resume: str, form: dict[str, Any], country: str | None) -> Verdict:
    """Judge one résumé and form against the position (the rule is in the module docstring)."""
    education = _education_in(resume)
    experience = max((float(n) for n in _YEARS.findall(resume)), default=None)
    marker = _MARKER.search(resume)
    if marker:
        decided = marker.group(1).lower()
        score = {"ai_accept": 10.0, "ai_reject": 0.0}.get(decided, 5.0)
        return Verdict(decided, score, "Sandbox marker phrase in the résumé.", education, experience)
    wanted = keywords(position.text())
    found = wanted & keywords(resume)
    score = round(10 * len(found) / len(wanted), 1) if wanted else 5.0
    missing = sorted(wanted - found)
    rejects: list[str] = []
    reviews: list[str] = []
    rules = position.definition.get("assessment_rules") or []
    match_rule: dict[str, Any] = next((rule for rule in rules if rule.get("id") == "resume_match"), {})
    reject_below = match_rule.get("resume_score_reject", DEFAULT_REJECT_BELOW)
    accept_from = match_rule.get("resume_score_accept", DEFAULT_ACCEPT_FROM)
    if score < accept_from:
        why = f"resume_match: score {score:g} < {accept_from}" + (
            f" (missing keywords: {', '.join(missing[:12])})" if missing else ""
        )
        (rejects if reject_below and score < reject_below else reviews).append(why)
    for rule in rules:
        failure = _failure(rule, resume, form, country, education, experience)
        if failure is not None:
            (rejects if rule.get("action") == "reject" else reviews).append(failure)
    recommendation = "ai_reject" if rejects else "recruiter_action" if reviews else "ai_accept"
    analysis = f"Matched {len(found)} of {len(wanted)} position keywords" + (
        f" ({', '.join(sorted(found)[:12])})" if found else ""
    )
    failed = rejects + reviews
    analysis += ". Failed rules: " + "; ".join(failed) + "." if failed else ". Every rule passed."
    return Verdict(recommendation, score, analysis, education, experience, failed)


def _failure(
    rule: dict[str, Any],
    resume: str,
    form: dict[str, Any],
    country: str | None,
    education: str | None,
    experience: float | None,
) -> str | None:
    """Why the candidate fails this rule, or None when they pass it (or it is not enforced)."""
    rule_id = rule.get("id", "")
    if rule_id == "resume_technical_experience":
        needed = rule.get("technical_experience_years") or 0
        if (experience or 0) < needed:
            return f"{rule_id}: {experience or 0:g} years found, {needed} needed"
        return None
    if rule_id in ("resume_education", "resume_education_by_country"):
        return _education_failure(rule_id, rule.get("education"), education)
    if rule.get("type") != "screening":
        return None
    if rule_id in ("form_education", "form_education_by_country"):
        return _education_failure(rule_id, rule.get("education"), form.get("education"))
    if rule_id == "form_languages":
        spoken = {
            str(item.get("code")): str(item.get("level"))
            for item in form.get("languages") or []
            if isinstance(item, dict)
        }
        for need in rule.get("languages") or []:
            have = spoken.get(need["code"])
            if have not in LEVELS or LEVELS.index(have) < LEVELS.index(need["level"]):
                return f"{rule_id}: needs {need['code']} at {need['level']} or above, has {have or 'none'}"
        return None
    key = _FORM_VALUES.get(rule_id)
    if key is None:
        return None
    value = form.get(key)
    if key in ("nationality", "residency") and not value:
        value = country
    if value is None or value == "":
        return f"{rule_id}: no {key} given"
    if key in ("nationality", "residency"):
        allowed = {code.upper() for code in rule.get("country") or []}
        if str(value).upper() in allowed or (rule.get("country_eu") and str(value).upper() in EU):
            return None
        return f"{rule_id}: {value} is not accepted"
    if key == "age":
        low, high = rule.get("age_min"), rule.get("age_max")
        if (
            not isinstance(value, int)
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            return f"{rule_id}: age {value} outside {low if low is not None else '-'}..{high if high is not None else '-'}"
        return None
    listed = rule.get(key) or []
    return None if value in listed else f"{rule_id}: {value} is not among {', '.join(listed) or 'none'}"


def _education_failure(rule_id: str, minimum: Any, have: Any) -> str | None:
    if minimum not in EDUCATION:
        return None  # a country's own keys, which the sandbox does not know: not judged
    if have not in EDUCATION or EDUCATION.index(have) < EDUCATION.index(minimum):
        return f"{rule_id}: {have or 'no education found'}, {minimum} needed"
    return None


def _education_in(resume: str) -> str | None:
    return next((level for level, pattern in _EDUCATION_WORDS if pattern.search(resume)), None)


# The sandbox merchant's own demo position (active, résumés only), there from the start like the
# demo templates, so an agent can rehearse screening at once; and another merchant's position:
# screening against that one answers 404, as JobMojito does.
DEMO_POSITION_ID = "5a0d8b3e-0003-4000-8000-000000000010"
FOREIGN_POSITION_ID = "5a0d8b3e-0003-4000-8000-000000000001"
FOREIGN_MERCHANT_ID = "5a0d8b3e-0000-4000-8000-00000000f00d"


def foreign_position() -> Position:
    stamp = "2026-01-05T09:00:00+00:00"
    return Position(
        id=FOREIGN_POSITION_ID,
        pre_screening_id="5a0d8b3e-0003-4000-8000-000000000002",
        merchant_id=FOREIGN_MERCHANT_ID,
        definition={"position_name": "Another merchant's position", "status": "active", "type": "resume"},
        created_at=stamp,
        updated_at=stamp,
    )


def demo_position() -> Position:
    stamp = "2026-01-05T09:00:00+00:00"
    return Position(
        id=DEMO_POSITION_ID,
        pre_screening_id="5a0d8b3e-0003-4000-8000-000000000011",
        merchant_id="5a0d8b3e-0000-4000-8000-00000000beef",
        definition={
            "position_name": "Python backend engineer",
            "position_location": "Berlin",
            "position_country_code": "DE",
            "mojito_language_code": "en",
            "position_description": "Python, Django, PostgreSQL, REST APIs, Docker, Kubernetes",
            "type": "resume",
            "status": "active",
            "visibility": "merchant_invite",
            "assessment_rules": [
                {"id": "resume_match", "resume_score_reject": 3, "resume_score_accept": 6},
                {"id": "resume_technical_experience", "technical_experience_years": 2},
            ],
        },
        created_at=stamp,
        updated_at=stamp,
    )
