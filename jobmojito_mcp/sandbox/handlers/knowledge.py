"""The knowledge-base endpoint: a document uploaded into a store, multipart or JSON (base64).

==============================  ==================================================================
knowledge-base-document-upload  unknown store: 500 (as documented: no 404); another merchant_id:
                                500; no file, a file that is not base64 (JSON), or an empty one: 422
==============================  ==================================================================

The document is kept per store (``state.knowledge``; ``GET /_sandbox/knowledge`` lists them) and
"processed" at once: the sandbox reads its text as a screening would and charges
``PROCESSING_CREDITS`` (ledger event ``knowledge_base_processing``); JobMojito's own server says
processing costs credits, without a price.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from typing import Any

from jobmojito_mcp.sandbox.catalogue import KNOWLEDGE_BASE_ID, SANDBOX_MERCHANT_ID
from jobmojito_mcp.sandbox.documents import UploadedFile, extract_text
from jobmojito_mcp.sandbox.errors import ApiError
from jobmojito_mcp.sandbox.interviews import now
from jobmojito_mcp.sandbox.records import KnowledgeDocument
from jobmojito_mcp.sandbox.state import SandboxState

PROCESSING_CREDITS = 0.1
# The stores the sandbox merchant has (stores are made in JobMojito's UI, never through the API).
STORES = frozenset({KNOWLEDGE_BASE_ID})


def upload(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    merchant_id = params.get("merchant_id")
    if merchant_id is not None and merchant_id != SANDBOX_MERCHANT_ID:
        raise ApiError(500, "Not permitted for this merchant.")
    store = params["knowledge_base_store_id"]
    if store not in STORES:
        raise ApiError(500, "Knowledge base store not found.")
    upload = params["file"]
    if isinstance(upload, UploadedFile):
        data, encoding, name = upload.data, "multipart", params.get("name") or upload.filename
    else:
        try:
            data = base64.b64decode(upload, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "file must be base64-encoded.", "file") from None
        encoding, name = "json", params.get("name") or "document"
    if not data:
        raise ApiError(422, "file is empty.", "file")
    kind, text = extract_text(data)
    stamp = now()
    document = KnowledgeDocument(
        id=str(uuid.uuid4()),
        store_id=store,
        name=name,
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        text_chars=len(text),
        created_at=stamp,
    )
    state.knowledge.save(document)
    account = state.account
    account.charge(PROCESSING_CREDITS, "knowledge_base_processing", document.id, stamp)
    state.save_account(account)
    return {"knowledge_base_id": document.id}
