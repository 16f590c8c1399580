"""Every write of the reverse assessment (反向考核), and the record of a report's download. Each action is
atomic, checks its named predicate, and leaves exactly one audit event; a refusal leaves nothing."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_answer_survey, can_open_survey, can_rate_exchange, can_read_unit_report
from linli.cases.choices import Rating
from linli.cases.models import Case
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text
from linli.orgs.models import Unit
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .exchanges import exchange_kinds, rated_candidates, rater_units
from .models_reverse import RATED_KIND, ExchangeKind, ExchangeRating, RaterKind, ReverseSurvey, SurveyAnswer
from .reverse import SCORE_MAX, SCORE_MIN, answer_score

MAX_QUESTIONS = 10
QUESTION_LENGTH = 60
COMMENT_LENGTH = 500
MAX_MONTHS = 12
GRACE_DAYS = 10  # answers are taken this many days past the period's end unless the opener says otherwise


def _comment(text: str) -> str:
    text = (text or "").strip()
    if len(text) > COMMENT_LENGTH:
        raise ValidationError({"comment": _("At most %(n)d characters") % {"n": COMMENT_LENGTH}})
    try:
        return check_plain_text(text)
    except ValidationError as error:
        raise ValidationError({"comment": error.messages}) from None


@transaction.atomic
def rate_exchange(
    actor: Any, *, case: Case, rated_unit: Unit, kind: str, score: str, comment: str = ""
) -> ExchangeRating:
    """A community rates its street office, or a street a department, on one thing they exchanged on a case."""
    if kind not in ExchangeKind.values:
        raise ValidationError({"kind": _("Pick what was exchanged")})
    if score not in Rating.values:
        raise ValidationError({"score": _("Pick satisfied, basically satisfied or unsatisfied")})
    case = Case.objects.select_for_update(of=("self",)).select_related("place").get(pk=case.pk)
    if not can_rate_exchange(actor, case, rated_unit):
        raise PermissionDenied(_("Your unit exchanged nothing with this unit on this case"))
    rater, kinds = exchange_kinds(actor, case, rated_unit)
    if rater is None or kind not in kinds:
        raise ValidationError(
            {
                "kind": _("Your unit exchanged no %(what)s with this unit on this case")
                % {"what": ExchangeKind(kind).label}
            }
        )
    text = _comment(comment)
    if ExchangeRating.objects.filter(rater_unit=rater, rated_unit=rated_unit, case=case, kind=kind).exists():
        raise ValidationError(_("Your unit has rated this already"))
    try:
        with transaction.atomic():
            rating = ExchangeRating.objects.create(
                rater_unit=rater,
                rated_unit=rated_unit,
                case=case,
                kind=kind,
                score=score,
                comment=text,
                rated_by=actor,
                at=timezone.now(),
            )
    except IntegrityError:  # a colleague rated it in the same moment
        raise ValidationError(_("Your unit has rated this already")) from None
    audit.record(
        AuditAction.REVERSE_RATED,
        actor=actor,
        target=rating,
        data={"case": case.number, "kind": kind, "score": score, "rater_unit": rater.pk, "rated_unit": rated_unit.pk},
    )
    return rating


def _questions(rows: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Typed (text, weight) rows → the stored list; blank rows are skipped, everything else must be right."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for text, weight in rows:
        text = (text or "").strip()
        if not text and not str(weight or "").strip():
            continue
        if not text:
            raise ValidationError({"questions": _("Each weight needs its question")})
        if len(text) > QUESTION_LENGTH:
            raise ValidationError({"questions": _("A question is at most %(n)d characters") % {"n": QUESTION_LENGTH}})
        try:
            check_plain_text(text)
            value = Decimal(str(weight).strip())
        except ValidationError as error:
            raise ValidationError({"questions": error.messages}) from None
        except InvalidOperation:
            raise ValidationError({"questions": _("Weight of “%(q)s” is not a number") % {"q": text}}) from None
        if not value.is_finite() or not Decimal(0) < value <= Decimal(100):
            raise ValidationError({"questions": _("Weight of “%(q)s” must be above 0 and at most 100") % {"q": text}})
        if text in seen:
            raise ValidationError({"questions": _("“%(q)s” is asked twice") % {"q": text}})
        seen.add(text)
        out.append({"key": f"q{len(out) + 1}", "text": text, "weight": float(value)})
    if not out:
        raise ValidationError({"questions": _("Ask at least one question")})
    if len(out) > MAX_QUESTIONS:
        raise ValidationError({"questions": _("At most %(n)d questions") % {"n": MAX_QUESTIONS}})
    return out


@transaction.atomic
def open_survey(
    actor: Any,
    *,
    district: Place,
    period: datetime.date,
    rater_kind: str,
    questions: Sequence[tuple[str, Any]],
    months: int = 1,
    closes_on: datetime.date | None = None,
) -> ReverseSurvey:
    """District command opens a period's survey (or changes its questions while nobody has answered yet)."""
    if not can_open_survey(actor, district):
        raise PermissionDenied(_("You may not open a survey for this district"))
    if district.level != PlaceLevel.DISTRICT:
        raise ValidationError({"district": _("Pick a district")})
    if rater_kind not in RaterKind.values:
        raise ValidationError({"rater_kind": _("Pick who rates whom")})
    if not 1 <= months <= MAX_MONTHS:
        raise ValidationError({"months": _("A period is 1 to %(n)d months") % {"n": MAX_MONTHS}})
    listed = _questions(questions)
    start = period.replace(day=1)
    survey = (
        ReverseSurvey.objects.select_for_update().filter(district=district, period=start, rater_kind=rater_kind).first()
    )
    reopened = survey is not None
    if survey is None:
        survey = ReverseSurvey(district=district, period=start, rater_kind=rater_kind)
    elif survey.answers.exists():
        raise ValidationError(_("This survey has answers already: its questions can no longer change"))
    survey.months, survey.rated_kind, survey.questions = months, RATED_KIND[rater_kind], listed
    survey.closes_on = closes_on or survey.period_end + datetime.timedelta(days=GRACE_DAYS)
    if survey.closes_on < start:
        raise ValidationError({"closes_on": _("Answers must be taken at least until the period starts")})
    survey.opened_by, survey.opened_at = actor, timezone.now()
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError:
        raise ValidationError(_("This survey was opened by someone else just now; reload the page")) from None
    audit.record(
        AuditAction.SURVEY_OPENED,
        actor=actor,
        target=survey,
        data={
            "period": f"{start:%Y-%m}",
            "months": months,
            "rater_kind": rater_kind,
            "questions": len(listed),
            "changed": reopened,
        },
    )
    return survey


