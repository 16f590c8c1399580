"""Every write to notices: `notify` (the unit the case workflow calls) and marking notices read.

No audit event here: a notice is the side effect of an action that records its own (the case transition
that caused it), and reading one's own inbox changes nothing anybody else relies on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .channels import Channel, recipient_label
from .models import Notice

logger = logging.getLogger("linli.notices")


def _check_link(link: str) -> None:
    # Only paths inside Linli: "//host" and "/\host" are other sites to a browser.
    if link and (not link.startswith("/") or link.startswith(("//", "/\\"))):
        raise ValidationError(_("A notice's link must be a path inside Linli"))


def notify(
    user: Any, *, kind: str, title: str, body: str = "", link: str = "", channels: Sequence[str] | None = None
) -> Notice:
    """Store a notice in `user`'s inbox within the caller's transaction; once that commits, send it through
    `channels` (dotted paths; default settings.NOTICE_CHANNELS). If the caller rolls back, nothing is sent."""
    _check_link(link)
    with transaction.atomic():
        notice = Notice.objects.create(recipient=user, kind=kind, title=title[:200], body=body, link=link)
        paths = list(settings.NOTICE_CHANNELS if channels is None else channels)
        transaction.on_commit(lambda: deliver(notice.pk, paths))
    return notice


def deliver(notice_id: int, paths: Sequence[str]) -> list[str]:
    """Send a stored notice through each channel; returns the names that succeeded. A channel that fails is
    logged (masked recipient, the error's type only: its message may quote the address) and skipped."""
    notice = Notice.objects.select_related("recipient").get(pk=notice_id)
    sent = []
    for path in paths:
        try:
            channel: Channel = import_string(path)()
            channel.send(notice)
        except Exception as exc:  # one broken channel must not stop the others or the caller
            logger.error(
                "notice %s to %s: channel %s failed (%s)",
                notice.pk,
                recipient_label(notice.recipient),
                path,
                type(exc).__name__,
            )
        else:
            sent.append(path)
    return sent


@transaction.atomic
def mark_read(user: Any, notice: Notice) -> Notice:
    """The recipient marks one notice read (again is harmless)."""
    locked = Notice.objects.restrict(user, "change").select_for_update().filter(pk=notice.pk).first()
    if locked is None:
        raise PermissionDenied(_("You may not change this notice"))
    if locked.read_at is None:
        locked.read_at = timezone.now()
        locked.save(update_fields=["read_at"])
    return locked


@transaction.atomic
def mark_all_read(user: Any) -> int:
    """The user's own unread notices, all marked read; returns how many."""
    mine = Notice.objects.restrict(user, "change").filter(recipient_id=user.pk).unread()
    return mine.update(read_at=timezone.now())
