"""`manage.py verify_timelines` catches tampering done behind the actions' back (a queryset update, raw SQL),
and the anchor task writes the case chains' digest onto the global audit chain without breaking it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from linli.cases import actions
from linli.cases.models import Case, CaseEvent
from linli.cases.tasks import anchor_timelines
from linli.core.audit import verify_chain
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent

from .conftest import submit

pytestmark = pytest.mark.django_db


def two_cases(world: Any, people: dict[str, Any]) -> tuple[Case, Case]:
    first = submit(world, people["resident"])
    second = submit(world, people["resident"], "楼道灯坏了好几天，晚上看不见路")
    second = actions.dispatch_case(people["dispatcher"], second, unit=world.units["dept_a"])
    return first, second


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_timelines", *args, stdout=out)
    return out.getvalue()


def failure(*args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command("verify_timelines", *args, stdout=io.StringIO())
    assert caught.value.returncode == 1
    return caught.value


def test_whole_chains_pass_and_are_counted(world: Any, people: dict[str, Any]) -> None:
    _, second = two_cases(world, people)
    assert "2 chain(s) checked" in verify()
    assert "1 chain(s) checked" in verify("--case", second.number)
    assert "1 chain(s) checked" in verify("--case", str(second.pk))
    with pytest.raises(CommandError, match="no case"):
        call_command("verify_timelines", "--case", "202601010999999999", stdout=io.StringIO())


def test_queryset_update_is_named(world: Any, people: dict[str, Any]) -> None:
    first, second = two_cases(world, people)
    # The ORM's .update() skips CaseEvent.save()'s append-only guard: exactly what an intruder would use.
    CaseEvent.objects.filter(case=second, seq=2).update(actor_label="街道办事处")
    message = str(failure())
    assert f"case {second.number}" in message and "event #2" in message and "does not match its hash" in message
    assert "1 chain(s) checked" in verify("--case", first.number)  # the other case is untouched
    assert f"case {second.number}" in str(failure("--case", second.number))


def test_raw_sql_is_named(world: Any, people: dict[str, Any]) -> None:
    first, _ = two_cases(world, people)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CaseEvent._meta.db_table} SET kind = %s WHERE case_id = %s AND seq = %s",  # noqa: S608
            ["rated", first.pk, 1],
        )
    message = str(failure())
    assert f"case {first.number}" in message and "event #1" in message


def test_deleted_event_and_moved_head_are_named(world: Any, people: dict[str, Any]) -> None:
    first, second = two_cases(world, people)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CaseEvent._meta.db_table} WHERE case_id = %s AND seq = 1", [second.pk])  # noqa: S608
    assert "event #1 is missing" in str(failure("--case", second.number))
    Case.objects.filter(pk=first.pk).update(last_hash="f" * 64)
    message = str(failure("--case", first.number))
    assert f"case {first.number}" in message and "its head" in message


def test_anchor_writes_the_digest_on_the_audit_chain(world: Any, people: dict[str, Any]) -> None:
    _first, second = two_cases(world, people)
    data = anchor_timelines.call()
    assert data["cases"] == 2 and len(str(data["digest"])) == 64
    anchors = AuditEvent.objects.filter(action=AuditAction.CASE_CHAINS_ANCHORED)
    assert anchors.count() == 1 and anchors.get().data["digest"] == data["digest"]
    assert verify_chain() is None
    # Nothing grew since: no second anchor. One case grows: the next anchor covers that case only.
    assert anchor_timelines.call()["cases"] == 0 and anchors.count() == 1
    actions.accept(people["handler"], second)
    assert anchor_timelines.call()["cases"] == 1 and anchors.count() == 2
    assert verify_chain() is None
