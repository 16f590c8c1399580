"""Checks for personal identifiers, shared by forms, imports and the API."""

from __future__ import annotations

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
