"""One set of checks for a person's fields, shared by the forms, the Excel import and the API, so that every
channel refuses the same things with the same words (in the user's language).

Values may come as our codes or as what a community's spreadsheet writes (户籍, 男, 汉, 2026/3/1); a mainland
identity number is checked by its GB 11643 check digit (python-stdnum) and gives gender and birth date.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.validation import check_plain_text, normalize_id_number, normalize_phone

from .choices import ETHNICITIES, Gender, IdType, Relation, Residency

OLDEST_BIRTH = datetime.date(1880, 1, 1)
OTHER_DOCUMENT_RE = re.compile(r"^[A-Za-z0-9\-]{5,32}$")

# What spreadsheets write for our choices, besides the codes and the display labels themselves.
SYNONYMS: dict[str, dict[str, str]] = {
    "residency": {
        "户籍": Residency.REGISTERED,
        "户籍人口": Residency.REGISTERED,
        "常住": Residency.RESIDENT,
        "常住人口": Residency.RESIDENT,
        "人户分离": Residency.RESIDENT,
        "流动": Residency.FLOATING,
        "流动人口": Residency.FLOATING,
        "境外": Residency.OVERSEAS,
        "境外人员": Residency.OVERSEAS,
        "境外人口": Residency.OVERSEAS,
    },
    "gender": {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE},
    "id_type": {
        "身份证": IdType.RESIDENT_ID,
        "居民身份证": IdType.RESIDENT_ID,
        "港澳通行证": IdType.HK_MACAO_PERMIT,
        "港澳居民来往内地通行证": IdType.HK_MACAO_PERMIT,
        "台胞证": IdType.TAIWAN_PERMIT,
        "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
        "护照": IdType.PASSPORT,
        "外国人永久居留身份证": IdType.FOREIGN_PERMANENT,
        "永久居留证": IdType.FOREIGN_PERMANENT,
        "其他": IdType.OTHER,
    },
    "relation": {
        "户主": Relation.HEAD,
        "本人": Relation.HEAD,
        "配偶": Relation.SPOUSE,
        "妻": Relation.SPOUSE,
        "夫": Relation.SPOUSE,
        "子": Relation.CHILD,
        "女": Relation.CHILD,
        "长子": Relation.CHILD,
        "长女": Relation.CHILD,
        "次子": Relation.CHILD,
        "次女": Relation.CHILD,
        "子女": Relation.CHILD,
        "父亲": Relation.PARENT,
        "母亲": Relation.PARENT,
        "父母": Relation.PARENT,
        "祖父母": Relation.GRANDPARENT,
        "外祖父母": Relation.GRANDPARENT,
        "孙子": Relation.GRANDCHILD,
        "孙女": Relation.GRANDCHILD,
        "外孙子": Relation.GRANDCHILD,
        "外孙女": Relation.GRANDCHILD,
        "孙子女": Relation.GRANDCHILD,
        "兄弟姐妹": Relation.SIBLING,
        "儿媳": Relation.CHILD_IN_LAW,
        "女婿": Relation.CHILD_IN_LAW,
        "其他亲属": Relation.OTHER_RELATIVE,
        "非亲属": Relation.NON_RELATIVE,
    },
}
CHOICES = {"residency": Residency, "gender": Gender, "id_type": IdType, "relation": Relation}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def choice(field: str, value: Any, *, required: bool = False) -> str:
    """Our code for a choice written as a code, a display label or a spreadsheet synonym."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValidationError(_("This field is required"))
        return ""
    enum = CHOICES[field]
    if text in enum.values:
        return text
    for code, label in enum.choices:
        if text == str(label) or text == str(label).split(" (")[0]:
            return str(code)
    found = SYNONYMS.get(field, {}).get(text.lower() if text.isascii() else text)
    if found:
        return str(found)
    raise ValidationError(_("“%(value)s” is not one of the allowed values"), params={"value": text[:40]})


def parse_date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date (write 2026-03-01)"), params={"value": text[:40]})


@dataclass
class PersonData:
    name: str
    id_type: str
    id_number: str
    gender: str
    birth_date: datetime.date | None
    phone: str
    ethnicity: str
    residency: str
    arrived_on: datetime.date | None
    left_on: datetime.date | None


