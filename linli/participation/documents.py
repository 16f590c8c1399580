"""Documents attached to deliberation (a meeting's signed minutes; the votes' written authorisations may use
it too): PDF, JPEG, PNG or Word (.docx), recognised from their bytes — the name and the browser's content type
are never trusted — and bounded in size before anything is parsed.

Photos go through linli.core.photos (the project's upload check for requests), which decodes them fully and
re-encodes them without metadata (a phone photo of signed minutes carries its GPS fix and camera serial). A
PDF must start like one; a .docx must be a zip holding a Word document and no macros. Refused files never
reach storage.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from linli.core.photos import check_photos

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png", ".docx": DOCX_TYPE}


@dataclass(frozen=True)
class CleanDocument:
    content: bytes
    extension: str  # ".pdf", ".jpg", ".png" or ".docx"

    @property
    def content_type(self) -> str:
        return TYPES[self.extension]


def _limit() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", DOCUMENT_MAX_BYTES))


def _refuse() -> ValidationError:
    return ValidationError(_("The document must be a PDF, JPEG, PNG or Word (.docx) file"), code="document_type")


def check_document(file: IO[bytes] | bytes) -> CleanDocument:
    limit = _limit()
    if isinstance(file, bytes):
        data = file
    else:
        if file.seekable():
            file.seek(0)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("The document is larger than %(limit)s MB") % {"limit": f"{limit / (1024 * 1024):g}"},
            code="document_too_large",
        )
    if not data:
        raise _refuse()
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("The PDF file is damaged or incomplete"), code="document_invalid")
        return CleanDocument(data, ".pdf")
    if data.startswith(b"PK\x03\x04"):
        return CleanDocument(_check_docx(data), ".docx")
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        try:
            photo = check_photos([data])[0]
        except ValidationError:
            raise _refuse() from None
        if photo.format not in ("JPEG", "PNG"):
            raise _refuse()
        return CleanDocument(photo.content, photo.extension)
    raise _refuse()


def _check_docx(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise _refuse() from None
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise _refuse()
    if any(name.lower().endswith("vbaproject.bin") for name in names) or unpacked > 20 * _limit():
        raise ValidationError(_("Word documents with macros or of this size are not accepted"), code="document_type")
    return data
