"""Checks on what people type into a request: plain text of a sane length, no markup, a usable place."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A tag or comment opener, or control characters other than line breaks and tabs: a request is words, and
# text that carries markup is refused at the door as well as escaped wherever it is shown.
MARKUP_RE = re.compile(r"<\s*[A-Za-z/!?]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|javascript:", re.IGNORECASE)
TITLE_LIMIT = 200
BODY_LIMIT = 5000


def check_free_text(value: str) -> str:
    if MARKUP_RE.search(value or ""):
        raise ValidationError(_("Write plain text: markup such as “<tag>” and control characters are not accepted"))
    return value
