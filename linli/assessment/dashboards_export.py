"""A dashboard's data as one Excel workbook, one sheet per chart, every cell through
linli.core.tabular.neutralise_cell (a class, a place or a request text starting with "=" stays text).

Only figures and masked sample texts leave this way: the lists of late cases are not exported (the case
search's own export, with its audit, is the door for cases)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from linli.core.tabular import neutralise_cell

from . import dashboards as d
from .dashboards_forecast import forecast
from .dashboards_recurring import recurring
from .indicators import RATES


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _sheet(book: Workbook, title: str, columns: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    sheet = book.create_sheet(title=str(title)[:31])
    sheet.append([neutralise_cell(str(c)) for c in columns])
    for row in rows:
        sheet.append(["" if v is None else neutralise_cell(v) for v in row])


def _rate_label(key: str) -> str:
    return str(next(r[1] for r in RATES if r[0] == key))


def workbook(user: Any, area: d.Area, period: d.Period, today: datetime.date) -> bytes:
    ov = d.overview(user, area, period)
    book = Workbook(write_only=True)
    _sheet(
        book,
        _("Overview"),
        [_("Indicator"), _("Value"), _("Numerator"), _("Denominator"), _("Formula")],
        (
            [
                str(t["label"]),
                _percent(t["value"]) if t["kind"] == "rate" else (round(t["value"], 1) if t["value"] else t["value"]),
                t.get("numerator"),
                t.get("denominator"),
                str(t["formula"]) + (" (%)" if t["kind"] == "rate" else ""),
            ]
            for t in d.tiles(ov.total)
        ),
    )
    _sheet(
        book,
        _("Trend"),
        [_("Week of"), _("Cases"), *(f"{_rate_label(k)} (%)" for k in ("response", "resolution", "satisfaction"))],
        (
            [w["week"], w["volume"], _percent(w["response"]), _percent(w["resolution"]), _percent(w["satisfaction"])]
            for w in d.trend(user, area, period)
        ),
    )
    _sheet(
        book,
        _("Classes"),
        [_("Class"), _("Cases"), _("Rated"), f"{_rate_label('satisfaction')} (%)"],
        ([c["label"], c["volume"], c["rated"], _percent(c["satisfaction"])] for c in d.category_series(ov)),
    )
    _sheet(
        book,
        _("Areas"),
        [_("Area"), _("Code"), _("Cases"), *(f"{_rate_label(k)} (%)" for k in d.MAP_RATES)],
        (
            [c.name, c.code, ov.by_child[c.pk].volume, *(_percent(v) for v in d.rates_of(ov.by_child[c.pk]).values())]
            for c in area.children
        ),
    )
    _sheet(
        book,
        _("Recurring problems"),
        [_("Rank"), _("Requests"), _("Place"), _("Matter"), _("Examples")],
        (
            [rank, c.count, c.place, c.matter, "\n".join(text for _pk, text in c.samples())]
            for rank, c in enumerate(recurring(user, area, period), start=1)
        ),
    )
    result = forecast(user, area, today)
    rows: list[list[Any]] = []
    for c in result.classes:
        error = [str(c.model_label), c.error.mae and round(c.error.mae, 2), _percent(c.error.mape)]
        rows += [[c.label, w.isoformat(), n, None, *error] for w, n in zip(result.weeks, c.history, strict=True)]
        rows += [[c.label, w.isoformat(), None, n, *error] for w, n in zip(result.ahead, c.forecast, strict=True)]
    _sheet(
        book,
        _("Forecast"),
        [_("Class"), _("Week of"), _("Requests"), _("Forecast"), _("Model"), _("MAE"), _("MAPE (%)")],
        rows,
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
