"""What the sandbox stores about candidates: their one-time links, their rows in the results list, and
the e-mails it "sent". Plain records; `registrations` and `takes` write them, `state` keeps them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Self


class _Record:
    """What every stored record does the same way: to and from the JSON the state file keeps."""

    def to_json(self) -> dict[str, Any]:
        fields: dict[str, Any] = asdict(self)  # type: ignore[call-overload]  # subclasses are dataclasses
        return fields

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(**data)


@dataclass
class Link(_Record):
    """One minted candidate link (its token is the last path segment of the URL)."""

    token: str
    url: str
    interview_id: str
    profile_interview_id: str
    email: str | None
    name: str | None
    is_test: bool
    created_at: str
    used_at: str | None = None
    invited: bool = True  # counted as an invitation (False: a retake's or a generated link)
    take_at: float | None = None  # auto_take: when (epoch seconds) the candidate takes it unprompted

    @property
    def key(self) -> str:
        return self.token


@dataclass
class Result(_Record):
    """One row of the results list: a candidate's place in an interview, and their attempt once started.

    ``id`` is the row (``merchant-result-list``'s ``id``); ``interview_result_id`` the attempt the
    details and report endpoints take, None until the candidate starts.
    """

    id: str
    seq: int  # creation order: ties in the list's orderings are broken by it
    interview_id: str
    profile_interview_id: str
    candidate_name: str | None
    candidate_email: str | None
    external_id: str | None
    position_name: str | None
    type: str | None
    mojito_language_code: str | None
    created_at: str
    updated_at: str
    is_test: bool = False
    interview_result_id: str | None = None
    started_at: str | None = None
    completes_at: float | None = None  # a take in progress finishes then (epoch seconds)
    finish: bool = True  # False: the candidate leaves half-way and never finishes
    target_score: float | None = None
    details: dict[str, Any] | None = None  # what job-interview-details answers, once started
    decision_status: str | None = None
    recruiter_shortlist: bool = False
    charged: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.id

    @property
    def completed(self) -> bool:
        return self.details is not None and self.details.get("status") == "completed"


@dataclass
class Member(_Record):
    """Someone brought into the account by ``invite-users`` who is not a candidate: a team member
    (merchant_owner, merchant, merchant_selection) or a coaching user (user, mentor)."""

    email: str  # as given; the key is its case-folded form
    name: str | None
    type: str
    profile_id: str
    invited_at: str
    invitations: int = 1  # e-mails sent to them (force_invite re-sends while pending)
    status: str = "pending"

    @property
    def key(self) -> str:
        return self.email.casefold()


@dataclass
class Email(_Record):
    """An invitation the sandbox "sent" (nothing leaves the machine; tests and people read the outbox)."""

    id: str
    to: str
    name: str | None
    subject: str
    interview_url: str
    interview_id: str
    sent_at: str
    message: str | None = None  # the recruiter's own text (invite-users' message_from_recruiter)

    @property
    def key(self) -> str:
        return self.id


@dataclass
class KnowledgeDocument(_Record):
    """A document uploaded to a knowledge-base store; JobMojito then processes it in the background."""

    id: str  # the answer's knowledge_base_id: the document, not the store
    store_id: str
    name: str
    kind: str | None  # the type read from its bytes (pdf, docx, ...), None when unrecognised
    size: int
    sha256: str
    encoding: str  # how it arrived: multipart or json (base64)
    text_chars: int  # how much text the sandbox could read from it
    created_at: str

    @property
    def key(self) -> str:
        return self.id


@dataclass
class CatalogueDirectory(_Record):
    """One coaching-portal catalogue directory: catalogue-tag-get's fields, without what is computed
    on reading (sub_directories, matched_sessions, catalogue_url)."""

    id: str
    fields: dict[str, Any]

    @property
    def key(self) -> str:
        return self.id
