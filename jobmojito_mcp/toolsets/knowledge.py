"""The knowledge toolset: documents the interviewing avatar draws on (benefits, handbook, FAQ).

upload_knowledge_base_document puts one document into an existing store (stores are made in
JobMojito's web app; the API can neither create nor list them). The document is kept for good (no
delete endpoint) and its processing costs credits: the user is asked first, and an upload that may
have reached JobMojito is never resent. It goes as multipart, the file streamed, never as base64
JSON (a third larger).
"""

from __future__ import annotations

from typing import Any

from mcp_types import ToolAnnotations
from pydantic import Field

from jobmojito_mcp.tooling.spec import ToolSpec
from jobmojito_mcp.toolsets.common import FileArguments, LenientModel, NonEmpty, OpenResult

# Stores a document for good (no delete endpoint) and spends credits on processing: not repeatable,
# and destructive as JobMojito's own server marks it.
UPLOAD = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
)


class UploadDocumentArgs(FileArguments):
    """Parts of POST /knowledge-base-document-upload (multipart; the file from tooling.files)."""

    knowledge_base_store_id: NonEmpty = Field(description="The store (made in JobMojito's web app).")
    name: str | None = Field(None, description="Default: the file's name.")
    merchant_id: str | None = None


class UploadedDocument(LenientModel):
    knowledge_base_id: str | None = None


class UploadResult(OpenResult):
    knowledge_base_id: str | None = Field(None, description="The document, not the store.")
    knowledge_base_store_id: str


def present_upload(args: UploadDocumentArgs, answer: UploadedDocument) -> dict[str, Any]:
    return {"knowledge_base_store_id": args.knowledge_base_store_id} | (
        {"knowledge_base_id": answer.knowledge_base_id} if answer.knowledge_base_id else {}
    )


def summarize_upload(args: UploadDocumentArgs, answer: UploadedDocument) -> str:
    return (
        f"Uploaded to knowledge-base store {args.knowledge_base_store_id}: document "
        f"{answer.knowledge_base_id or '(no id returned)'}. JobMojito now processes it in the background "
        "(no API says when it is done). Interviews use the store, not the document: pass "
        f"knowledge_base_store_id={args.knowledge_base_store_id} to create_interview or update_interview; "
        "never pass the document id as a knowledge_base_id."
    )


def _confirm_upload(args: UploadDocumentArgs) -> str | None:
    return (
        f"Upload this document to knowledge-base store {args.knowledge_base_store_id}? JobMojito keeps it "
        "(the API cannot delete it) and charges credits to process it."
    )


UPLOAD_KNOWLEDGE_BASE_DOCUMENT = ToolSpec(
    name="upload_knowledge_base_document",
    title="Add a document to a knowledge base",
    description=(
        "Add a document (PDF, DOCX, DOC, TXT, RTF, ODT) to a knowledge-base store the interview avatar "
        "answers from. Kept for good; processing spends credits (user asked); never repeat one that may "
        "have gone through."
    ),
    arguments=UploadDocumentArgs,
    response=UploadedDocument,
    method="POST",
    path="/knowledge-base-document-upload",
    annotations=UPLOAD,
    summarize=summarize_upload,
    result=UploadResult,
    present=present_upload,
    confirm=_confirm_upload,
    toolset="knowledge",
    effect="stored the document (and started its paid processing)",
    recheck_hint="Before calling again, ask the user to look in the store in JobMojito's web app: the API "
    "cannot list a store's documents.",
    hints={
        500: "JobMojito answers 500 for an unknown knowledge_base_store_id, a file it cannot take, and "
        "missing permissions alike.",
    },
    unpublished=frozenset({"merchant_id", "media_type"}),
    file_part="file",
)

TOOLS = (UPLOAD_KNOWLEDGE_BASE_DOCUMENT,)
