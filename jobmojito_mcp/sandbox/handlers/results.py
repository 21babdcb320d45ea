"""The results toolset's endpoints: the results list, one result's details, reports.

==============================  ==================================================================
merchant-result-list            another merchant_id: 403 (an unknown interview_id: an empty page)
job-interview-details           unknown interview_result_id: 404
job-interview-pdf               unknown or unfinished result: 422 (the endpoint documents no 404)
==============================  ==================================================================
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from typing import Any

from jobmojito_mcp.sandbox import reports
from jobmojito_mcp.sandbox.account import TRANSLATION_CREDITS
from jobmojito_mcp.sandbox.catalogue import page_of
from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.interviews import now
from jobmojito_mcp.sandbox.lookups import check_merchant
from jobmojito_mcp.sandbox.records import Result
from jobmojito_mcp.sandbox.state import SandboxState
from jobmojito_mcp.sandbox.storage import signed_url, valid_until
from jobmojito_mcp.sandbox.takes import list_row

Answer = dict[str, Any]

# Signed links: a stored report lasts a day, an unstored one (store_file false) ten minutes, as do
# recording links. JobMojito documents that they expire, not when.
STORED_REPORT_SECONDS = 24 * 3600

TEMPORARY_LINK_SECONDS = 600

_ORDERINGS = {
    "score": lambda r: (r["score"] is None, -(r["score"] or 0), -r["_seq"]),
    "created_at_newest": lambda r: -r["_seq"],
    "created_at_oldest": lambda r: r["_seq"],
    "updated_at_newest": lambda r: (_negated(r["updated_at"]), -r["_seq"]),
}


def _negated(stamp: str) -> float:
    return -datetime.fromisoformat(stamp).timestamp()


def _in_tab(row: Answer, tab: str, archived: bool) -> bool:
    """The documented tabs, as the sandbox files results (tabs overlap, like the web app's)."""
    if tab == "":
        return True
    if tab == "archived-interview":
        return archived
    if archived or tab in ("public_avatar", "archived-public_avatar"):  # the sandbox has no public avatars
        return False
    completed = row["coach_status"] == "completed"
    in_tab: dict[str, bool] = {
        "incomplete": not completed,
        "completed": completed,
        "undecided": completed and row["decision_status"] is None,
        "shortlist": bool(row["recruiter_shortlist"]),
        "decided-selected": row["decision_status"] == "selected",
        "decided-rejected": row["decision_status"] == "rejected",
    }
    return in_tab[tab]


def list_results(state: SandboxState, query: dict[str, Any]) -> Answer:
    """One page of result rows: filtered by type (default interview), tab, step, interview,
    candidate, risks and text; ordered by ``order_by`` (score: best first, unscored last)."""
    check_merchant(query, status=403)
    interviews = {i.id: i for i in state.interviews.all()}
    wanted_interview = query.get("interview_id")
    if wanted_interview is not None:
        found = state.interviews.get(wanted_interview)
        wanted_interview = found.id if found is not None else wanted_interview
    risks = {key.strip() for key in (query.get("risks") or "").split(",") if key.strip()}
    text = (query.get("filter_text") or "").casefold()
    rows = []
    for result in state.results.all():
        row = list_row(result) | {"_seq": result.seq}
        interview = interviews.get(result.interview_id)
        archived = interview is not None and interview.definition.get("status") == "archived"
        if (
            row["type"] == (query.get("type") or "interview")
            and _in_tab(row, query.get("tab") or "", archived)
            and query.get("step") in (None, row["position_step"])
            and wanted_interview in (None, result.interview_id)
            and query.get("profile_interview_id") in (None, result.profile_interview_id)
            and (not risks or risks & set(row["recruiter_risks"] or {}))
            and (
                not text or text in f"{row['candidate_name'] or ''} {row['candidate_email'] or ''}".casefold()
            )
            and query.get("filter_emoji") in (None, row["emoji"])
        ):
            rows.append(row)
    rows.sort(key=_ORDERINGS[query.get("order_by") or "created_at_newest"])
    for row in rows:
        del row["_seq"]
    return page_of(rows, query)


def _result(state: SandboxState, result_id: str) -> Result | None:
    return state.results.find(lambda r: r.interview_result_id == result_id)


def _started_result(state: SandboxState, result_id: str, name: str) -> Result:
    row = _result(state, result_id)
    if row is None or row.details is None:
        raise ApiError(404, "Interview result not found.", name)
    return row


def result_details(state: SandboxState, query: dict[str, Any]) -> Answer:
    """The result with its transcript; signed recording links only with ``get_signed_recordings``."""
    row = _started_result(state, query["interview_result_id"], "interview_result_id")
    details = dict(row.details or {})
    if query.get("get_signed_recordings") == "true":
        links = _recording_links(details)
        if "session" in links:
            details["recording_url"] = links["session"]
        if "introduction" in links:
            details["video_introduction_url"] = links["introduction"]
        details["transcript"] = [
            turn | ({"recording_url": links[turn["id"]]} if turn["id"] in links else {})
            for turn in details.get("transcript") or []
        ]
    return details


def _recording_links(details: Answer) -> dict[str, str]:
    """Signed links to the session, the video introduction and each recorded answer, by transcript id."""
    expires = time.time() + TEMPORARY_LINK_SECONDS
    paths = {
        "session": details.get("recording_local_path"),
        "introduction": details.get("video_introduction_local_path"),
    }
    paths |= {turn["id"]: turn.get("recording_local_path") for turn in details.get("transcript") or []}
    return {
        key: signed_url("recordings", path.removeprefix("recordings/"), secrets.token_urlsafe(16), expires)
        for key, path in paths.items()
        if path
    }


def report(state: SandboxState, body: dict[str, Any]) -> Answer:
    """A PDF (a signed link), HTML or JSON report of one or several finished results."""
    many = body.get("interview_result_ids")
    ids = [(f"interview_result_ids[{i}]", rid) for i, rid in enumerate(many)] if many else []
    if not ids and body.get("interview_result_id"):
        ids = [("interview_result_id", body["interview_result_id"])]
    if not ids:
        raise ApiError(422, "Give interview_result_id or interview_result_ids.", "interview_result_id")
    interviews = {i.id: i for i in state.interviews.all()}
    subjects = []
    for name, result_id in ids:
        row = _result(state, result_id)
        if row is None:
            raise ApiError(422, "Interview result not found.", name)
        if not row.completed or row.details is None:
            raise ApiError(422, "This interview is not completed yet: there is nothing to report.", name)
        found = interviews.get(row.interview_id)
        subjects.append(
            reports.Subject(
                list_row(row), row.details, found.definition if found else None, _recording_links(row.details)
            )
        )
    features = reports.features_of(body.get("export_features_result"))
    template = body.get("template") or features.get("template") or "classic"
    language = features.get("mojito_language_code")
    translated = [s for s in subjects if language and s.row.get("mojito_language_code") != language]
    if translated:
        account = state.account
        price = round(TRANSLATION_CREDITS * len(translated), 2)
        if not account.charge(
            price,
            "report-translation",
            ",".join(str(s.row["interview_result_id"]) for s in translated),
            now(),
        ):
            raise ApiError(
                422,
                f"Not enough credits to translate this report ({price:g} needed).",
                "export_features_result.mojito_language_code",
            )
        state.save_account(account)
    language = language or subjects[0].row.get("mojito_language_code") or "en"
    kind = body["export_type"]
    if kind == "html":
        return {"html_export": reports.render_html(subjects, features, template, language)}
    if kind == "json":
        return {"json_export": reports.render_json(subjects, features, template)}
    lifetime = STORED_REPORT_SECONDS if body.get("store_file") else TEMPORARY_LINK_SECONDS
    name = f"{subjects[0].row['interview_result_id']}-{secrets.token_hex(4)}.pdf"
    url, expires = state.files.put(
        name, "application/pdf", reports.render_pdf(subjects, features, template), lifetime
    )
    return {"pdf_export_url": url, "pdf_export_valid_until": valid_until(expires)}
