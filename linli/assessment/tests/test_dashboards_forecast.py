"""The dashboards' forecast: its error is measured on the past weeks (rolling origins, up to four weeks ahead),
the model with the smallest error is used, and the weekly counts are the area's own."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from linli.assessment import dashboards_forecast as f
from linli.assessment.dashboards import area_of
from linli.assessment.models import PlaceDayStat

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)  # a Wednesday: the week of 2026-11-23 is the current, unfinished one


def test_the_error_is_computed_on_the_past_by_hand() -> None:
    # Origins 1..4 (at most 8 back); each predicts up to 4 weeks within the series, from the weeks before it:
    # [4]→4,4,4 vs 4,4,4 and 8 (one miss of 4), [4,4]→ one miss, [4,4,4]→ one miss, [4,4,4,4]→ one miss.
    result = f.backtest([4, 4, 4, 4, 8], f.average)
    assert result.pairs == 10 and result.mae == pytest.approx(16 / 10) and result.mape == pytest.approx(2 / 10)
    none = f.backtest([0, 0, 0], f.average)
    assert none.mae == 0 and none.mape is None  # no week had requests: no relative error to take


def test_a_straight_line_is_forecast_by_the_trend_without_error() -> None:
    line = [float(2 * i) for i in range(20)]
    assert f.backtest(line, f.trend).mae == pytest.approx(0, abs=1e-9)
    assert (f.backtest(line, f.average).mae or 0) > 1
    assert f.trend(line, 4) == pytest.approx([40, 42, 44, 46])
    assert f.trend([9.0, 5.0, 1.0], 3) == [0.0, 0.0, 0.0]  # a falling line stops at zero


def _weekly(grid: Any, counts: list[int], category: str) -> None:
    """Rows on the Tuesday of each of the weeks before TODAY's, oldest first."""
    this_monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    for back, n in enumerate(reversed(counts), start=1):
        day = this_monday - datetime.timedelta(weeks=back) + datetime.timedelta(days=1)
        PlaceDayStat.objects.create(place=grid, day=day, category=category, cases=n)


def test_the_forecast_reads_the_areas_weeks_and_picks_the_best_model(world: Any, people: dict[str, Any]) -> None:
    grid_a, grid_b = world.places["110101001001001"], world.places["110101002001001"]
    _weekly(grid_a, [10 + i for i in range(20)], "城乡建设")  # rising by one a week
    _weekly(grid_a, [5] * 20, "交通运输")  # flat
    _weekly(grid_b, [100] * 20, "环境保护")  # another street's
    this_monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    PlaceDayStat.objects.create(place=grid_a, day=this_monday, category="交通运输", cases=50)  # this week: not yet
    result = f.forecast(people["dispatcher"], area_of(world.places["110101001000"]), TODAY)
    assert result.weeks[-1] == this_monday - datetime.timedelta(weeks=1) and len(result.weeks) == f.HISTORY_WEEKS
    assert result.ahead[0] == this_monday and len(result.ahead) == f.HORIZON
    by_class = {c.category: c for c in result.classes}
    assert set(by_class) == {"城乡建设", "交通运输"}  # street B's class is not street A's
    rising, flat = by_class["城乡建设"], by_class["交通运输"]
    assert rising.history[-3:] == [27, 28, 29] and rising.model == "trend"
    assert rising.forecast == pytest.approx([30, 31, 32, 33]) and rising.error.mae == pytest.approx(0, abs=1e-6)
    assert flat.forecast == [5, 5, 5, 5] and flat.error.mae == 0 and flat.history[-1] == 5
    chart = f.chart_data(result)
    assert len(chart["weeks"]) == f.SHOWN_WEEKS + f.HORIZON
    line = next(x for x in chart["lines"] if x["label"] == rising.label)
    assert line["forecast"][f.SHOWN_WEEKS - 1] == 29 and line["history"][-1] is None  # the lines join


def test_the_forecast_fragment_shows_the_error_beside_each_class(
    client: Any, world: Any, people: dict[str, Any]
) -> None:
    grid_a = world.places["110101001001001"]
    today = timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    for back in range(1, 13):
        PlaceDayStat.objects.create(
            place=grid_a, day=this_monday - datetime.timedelta(weeks=back), category="城乡建设", cases=back % 3
        )
    client.force_login(people["dispatcher"])
    response = client.get(f"/assessment/dashboards/{world.places['110101001000'].pk}/forecast/")
    page = response.content.decode()
    assert (
        response.status_code == 200 and 'id="forecast-table"' in page and 'data-chart="forecast" data-values="{' in page
    )
    (row,) = response.context["result"].classes
    assert row.error.pairs > 0 and row.error.mae is not None and f"{row.error.mae:.1f}" in page
