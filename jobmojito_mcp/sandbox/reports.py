"""Interview reports as real documents: PDF, HTML and JSON, from the same sections.

``job-interview-pdf`` renders one result, or several into one combined report. The sections and
their switches follow ``export_features_result`` (contact details, recruiter assessment, scoring
rubric, analytics, transcript, files, recording links; grouping by question); the ``template``
(classic, modern, one_pager) sets the look, and one_pager keeps the first three answers. A
translated report is marked with its language; the sandbox does not translate the text.

The PDF is written by hand (PDF 1.4, Helvetica in WinAnsi encoding, A4 pages, a correct
cross-reference table): small, valid, and no dependency for something this simple. It reads as
a hiring manager reads it: title and generation date, then (for several results) the candidates
ranked by score in a table, then each candidate on a page of their own; scores as whole numbers
where they are whole ("91", as everywhere else).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

FEATURE_DEFAULTS = {
    "contact_details": True,
    "ai_recruiter_assessment": True,
    "ai_scoring_rubric": False,
    "analytics": True,
    "transcript": True,
    "files": True,
    "answer_recording": False,
    "session_recording": False,
    "group_by_question": False,
}
ONE_PAGER_ANSWERS = 3


@dataclass
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Subject:
    """One result to report on: its list row, its details, its interview's definition (None if deleted)."""

    row: dict[str, Any]
    details: dict[str, Any]
    definition: dict[str, Any] | None
    recording_links: dict[str, str] = field(default_factory=dict)  # transcript id or "session" -> URL


def features_of(requested: dict[str, Any] | None) -> dict[str, Any]:
    return FEATURE_DEFAULTS | {key: value for key, value in (requested or {}).items() if value is not None}


def title_of(subjects: list[Subject]) -> str:
    if len(subjects) == 1:
        row = subjects[0].row
        return f"Interview report: {row.get('candidate_name') or 'candidate'} - {row.get('position_name')}"
    positions = sorted({str(s.row.get("position_name")) for s in subjects})
    return f"Interview report: {len(subjects)} candidates - {', '.join(positions)}"


def sections_of(subject: Subject, features: dict[str, Any], template: str) -> list[Section]:
    """What one result's part of a report says, by the switches in ``features``."""
    row, details = subject.row, subject.details
    out: list[Section] = []
    if features["contact_details"]:
        out.append(
            Section(
                "Candidate", [f"Name: {row.get('candidate_name')}", f"E-mail: {row.get('candidate_email')}"]
            )
        )
    if features["ai_recruiter_assessment"]:
        other = details.get("ai_analysis_other") or {}
        reasons = other.get("hiring_reasons") or {}
        lines = [str(details.get("score_text") or ""), str(details.get("ai_analysis_recruiter") or "")]
        lines += [f"+ {reason}" for reason in reasons.get("reasons_to_hire", [])]
        lines += [f"- {reason}" for reason in reasons.get("reasons_not_to_hire", [])]
        if other.get("key_statement"):
            lines.append(f'Key statement: "{other["key_statement"]["quote"]}"')
        out.append(Section("Recruiter assessment", [line for line in lines if line]))
        if features["ai_scoring_rubric"]:
            rubric = (subject.definition or {}).get("candidate_expectations_json") or {}
            out.append(
                Section(
                    "Scoring rubric",
                    [
                        f"{level}: {'; '.join(rubric.get(level) or [])}"
                        for level in ("strong", "moderate", "weak")
                    ]
                    if rubric
                    else ["No rubric is set for this interview."],
                )
            )
    if features["analytics"]:
        out.append(
            Section(
                "Analytics",
                [
                    f"Score: {_number(details.get('score'))}",
                    f"Sentiment: {details.get('score_sentiment')}",
                    f"Words per minute: {details.get('score_words_per_minute')}",
                    f"Coverage: {details.get('ai_interview_coverage_percentage')}%",
                    f"Duration: {(details.get('duration') or 0) / 10:.0f} s",
                ],
            )
        )
    answers = [t for t in details.get("transcript") or [] if t.get("is_answer")]
    if template == "one_pager":
        answers = answers[:ONE_PAGER_ANSWERS]
    if features["transcript"] and not features["group_by_question"]:
        lines = []
        for turn in answers:
            lines += [
                f"Q: {turn.get('question_asked')}",
                f"A: {turn.get('answer')} (score {_number(turn.get('score'))})",
            ]
        out.append(Section("Transcript", lines))
    if features["files"]:
        out.append(Section("Files", ["No files were attached."]))
    links = subject.recording_links
    if features["answer_recording"]:
        recorded = [
            f"{turn.get('question_asked')}: {links[turn['id']]}" for turn in answers if turn["id"] in links
        ]
        out.append(Section("Answer recordings", recorded or ["No answers were recorded."]))
    if features["session_recording"]:
        out.append(Section("Session recording", [links.get("session", "The session was not recorded.")]))
    return out


