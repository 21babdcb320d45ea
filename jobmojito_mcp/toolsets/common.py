"""What every toolset's models share: the API's shared vocabularies and field types, the base models
that make requests strict and responses lenient, and the helpers that page and compact results.

Requests are strict (they are the tools' input schemas, and bad input must be refused before
anything is sent): documented enums, ranges and cross-field rules, unknown fields refused.
Responses are lenient (they become output schemas, which clients enforce): every field optional or
nullable unless the call is useless without it, enums open, extra fields kept, because the API adds
fields and enum values over time. Field names are the API's own, so a request model dumps straight
to the upstream body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from jobmojito_mcp.tooling.spec import as_sent
from jobmojito_mcp.toolsets.languages import LanguageCode as LanguageCode  # shared vocabulary, said once

# ---------------------------------------------------------------------------------------------
# Vocabularies shared by several toolsets (request side: closed)

DefinitionType = Literal[
    "interview", "coaching", "assessment", "public_avatar", "persona", "persona_interview"
]


# ---------------------------------------------------------------------------------------------
# Field types

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def field_error(field: str, message: str) -> PydanticCustomError:
    """A cross-field rule's failure, carrying the field it is about (a model validator has no `loc`)."""
    return PydanticCustomError("field_rule", "{message}", {"field": field, "message": message})


def _check_uuid(value: str) -> str:
    if not _UUID.match(value):
        raise PydanticCustomError("uuid", "must be a UUID such as 9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2")
    return value


def _digits_to_int(value: Any) -> Any:
    # The API takes interview_length as number or string; agents send either. Numeric strings are
    # normalised so the range check below applies to both.
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _whole_as_int(value: float) -> int | float:
    return int(value) if value.is_integer() else value


# JSON has one number type, and pydantic's float would turn the 8 JobMojito sent into 8.0 (in the
# result agents read, and in bodies sent on): whole numbers are written back as integers.
Number = Annotated[float, PlainSerializer(_whole_as_int, return_type=int | float, when_used="json")]

Uuid = Annotated[str, AfterValidator(_check_uuid), Field(json_schema_extra={"format": "uuid"})]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value.strip()):
        raise PydanticCustomError("email", "must be an e-mail address such as ada@example.com")
    return value.strip()


# Who is invited or registered: trimmed, one address (what JobMojito's e-mail goes to).
Email = Annotated[str, AfterValidator(_check_email)]

NonEmpty = Annotated[str, Field(min_length=1)]

Attempts = Annotated[Number, Field(ge=1, le=20)]

Fraction = Annotated[Number, Field(ge=0.01, le=0.9)]

Followups = Annotated[int, Field(ge=0, le=999)]

Seconds = Annotated[Number, Field(gt=0)]

# Field before the validator, so the published schema shows the range as minimum/maximum.
QuestionCount = Annotated[int, Field(ge=1, le=40), BeforeValidator(_digits_to_int)]

JsonObject = dict[str, Any]
ListLimit = Annotated[int, Field(ge=1, le=1000)]


# ---------------------------------------------------------------------------------------------
# Base models: strict requests, lenient responses, open results


class StrictModel(BaseModel):
    """Request side: unknown fields are refused (a typo must not be silently dropped).

    Infinity and NaN are refused too: JSON cannot carry them to JobMojito. A null for an optional
    field means "not given" and is dropped: the published schemas say "leave it out", and every
    optional field the API marks nullable means the same when absent.
    """

    # defer_build: the validators are built on first use, not at import (~20 ms of every start).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _null_means_not_given(cls, data: Any) -> Any:
        if not isinstance(data, dict) or None not in data.values():
            return data
        fields = cls.model_fields
        return {
            key: value
            for key, value in data.items()
            if value is not None or key not in fields or fields[key].is_required()
        }


class LenientModel(BaseModel):
    """Response side: extra fields are kept, so a field JobMojito adds never breaks a call."""

    model_config = ConfigDict(extra="allow", defer_build=True)


