"""How personal data looks to someone whose role does not need it."""

from __future__ import annotations

import re


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def mask_id_number(number: str | None) -> str:
    """110105********1234: the region code and the last four stay, the birth date goes."""
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    keep = 6 if len(number) == 18 else 3
    return f"{number[:keep]}{'*' * (len(number) - keep - 4)}{number[-4:]}"


def mask_strictly(value: str | None) -> str:
    """For minors' and other sensitive records: only the last four characters stay."""
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:] if len(value) > 4 else "*" * len(value)


def mask_name(name: str | None) -> str:
    """张* / 欧阳** : the family name (two characters for the usual compound ones) and stars."""
    if not name:
        return ""
    keep = 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1
    return name[:keep] + "*" * max(len(name) - keep, 1)


COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 西门 百里".split()
)


def mask_email(address: str | None) -> str:
    """First character of the mailbox and the domain: enough to tell two addresses apart in a log."""
    if not address or "@" not in address:
        return "*" * len(address or "")
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}"


# Personal numbers and addresses as people type them into free text: mainland mobiles (with or without +86),
# landlines with an area code, resident identity numbers (GB 11643 shape) and e-mail addresses.
_IN_TEXT = re.compile(
    r"(?P<id>(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9]))"
    r"|(?P<mobile>(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}(?![0-9]))"
    r"|(?P<landline>(?<![0-9])0[1-9][0-9]{1,2}[- ]?[0-9]{7,8}(?![0-9]))"
    r"|(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})"
)


def mask_in_text(text: str | None) -> str:
    """Free text (a request's description, an answer) with the personal numbers and e-mail addresses in it
    masked, for readers who may see the words but not whom they are about: the public board, Open311."""

    def masked(match: re.Match[str]) -> str:
        value = match.group(0)
        if match.group("id"):
            return mask_id_number(value)
        if match.group("email"):
            return mask_email(value)
        return mask_phone(re.sub(r"[^0-9]", "", value)[-11:])

    return _IN_TEXT.sub(masked, text or "")
