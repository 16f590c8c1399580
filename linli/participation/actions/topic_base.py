"""What every deliberation action shares: lock the topic, check the person and the state, write the topic's
timeline (TopicEvent, one row per action, old → new state) and tell the raiser after the commit.

No audit.record here: the topic's timeline is its history, as a case's CaseEvent chain is the case's, and the
case steps write no audit event either. Errors are Django's PermissionDenied (who) and ValidationError (what,
when), in the user's language, as in linli.cases.actions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.cases.validation import check_free_text

from ..choices import TopicState
from ..models import Topic, TopicEvent

S = TopicState


def lock(topic: Topic | int) -> Topic:
    pk = topic if isinstance(topic, int) else topic.pk
    # of=("self",): the place and the vote are joined for the checks; only the topic row needs the lock.
    return Topic.objects.select_for_update(of=("self",)).select_related("place").get(pk=pk)


def guard(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_state(topic: Topic, states: Iterable[str], doing: str) -> None:
    if topic.state not in set(states):
        raise ValidationError(
            _("A topic that is “%(state)s” cannot be %(doing)s") % {"state": topic.get_state_display(), "doing": doing},
            code="bad_state",
        )


def step(
    actor: Any, topic: Topic | int, predicate: Callable[[Any, Topic], bool], states: Iterable[str], doing: str
) -> Topic:
    """Lock, then check the person (on the locked row) and the state."""
    locked = lock(topic)
    guard(predicate(actor, locked), _("You may not do this to this topic"))
    require_state(locked, states, doing)
    return locked


def text(value: Any, field: str, *, limit: int, required: bool = True) -> str:
    """Free text from a person: stripped, bounded, no markup (it is escaped on every page as well)."""
    cleaned = str(value or "").strip()
    if not cleaned:
        if required:
            raise ValidationError({field: _("This field is required")})
        return ""
    if len(cleaned) > limit:
        raise ValidationError({field: _("At most %(n)d characters") % {"n": limit}})
    try:
        check_free_text(cleaned)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return cleaned


def event(topic: Topic, kind: str, actor: Any, old_state: str, payload: dict[str, Any] | None = None) -> TopicEvent:
    return TopicEvent.objects.create(
        topic=topic,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        old_state=old_state,
        new_state=topic.state,
        payload=payload or {},
    )


def move(
    topic: Topic, new_state: str, kind: str, actor: Any, payload: dict[str, Any] | None = None, **fields: Any
) -> TopicEvent:
    """Set the state (and fields), save, and write the event."""
    old = topic.state
    topic.state = new_state
    for name, value in fields.items():
        setattr(topic, name, value)
    topic.save()
    return event(topic, kind, actor, old, payload)


def tell_raiser(topic: Topic, title: str, actor: Any = None) -> None:
    """After the commit, a notice to whoever raised the topic (not when they did it themselves)."""
    raiser_id = topic.raised_by_id
    if raiser_id is None or raiser_id == getattr(actor, "pk", None):
        return
    link = reverse("participation:topic_detail", args=[topic.pk])
    body = str(topic.title)

    def send() -> None:
        from linli.accounts.models import User
        from linli.notices.actions import notify

        user = User.objects.filter(pk=raiser_id, is_active=True).first()
        if user is not None:
            notify(user, kind="general", title=title, body=body, link=link)

    transaction.on_commit(send, robust=True)
