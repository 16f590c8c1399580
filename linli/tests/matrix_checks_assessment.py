"""The scope matrix's checks for the assessment pages (/assessment/): a unit's figures open exactly to the
viewers DESIGN gives them (linli/tests/matrix_spec_assessment.figure_units), the cases behind a figure list
exactly the unit's counted cases the viewer may read, a ranking lists exactly the peer group of an area the
viewer may rank and no other unit, and no page shows an outside object's marker (a ranking names the other
units of its peer group: that is what a ranking is). Registered in matrix_checks.READ_PATHS."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from django.utils import timezone

from .matrix_checks import DENIED, HIDDEN, Probe, _leaks, _pk_map
from .matrix_spec_assessment import GROUP_KINDS, figure_units, may_rank, peers, ranking_areas
from .test_matrix_spec import Hat

UNIT_ROW = re.compile(r'data-unit="(\d+)"')
CASE_ROW = re.compile(r'data-case="(\d+)"')


def _hats(probe: Probe) -> list[Hat]:
    if "hats" not in probe.cache:
        probe.cache["hats"] = probe.snap.hats(probe.user)
    return probe.cache["hats"]  # type: ignore[no-any-return]


def _reach(probe: Probe) -> set[int]:
    if "figures" not in probe.cache:
        probe.cache["figures"] = figure_units(probe.snap, _hats(probe))
    return probe.cache["figures"]  # type: ignore[no-any-return]


def _days() -> dict[str, str]:
    """A custom period holding every fact of the world (all of them today's)."""
    today = timezone.localdate()
    return {"from": (today - datetime.timedelta(days=30)).isoformat(), "to": today.isoformat()}


def index(probe: Probe, url: str) -> None:
    """The index lists exactly the units whose figures the viewer reads."""
    response = probe.client.get(url)
    if response.status_code != 200:
        probe.check(response.status_code in DENIED and not _reach(probe), f"GET {url} → {response.status_code}")
        return
    listed = {int(pk) for pk in UNIT_ROW.findall(response.content.decode())}
    probe.check(listed == _reach(probe), f"GET {url}: lists units {sorted(listed)}, not {sorted(_reach(probe))}")
    _leaks(probe, url)


def unit_page(probe: Probe, u: Callable[..., str]) -> None:
    """Every unit: its page answers 200 to a viewer who reads its figures, 403 or 404 to anyone else."""
    reach = _reach(probe)
    for pk in sorted(_pk_map("orgs.unit")):
        url = u(pk=pk)
        status = probe.client.get(url).status_code
        if pk in reach:
            probe.check(status == 200, f"GET {url} (unit#{pk}, figures open) → {status}")
            _leaks(probe, url, {"period": "year"})
        else:
            probe.check(status in HIDDEN | DENIED, f"GET {url} (unit#{pk}, figures closed) → {status}")


def unit_cases(probe: Probe, u: Callable[..., str]) -> None:
    """The cases behind a figure: for a unit in reach, exactly the unit's counted cases the viewer may read;
    for any other unit, nothing (403 or 404)."""
    reach = _reach(probe)
    readable = probe.want("cases.case")[0]
    facts = probe.snap.assessment_facts
    for pk in sorted(_pk_map("orgs.unit")):
        url = u(pk=pk)
        for counter in ("cases", "dispatches", "returned"):
            response = probe.client.get(url, {**_days(), "counter": counter})
            if pk not in reach:
                probe.check(response.status_code in HIDDEN | DENIED, f"GET {url} (unit#{pk}) → {response.status_code}")
                break
            if response.status_code != 200:
                probe.check(False, f"GET {url}?counter={counter} (unit#{pk}) → {response.status_code}")
                continue
            listed = {int(c) for c in CASE_ROW.findall(response.content.decode())}
            want = facts.behind(pk, counter) & readable
            probe.check(listed == want, f"GET {url}?counter={counter}: lists {sorted(listed)}, not {sorted(want)}")
        if pk in reach:
            _leaks(probe, url, {**_days(), "counter": "cases"})


def ranking(probe: Probe, url: str) -> None:
    """Each group: refused to a viewer who may not rank it; in each area they may rank, exactly its peers;
    any other area 404. No outside marker but the peers' names."""
    hats = _hats(probe)
    districts = {pk for pk, (_, level) in probe.snap.assessment_facts.places.items() if level == "district"}
    for group in GROUP_KINDS:
        if not may_rank(hats, group):
            status = probe.client.get(url, {"group": group}).status_code
            probe.check(status in DENIED, f"GET {url}?group={group} (not theirs) → {status}")
            continue
        areas = ranking_areas(probe.snap, hats, group)
        for area in sorted(districts | areas):
            params = {"group": group, "area": str(area), "period": "year"}
            response = probe.client.get(url, params)
            if area not in areas:
                probe.check(response.status_code in HIDDEN, f"GET {url} {params} (outside) → {response.status_code}")
                continue
            if response.status_code != 200:
                probe.check(False, f"GET {url} {params} → {response.status_code}")
                continue
            body = response.content.decode()
            listed = {int(pk) for pk in UNIT_ROW.findall(body)}
            want = peers(probe.snap, area, group)
            probe.check(listed == want, f"GET {url} {params}: ranks {sorted(listed)}, not {sorted(want)}")
            shown = {_pk_map("orgs.unit")[pk].name for pk in want}
            for label, text, pattern in probe.outside_markers():
                if label == "orgs.unit" and text in shown:
                    continue
                probe.check(not pattern.search(body), f"GET {url} {params} shows outside {label} {text!r}")


ASSESSMENT_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "assessment:index": lambda p, u: index(p, u()),
    "assessment:unit": unit_page,
    "assessment:cases": unit_cases,
    "assessment:ranking": lambda p, u: ranking(p, u()),
    "assessment:scheme": lambda p, u: _leaks(p, u()),
}
