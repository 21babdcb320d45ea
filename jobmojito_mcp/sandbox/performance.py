"""The sandbox's stand-in for a candidate's interview and its AI assessment: deterministic, documented.

JobMojito's real assessment is an AI judgement of a live conversation the sandbox cannot hold.
What tests and rehearsals need is a believable result whose every part can be predicted: the
same candidate, interview and target score always give the same transcript, scores, write-ups
and hiring reasons. The rule:

- **Overall score**: the ``score`` the take asked for, else ``35 + seed % 61`` (35-95), where
  ``seed`` comes from the candidate's e-mail and the interview's name and question texts.
- **Answers**: one candidate turn per question, in order. Each scored answer gets the overall
  score plus a deterministic offset (the offsets sum to zero), clamped to 0-100; unscored
  questions (``is_without_scoring``) get none. An answer's text comes from a bank by band:
  >= 75 strong, >= 50 moderate, else weak. Multiple-choice questions are answered with one of
  their alternatives. After the first weak answer, unless ``max_followups`` is 0, the avatar
  asks one generated follow-up (``question_original_id`` null).
- **Write-ups**: ``ai_analysis`` (to the candidate), ``ai_analysis_recruiter``, and
  ``ai_analysis_other`` with ``hiring_reasons`` (the best answers >= 70 to hire, the worst < 55
  not to, at most 4 each), ``key_statement`` (from the best answer) and ``score_rationale``.
- **Risks** (``recruiter_risks``, keyed): ``low_score`` (overall < 50), ``short_answers`` (an
  answer < 40), ``incomplete`` (the candidate left before the end).
- A candidate who leaves half-way (``finish: false``) answers the first half of the questions;
  the result stays ``started`` with no overall score.
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import datetime, timedelta
from typing import Any

WELCOME = "Hello {first}, welcome to your interview for {position}. Let's begin."
CLOSING = "Thank you, {first}. That was the last question; your answers are being assessed."
FOLLOW_UP = "Could you give me a concrete example of that?"

_ANSWERS = {
    "strong": (
        "In my last role I faced exactly this. I broke the problem down, agreed a measurable goal with the "
        "team, shipped in small steps and cut the error rate by {n} percent within a quarter.",
        "I start from the outcome we need. What worked for me was writing the plan down, testing the "
        "riskiest part first and reviewing the results every week; it saved us {n} days.",
        "A concrete case: I owned it end to end, documented the trade-offs, and the approach became our "
        "team's standard. I measured it: {n} percent less rework.",
    ),
    "moderate": (
        "I have done something similar, mostly together with a senior colleague. We made it work, although "
        "I would plan it more carefully next time.",
        "I think this is mostly about communication. I usually talk to the people involved and then decide; "
        "it has mostly worked well for me.",
        "I have some experience with this. I read about best practices and apply them where I can.",
    ),
    "weak": (
        "I am not sure. It is not something I have done much.",
        "It depends. I would probably ask someone.",
        "I have not really thought about that before.",
    ),
}
_BANDS = ((80, "excellent"), (65, "good"), (50, "fair"), (0, "weak"))


def band(score: float) -> str:
    return next(name for floor, name in _BANDS if score >= floor)


def _tier(score: float) -> str:
    return "strong" if score >= 75 else "moderate" if score >= 50 else "weak"


def _topic(question: str) -> str:
    words = question.rstrip("?.!").split()
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


def seed_of(email: str | None, definition: dict[str, Any]) -> int:
    texts = "\n".join(str(q.get("question", "")) for q in definition.get("questions") or [])
    material = f"{(email or '').casefold()}\n{definition.get('name')}\n{texts}"
    return int.from_bytes(hashlib.sha256(material.encode()).digest()[:8], "big")


def target_score(seed: int, asked: float | None) -> float:
    return float(asked) if asked is not None else float(35 + seed % 61)


def _offsets(rng: random.Random, count: int) -> list[int]:
    raw = [rng.randint(-18, 18) for _ in range(count)]
    mean = sum(raw) / count if count else 0
    return [round(value - mean) for value in raw]


def _recording(setting: str | None, index: int) -> bool:
    return bool(setting) and (setting in ("audio_all", "video_all") or index < 5)


def assess(
    definition: dict[str, Any],
    *,
    result_id: str,
    candidate_name: str | None,
    candidate_email: str | None,
    started_at: datetime,
    score: float | None,
    finish: bool,
) -> dict[str, Any]:
    """The ``job-interview-details`` answer for one finished (or abandoned) take. See the module rule."""
    seed = seed_of(candidate_email, definition)
    rng = random.Random(seed)  # determinism, not secrecy
    overall = target_score(seed, score)
    first = (candidate_name or "there").split()[0]
    language = definition.get("mojito_language_code")
    questions = list(definition.get("questions") or [])
    asked = questions if finish else questions[: math.ceil(len(questions) / 2)]
    offsets = _offsets(rng, len(asked))
    answer_recording = definition.get("recording")
    followups_allowed = definition.get("max_followups") != 0

    welcome = WELCOME.format(first=first, position=definition.get("name"))
    transcript: list[dict[str, Any]] = [_turn(result_id, 0, None, welcome, language) | {"view": "welcome"}]
    elapsed = 0  # deciseconds
    followed_up = False
    for index, question in enumerate(asked):
        scored = not question.get("is_without_scoring")
        value = max(0.0, min(100.0, overall + offsets[index])) if scored else None
        tier = _tier(value if value is not None else overall)
        text = str(question.get("question", ""))
        if question.get("is_multiple_choice") and question.get("question_alternatives"):
            alternatives = question["question_alternatives"]
            reply = alternatives[0 if tier == "strong" else rng.randrange(len(alternatives))]
        else:
            reply = rng.choice(_ANSWERS[tier]).format(n=5 + rng.randrange(40))
        duration = 300 + rng.randrange(900)
        elapsed += duration
        item = _turn(result_id, len(transcript), question, text, language)
        answered = sum(
            1 for turn in transcript if turn["is_answer"]
        )  # "first 5 answers" counts follow-ups too
        item |= _answer(
            reply, value, duration, tier, _topic(text), rng, answer_recording, answered, result_id
        )
        transcript.append(item)
        if followups_allowed and not followed_up and value is not None and value < 50:
            followed_up = True
            extra = min(100.0, value + 10)
            follow = _turn(result_id, len(transcript), None, FOLLOW_UP, language) | _answer(
                rng.choice(_ANSWERS["moderate"]).format(n=10),
                extra, 400, "moderate", _topic(text), rng, answer_recording, answered + 1, result_id,
            )  # fmt: skip
            follow["view"] = "follow_up"
            elapsed += 400
            transcript.append(follow)
    if finish:
        closing = _turn(result_id, len(transcript), None, CLOSING.format(first=first), language)
        transcript.append(closing | {"view": "closing"})

    answers = [t for t in transcript if t["is_answer"] and t["score"] is not None]
    coverage = round(100 * len(asked) / len(questions)) if questions else 100
    details: dict[str, Any] = {
        "status": "completed" if finish else "started",
        "start": started_at.isoformat(),
        "end": (started_at + timedelta(seconds=elapsed / 10)).isoformat() if finish else None,
        "duration": elapsed,
        "ai_interview_coverage_percentage": coverage,
        "ai_completion_reason": "all_questions_answered" if finish else "candidate_left",
        "user_feedback_recruiter": None,
        "recording_local_path": f"recordings/{result_id}/session.webm"
        if definition.get("recording_full_session")
        else None,
        "recording_is_video": definition.get("recording_full_session") == "video_all",
        "video_introduction_local_path": f"recordings/{result_id}/introduction.webm"
        if definition.get("candidate_video_introduction") in ("optional", "required")
        else None,
        "transcript": transcript,
    }
    risks = {}
    if any(a["score"] < 40 for a in answers):
        risks["short_answers"] = "At least one answer lacked substance or a concrete example."
    if not finish:
        risks["incomplete"] = f"The candidate left after {len(asked)} of {len(questions)} questions."
        details |= _unscored()
        details["recruiter_risks"] = risks
        return details
    if overall < 50:
        risks["low_score"] = "The overall score is below 50."
    details["recruiter_risks"] = risks or None
    details |= _scores(overall, answers, rng, definition)
    details |= _write_ups(first, candidate_name, overall, answers)
    return details


def _turn(
    result_id: str, index: int, question: dict[str, Any] | None, asked: str, language: Any
) -> dict[str, Any]:
    """An avatar turn (no answer yet); `_answer` turns it into the candidate's turn."""
    return {
        "id": f"{result_id[:8]}-turn-{index:03d}",
        "is_answer": False,
        "view": "multiple_choice" if question and question.get("is_multiple_choice") else "question",
        "question_original_id": question.get("id") if question else None,
        "question_original": question.get("question") if question else None,
        "question_asked": asked,
        "answer": None,
        "ai_analysis": None,
        "ai_analysis_recruiter": None,
        "score": None,
        "score_simulation": None,
        "score_answer_ai": None,
        "score_answer_ai_simulation": None,
        "duration": None,
        "mojito_language_code": language,
        "answer_assessment_raw_data": None,
        "recording_local_path": None,
        "recording_is_video": None,
        "external_data": question.get("external_data") if question else None,
        "external_id": question.get("external_id") if question else None,
    }


