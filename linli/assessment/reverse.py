"""The reverse assessment's figures (反向考核, DESIGN §6), per rated unit and period:

- survey score = the mean over the period's survey answers of each answer's weighted mean of its 1–5 scores,
  normalised to 0–100 ((mean − 1) ÷ 4 × 100); each answer keeps its own score as its survey weighed it;
- exchange satisfaction = (满意 + k × 基本满意) ÷ exchange ratings, k the scheme's (as for the 满意率).

`reverse_scores` is what the ranking pages show as a column: two aggregate queries (and the scheme's row).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .indicators import scheme_on
from .models_reverse import ExchangeRating, SurveyAnswer

SCORE_MIN, SCORE_MAX = 1, 5
SURVEY_FORMULA = _("mean over the answers of Σ(weight × score) ÷ Σ weight, scores 1–5, as (mean − 1) ÷ 4 × 100")
EXCHANGE_FORMULA = _("(satisfied + k × basically satisfied) ÷ exchanges rated")


def answer_score(questions: Sequence[Mapping[str, Any]], scores: Mapping[str, int]) -> float:
    """One answer's weighted mean of its 1–5 scores, normalised to 0–100."""
    total = sum(float(q["weight"]) for q in questions)
    if not total:
        raise ValueError("a survey without weights")
    mean = sum(float(q["weight"]) * scores[q["key"]] for q in questions) / total
    return round((mean - SCORE_MIN) / (SCORE_MAX - SCORE_MIN) * 100, 2)


@dataclass(frozen=True)
class ReverseScore:
    unit_id: int
    survey_score: float | None  # 0–100, None without answers
    answers: int
    rated: int
    satisfied: int
    basic: int
    unsatisfied: int
    basic_factor: float

    @property
    def satisfaction(self) -> float | None:
        """Exchange satisfaction rate, 0–1."""
        return (self.satisfied + self.basic_factor * self.basic) / self.rated if self.rated else None

    @property
    def satisfaction_text(self) -> str:
        return "—" if self.satisfaction is None else f"{self.satisfaction * 100:.1f}%"

    @property
    def satisfaction_numerator(self) -> float:
        return self.satisfied + self.basic_factor * self.basic


def day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The local moments from the start of `start` to the start of the day after `end`."""
    zone = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return low, high


def reverse_scores(
    unit_ids: Iterable[int], start: datetime.date, end: datetime.date, *, user: Any = None
) -> dict[int, ReverseScore]:
    """Reverse-assessment figures per rated unit over start..end (inclusive): survey answers of the periods
    starting in it, exchange ratings given in it; every unit asked for, empty where nothing. With `user`,
    only what that user may read counts."""
    wanted = list(unit_ids)
    answers = SurveyAnswer.objects.all() if user is None else SurveyAnswer.objects.restrict(user)
    ratings = ExchangeRating.objects.all() if user is None else ExchangeRating.objects.restrict(user)
    low, high = day_bounds(start, end)
    surveyed: Any = (
        answers.filter(rated_unit_id__in=wanted, period__gte=start, period__lte=end)
        .values("rated_unit_id")
        .annotate(mean=Avg("score"), n=Count("pk"))
        .order_by()
    )
    exchanged: Any = (
        ratings.filter(rated_unit_id__in=wanted, at__gte=low, at__lt=high)
        .values("rated_unit_id")
        .annotate(
            n=Count("pk"),
            satisfied=Count("pk", filter=Q(score="satisfied")),
            basic=Count("pk", filter=Q(score="basic")),
            unsatisfied=Count("pk", filter=Q(score="unsatisfied")),
        )
        .order_by()
    )
    by_survey = {row["rated_unit_id"]: row for row in surveyed}
    by_exchange = {row["rated_unit_id"]: row for row in exchanged}
    k = float(scheme_on(end).basic)
    out = {}
    for pk in wanted:
        s, e = by_survey.get(pk, {}), by_exchange.get(pk, {})
        mean = s.get("mean")
        out[pk] = ReverseScore(
            unit_id=pk,
            survey_score=round(float(mean), 1) if mean is not None else None,
            answers=int(s.get("n", 0)),
            rated=int(e.get("n", 0)),
            satisfied=int(e.get("satisfied", 0)),
            basic=int(e.get("basic", 0)),
            unsatisfied=int(e.get("unsatisfied", 0)),
            basic_factor=k,
        )
    return out


def question_means(
    answers: Iterable[Any], questions: Sequence[Mapping[str, Any]]
) -> list[tuple[str, float, float | None]]:
    """Per question of one survey: (text, weight, mean 1–5 over `answers`), for a results page."""
    rows = list(answers)
    out = []
    for q in questions:
        given = [a.scores[q["key"]] for a in rows if q["key"] in a.scores]
        out.append((q["text"], float(q["weight"]), sum(given) / len(given) if given else None))
    return out
