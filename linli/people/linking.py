"""Who in the registry reported a case (issue 17 item 5): the current person whose phone is the reporter's,
matched on the keyed digests, so nothing is decrypted to link.

A number several current people share (a family's, an elder reached on a child's mobile) links to the one of
them who heads a household, if exactly one does, and otherwise to nobody: a wrong person's care tags on a
case are worse than none. The link is made when a case has been routed after intake (linli.cases.tasks),
again for a person's open cases when they are registered or their phone changes (actions.registry), and in
bulk for the demo's history (`link_all`).

The case page shows a linked reporter's care tags in force to those who must reach or visit the person
(predicates.can_see_reporter_care_tags), and to other staff only that tags exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from linli.accounts.predicates import can_see_reporter_care_tags
from linli.cases.choices import CaseState

from .choices import CareTagKind, Relation
from .models import CareTag, HouseholdMember, Person

CLOSED_STATES = (CaseState.CLOSED, CaseState.INVALID, CaseState.MERGED)  # as Case.is_open reads them


def _pick(people: list[int], heads: set[int]) -> int | None:
    if len(people) == 1:
        return people[0]
    chosen = [pk for pk in people if pk in heads]
    return chosen[0] if len(chosen) == 1 else None


def _heads(people: Iterable[int]) -> set[int]:
    members = HouseholdMember.objects.filter(person_id__in=list(people), relation=Relation.HEAD, left_on__isnull=True)
    return set(members.values_list("person_id", flat=True))


def person_for(phone_digest: str | None) -> int | None:
    """The current person behind a phone digest, by the rule above (None: nobody, or no one to pick)."""
    if not phone_digest:
        return None
    people = list(Person.objects.current().filter(phone_digest=phone_digest).values_list("pk", flat=True)[:100])
    if len(people) > 1:
        return _pick(people, _heads(people))
    return people[0] if people else None


def link_reporter(case: Any) -> int | None:
    """Set the case's reporter_person from the reporter's phone (the case's, else the reporting account's);
    returns the person's id. Only the link column is written."""
    from linli.accounts.models import User
    from linli.cases.models import Case

    found = person_for(case.reporter_phone_digest)
    if found is None and case.reporter_id:
        account = User.objects.filter(pk=case.reporter_id).values_list("phone_digest", flat=True).first()
        found = person_for(account)
    if found != case.reporter_person_id:
        Case.objects.filter(pk=case.pk).update(reporter_person_id=found)
        case.reporter_person_id = found
    return found


def link_person_cases(person_id: int, previous_phone_digest: str | None = None) -> int:
    """Link again the open cases reported from this person's phone (and from their previous one, which may
    now be someone else's alone) or linked to them now: after a registration, a changed phone, a move out.
    Returns how many cases were looked at."""
    from linli.cases.models import Case

    person = Person.objects.filter(pk=person_id).only("phone_digest").first()
    if person is None:
        return 0
    wanted = Q(reporter_person_id=person_id)
    for phone_digest in {person.phone_digest, previous_phone_digest} - {None, ""}:
        wanted |= Q(reporter_phone_digest=phone_digest) | Q(reporter__phone_digest=phone_digest)
    cases = Case.objects.filter(wanted).exclude(state__in=CLOSED_STATES)
    cases = cases.only("pk", "reporter_phone_digest", "reporter_id", "reporter_person_id")
    count = 0
    for case in cases.iterator(chunk_size=200):
        link_reporter(case)
        count += 1
    return count


def link_all() -> int:
    """Link every unlinked case whose reporter's phone is a current person's (the demo history, written in
    bulk): the same rule as link_reporter, in a handful of queries. Returns how many cases were linked."""
    from linli.accounts.models import User
    from linli.cases.models import Case

    by_digest: dict[str, list[int]] = defaultdict(list)
    for pk, phone_digest in Person.objects.current().exclude(phone_digest=None).values_list("pk", "phone_digest"):
        if phone_digest:
            by_digest[phone_digest].append(pk)
    shared = {pk for people in by_digest.values() if len(people) > 1 for pk in people}
    heads = _heads(shared) if shared else set()
    chosen: dict[str, int] = {}
    for phone_digest, people in by_digest.items():
        if (person := _pick(people, heads)) is not None:
            chosen[phone_digest] = person
    accounts = dict(User.objects.exclude(phone_digest=None).values_list("pk", "phone_digest"))
    links = []
    unlinked = Case.objects.filter(reporter_person__isnull=True)
    for pk, phone_digest, reporter_id in unlinked.values_list("pk", "reporter_phone_digest", "reporter_id"):
        found = chosen.get(phone_digest) or chosen.get(accounts.get(reporter_id) or "")
        if found is not None:
            links.append(Case(pk=pk, reporter_person_id=found))
    Case.objects.bulk_update(links, ["reporter_person"], batch_size=500)
    return len(links)


@dataclass(frozen=True)
class ReporterCare:
    """What the case page says of a linked reporter's care tags: their names, or only that there are some."""

    tags: tuple[str, ...]
    masked: bool


def reporter_care(user: Any, case: Any) -> ReporterCare | None:
    """The linked reporter's care tags in force, for the case page (one query; None: nothing to show)."""
    if not getattr(case, "reporter_person_id", None):
        return None
    today = timezone.localdate()
    in_force = CareTag.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        person_id=case.reporter_person_id,
        person__left_on__isnull=True,
        valid_from__lte=today,
    )
    found = set(in_force.values_list("tag", flat=True))
    if not found:
        return None
    if not can_see_reporter_care_tags(user, case):
        return ReporterCare((), masked=True)
    return ReporterCare(tuple(str(kind.label) for kind in CareTagKind if kind in found), masked=False)
