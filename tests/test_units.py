"""Small pure pieces, table-driven: Retry-After parsing, status mapping, log redaction."""

from __future__ import annotations

import email.utils
import io
import json
import logging

import pytest

from jobmojito_mcp.logs import REDACTED, configure_logging, secrets
from jobmojito_mcp.tooling import errors
from jobmojito_mcp.tooling.errors import CallContext
from jobmojito_mcp.tooling.upstream import parse_retry_after

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("0", 0.0),
        ("7", 7.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        ("120 seconds", None),
        (email.utils.formatdate(NOW + 30, usegmt=True), 30.0),
        (email.utils.formatdate(NOW - 30, usegmt=True), 0.0),
        ("Wed, 99 Foo 2026 25:61:61 GMT", None),
    ],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, errors.InvalidRequest),
        (401, errors.Unauthorized),
        (403, errors.Forbidden),
        (404, errors.NotFound),
        (409, errors.InvalidRequest),
        (422, errors.InvalidRequest),
        (429, errors.RateLimited),
        (500, errors.ServerError),
        (502, errors.ServerError),
        (503, errors.ServerError),
        (504, errors.ServerError),
    ],
)
def test_every_status_has_its_class(status: int, kind: type[errors.UpstreamStatusError]) -> None:
    error = errors.status_error(status, "Field is required.", "interview_template_id", None)
    assert type(error) is kind
    message = error.message(CallContext(tool="create_interview", creates=True))
    assert "`interview_template_id`" in message and "Field is required." in message


def test_every_error_class_has_a_distinct_message() -> None:
    call = CallContext(tool="create_interview", creates=True, recheck_hint="Look in the dashboard.")
    failures: list[errors.JobMojitoError] = [
        errors.NotConfigured(),
        errors.ConnectFailed("refused"),
        errors.UpstreamTimeout("slow"),
        errors.ConnectionLost("reset"),
        errors.BadResponse("junk"),
        *(errors.status_error(s, None, None, 3.0) for s in (401, 403, 404, 422, 429, 500, 503)),
    ]
    messages = [failure.message(call) for failure in failures]
    assert len(set(messages)) == len(messages)
    for failure, message in zip(failures, messages, strict=True):
        if isinstance(failure, errors.UpstreamTimeout | errors.ConnectionLost | errors.BadResponse):
            assert "may have created" in message and "Look in the dashboard." in message


def test_upstream_text_is_cleaned_and_bounded() -> None:
    error = errors.status_error(422, "bad\n\x1b[31mvalue\x00 " + "x" * 5000, "na\nme", None)
    message = error.message(CallContext(tool="t", creates=False))
    assert "\n" not in message and "\x1b" not in message and "\x00" not in message
    assert len(message) < 700


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_logs_redact_registered_secrets(fmt: str) -> None:
    token = "eyJhbGciOiJFUzI1NiJ9.secret-token-value"
    secrets.add(token)
    stream = io.StringIO()
    configure_logging("DEBUG", fmt, stream=stream)
    try:
        logging.getLogger("anything").info("Authorization: Bearer %s", token)
        try:
            raise RuntimeError(f"failed with {token}")
        except RuntimeError:
            logging.getLogger("anything").exception("boom")
    finally:
        configure_logging("WARNING", "text")
    output = stream.getvalue()
    assert token not in output
    assert REDACTED in output
    if fmt == "json":
        lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
        assert lines[0]["level"] == "INFO" and lines[0]["logger"] == "anything"
