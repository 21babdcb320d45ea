"""The coaching toolset: role-play personas (create_persona) and the coaching portal's catalogue
directories (list_catalogue_directories, get_catalogue_directory, create_catalogue_directory,
update_catalogue_directory).

Off by default (`toolsets.OFF_BY_DEFAULT`): the coaching portal is another product than hiring,
and most recruiters' first sessions never touch it. Facts: `jobmojito-platform-api.md`, "Coaching".
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from jobmojito_mcp.tooling.spec import CHANGE, CREATE, READ, ToolSpec
from jobmojito_mcp.toolsets.common import (
    Attempts,
    LanguageCode,
    LenientModel,
    ListLimit,
    Number,
    OpenResult,
    Pagination,
    StrictModel,
    Uuid,
    field_error,
    page_note,
    paged,
    sent_fields,
)

# ---------------------------------------------------------------------------------------------
# Vocabularies (request side: closed)

DirectoryVisibility = Literal["public", "merchant_public", "merchant_invite", "merchant_unlisted"]
DirectoryStatus = Literal["draft", "active", "archived"]
CoachPlan = Literal["demo", "screening", "2nd", "3rd", "closing", "job-specific", "other"]
# The URL segment: lowercase letters and digits in groups joined by - or _ (fixed forever).
DirectoryId = Annotated[
    str,
    Field(min_length=1, pattern=r"^[a-z0-9]+(?:(?:-|_)+[a-z0-9]+)*$"),
]
_AUTH_AS_500 = (
    "JobMojito reports missing permissions as 500 here: check this account may manage coaching content."
)


# ---------------------------------------------------------------------------------------------
# create_persona: a role-play


class CreatePersonaArgs(StrictModel):
    """Body of POST /persona-create."""

    name: str = Field(min_length=1, description="Title.")
    interview_template_id: Uuid = Field(description="Avatar template id, from list_avatars.")
    mojito_language_code: LanguageCode = Field(description="Language spoken.")
    status: Literal["draft", "active"] = Field(description="active: usable at once.")
    visibility: Literal["merchant_public", "merchant_invite", "merchant_unlisted"] = Field(
        description="merchant_public: listed; merchant_invite: invitees; merchant_unlisted: by link."
    )
    portal: Literal["coaching", "interview"] = Field(
        description="interview: a recruiter's role-play (merchant credits, results with the others); "
        "coaching: learners practise on the coaching portal (their credits)."
    )
    persona_role_avatar: str = Field(
        min_length=1,
        description="The avatar's role, shown; continues '... is to', e.g. 'play an upset guest'.",
    )
    persona_role_user: str = Field(min_length=1, description="The learner's role, shown; same phrasing.")
    persona_avatar_who_is: str | None = Field(None, description="Hidden: who the avatar is, its drivers.")
    persona_avatar_knowledge: str | None = Field(None, description="Hidden: facts only the avatar knows.")
    persona_avatar_progress: str | None = Field(
        None, description="Hidden arc: starts 'Mode: turning point' or 'Mode: steps', then a Gates line."
    )
    persona_avatar_end_conditions: str | None = Field(None, description="When the avatar ends the talk.")
    opening_line: str | None = Field(None, description="The avatar's first spoken words, in character.")
    candidate_expectations: str | None = Field(
        None, max_length=2100, description="What the learner should achieve; scored against it."
    )
    tags: list[str] | None = Field(None, description="Catalogue tags: directories list personas by them.")
    interview_attempts: Attempts | None = None
    description: str | None = None
    welcome_message: str | None = None
    thank_you_message: str | None = None
    recording: Literal["audio_first_5_answers", "audio_all", "video_all", "video_first_5_answers"] | None = (
        None
    )
    recording_full_session: Literal["audio_all", "video_all"] | None = None
    result_view: (
        Literal["none", "minimal", "minimal_with_score", "advanced", "full", "full_expand_scores"] | None
    ) = None
    interview_conversation_speed: Literal["slower", "normal", "faster"] | None = None
    candidate_video_introduction: Literal["optional", "required"] | None = None
    max_duration: Number | None = Field(None, gt=0)
    code: str | None = None
    cover_image_url: str | None = None
    interview_location: str | None = None
    merchant_id: str | None = None
    recruiter_profile_id: str | None = None
    is_embedded: bool | None = None

    @model_validator(mode="after")
    def _attempts_only_for_interviews(self) -> CreatePersonaArgs:
        if self.interview_attempts is not None and self.portal != "interview":
            raise field_error(
                "interview_attempts", "only applies with portal interview (coaching has no cap)"
            )
        if self.persona_avatar_progress is not None and not self.persona_avatar_progress.startswith(
            ("Mode: turning point", "Mode: steps")
        ):
            raise field_error(
                "persona_avatar_progress", "must start with 'Mode: turning point' or 'Mode: steps'"
            )
        return self


class PersonaCreated(LenientModel):
    interview_def_set_id: str | None = None
    embed_id: str | None = None
    embed_signing_key: str | None = Field(None, description="Secret: signs embed requests.")


def summarize_persona(args: CreatePersonaArgs, answer: PersonaCreated) -> str:
    where = (
        "invite candidates with register_users_for_interview; results arrive with the other interviews'"
        if args.portal == "interview"
        else "learners find it in catalogue directories whose filter tags it carries"
    )
    embed = f" Embed id {answer.embed_id}." if answer.embed_id else ""
    return (
        f"Created persona {args.name!r} ({args.status}, portal {args.portal}): "
        f"interview_def_set_id {answer.interview_def_set_id}.{embed} Next: {where}; "
        "set_interview_state publishes or archives it."
    )


CREATE_PERSONA = ToolSpec(
    name="create_persona",
    title="Create a role-play persona",
    description="Create a role-play: the avatar plays a character in a free conversation (no questions).",
    arguments=CreatePersonaArgs,
    response=PersonaCreated,
    method="POST",
    path="/persona-create",
    annotations=CREATE,
    summarize=summarize_persona,
    toolset="coaching",
    recheck_hint="list_interviews with type persona (portal coaching) or persona_interview and the name.",
    effect="created the persona",
    hints={500: _AUTH_AS_500},
    unpublished=frozenset(
        {
            "interview_attempts",
            "description",
            "welcome_message",
            "thank_you_message",
            "recording",
            "recording_full_session",
            "result_view",
            "interview_conversation_speed",
            "candidate_video_introduction",
            "max_duration",
            "code",
            "cover_image_url",
            "interview_location",
            "merchant_id",
            "recruiter_profile_id",
            "is_embedded",
        }
    ),
)


# ---------------------------------------------------------------------------------------------
# list_catalogue_directories: find a directory's id


class ListDirectoriesArgs(StrictModel):
    """Query of GET /catalogue-tag-list."""

    filter_text: str | None = Field(None, description="Matches id, name or description.")
    parent_tag: str | None = Field(None, description="Only this directory's children, in order.")
    status: DirectoryStatus | None = Field(None, description="Default: any.")
    include_public: Literal["true", "false"] | None = Field(
        None, description="'false': only this account's (default 'true': also platform-wide ones)."
    )
    visibility: DirectoryVisibility | None = None
    mojito_language_code: str | None = None
    limit: ListLimit | None = Field(None, description="Page size (default 50).")
    offset: int | None = Field(None, ge=0, description="Rows to skip: the previous answer's next_offset.")
    merchant_id: Uuid | None = None


class Directory(LenientModel):
    id: str | None = None
    name: str | None = None
    description: str | None = None
    mojito_language_code: str | None = None
    visibility: str | None = None
    status: str | None = None
    coach_plan: str | None = None
    cover_image_url: str | None = None
    merchant_id: str | None = None
    tags_sub: list[str] | None = None
    tags_interview_set_filter: list[str] | None = None
    has_content_page: bool | None = None
    is_start_directory: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None


class DirectoryList(LenientModel):
    data: list[Directory] | None = None
    pagination: Pagination | None = None


class DirectoriesResult(OpenResult):
    data: list[dict[str, Any]] | None = None
    next_offset: int | None = None


def present_directories(args: ListDirectoriesArgs, answer: DirectoryList) -> dict[str, Any]:
    data = answer.data or []
    return paged([sent_fields(row) for row in data], data, answer.pagination)


def summarize_directories(args: ListDirectoriesArgs, answer: DirectoryList) -> str:
    data = answer.data or []
    shown, more = page_note(data, answer.pagination, "directory")
    lines = [
        f"- {row.id}: {row.name} ({row.status}, {row.visibility}"
        f"{', start' if row.is_start_directory else ''}; {len(row.tags_sub or [])} sub)"
        for row in data
    ]
    body = "\n".join(lines) if lines else "None found."
    return f"{shown}:\n{body}{more}\nget_catalogue_directory shows one with its page and sessions."


LIST_CATALOGUE_DIRECTORIES = ToolSpec(
    name="list_catalogue_directories",
    title="List catalogue directories",
    description="Find coaching-portal catalogue directories (ids, tree via tags_sub), paged.",
    arguments=ListDirectoriesArgs,
    response=DirectoryList,
    method="GET",
    path="/catalogue-tag-list",
    annotations=READ,
    summarize=summarize_directories,
    toolset="coaching",
    result=DirectoriesResult,
    present=present_directories,
    unpublished=frozenset({"visibility", "mojito_language_code", "merchant_id"}),
)


# ---------------------------------------------------------------------------------------------
# get_catalogue_directory: one directory in full


class GetDirectoryArgs(StrictModel):
    """Query of GET /catalogue-tag-get."""

    id: str = Field(min_length=1, description="The directory id (its URL segment).")
    merchant_id: Uuid | None = None


class DirectoryDetails(Directory):
    content_md: str | None = None
    catalogue_url: str | None = None
    sub_directories: list[dict[str, Any]] | None = None
    matched_sessions: list[dict[str, Any]] | None = None
    matched_sessions_truncated: bool | None = None


def summarize_directory(args: GetDirectoryArgs, answer: DirectoryDetails) -> str:
    subs = answer.sub_directories or []
    sessions = answer.matched_sessions or []
    broken = [tag for tag in answer.tags_sub or [] if tag not in {sub.get("id") for sub in subs}]
    page = "a custom Markdown page" if answer.content_md is not None else "the standard grid"
    return (
        f"Directory {answer.id}: {answer.name} ({answer.status}, {answer.visibility}), {page}; "
        f"{len(subs)} sub-directories"
        + (f" (not found: {', '.join(broken)})" if broken else "")
        + f"; {len(sessions)}{'+' if answer.matched_sessions_truncated else ''} matching sessions"
        + (f"; {answer.catalogue_url}" if answer.catalogue_url else "")
        + ". update_catalogue_directory replaces lists and the page whole: edit these values."
    )


GET_CATALOGUE_DIRECTORY = ToolSpec(
    name="get_catalogue_directory",
    title="Get a catalogue directory",
    description="Read a catalogue directory: its page, sub-directories and matching sessions.",
    arguments=GetDirectoryArgs,
    response=DirectoryDetails,
    method="GET",
    path="/catalogue-tag-get",
    annotations=READ,
    summarize=summarize_directory,
    toolset="coaching",
    hints={
        404: "No directory with this id is visible to this account: list_catalogue_directories shows ids."
    },
    unpublished=frozenset({"merchant_id"}),
)


# ---------------------------------------------------------------------------------------------
# create_catalogue_directory / update_catalogue_directory

_PAGE = "Markdown page replacing the grid (even ''); directives such as [sessions] on their own line."


class CreateDirectoryArgs(StrictModel):
    """Body of POST /catalogue-tag-create."""

    id: DirectoryId = Field(
        description="URL segment, fixed forever: a-z 0-9 joined by - or _, e.g. sales-en."
    )
    name: str = Field(min_length=1, description="Title.")
    status: DirectoryStatus = Field(description="active: served; draft: not yet; archived: retired.")
    visibility: DirectoryVisibility = Field(description="merchant_public: listed; public: admins only.")
    parent_tag: str | None = Field(None, description="Parent directory id: this one is added to its end.")
    tags_interview_set_filter: list[str] | None = Field(None, description="Sessions carrying all these tags.")
    tags_sub: list[str] | None = Field(None, description="Child directory ids, in order.")
    content_md: str | None = Field(None, description=_PAGE)
    description: str | None = None
    mojito_language_code: LanguageCode | None = None
    coach_plan: CoachPlan | None = None
    cover_image_url: str | None = None
    merchant_id: str | None = None


class DirectoryCreated(LenientModel):
    id: str | None = None
    merchant_id: str | None = None
    parent_tag: str | None = None
    catalogue_url: str | None = None


def summarize_created_directory(args: CreateDirectoryArgs, answer: DirectoryCreated) -> str:
    under = f" under {answer.parent_tag}" if answer.parent_tag else " at the top level (reachable by link)"
    url = f" Page: {answer.catalogue_url}." if answer.catalogue_url else ""
    return (
        f"Created directory {answer.id} ({args.status}, {args.visibility}){under}.{url} "
        "Its id cannot change; update_catalogue_directory edits the rest, status archived retires it."
    )


CREATE_CATALOGUE_DIRECTORY = ToolSpec(
    name="create_catalogue_directory",
    title="Create a catalogue directory",
    description="Create a coaching-portal catalogue directory (a page); its id is permanent.",
    arguments=CreateDirectoryArgs,
    response=DirectoryCreated,
    method="POST",
    path="/catalogue-tag-create",
    annotations=CREATE,
    summarize=summarize_created_directory,
    toolset="coaching",
    recheck_hint="get_catalogue_directory with the id shows whether it exists (a repeat is refused: 409).",
    effect="created the directory",
    hints={
        409: "This id is taken: update_catalogue_directory changes that directory, or choose another id.",
        500: _AUTH_AS_500,
    },
    unpublished=frozenset(
        {"description", "mojito_language_code", "coach_plan", "cover_image_url", "merchant_id"}
    ),
)

# Update fields the API types as nullable: null (through clear_fields) clears them.
_CLEARABLE = (
    "description", "cover_image_url", "mojito_language_code", "coach_plan", "tags_sub",
    "tags_interview_set_filter", "content_md",
)  # fmt: skip


class UpdateDirectoryArgs(StrictModel):
    """Body of POST /catalogue-tag-update: only the fields sent are written; lists replace whole."""

    _clearable: ClassVar[frozenset[str]] = frozenset(_CLEARABLE)

    id: DirectoryId = Field(description="The directory to change.")
    name: str | None = Field(None, min_length=1, description="New title.")
    status: DirectoryStatus | None = Field(None, description="archived retires it (no delete exists).")
    visibility: DirectoryVisibility | None = Field(None, description="public: admins only.")
    tags_sub: list[str] | None = Field(None, description="Child ids: the complete new list.")
    tags_interview_set_filter: list[str] | None = Field(None, description="The complete new filter.")
    content_md: str | None = Field(None, description="The complete new page.")
    clear_fields: list[str] | None = Field(
        None, description="Fields to clear, e.g. content_md: the grid returns."
    )
    description: str | None = None
    cover_image_url: str | None = None
    mojito_language_code: LanguageCode | None = None
    coach_plan: CoachPlan | None = None

    @model_validator(mode="after")
    def _a_meaningful_change(self) -> UpdateDirectoryArgs:
        for name in self.clear_fields or ():
            if name not in self._clearable:
                raise field_error(
                    "clear_fields", f"{name!r} cannot be cleared; these can: {', '.join(_CLEARABLE)}"
                )
            if getattr(self, name) is not None:
                raise field_error(name, "given a value and also named in clear_fields: choose one")
            setattr(self, name, None)  # now "set": sent as null, which clears it
        if not self.model_fields_set - {"id", "clear_fields"}:
            raise field_error("id", "give at least one field to change besides id")
        return self


class DirectoryUpdated(LenientModel):
    id: str | None = None
    updated_fields: list[str] | None = None
    catalogue_url: str | None = None


def summarize_updated_directory(args: UpdateDirectoryArgs, answer: DirectoryUpdated) -> str:
    fields = ", ".join(answer.updated_fields or []) or "nothing"
    return f"Updated directory {answer.id}: {fields}. get_catalogue_directory shows it as it now stands."


UPDATE_CATALOGUE_DIRECTORY = ToolSpec(
    name="update_catalogue_directory",
    title="Update a catalogue directory",
    description="Change a catalogue directory in place; lists and the page are replaced whole.",
    arguments=UpdateDirectoryArgs,
    response=DirectoryUpdated,
    method="POST",
    path="/catalogue-tag-update",
    annotations=CHANGE,
    summarize=summarize_updated_directory,
    toolset="coaching",
    hints={
        404: "No directory with this id that this account may change: list_catalogue_directories shows ids.",
        500: _AUTH_AS_500,
    },
    unpublished=frozenset({"description", "cover_image_url", "mojito_language_code", "coach_plan"}),
)


# ---------------------------------------------------------------------------------------------
# The toolset

TOOLS = (
    CREATE_PERSONA,
    LIST_CATALOGUE_DIRECTORIES,
    GET_CATALOGUE_DIRECTORY,
    CREATE_CATALOGUE_DIRECTORY,
    UPDATE_CATALOGUE_DIRECTORY,
)
