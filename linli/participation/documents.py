"""Written authorisations for proxies (and other documents kept with a vote): PDF, JPEG or PNG, bounded in
size. Images go through the request photos' checks (linli.core.photos: sniffed from their bytes, decoded
completely, re-encoded without metadata); a PDF is recognised by its header and end marker and stored as
sent, since it is kept only as evidence for staff and is never rendered by Linli."""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from linli.core.photos import check_photos

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", DOCUMENT_MAX_BYTES))


def check_document(file: IO[bytes] | bytes) -> tuple[bytes, str]:
    """(bytes to store, extension) for an accepted document, else a ValidationError in the user's words."""
    if isinstance(file, bytes):
        data = file
    else:
        if file.seekable():
            file.seek(0)
        data = file.read(max_bytes() + 1)
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationError(
            _("The file is larger than %(limit)s MB"), code="document_too_large", params={"limit": limit // 2**20}
        )
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("The PDF file is damaged or incomplete"), code="document_invalid")
        return data, ".pdf"
    try:
        photo = check_photos([data])[0]
    except ValidationError:
        raise ValidationError(_("Attach a PDF, JPEG or PNG file"), code="document_invalid") from None
    if photo.format not in {"JPEG", "PNG"}:
        raise ValidationError(_("Attach a PDF, JPEG or PNG file"), code="document_invalid")
    return photo.content, photo.extension