def grouped_by_question(subjects: list[Subject]) -> Section:
    """Every candidate's answer, question by question (``group_by_question``)."""
    order: dict[str, list[str]] = {}
    for subject in subjects:
        for turn in subject.details.get("transcript") or []:
            if turn.get("is_answer"):
                order.setdefault(str(turn.get("question_asked")), []).append(
                    f"{subject.row.get('candidate_name')}: {turn.get('answer')} (score {_number(turn.get('score'))})"
                )
    lines = []
    for question, answers in order.items():
        lines += [f"Q: {question}", *answers]
    return Section("Answers by question", lines)


def ranked(subjects: list[Subject]) -> list[Subject]:
    """Best score first; unscored (unfinished) results last, in the order asked for."""
    return sorted(subjects, key=lambda s: -float(s.details.get("score") or -1))


def _number(value: Any) -> str:
    """91.0 -> "91", 91.5 -> "91.5", None -> "-"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return "-" if value is None else str(value)


def overview(subjects: list[Subject]) -> str:
    """The overview table of a multi-result export, as HTML, best score first."""
    rows = "".join(
        f"<tr><td>{_e(s.row.get('candidate_name'))}</td><td>{_e(s.row.get('candidate_email'))}</td>"
        f"<td>{_e(_number(s.details.get('score')))}</td><td>{_e(s.row.get('interview_result_id'))}</td></tr>"
        for s in ranked(subjects)
    )
    return f"<table><tr><th>Candidate</th><th>E-mail</th><th>Score</th><th>Result</th></tr>{rows}</table>"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


# ---------------------------------------------------------------------------------------------
# Renderers


def document(subjects: list[Subject], features: dict[str, Any], template: str) -> tuple[str, list[Section]]:
    """The report's title and its sections, in order, for any of the renderers."""
    sections: list[Section] = []
    for subject in subjects:
        if len(subjects) > 1:
            sections.append(
                Section(f"{subject.row.get('candidate_name')} ({subject.row.get('candidate_email')})")
            )
        sections += sections_of(subject, features, template)
    if features["transcript"] and features["group_by_question"]:
        sections.append(grouped_by_question(subjects))
    return title_of(subjects), sections


_STYLES = {
    "classic": "body{font-family:Georgia,serif;max-width:48em;margin:2em auto}h2{border-bottom:1px solid #999}",
    "modern": "body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto}h2{color:#5b3cc4}",
    "one_pager": "body{font-family:system-ui,sans-serif;font-size:90%;max-width:40em;margin:1em auto}",
}


def render_html(subjects: list[Subject], features: dict[str, Any], template: str, language: str) -> str:
    title, sections = document(subjects, features, template)
    body = "".join(
        f"<section><h2>{_e(s.heading)}</h2>"
        + "".join(f"<p>{_e(line)}</p>" for line in s.lines)
        + "</section>"
        for s in sections
    )
    table = overview(subjects) if len(subjects) > 1 else ""
    return (
        f'<!DOCTYPE html><html lang="{_e(language)}"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_STYLES[template]}</style></head><body><h1>{_e(title)}</h1>{table}{body}</body></html>"
    )


def render_json(subjects: list[Subject], features: dict[str, Any], template: str) -> dict[str, Any]:
    results = []
    for subject in subjects:
        data: dict[str, Any] = {
            "interview_result_id": subject.row.get("interview_result_id"),
            "position_name": subject.row.get("position_name"),
            "template": template,
            "sections": {s.heading: s.lines for s in sections_of(subject, features, template)},
        }
        if features["contact_details"]:
            data |= {
                "candidate_name": subject.row.get("candidate_name"),
                "candidate_email": subject.row.get("candidate_email"),
            }
        if features["analytics"]:
            data |= {
                name: subject.details.get(name)
                for name in ("score", "score_sentiment", "score_words_per_minute")
            }
        results.append({"data": data, "files": []})
    exported: dict[str, Any] = {"results": results}
    if len(subjects) > 1:
        exported["table"] = overview(subjects)
    return exported


