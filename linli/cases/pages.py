"""What the case page shows, gathered in one place so that the page view and the action views (which show
the page again with a form's errors) render the same thing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.utils import timezone

from linli.accounts.predicates import can_dispatch, is_government_staff
from linli.core.masking import mask_phone

from . import queries
from .choices import CaseState, PhotoStage
from .duplicates import duplicate_candidates
from .models import Case
from .page_actions import REGISTRY, Abilities, PageAction, targets
from .presenting import describe, mask_name, resident_state


@dataclass
class Offer:
    """One action form on the page; `obj` is the return, approval or call it is about, if any."""

    action: PageAction
    form: django_forms.Form
    obj: Any = None
    open: bool = False

    @property
    def key(self) -> str:
        return f"{self.action.name}-{self.obj.pk}" if self.obj is not None else self.action.name


@dataclass
class Bound:
    """The form just posted (with its errors), to show in place of the blank one."""

    name: str
    form: django_forms.Form
    obj_pk: int | None = None


@dataclass
class Reporter:
    name: str
    phone: str
    revealed: bool = False
    may_reveal: bool = False


def offers(user: Any, case: Case, ab: Abilities, bound: Bound | None) -> list[Offer]:
    out: list[Offer] = []
    for action in REGISTRY:
        if not action.offered(ab):
            continue
        objs = list(targets(action, user, case)) if action.target is not None else [None]
        for obj in objs:
            this = bound is not None and bound.name == action.name and bound.obj_pk == getattr(obj, "pk", None)
            form = bound.form if this and bound else action.make(user, case, None, None)
            offer = Offer(action, form, obj, open=this)
            form.auto_id = f"{offer.key}-%s"  # several forms on one page each have a "note": ids stay unique
            out.append(offer)
    return out


def reporter(case: Case, ab: Abilities, revealed: tuple[str, str] | None) -> Reporter:
    if revealed is not None:
        return Reporter(name=revealed[0], phone=revealed[1], revealed=True)
    return Reporter(name=mask_name(case.reporter_name), phone=mask_phone(case.reporter_phone), may_reveal=ab.reveal)


def case_context(
    user: Any, case: Case, *, bound: Bound | None = None, revealed: tuple[str, str] | None = None
) -> dict[str, Any]:
    staff = is_government_staff(user)
    ab = Abilities(user, case)
    events = [line for e in queries.timeline(user, case) if (line := describe(e, staff=staff))]
    photos = list(queries.photos(user, case))
    now = timezone.now()
    context: dict[str, Any] = {
        "case": case,
        "staff": staff,
        "plain_state": resident_state(case),
        "lineage": queries.lineage(case.place),
        "events": events,
        "report_photos": [ph for ph in photos if ph.stage == PhotoStage.REPORT],
        "evidence_photos": [ph for ph in photos if ph.stage == PhotoStage.EVIDENCE],
        "offers": offers(user, case, ab, bound),
        "reporter": reporter(case, ab, revealed) if staff or ab.rate else None,
        "contact_late": bool(case.contact_due and not case.contacted_at and case.contact_due < now),
        "handle_late": bool(case.handle_due and case.is_open and case.handle_due < now and not case.resolved_at),
        "map_data": _map(case),
    }
    if staff:
        from linli.people.linking import reporter_care

        context.update(
            reporter_care=reporter_care(user, case),
            co_units=queries.co_units(user, case),
            returns=queries.returns(user, case),
            approvals=queries.approvals(user, case),
            calls=queries.whistle_calls(user, case),
            duplicates=queries.duplicates_of(user, case),
            decision=case.decision if case.decision_id and can_dispatch(user) else None,
        )
        if ab.dispatch and case.state in (CaseState.SUBMITTED, CaseState.DISPATCHED, CaseState.ACCEPTED):
            context["candidates"] = duplicate_candidates(case, None, None, user)
        if ab.dispatch and case.state in (CaseState.SUBMITTED, CaseState.DISPATCHED):
            from linli.services.matching import is_service_request, match_providers

            if is_service_request(case):  # a service request: the providers matched to it (linli.services)
                context.update(service_request=True, matched=match_providers(case), matched_may_assign=True)
    else:
        # The resident reads approvals' outcome (DESIGN §4: extensions are visible to the resident).
        context["approvals"] = queries.approvals(user, case)
    return context


def _map(case: Case) -> dict[str, Any] | None:
    """For static/linli/cases-map.js, through json_script: the reported point and the outline of the nearest
    place (the case's own or an ancestor's) that has one, so the point is seen within its grid."""
    from linli.places.models import Place

    outline = case.place.geometry
    if not outline:
        holder = Place.objects.filter(pk__in=case.place.ancestor_ids, geometry__isnull=False).order_by("-depth")
        outline = holder.values_list("geometry", flat=True).first()
    point = [case.longitude, case.latitude] if case.longitude is not None and case.latitude is not None else None
    if point is None and not outline:
        return None
    return {"point": point, "geometry": outline}