class OpenRequestObject(BaseModel):
    """A nested request object JobMojito documents as open: extra fields pass, numbers stay finite.

    Fields listed in `_not_nullable` are ones the API types without null: an agent's null there
    means "not given", so it is dropped rather than sent for JobMojito to refuse.
    """

    model_config = ConfigDict(extra="allow", allow_inf_nan=False, defer_build=True)
    _not_nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls_the_api_refuses(cls, data: Any) -> Any:
        if isinstance(data, dict) and cls._not_nullable:
            return {
                key: value for key, value in data.items() if value is not None or key not in cls._not_nullable
            }
        return data


class ListedRequestObject(OpenRequestObject):
    """A nested request object whose every field the API lists: an unknown key is a typo, refused (with
    a suggestion) like one at the top level, not forwarded for JobMojito to ignore silently."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)


class Pagination(LenientModel):
    total: int | None = None
    limit: int | None = None
    offset: int | None = None
    has_more: bool | None = None


# ---------------------------------------------------------------------------------------------
# Results: the view option, compact views, pages

View = Literal["summary", "full"]


class OpenResult(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)


def sent_fields(answer: BaseModel, fields: list[str] | None = None) -> dict[str, Any]:
    """These fields of the answer (all: `as_sent`) as JSON, nulls left out; whole numbers stay integers."""
    if fields is None:
        return as_sent(answer)
    dumped: dict[str, Any] = answer.model_dump(
        mode="json", exclude_unset=True, exclude_none=True, include=set(fields)
    )
    return dumped


def next_offset(data: list[Any], page: Pagination | None) -> int | None:
    if page is None or not page.has_more:
        return None
    return (page.offset or 0) + len(data)


def paged(rows: list[dict[str, Any]], data: list[Any], page: Pagination | None) -> dict[str, Any]:
    result: dict[str, Any] = {"data": rows}
    if page is not None:
        result["pagination"] = page.model_dump(mode="json", exclude_none=True)
    following = next_offset(data, page)
    return result | ({} if following is None else {"next_offset": following})


def present_page(
    view: str, data: Sequence[BaseModel], page: Pagination | None, row: type[BaseModel]
) -> dict[str, Any]:
    """A page of rows as structured content: each row as the `row` model's fields (`view="full"`:
    every field JobMojito sent), nulls left out, with the pagination and the next page's offset."""
    fields = None if view == "full" else list(row.model_fields)
    return paged([sent_fields(item, fields) for item in data], list(data), page)


def page_note(data: list[Any], page: Pagination | None, noun: str) -> tuple[str, str]:
    shown, more = f"{len(data)} {noun}(s)", ""
    if page and page.total is not None and data:
        start = (page.offset or 0) + 1
        shown = f"{noun}s {start}-{start + len(data) - 1} of {page.total}"
        if (following := next_offset(data, page)) is not None:
            more = f"\nMore exist: call again with offset={following}."
    return shown, more


def shown_number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


# ---------------------------------------------------------------------------------------------
# Places and files (screening, knowledge): country codes, files sent

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def _check_country(value: str) -> str:
    if not _COUNTRY.match(value.strip()):
        raise PydanticCustomError("country", "must be a two-letter ISO country code such as DE")
    return value.strip().upper()


CountryCode = Annotated[str, AfterValidator(_check_country)]


class FileArguments(StrictModel):
    """The arguments of a tool that sends a file (`tooling.files` reads them): inline, or a local path."""

    file_base64: str | None = Field(None, min_length=1, description="The file, base64 (with file_name).")
    file_name: str | None = Field(None, description="e.g. cv.pdf")
    file_path: str | None = Field(None, description="Or: a local file under --files-root (stdio only).")
    media_type: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> FileArguments:
        if (self.file_base64 is None) == (self.file_path is None):
            raise field_error("file_base64", "give exactly one of file_base64 (with file_name) or file_path")
        if self.file_base64 is not None and not (self.file_name or "").strip():
            raise field_error("file_name", "required with file_base64: the file's name, e.g. cv.pdf")
        return self


def filters_given(args: Any, names: tuple[str, ...]) -> str:
    """ "status=draft, filter_text='x'": the filters this call was given, to name in "nothing matches"."""
    given = {name: getattr(args, name) for name in names if getattr(args, name, None) not in (None, "")}
    return ", ".join(
        f"{name}={value!r}" if isinstance(value, str) and " " in value else f"{name}={value}"
        for name, value in given.items()
    )
