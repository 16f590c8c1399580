"""Reads of notices, scoped like every other read. The inbox is the user's own, even for platform admins."""

from __future__ import annotations

from typing import Any

from .models import Notice, NoticeQuerySet


def inbox_for(user: Any) -> NoticeQuerySet:
    return Notice.objects.restrict(user).filter(recipient_id=user.pk)


def unread_count(user: Any) -> int:
    return inbox_for(user).unread().count()
