"""Interview definitions as the sandbox stores them, and the stand-in for AI question writing.

An :class:`Interview` holds the definition ``job-interview-get`` returns (every field the
contract marks always-present), plus what the sandbox needs besides: the position id, the embed
key pair and the enrolled candidates. It round-trips through JSON for the SQLite store.

Questions for ``job-interview-create`` are "generated" deterministically from the name and
description, so a test can predict them: the count is ``interview_length`` (or 5-8 when
omitted), capped at one question per 2 minutes of ``max_duration`` (default 1200 s).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from jobmojito_mcp.sandbox.catalogue import LANGUAGES, SANDBOX_MERCHANT_ID, Template

DEFAULT_MAX_DURATION = 1200
SECONDS_PER_QUESTION = 120
QUESTION_DURATION = 120

_QUESTION_BANK = (
    "Walk us through the experience that best prepares you for the {name} role.",
    "What attracted you to the {name} position?",
    "Describe a difficult problem you solved recently, step by step.",
    "How do you prioritise when several urgent tasks arrive at once?",
    "Tell us about a time you disagreed with a colleague and how it ended.",
    "Which of your skills would matter most in your first month as {name}?",
    "Describe a project you are proud of and your part in it.",
    "How do you keep your knowledge up to date?",
    "Tell us about a mistake you made at work and what you changed afterwards.",
    "How would you explain a complex topic from your field to a newcomer?",
    "What does a good working day look like for you?",
    "Where would you like to grow in the next two years?",
)


# Fields the definition carries over from the create call under the same name.
# fmt: off
_COPIED_FIELDS = (
    "code", "cover_image_url", "knowledge_base_store_id", "recording", "recording_full_session",
    "result_view", "candidate_video_introduction", "candidate_expectations_json", "interview_department",
    "interview_salary", "interview_available_till", "recruiter_profile_id", "tags",
    "interview_conversation_speed", "max_followups", "questions_random_subset", "required_pronunciation",
    "result_enable_edit_transcript", "pdf_export_auto_config",
)
# fmt: on


def now() -> str:
    """Timestamps as Supabase writes them: ISO 8601, UTC offset."""
    return datetime.now(UTC).isoformat()


def question_cap(max_duration: float | None) -> int:
    """One question per 2 minutes of interview: 1200 s -> 10, 2700 s -> 22; at least one."""
    seconds = DEFAULT_MAX_DURATION if max_duration is None else max_duration
    return max(1, int(seconds // SECONDS_PER_QUESTION))


def generated_questions(
    name: str, description: str, language: str, requested: int | None, max_duration: float | None
) -> list[dict[str, Any]]:
    """The "AI-written" questions: deterministic in name and description, capped by duration."""
    seed = int.from_bytes(hashlib.sha256(f"{name}\n{description}".encode()).digest()[:8], "big")
    wanted = requested if requested is not None else 5 + seed % 4
    count = min(wanted, question_cap(max_duration))
    questions = []
    for index in range(count):
        text = _QUESTION_BANK[(seed + index) % len(_QUESTION_BANK)].format(name=name)
        if index >= len(_QUESTION_BANK):
            text += f" (follow-up {index // len(_QUESTION_BANK)})"
        questions.append(
            {
                "id": str(uuid.uuid4()),
                "question": text,
                "duration": QUESTION_DURATION,
                "mojito_language_code": language,
                "is_conditional": False,
                "is_without_scoring": False,
                "is_multiple_choice": False,
            }
        )
    return questions


def given_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The caller's questions as stored: unchanged, with an ``id`` assigned where absent."""
    return [{**q, "id": q.get("id") or str(uuid.uuid4())} for q in questions]


@dataclass
class Interview:
    """One stored interview definition (and its position)."""

    id: str  # interview_def_set_id
    position_id: str  # position_def_set_id
    definition: dict[str, Any]  # what job-interview-get returns
    external_id: str | None = None  # position_external_id, to reuse a position
    embed: dict[str, str] | None = None  # {"embed_id", "embed_signing_key"}
    candidates: dict[str, dict[str, Any]] = field(default_factory=dict)  # by normalised e-mail

    def ensure_embed(self) -> dict[str, str]:
        """The embed key pair, created on first use (``is_embedded: true``)."""
        if self.embed is None:
            self.embed = {"embed_id": str(uuid.uuid4()), "embed_signing_key": secrets.token_hex(32)}
        return dict(self.embed)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Interview:
        return cls(**data)


def new_interview(
    fields: dict[str, Any],
    *,
    template: Template,
    questions: list[dict[str, Any]],
    description: str | None,
    candidate_expectations: str | None,
    creation_parameters: dict[str, Any],
    external_id: str | None = None,
) -> Interview:
    """Build a stored interview from the (validated) interview fields of a create call.

    ``fields`` uses the create-call names (``name``, ``location``, ``description_long``...);
    the definition uses the names ``job-interview-get`` answers with.
    """
    interview_id = str(uuid.uuid4())
    language = fields["mojito_language_code"]
    language_name, speech_code = LANGUAGES[language]
    stamp = now()
    slug = re.sub(r"[^a-z0-9]+", "-", fields["name"].casefold()).strip("-") or "interview"
    definition: dict[str, Any] = {
        "name": fields["name"],
        "created_at": stamp,
        "updated_at": stamp,
        "calc_definition_json": None,
        "questions": questions,
        "is_multistage": False,
        "status": fields["status"],
        "visibility": fields["visibility"],
        "stage": None,
        "type": fields["type"],
        "interview_location": fields["location"],
        "merchant_id": SANDBOX_MERCHANT_ID,
        "interview_template_id": template.id,
        "interview_template_type": template.type,
        "is_voice_only": template.type == "interactive_elevenlabs",
        "mojito_language_code": language,
        "speech_language_code": speech_code,
        "speech_language_name": language_name,
        "type_credit": None,
        "description": description,
        "interview_description_long": fields.get("description_long"),
        "candidate_expectations": candidate_expectations,
        "result_scoring": None,
        "creation_parameters": creation_parameters,
        "slug": f"{slug}-{interview_id[:8]}",
        "coach_plan": None,
        "max_duration": fields.get("max_duration"),
        **{name: fields.get(name) for name in _COPIED_FIELDS},
    }
    return Interview(
        id=interview_id, position_id=str(uuid.uuid4()), definition=definition, external_id=external_id
    )