def render_pdf(
    subjects: list[Subject], features: dict[str, Any], template: str, generated: datetime | None = None
) -> bytes:
    """Title and date; for several results the ranked table, then one candidate per page."""
    title = title_of(subjects)
    moment = generated or datetime.now(UTC)
    lines: list[tuple[str, str]] = [("h1", title), ("p", f"Generated {moment:%Y-%m-%d %H:%M} UTC")]
    if len(subjects) > 1:
        lines += [("h2", "Candidates ranked by score"), ("th", "\t".join(_TABLE_HEAD))]
        for rank, subject in enumerate(ranked(subjects), 1):
            row, details = subject.row, subject.details
            cells = [
                str(rank),
                str(row.get("candidate_name") or "-"),
                _number(details.get("score")),
                str(details.get("status") or row.get("coach_status") or "-"),
                str(row.get("candidate_email") or "-") if features["contact_details"] else "-",
            ]
            lines.append(("td", "\t".join(cells)))
    for subject in ranked(subjects) if len(subjects) > 1 else subjects:
        if len(subjects) > 1:
            lines += [
                ("page", ""),
                ("h1", f"{subject.row.get('candidate_name')} ({subject.row.get('candidate_email')})"),
            ]
        for section in sections_of(subject, features, template):
            lines.append(("h2", section.heading))
            lines += [("p", line) for line in section.lines]
    if features["transcript"] and features["group_by_question"]:
        section = grouped_by_question(subjects)
        lines += [("page", ""), ("h2", section.heading)] + [("p", line) for line in section.lines]
    return pdf(title, lines, moment)


# ---------------------------------------------------------------------------------------------
# A minimal PDF writer

_PAGE_W, _PAGE_H, _MARGIN = 595, 842, 50  # A4 in points
_SIZES = {"h1": 15, "h2": 11, "p": 9, "th": 9, "td": 9}
_TABLE_HEAD = ("#", "Candidate", "Score", "Status", "E-mail")
_COLUMNS = (0, 25, 205, 250, 330)  # x of each table column, from the left margin
_COLUMN_CHARS = (4, 34, 7, 14, 36)  # what fits in each


def _wrap(text: str, size: int) -> list[str]:
    width = int((_PAGE_W - 2 * _MARGIN) / (size * 0.5))  # Helvetica averages about half an em per character
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = ""
        current = f"{current} {word}" if current else word[:width]
    return [*lines, current] if current else lines or [""]


def _pdf_text(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def pdf(title: str, lines: list[tuple[str, str]], created: datetime | None = None) -> bytes:
    """A valid PDF 1.4 document: ``lines`` of (style, text), style ``h1``, ``h2`` or ``p`` (wrapped),
    ``th``/``td`` (a table row, cells split by tabs) or ``page`` (a new page unless at the top of one)."""
    pages: list[bytes] = []
    stream, y = b"", float(_PAGE_H - _MARGIN)
    for style, text in lines:
        if style == "page":
            if stream:
                pages.append(stream)
                stream, y = b"", float(_PAGE_H - _MARGIN)
            continue
        size = _SIZES[style]
        if style in ("th", "td"):
            if y - size * 1.6 < _MARGIN:
                pages.append(stream)
                stream, y = b"", float(_PAGE_H - _MARGIN)
            y -= size * 1.6
            font = b"/F2" if style == "th" else b"/F1"
            for x, width, cell in zip(_COLUMNS, _COLUMN_CHARS, text.split("\t"), strict=False):
                shown = cell if len(cell) <= width else cell[: width - 1] + "."
                stream += b"BT %s %d Tf %d %d Td (%s) Tj ET\n" % (
                    font,
                    size,
                    _MARGIN + x,
                    y,
                    _pdf_text(shown),
                )
            continue
        for part in _wrap(text, size):
            if y - size * 1.35 < _MARGIN:
                pages.append(stream)
                stream, y = b"", float(_PAGE_H - _MARGIN)
            y -= size * 1.35 + (5 if style != "p" else 0)
            font = b"/F2" if style != "p" else b"/F1"
            stream += b"BT %s %d Tf %d %d Td (%s) Tj ET\n" % (font, size, _MARGIN, y, _pdf_text(part))
    pages.append(stream)

    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the page objects' numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title (%s) /Producer (JobMojito sandbox) /CreationDate (D:%s) >>"
        % (_pdf_text(title), (created or datetime.now(UTC)).strftime("%Y%m%d%H%M%SZ").encode()),
    ]
    kids = []
    for content in pages:
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % (_PAGE_W, _PAGE_H, len(objects))
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))

    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
