"""The scope matrix's checks for the dashboards (linli.assessment.views_dashboards): a district's, street's or
community's dashboard, its map areas, trend, recurring problems, forecast and Excel file. A place out of the
viewer's reach is never shown (404 or 403); one in reach answers, or is refused for a role that reads no
dashboards or a level that has none; no page shows an outside row's marker. Registered in READ_PATHS."""

from __future__ import annotations

from collections.abc import Callable

from .matrix_checks import DENIED, HIDDEN, Probe, _leaks, _pk_map, _sample, _xlsx_leaks

LEVELS = {"district", "street", "community"}


def _places(probe: Probe) -> tuple[set[int], set[int]]:
    must, never = probe.want("places.place")
    levels = {pk for pk, place in _pk_map("places.place").items() if place.level in LEVELS}
    return must & levels, never & levels


def dashboard_part(probe: Probe, u: Callable[..., str], xlsx: bool = False) -> None:
    inside, outside = _places(probe)
    for pk in sorted(_sample(probe, inside, probe.per_side) | _sample(probe, outside, probe.per_side)):
        url = u(pk=pk)
        status = probe.client.get(url).status_code
        if pk in outside:
            probe.check(status in HIDDEN | DENIED, f"GET {url} (place#{pk} outside) → {status}")
            continue
        probe.check(status in {200} | HIDDEN | DENIED, f"GET {url} (place#{pk} inside) → {status}")
        if status == 200:
            (_xlsx_leaks if xlsx else _leaks)(probe, url)


DASHBOARD_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "assessment:dashboard_mine": lambda p, u: _leaks(p, u()),
    "assessment:dashboard": dashboard_part,
    "assessment:dashboard_areas": dashboard_part,
    "assessment:dashboard_trend": dashboard_part,
    "assessment:dashboard_recurring": dashboard_part,
    "assessment:dashboard_forecast": dashboard_part,
    "assessment:dashboard_export": lambda p, u: dashboard_part(p, u, xlsx=True),
}
