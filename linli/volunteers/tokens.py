"""Short-lived signed check-in tokens for the organiser's QR code (django.core.signing.TimestampSigner).

The token names the activity and the direction ("in" or "out") and carries its signing time; the volunteer's
phone opens the URL it encodes. A forged token fails the signature, an old one the age check.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SALT = "linli.volunteers.checkin"
DIRECTIONS = ("in", "out")


def token_seconds() -> int:
    return int(getattr(settings, "VOLUNTEER_QR_SECONDS", 600))


@dataclass(frozen=True)
class CheckinToken:
    activity_id: int
    direction: str


def make_token(activity_id: int, direction: str) -> str:
    if direction not in DIRECTIONS:
        raise ValueError(direction)
    return signing.TimestampSigner(salt=SALT).sign_object({"a": activity_id, "d": direction}, compress=False)


def read_token(token: str) -> CheckinToken:
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=token_seconds())
    except signing.SignatureExpired:
        raise ValidationError(_("This check-in code has expired; scan the organiser's code again")) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError(_("This check-in code is not valid")) from None
    if not isinstance(data, dict) or data.get("d") not in DIRECTIONS or not isinstance(data.get("a"), int):
        raise ValidationError(_("This check-in code is not valid"))
    return CheckinToken(activity_id=data["a"], direction=data["d"])
