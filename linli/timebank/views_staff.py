"""Community staff's time bank pages: the communities they keep, a community's ledger (award points, reverse a
transfer with a reason), its reward shelf and redemptions, statements for the people who live there.
Thin: reads through linli.timebank.queries, writes through the actions (which check the predicates)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linli.accounts.predicates import (
    can_award_points,
    can_manage_rewards,
    can_read_community_ledger,
)
from linli.core.masking import mask_name
from linli.places.models import Place

from . import queries
from .actions import award_points, reverse_transfer
from .actions_shelf import cancel_redemption, save_reward
from .forms import AwardForm, ReasonForm, RewardForm
from .models import Redemption, Reward, Transfer
from .views import _refused

PAGE_SIZE = 50


def _community(request: HttpRequest, pk: int) -> Place:
    place = get_object_or_404(Place.objects.restrict(request.user).filter(level="community"), pk=pk)
    if not can_read_community_ledger(request.user, place):
        raise Http404
    return place


@login_required
@require_GET
def communities(request: HttpRequest) -> HttpResponse:
    rows = Place.objects.restrict(request.user).filter(level="community").order_by("path")[:500]
    kept = [p for p in rows if can_read_community_ledger(request.user, p)]
    return render(request, "timebank/communities.html", {"communities": kept})


@login_required
@require_GET
def community(request: HttpRequest, pk: int) -> HttpResponse:
    place = _community(request, pk)
    user = request.user
    page = Paginator(queries.community_entries(user, place), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(e, mask_name(e.account.person.name) if e.account.person else "") for e in page]
    people = [(p, mask_name(p.name)) for p in queries.community_people(user, place).order_by("pk")[:200]]
    return render(
        request,
        "timebank/community.html",
        {
            "place": place,
            "page": page,
            "rows": rows,
            "people": people,
            "rewards": queries.community_rewards(user, place),
            "redemptions": [(r, mask_name(r.person.name)) for r in queries.community_redemptions(user, place)[:50]],
            "may_award": can_award_points(user, place),
            "may_shelve": can_manage_rewards(user, place),
            "award_form": AwardForm(),
            "reward_form": RewardForm(),
            "year": timezone.localdate().year,
        },
    )


@login_required
@require_POST
def award(request: HttpRequest, pk: int) -> HttpResponse:
    place = _community(request, pk)
    form = AwardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the points and the reason"))
        return redirect("timebank:community", pk=place.pk)
    person = queries.community_people(request.user, place).filter(pk=form.cleaned_data["person"]).first()
    if person is None:
        raise Http404
    try:
        award_points(
            request.user,
            community=place,
            person=person,
            points=form.cleaned_data["points"],
            memo=form.cleaned_data["memo"],
        )
        messages.success(request, _("Points awarded"))
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect("timebank:community", pk=place.pk)


@login_required
@require_POST
def reward_save(request: HttpRequest, pk: int, reward_pk: int | None = None) -> HttpResponse:
    place = _community(request, pk)
    reward = None
    if reward_pk is not None:
        reward = get_object_or_404(Reward.objects.restrict(request.user, "change"), pk=reward_pk, community=place)
    form = RewardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the reward's name, price and stock"))
        return redirect("timebank:community", pk=place.pk)
    try:
        save_reward(request.user, community=place, reward=reward, **form.cleaned_data)
        messages.success(request, _("The shelf is saved"))
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect("timebank:community", pk=place.pk)


@login_required
@require_POST
def reverse(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(Transfer.objects.restrict(request.user), pk=pk)
    form = ReasonForm(request.POST)
    back = request.POST.get("community", "")
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the transfer is reversed"))
        reverse_transfer(request.user, transfer, form.cleaned_data["reason"])
        messages.success(request, _("Reversed"))
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect("timebank:community", pk=int(back)) if back.isdigit() else redirect("timebank:communities")


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = get_object_or_404(Redemption.objects.restrict(request.user).select_related("reward"), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the redemption is cancelled"))
        cancel_redemption(request.user, redemption, form.cleaned_data["reason"])
        messages.success(request, _("Cancelled: the points are back and the reward is on the shelf again"))
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect("timebank:community", pk=redemption.reward.community_id)
