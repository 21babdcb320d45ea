"""The coaching toolset's endpoints: personas (stored as interview definitions of type `persona`, or
`persona_interview` for the interview portal, so list_interviews and set-state reach them) and
catalogue directories (their own table).

==============================  ==================================================================
persona-create                  unknown template: 422; another merchant_id: 500 (authorization)
catalogue-tag-list              another merchant_id: 403
catalogue-tag-get               unknown id: 404; another merchant_id: 403
catalogue-tag-create            id taken: 409; unknown parent_tag: 422; visibility public: 500
                                (admins only; row-level security); another merchant_id: 500
catalogue-tag-update            unknown id, or a platform-wide one: 404; nothing to update: 422
==============================  ==================================================================
"""

from __future__ import annotations

from typing import Any

from jobmojito_mcp.sandbox.catalogue import SANDBOX_MERCHANT_ID, page_of
from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.interviews import new_interview, now
from jobmojito_mcp.sandbox.lookups import check_merchant, usable_template
from jobmojito_mcp.sandbox.records import CatalogueDirectory
from jobmojito_mcp.sandbox.state import SandboxState

Answer = dict[str, Any]

CATALOGUE_ORIGIN = "https://coaching.sandbox.invalid/catalogue/"  # the sandbox merchant's portal domain
MATCHED_SESSIONS_CAP = 200
_PERSONA_TEXTS = (
    "persona_role_avatar", "persona_role_user", "persona_avatar_who_is", "persona_avatar_knowledge",
    "persona_avatar_progress", "persona_avatar_end_conditions", "opening_line", "welcome_message",
    "thank_you_message", "portal", "interview_attempts",
)  # fmt: skip
_DIRECTORY_FIELDS = (
    "name", "description", "mojito_language_code", "visibility", "status", "coach_plan", "cover_image_url",
    "tags_sub", "tags_interview_set_filter", "content_md",
)  # fmt: skip


def create_persona(state: SandboxState, body: dict[str, Any]) -> Answer:
    check_merchant(body, status=500)
    template = usable_template(body["interview_template_id"], unknown_status=422)
    portal = body.get("portal") or "coaching"  # the API's default when omitted
    interview = new_interview(
        {**body, "type": "persona_interview" if portal == "interview" else "persona",
         "location": body.get("interview_location"), "max_duration": body.get("max_duration") or 1200},
        template=template,
        questions=[],
        description=body.get("description"),
        candidate_expectations=body.get("candidate_expectations"),
        creation_parameters={"source": "persona-create"},
    )  # fmt: skip
    interview.definition.update({name: body.get(name) for name in _PERSONA_TEXTS})
    interview.definition["portal"] = portal
    answer: Answer = {"interview_def_set_id": interview.id}
    if body.get("is_embedded"):
        answer.update(interview.ensure_embed())
    state.interviews.save(interview)
    return answer


# The platform-wide catalogue root every merchant sees (merchant_id null); nobody here may change it.
START_DIRECTORY = CatalogueDirectory(
    "start",
    {
        "name": "Coaching catalogue", "description": "Where learners start.", "mojito_language_code": "en",
        "visibility": "public", "status": "active", "coach_plan": None, "cover_image_url": None,
        "tags_sub": [], "tags_interview_set_filter": [], "content_md": None, "merchant_id": None,
        "is_start_directory": True, "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:00:00Z",
    },
)  # fmt: skip


def _visible(directory: CatalogueDirectory) -> bool:
    return directory.fields.get("status") != "deleted"


def _directory(state: SandboxState, directory_id: str) -> CatalogueDirectory | None:
    return START_DIRECTORY if directory_id == START_DIRECTORY.id else state.directories.get(directory_id)


def _row(directory: CatalogueDirectory) -> Answer:
    fields = directory.fields
    return {
        "id": directory.id,
        **{name: fields.get(name) for name in _DIRECTORY_FIELDS if name != "content_md"},
        "merchant_id": fields.get("merchant_id"),
        "has_content_page": fields.get("content_md") is not None,
        "is_start_directory": bool(fields.get("is_start_directory")),
        "created_at": fields.get("created_at"),
        "updated_at": fields.get("updated_at"),
    }


def list_directories(state: SandboxState, query: dict[str, Any]) -> Answer:
    check_merchant(query, status=403)
    rows = [d for d in (START_DIRECTORY, *state.directories.all()) if _visible(d)]
    if query.get("include_public", "true") == "false":
        rows = [d for d in rows if d.fields.get("merchant_id") is not None]
    for name in ("status", "visibility", "mojito_language_code"):
        if query.get(name) is not None:
            rows = [d for d in rows if d.fields.get(name) == query[name]]
    if text := (query.get("filter_text") or "").casefold():
        rows = [
            d
            for d in rows
            if any(
                text in str(value).casefold()
                for value in (d.id, d.fields.get("name"), d.fields.get("description"))
            )
        ]
    if query.get("parent_tag") is not None:
        parent = _directory(state, query["parent_tag"])
        order = (parent.fields.get("tags_sub") or []) if parent else []
        by_id = {d.id: d for d in rows}
        rows = [by_id[tag] for tag in order if tag in by_id]
    else:
        rows.sort(key=lambda d: d.id)
    return page_of([_row(d) for d in rows], query)