def _rater_for_survey(actor: Any, survey: ReverseSurvey, rated_unit: Unit) -> Unit | None:
    for rater in rater_units(actor).filter(kind=survey.rater_kind):
        in_district = rater.jurisdiction.filter(path__startswith=survey.district.path).exists()
        if in_district and rated_candidates(rater).filter(pk=rated_unit.pk).exists():
            return rater
    return None


def _scores(survey: ReverseSurvey, scores: Mapping[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for q in survey.questions:
        raw = str(scores.get(q["key"], "")).strip()
        if not (raw.isascii() and raw.isdigit() and SCORE_MIN <= int(raw) <= SCORE_MAX):
            raise ValidationError(
                {
                    q["key"]: _("Score “%(q)s” from %(low)d to %(high)d")
                    % {"q": q["text"], "low": SCORE_MIN, "high": SCORE_MAX}
                }
            )
        out[q["key"]] = int(raw)
    return out


@transaction.atomic
def answer_survey(
    actor: Any, *, survey: ReverseSurvey, rated_unit: Unit, scores: Mapping[str, Any], comment: str = ""
) -> SurveyAnswer:
    """A community answers about its street office, or a street about a department: once per period."""
    survey = ReverseSurvey.objects.select_for_update().select_related("district").get(pk=survey.pk)
    if not can_answer_survey(actor, rated_unit):
        raise PermissionDenied(_("Your unit does not rate this unit"))
    rater = _rater_for_survey(actor, survey, rated_unit)
    if rater is None:
        raise PermissionDenied(_("This survey is not for your unit"))
    if not survey.is_open(timezone.localdate()):
        raise ValidationError(
            _("This survey takes answers from %(start)s to %(end)s") % {"start": survey.period, "end": survey.closes_on}
        )
    given = _scores(survey, scores)
    text = _comment(comment)
    if SurveyAnswer.objects.filter(rater_unit=rater, rated_unit=rated_unit, period=survey.period).exists():
        raise ValidationError(_("Your unit has answered about this unit for this period already"))
    try:
        with transaction.atomic():
            answer = SurveyAnswer.objects.create(
                survey=survey,
                rater_unit=rater,
                rated_unit=rated_unit,
                period=survey.period,
                scores=given,
                score=answer_score(survey.questions, given),
                comment=text,
                answered_by=actor,
                at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(_("Your unit has answered about this unit for this period already")) from None
    audit.record(
        AuditAction.SURVEY_ANSWERED,
        actor=actor,
        target=answer,
        data={"survey": survey.pk, "rater_unit": rater.pk, "rated_unit": rated_unit.pk, "score": answer.score},
    )
    return answer


def record_report_export(actor: Any, unit: Unit, month: datetime.date, fmt: str) -> None:
    """One audit event per download of a unit's monthly report."""
    if not can_read_unit_report(actor, unit):
        raise PermissionDenied(_("You may not download this report"))
    audit.record(AuditAction.REPORT_EXPORTED, actor=actor, target=unit, data={"month": f"{month:%Y-%m}", "format": fmt})
