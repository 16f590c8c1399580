"""Checks for personal identifiers and for the names people type, shared by forms, imports and the API."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError


def normalize_phone(value: str) -> str:
    """A Chinese mobile or landline number in national digits (13812345678, 01065123456)."""
    text = (value or "").strip()
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(value)s” is not a phone number"), params={"value": text}) from None
    if not phonenumbers.is_valid_number(number) or number.country_code != 86:
        raise ValidationError(_("“%(value)s” is not a valid Chinese phone number"), params={"value": text})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")


def normalize_mobile(value: str) -> str:
    phone = normalize_phone(value)
    number = phonenumbers.parse(phone, "CN")
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(_("“%(value)s” is not a mobile number"), params={"value": value})
    return phone


def normalize_id_number(value: str) -> str:
    """A resident identity number checked against GB 11643 (region, birth date, check digit)."""
    try:
        return str(ric.validate((value or "").strip().upper()))
    except StdnumError:
        raise ValidationError(_("“%(value)s” is not a valid identity number"), params={"value": value}) from None


# Names travel to pages, map tooltips, exports and other systems' screens; not every one of those will
# escape them. A place, unit or matter name never needs angle brackets or control characters, so they are
# refused at the door as well as escaped on the way out.
MARKUP_RE = re.compile(r"[<>\x00-\x1f\x7f]")
NAME_MAX_LENGTH = 128


def check_plain_text(value: str) -> str:
    if MARKUP_RE.search(value or ""):
        raise ValidationError(_("Use plain text: “<”, “>” and control characters are not allowed"))
    return value


def check_name(value: str) -> str:
    """A place, unit or matter name: required, at most 128 characters, plain text. Returns it stripped."""
    name = (value or "").strip()
    if not name:
        raise ValidationError(_("Name is required"))
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(_("Name is longer than 128 characters"))
    return check_plain_text(name)
