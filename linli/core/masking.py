"""How personal data looks to someone whose role does not need it."""

from __future__ import annotations


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
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


def mask_email(address: str | None) -> str:
    """First character of the mailbox and the domain: enough to tell two addresses apart in a log."""
    if not address or "@" not in address:
        return "*" * len(address or "")
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}"