def _found(state: SandboxState, directory_id: str) -> CatalogueDirectory:
    directory = _directory(state, directory_id)
    if directory is None or not _visible(directory):
        raise ApiError(404, "Catalogue directory not found.", "id")
    return directory


def _matched_sessions(state: SandboxState, tags: list[str]) -> list[Answer]:
    if not tags:
        return []
    matched = []
    for interview in state.interviews.all():
        d = interview.definition
        if (
            d.get("status") == "active"
            and d.get("type") in ("coaching", "persona")
            and d.get("visibility") in ("public", "merchant_public")
            and set(tags) <= set(d.get("tags") or [])
        ):
            matched.append(
                {"id": interview.id, "name": d.get("name"), "type": d.get("type"),
                 "type_avatar": d.get("interview_template_type"), "status": d.get("status"),
                 "visibility": d.get("visibility"), "type_credit": d.get("type_credit"), "tags": d.get("tags")}
            )  # fmt: skip
    return matched


def get_directory(state: SandboxState, query: dict[str, Any]) -> Answer:
    check_merchant(query, status=403)
    directory = _found(state, query["id"])
    row = _row(directory)
    del row["has_content_page"]
    subs = [_directory(state, tag) for tag in directory.fields.get("tags_sub") or []]
    sessions = _matched_sessions(state, directory.fields.get("tags_interview_set_filter") or [])
    return row | {
        "content_md": directory.fields.get("content_md"),
        "catalogue_url": CATALOGUE_ORIGIN + directory.id,
        "sub_directories": [
            {
                name: sub.fields.get(name)
                for name in ("name", "description", "status", "visibility", "mojito_language_code")
            }
            | {"id": sub.id}
            for sub in subs
            if sub is not None and _visible(sub)
        ],
        "matched_sessions": sessions[:MATCHED_SESSIONS_CAP],
        "matched_sessions_truncated": len(sessions) > MATCHED_SESSIONS_CAP,
    }


def create_directory(state: SandboxState, body: dict[str, Any]) -> Answer:
    check_merchant(body, status=500)
    if body.get("visibility") == "public":
        raise ApiError(500, "Permission denied: public directories are for platform admins.", "visibility")
    if _directory(state, body["id"]) is not None:
        raise ApiError(409, "A catalogue directory with this id already exists.", "id")
    parent = None
    if body.get("parent_tag") is not None:
        parent = _directory(state, body["parent_tag"])
        if parent is None or not _visible(parent):
            raise ApiError(422, "Unknown parent directory.", "parent_tag")
        if parent.fields.get("merchant_id") is None:
            raise ApiError(
                500, "Permission denied: platform-wide directories are for platform admins.", "parent_tag"
            )
    stamp = now()
    fields = {name: body.get(name) for name in _DIRECTORY_FIELDS}
    fields["mojito_language_code"] = fields["mojito_language_code"] or "en"
    fields |= {"merchant_id": SANDBOX_MERCHANT_ID, "created_at": stamp, "updated_at": stamp}
    state.directories.save(CatalogueDirectory(body["id"], fields))
    if parent is not None:
        parent.fields["tags_sub"] = [*(parent.fields.get("tags_sub") or []), body["id"]]
        parent.fields["updated_at"] = stamp
        state.directories.save(parent)
    return {
        "id": body["id"],
        "merchant_id": SANDBOX_MERCHANT_ID,
        "parent_tag": body.get("parent_tag"),
        "catalogue_url": CATALOGUE_ORIGIN + body["id"],
    }


def update_directory(state: SandboxState, body: dict[str, Any]) -> Answer:
    directory = _found(state, body["id"])
    if directory.fields.get("merchant_id") is None:  # platform-wide: row-level security hides it from writes
        raise ApiError(404, "Catalogue directory not found.", "id")
    changed = [name for name in _DIRECTORY_FIELDS if name in body]
    if not changed:
        raise ApiError(422, "Nothing to update.", "id")
    if body.get("visibility") == "public":
        raise ApiError(500, "Permission denied: public directories are for platform admins.", "visibility")
    directory.fields.update({name: body[name] for name in changed})
    directory.fields["updated_at"] = now()
    state.directories.save(directory)
    return {"id": directory.id, "updated_fields": changed, "catalogue_url": CATALOGUE_ORIGIN + directory.id}