def _answer(
    reply: str,
    value: float | None,
    duration: int,
    tier: str,
    topic: str,
    rng: random.Random,
    recording: str | None,
    index: int,
    result_id: str,
) -> dict[str, Any]:
    words = len(reply.split())
    recorded = _recording(recording, index)
    return {
        "is_answer": True,
        "answer": reply,
        "ai_analysis": {
            "strong": f'A clear, concrete answer to "{topic}". Keep using measurable examples.',
            "moderate": f'A reasonable answer to "{topic}"; a concrete example would make it stronger.',
            "weak": f'Your answer to "{topic}" stayed vague; prepare a specific example next time.',
        }[tier],
        "ai_analysis_recruiter": {
            "strong": "Specific, structured, evidence of ownership and measurable outcomes.",
            "moderate": "Relevant but general; limited evidence of personal ownership.",
            "weak": "Vague or evasive; no concrete evidence.",
        }[tier],
        "score": value,
        "score_simulation": value,
        "score_answer_ai": value,
        "score_answer_ai_simulation": value,
        "duration": duration,
        "answer_assessment_raw_data": {
            "words": words,
            "words_per_minute": round(words / (duration / 600)),
            "sentiment": round(0.4 + rng.random() * 0.5, 2),
        },
        "recording_local_path": f"recordings/{result_id}/answer-{index + 1:02d}.webm" if recorded else None,
        "recording_is_video": recording in ("video_all", "video_first_5_answers") if recorded else None,
    }


