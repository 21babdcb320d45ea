"""Uploaded files as the sandbox receives them: multipart parts, and the text a screening reads.

JobMojito turns an uploaded résumé into text itself; the sandbox does the same for the formats it
accepts, so a screening of a file judges what the file says:

=====  ===========================================================================================
PDF    ``pypdf`` (pure Python, well kept, no system libraries): the text of every page
DOCX   the standard library's ``zipfile``: the paragraphs of ``word/document.xml``
ODT    ``zipfile`` too: the paragraphs of ``content.xml``
RTF    control words and groups stripped, the text kept (enough for plain résumés)
DOC    the legacy binary format has no maintained pure-Python reader: runs of printable text of
       four or more characters (UTF-16 and 8-bit), an approximation documented as such
TXT    UTF-8 (else Latin-1)
=====  ===========================================================================================

The type is decided from the bytes (the magic numbers and, for the zip formats, their contents),
never from the name. Anything else, or a file nothing can be read from, answers the documented
result with ``success: false`` and a ``processing_reason``, as JobMojito reports a failed screening.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

# Bounds on what one upload may make the sandbox do: it is a test double, not a file server.
MAX_UPLOAD_BYTES = 32 * 1024 * 1024
MAX_TEXT_CHARS = 200_000

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_RTF_CONTROL = re.compile(r"\\[a-zA-Z]+-?\d* ?|\\'[0-9a-fA-F]{2}|\\[^a-zA-Z]|[{}]")
_PRINTABLE_8BIT = re.compile(rb"[\x20-\x7e\xa0-\xff]{4,}")
_PRINTABLE_UTF16 = re.compile(rb"(?:[\x20-\x7e]\x00){4,}")


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The document type of these bytes: pdf, docx, odt, doc, rtf, txt, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_OLE2):
        return "doc"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names and archive.read("mimetype").strip() == (
                    b"application/vnd.oasis.opendocument.text"
                ):
                    return "odt"
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
        return None
    if b"\x00" in data[:8192]:
        return None
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < 65532:  # not merely a character cut at the sample's end
            return None
    return "txt"


def extract_text(data: bytes) -> tuple[str | None, str]:
    """``(kind, text)``: the document type and its text ("" when nothing could be read)."""
    kind = sniff(data)
    try:
        text = _READERS[kind](data) if kind is not None else ""
    except Exception:  # a damaged file of a known type reads as empty, as a failed conversion
        text = ""
    return kind, " ".join(text.split())[:MAX_TEXT_CHARS]


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader  # imported on first use: most sandbox runs never read a PDF

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _zipped_paragraphs(data: bytes, member: str, paragraph: str, namespace: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read(member))  # noqa: S314  # sandbox-only, bounded input
    return "\n".join("".join(node.itertext()) for node in root.iter(f"{namespace}{paragraph}"))


def _docx(data: bytes) -> str:
    return _zipped_paragraphs(data, "word/document.xml", "p", _W)


def _odt(data: bytes) -> str:
    return _zipped_paragraphs(data, "content.xml", "p", _TEXT_NS)


def _rtf(data: bytes) -> str:
    return _RTF_CONTROL.sub(" ", data.decode("latin-1"))


def _doc(data: bytes) -> str:
    runs = [run.decode("utf-16-le") for run in _PRINTABLE_UTF16.findall(data)]
    runs += [run.decode("latin-1") for run in _PRINTABLE_8BIT.findall(data)]
    return "\n".join(runs)


def _txt(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_READERS = {"pdf": _pdf, "docx": _docx, "odt": _odt, "rtf": _rtf, "doc": _doc, "txt": _txt}
