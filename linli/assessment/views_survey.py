"""The reverse assessment's survey pages (反向考核 问卷) and its results: district command opens a period's
survey; a community answers about its street office, a street about each department over it; the results show
per rated unit and period the survey score (0–100) and the exchange satisfaction rate. Every read starts from
`restrict`; every write is an action of linli.assessment.actions_reverse."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linli.accounts.membership import member_units
from linli.accounts.predicates import can_answer_survey, can_open_survey, can_rate_reverse, is_government_staff
from linli.accounts.scopes import scope_of
from linli.orgs.models import Unit
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .actions_reverse import answer_survey, open_survey
from .exchanges import rated_candidates, rater_units
from .forms_reverse import AnswerForm, OpenSurveyForm
from .models_reverse import ExchangeRating, ReverseSurvey, SurveyAnswer
from .reports import REPORT_KINDS, district_of, month_end, parse_month
from .reverse import EXCHANGE_FORMULA, SURVEY_FORMULA, day_bounds, question_means, reverse_scores

SURVEYS_SHOWN = 12
RATINGS_SHOWN = 50


def _digits(text: str) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() else None


@login_required
@require_GET
def surveys(request: HttpRequest) -> HttpResponse:
    """For a rater: the surveys of its district and what is left to answer; for district command: the surveys
    it opened, with their answer counts."""
    user = request.user
    may_open = can_open_survey(user)
    if not (can_rate_reverse(user) or may_open):
        raise PermissionDenied
    today = timezone.localdate()
    blocks = []
    for rater in rater_units(user) if can_rate_reverse(user) else []:
        district = district_of(rater)
        found = ReverseSurvey.objects.restrict(user).filter(rater_kind=rater.kind, district=district)
        open_now = [s for s in found.order_by("-period")[:SURVEYS_SHOWN] if s.is_open(today)]
        items = []
        for survey in open_now:
            answered = set(
                SurveyAnswer.objects.restrict(user)
                .filter(rater_unit=rater, period=survey.period)
                .values_list("rated_unit_id", flat=True)
            )
            items.append((survey, [(unit, unit.pk in answered) for unit in rated_candidates(rater)]))
        blocks.append((rater, items))
    opened: list[Any] = []
    if may_open:
        opened = list(
            ReverseSurvey.objects.restrict(user)
            .select_related("district")
            .annotate(n=Count("answers"))
            .order_by("-period", "rater_kind")[:SURVEYS_SHOWN]
        )
    context = {"blocks": blocks, "opened": opened, "may_open": may_open, "today": today}
    return render(request, "assessment/reverse/surveys.html", context)


@login_required
def answer(request: HttpRequest, pk: int, unit: int) -> HttpResponse:
    """The survey form about one rated unit: a 1–5 score per question and a comment; one answer per period."""
    survey = ReverseSurvey.objects.restrict(request.user).filter(pk=pk).select_related("district").first()
    rated = Unit.objects.filter(pk=unit, is_active=True).first()
    if survey is None or rated is None:
        raise Http404
    if not can_answer_survey(request.user, rated):
        raise PermissionDenied
    form = AnswerForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        scores = {q["key"]: form.cleaned_data[q["key"]] for q in survey.questions}
        try:
            answer_survey(
                request.user, survey=survey, rated_unit=rated, scores=scores, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            form.take_errors(error)
        else:
            messages.success(request, _("Your answer about %(unit)s is saved.") % {"unit": rated.name})
            return redirect("assessment:reverse_surveys")
    context = {"survey": survey, "rated": rated, "form": form}
    return render(request, "assessment/reverse/answer.html", context)


def _districts(user: Any) -> list[tuple[int, str]]:
    places = Place.objects.restrict(user).filter(level=PlaceLevel.DISTRICT).order_by("code")
    return [(p.pk, p.name) for p in places if can_open_survey(user, p)]


@login_required
def open_form(request: HttpRequest) -> HttpResponse:
    """District command opens a period's survey, or changes its questions until the first answer."""
    if not can_open_survey(request.user):
        raise PermissionDenied
    districts = _districts(request.user)
    initial = {"period": f"{timezone.localdate():%Y-%m}"}
    form = OpenSurveyForm(request.POST or None, districts=districts, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        district = Place.objects.restrict(request.user).filter(pk=int(data["district"])).first()
        if district is None:
            raise Http404
        try:
            survey = open_survey(
                request.user,
                district=district,
                period=data["period"],
                rater_kind=data["rater_kind"],
                questions=form.typed_questions(),
                months=data["months"],
                closes_on=data["closes_on"],
            )
        except ValidationError as error:
            for name, errors in getattr(error, "error_dict", {None: error.error_list}).items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            text = _("Survey for %(period)s opened: %(who)s, answers until %(until)s.") % {
                "period": f"{survey.period:%Y-%m}",
                "who": survey.get_rater_kind_display(),
                "until": survey.closes_on,
            }
            messages.success(request, text)
            return redirect("assessment:reverse_surveys")
    return render(request, "assessment/reverse/open.html", {"form": form})


def _result_units(user: Any, start: Any, end: Any) -> list[Unit]:
    """Rated units the user may see results of in the month: its own street office or department, those its
    readable ratings and answers name, and for district command every street office and department of its
    district."""

    low, high = day_bounds(start, end)
    ids = set(
        ExchangeRating.objects.restrict(user).filter(at__gte=low, at__lt=high).values_list("rated_unit_id", flat=True)
    )
    ids |= set(
        SurveyAnswer.objects.restrict(user)
        .filter(period__gte=start, period__lte=end)
        .values_list("rated_unit_id", flat=True)
    )
    if can_open_survey(user):
        ids |= set(Unit.objects.restrict(user).filter(kind__in=REPORT_KINDS).values_list("pk", flat=True))
    own = member_units(scope_of(user))
    if own is not None:
        ids |= set(Unit.objects.filter(own, kind__in=REPORT_KINDS).values_list("pk", flat=True))
    return list(Unit.objects.filter(pk__in=ids).order_by("kind", "code"))


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """Per rated unit, the month's survey score and exchange satisfaction, from what the user may read; with
    ?unit=, that unit's per-question means and its exchange ratings."""
    if not is_government_staff(request.user):
        raise PermissionDenied
    month = parse_month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    end = month_end(month)
    units = _result_units(request.user, month, end)
    scores = reverse_scores([u.pk for u in units], month, end, user=request.user)
    rows = [(u, scores[u.pk]) for u in units]
    chosen = None
    detail: dict[str, Any] = {}
    wanted = _digits(request.GET.get("unit", ""))
    if wanted is not None:
        chosen = next((u for u in units if u.pk == wanted), None)
        if chosen is None:
            raise Http404
        detail = _detail(request.user, chosen, month, end)
    context = {
        "month": month,
        "rows": rows,
        "chosen": chosen,
        "survey_formula": SURVEY_FORMULA,
        "exchange_formula": EXCHANGE_FORMULA,
        "base": reverse("assessment:reverse_results"),
        **detail,
    }
    return render(request, "assessment/reverse/results.html", context)


def _detail(user: Any, unit: Unit, start: Any, end: Any) -> dict[str, Any]:
    answers = list(
        SurveyAnswer.objects.restrict(user)
        .filter(rated_unit=unit, period__gte=start, period__lte=end)
        .select_related("survey", "rater_unit")
    )
    by_survey: dict[int, list[SurveyAnswer]] = {}
    for a in answers:
        by_survey.setdefault(a.survey_id, []).append(a)
    means = [(group[0].survey, question_means(group, group[0].survey.questions)) for group in by_survey.values()]
    low, high = day_bounds(start, end)
    ratings = list(
        ExchangeRating.objects.restrict(user)
        .filter(rated_unit=unit, at__gte=low, at__lt=high)
        .select_related("rater_unit", "case")
        .order_by("-at")[:RATINGS_SHOWN]
    )
    return {"means": means, "answers": answers, "ratings": ratings}