def _unscored() -> dict[str, Any]:
    names = ("score", "score_simulation", "score_text", "score_sentiment", "score_words_per_minute",
             "score_pronunciation", "score_answer", "ai_analysis", "ai_analysis_recruiter", "ai_analysis_other",
             "ai_analysis_recruiter_why_hire", "ai_analysis_recruiter_why_not_hire")  # fmt: skip
    return dict.fromkeys(names)


def _scores(
    overall: float, answers: list[dict[str, Any]], rng: random.Random, definition: dict[str, Any]
) -> dict[str, Any]:
    mean = round(sum(a["score"] for a in answers) / len(answers), 1) if answers else None
    return {
        "score": overall,
        "score_simulation": overall,
        "score_text": f"{overall:g}/100, {band(overall)}: "
        + {
            "excellent": "specific, structured answers with measurable results.",
            "good": "relevant answers, mostly backed by examples.",
            "fair": "relevant but general answers; few concrete examples.",
            "weak": "vague answers without concrete evidence.",
        }[band(overall)],
        "score_sentiment": round(50 + (overall - 50) / 2),
        "score_words_per_minute": 110 + rng.randrange(50),
        "score_pronunciation": 60 + rng.randrange(36) if definition.get("required_pronunciation") else None,
        "score_answer": mean,
    }


def _write_ups(first: str, name: str | None, overall: float, answers: list[dict[str, Any]]) -> dict[str, Any]:
    ranked = sorted(answers, key=lambda a: -a["score"])
    best, worst = (ranked[0], ranked[-1]) if ranked else (None, None)

    def about(item: dict[str, Any]) -> str:
        return _topic(item["question_asked"])

    to_hire = [
        f'Strong answer to "{about(a)}" ({a["score"]:g}/100): concrete and structured.'
        for a in ranked
        if a["score"] >= 70
    ][:4]
    not_to_hire = [
        f'Weak answer to "{about(a)}" ({a["score"]:g}/100): vague, no concrete example.'
        for a in reversed(ranked)
        if a["score"] < 55
    ][:4]
    verdict = (
        "Recommended for the next round."
        if overall >= 65
        else "Consider with care: see the weak answers."
        if overall >= 50
        else "Not recommended on this evidence."
    )
    strongest = f' Strongest answer: "{about(best)}" ({best["score"]:g}).' if best else ""
    weakest = f' Weakest: "{about(worst)}" ({worst["score"]:g}).' if worst and worst is not best else ""
    reasons = {"reasons_to_hire": to_hire, "reasons_not_to_hire": not_to_hire}
    other: dict[str, Any] = {
        "hiring_reasons": reasons,
        "score_rationale": f"Overall {overall:g}/100 over {len(answers)} scored answer(s)."
        + strongest
        + weakest,
    }
    if best:
        other["key_statement"] = {
            "quote": best["answer"].split(". ")[0].rstrip(".") + ".",
            "result_question_id": best["id"],
        }
    return {
        "ai_analysis": f"Thank you, {first}. Your answers were {band(overall)} overall."
        + (f' Your best moment was your answer to "{about(best)}".' if best else "")
        + (
            f' To improve, prepare a concrete example for "{about(worst)}".'
            if worst and worst["score"] < 65
            else ""
        ),
        "ai_analysis_recruiter": f"{name or 'The candidate'} scored {overall:g}/100 ({band(overall)})."
        + strongest
        + weakest
        + f" {verdict}",
        "ai_analysis_other": other,
        # Deprecated copies JobMojito still sends (ai_analysis_other.hiring_reasons replaces them).
        "ai_analysis_recruiter_why_hire": to_hire,
        "ai_analysis_recruiter_why_not_hire": not_to_hire,
    }