def identity(id_type: str, number: str) -> tuple[str, str, datetime.date | None]:
    """The checked number, and for a mainland ID the gender and birth date it encodes."""
    number = (number or "").strip().upper()
    if not number:
        return "", "", None
    if id_type == IdType.RESIDENT_ID:
        number = normalize_id_number(number)
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        return number, Gender.MALE if int(number[16]) % 2 else Gender.FEMALE, birth
    if not OTHER_DOCUMENT_RE.match(number):
        raise ValidationError(_("A document number has 5 to 32 letters and digits"))
    return number, "", None


def check_person(raw: Mapping[str, Any], today: datetime.date | None = None) -> PersonData:
    """Every field checked; all errors at once, as {field: [message]}."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def run(field: str, check: Any) -> None:
        try:
            values[field] = check()
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)

    run("name", lambda: _name(raw.get("name")))
    run("id_type", lambda: choice("id_type", raw.get("id_type")) or IdType.RESIDENT_ID)
    run("residency", lambda: choice("residency", raw.get("residency"), required=True))
    run("gender", lambda: choice("gender", raw.get("gender")))
    run("birth_date", lambda: parse_date(raw.get("birth_date")))
    run("arrived_on", lambda: parse_date(raw.get("arrived_on")))
    run("left_on", lambda: parse_date(raw.get("left_on")))
    run("phone", lambda: normalize_phone(str(raw["phone"])) if str(raw.get("phone") or "").strip() else "")
    run("ethnicity", lambda: _ethnicity(raw.get("ethnicity")))
    if "id_type" in values:
        run("id_number", lambda: identity(values["id_type"], str(raw.get("id_number") or "")))
    if errors:
        raise ValidationError(errors)
    number, id_gender, id_birth = values["id_number"]
    gender, birth = values["gender"] or id_gender, values["birth_date"] or id_birth
    if id_gender and values["gender"] and values["gender"] != id_gender:
        errors["gender"] = [_("The gender does not match the identity number")]
    if id_birth and values["birth_date"] and values["birth_date"] != id_birth:
        errors["birth_date"] = [_("The birth date does not match the identity number")]
    if birth is not None and not OLDEST_BIRTH <= birth <= today:
        errors.setdefault("birth_date", []).append(_("The birth date is impossible"))
    arrived, left = values["arrived_on"], values["left_on"]
    if arrived is not None and (arrived > today or (birth is not None and arrived < birth)):
        errors.setdefault("arrived_on", []).append(_("The arrival date is impossible"))
    if left is not None and (left > today or (arrived is not None and left < arrived)):
        errors.setdefault("left_on", []).append(_("The leaving date is impossible"))
    if errors:
        raise ValidationError(errors)
    return PersonData(
        name=values["name"],
        id_type=values["id_type"],
        id_number=number,
        gender=gender,
        birth_date=birth,
        phone=values["phone"],
        ethnicity=values["ethnicity"],
        residency=values["residency"],
        arrived_on=arrived,
        left_on=left,
    )


def _name(value: Any) -> str:
    name = re.sub(r"\s+", " ", str(value or "")).strip()
    if not name:
        raise ValidationError(_("Name is required"))
    if len(name) > 64:
        raise ValidationError(_("A name has at most 64 characters"))
    return check_plain_text(name)


def _ethnicity(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    if text in ETHNICITIES:
        return text
    if f"{text}族" in ETHNICITIES:  # spreadsheets often write 汉 for 汉族
        return f"{text}族"
    raise ValidationError(_("“%(value)s” is not an ethnic group of GB/T 3304"), params={"value": text[:40]})


def message_of(exc: ValidationError, labels: Mapping[str, str] | None = None) -> str:
    """One line for a row of an import report: "证件号码：… ；联系电话：…"."""
    if not hasattr(exc, "error_dict"):
        return "；".join(exc.messages)
    parts = []
    for field, errors in exc.message_dict.items():
        label = (labels or {}).get(field, field)
        parts.append(f"{label}：{'，'.join(errors)}")
    return "；".join(parts)
