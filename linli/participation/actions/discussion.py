"""The discussion under a topic: comments and threaded replies under a name masked by choice, and moderation
that hides a comment — never deletes it — with the reason shown in its place."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_comment, can_moderate_topics

from ..models import Comment, Topic
from .topic_base import S, event, lock, step, text

COMMENT_LIMIT = 2000
REASON_LIMIT = 200
# Open for comments from the moment the committee takes it up until the decision.
DISCUSSABLE = (S.DISCUSSING, S.PROPOSED, S.DECIDING)


@transaction.atomic
def comment(actor: Any, topic: Topic, body: str, *, parent: Comment | None = None, name_masked: bool = True) -> Comment:
    """Write a comment, or a reply to one (`parent`) of the same topic."""
    topic = step(actor, topic, can_comment, DISCUSSABLE, _("commented on"))
    cleaned = text(body, "body", limit=COMMENT_LIMIT)
    if parent is not None:
        parent = Comment.objects.filter(pk=parent.pk, topic=topic).first()
        if parent is None:
            raise ValidationError({"parent": _("The comment you reply to is not under this topic")})
        if parent.hidden_at is not None:
            raise ValidationError({"parent": _("A hidden comment cannot be answered")})
    row = Comment.objects.create(topic=topic, parent=parent, author=actor, name_masked=bool(name_masked), body=cleaned)
    event(topic, "replied" if parent else "commented", actor, topic.state, {"comment": row.pk})
    return row


@transaction.atomic
def hide_comment(actor: Any, comment_row: Comment, reason: str) -> Comment:
    """Hide a comment from the discussion; the row stays, and its place reads "该评论因……被隐藏"."""
    topic = lock(comment_row.topic_id)
    if not can_moderate_topics(actor, topic):
        raise PermissionDenied(_("You may not moderate this topic"))
    # In any state: a comment that breaks the rules is hidden whenever it is found.
    row = Comment.objects.select_for_update().get(pk=comment_row.pk, topic=topic)
    if row.hidden_at is not None:
        raise ValidationError(_("This comment is already hidden"))
    row.hidden_reason = text(reason, "reason", limit=REASON_LIMIT)
    row.hidden_at = timezone.now()
    row.hidden_by = actor
    row.save(update_fields=["hidden_reason", "hidden_at", "hidden_by"])
    event(topic, "comment_hidden", actor, topic.state, {"comment": row.pk, "reason": row.hidden_reason})
    return row
