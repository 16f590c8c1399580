"""The scope matrix's checks for the assessment pages (/assessment/): a unit's figures open exactly to the
viewers DESIGN gives them (linli/tests/matrix_spec_assessment.figure_units), the cases behind a figure list
exactly the unit's counted cases the viewer may read, a ranking lists exactly the peer group of an area the
viewer may rank and no other unit, and no page shows an outside object's marker (a ranking names the other
units of its peer group: that is what a ranking is). The reverse assessment's pages and the monthly reports
open exactly to the raters, rated units and readers of linli/tests/matrix_spec_reverse.py. Registered in
matrix_checks.READ_PATHS."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone

from .matrix_checks import DENIED, HIDDEN, Probe, _leaks, _pk_map, _xlsx_leaks
from .matrix_spec_assessment import GROUP_KINDS, figure_units, may_rank, peers, ranking_areas
from .matrix_spec_reverse import rated_candidates, rater_units, report_units, survey_raters
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


# --------------------------------------------------------------------------------------------------
# The reverse assessment (反向考核) and the monthly reports: linli/tests/matrix_spec_reverse.py


def _month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def to_rate(probe: Probe, url: str) -> None:
    """The "to rate" page: for each unit the viewer rates as, 200 with every rating that unit gave; any other
    unit asked for, 404 (or the page refused); no outside marker anywhere."""
    raters = rater_units(probe.snap, _hats(probe))
    _leaks(probe, url)
    for pk in sorted(_pk_map("orgs.unit")):
        response = probe.client.get(url, {"unit": str(pk)})
        if pk not in raters:
            probe.check(
                response.status_code in HIDDEN | DENIED, f"GET {url}?unit={pk} (not a rater) → {response.status_code}"
            )
            continue
        if response.status_code != 200:
            probe.check(False, f"GET {url}?unit={pk} (rater) → {response.status_code}")
            continue
        body = response.content.decode()
        ratings = _pk_map("assessment.exchangerating")
        given = {
            r: ratings[r].comment for r in probe.want("assessment.exchangerating")[0] if ratings[r].rater_unit_id == pk
        }
        for rating, text in sorted(given.items()):
            probe.check(text in body, f"GET {url}?unit={pk}: its rating #{rating} {text!r} not shown")
        _leaks(probe, url, {"unit": str(pk)})


DATA_RATER = re.compile(r'data-rater="(\d+)"')


def surveys(probe: Probe, url: str) -> None:
    """The surveys page: a section per unit the viewer rates as, and in it, for each survey that asks that
    unit, a link to answer about each unit it rates not answered yet; no outside marker."""
    hats = _hats(probe)
    raters = rater_units(probe.snap, hats)
    response = probe.client.get(url)
    if response.status_code != 200:
        probe.check(response.status_code in DENIED and not raters, f"GET {url} → {response.status_code}")
        return
    body = response.content.decode()
    listed = {int(pk) for pk in DATA_RATER.findall(body)}
    probe.check(listed == raters, f"GET {url}: rater sections {sorted(listed)}, not {sorted(raters)}")
    answered = {pair for pair in probe.snap.reverse_facts.answers.values()}
    for survey in sorted(probe.snap.reverse_facts.surveys):
        for rater in survey_raters(probe.snap, hats, survey):
            for unit in sorted(rated_candidates(probe.snap, rater)):
                link = reverse("assessment:reverse_survey_answer", args=[survey, unit])
                if (rater, unit) not in answered:
                    probe.check(link in body, f"GET {url}: no link to answer survey#{survey} about unit#{unit}")
    _leaks(probe, url)


def survey_answer(probe: Probe, u: Callable[..., str]) -> None:
    """The answer form of one survey about one unit: 200 when the survey asks one of the viewer's rater units
    about it; 403/404 when the survey is out of the viewer's reach or the unit is none the viewer rates. (A
    survey in reach asking another kind of rater is left open: the action refuses the answer.)"""
    hats = _hats(probe)
    reach = probe.want("assessment.reversesurvey")[0]
    rateable: set[int] = set()
    for rater in rater_units(probe.snap, hats):
        rateable |= rated_candidates(probe.snap, rater)
    for survey in sorted(probe.snap.reverse_facts.surveys):
        asked: set[int] = set()
        for rater in survey_raters(probe.snap, hats, survey):
            asked |= rated_candidates(probe.snap, rater)
        for unit in sorted(_pk_map("orgs.unit")):
            url = u(pk=survey, unit=unit)
            status = probe.client.get(url).status_code
            if survey not in reach or unit not in rateable:
                probe.check(status in HIDDEN | DENIED, f"GET {url} (survey#{survey}, unit#{unit} closed) → {status}")
            elif unit in asked:
                probe.check(status == 200, f"GET {url} (survey#{survey} asks about unit#{unit}) → {status}")
                _leaks(probe, url)


def results(probe: Probe, url: str) -> None:
    """The results: the month's list names every unit rated in a rating or answer the viewer reads; with
    ?unit=, 200 for each such unit with the comments of those ratings and answers; no outside marker."""
    month = _month()
    labels = ("assessment.exchangerating", "assessment.surveyanswer")
    rated: dict[int, list[str]] = {}
    for label in labels:
        for pk in probe.want(label)[0]:
            row = _pk_map(label)[pk]
            rated.setdefault(row.rated_unit_id, []).append(row.comment)
    response = probe.client.get(url, {"month": month})
    if response.status_code != 200:
        probe.check(response.status_code in DENIED and not rated, f"GET {url} → {response.status_code}")
        return
    listed = {int(pk) for pk in UNIT_ROW.findall(response.content.decode())}
    probe.check(set(rated) <= listed, f"GET {url}: lists units {sorted(listed)}, not all of {sorted(rated)}")
    _leaks(probe, url, {"month": month})
    for unit in sorted(_pk_map("orgs.unit")):
        params = {"month": month, "unit": str(unit)}
        response = probe.client.get(url, params)
        if unit not in rated:
            if response.status_code == 200:
                _leaks(probe, url, params)
            else:
                probe.check(response.status_code in HIDDEN, f"GET {url} {params} → {response.status_code}")
            continue
        if response.status_code != 200:
            probe.check(False, f"GET {url} {params} (rated unit) → {response.status_code}")
            continue
        body = response.content.decode()
        for text in rated[unit]:
            probe.check(text in body, f"GET {url} {params}: {text!r} not shown")
        _leaks(probe, url, params)


def reports(probe: Probe, url: str) -> None:
    """The reports index lists exactly the street offices and departments whose report the viewer reads."""
    want = report_units(probe.snap, _hats(probe))
    response = probe.client.get(url)
    if response.status_code != 200:
        probe.check(response.status_code in DENIED and not want, f"GET {url} → {response.status_code}")
        return
    listed = {int(pk) for pk in UNIT_ROW.findall(response.content.decode())}
    probe.check(listed == want, f"GET {url}: lists units {sorted(listed)}, not {sorted(want)}")
    _leaks(probe, url)


def report(probe: Probe, u: Callable[..., str], fmt: str) -> None:
    """One unit's report (page, Excel or PDF) for this month: 200 for a unit whose report the viewer reads,
    404 (or refused) for any other unit; no outside marker on the page or in the workbook."""
    want = report_units(probe.snap, _hats(probe))
    for pk in sorted(_pk_map("orgs.unit")):
        url = u(unit=pk, month=_month())
        response = probe.client.get(url)
        if pk not in want:
            probe.check(
                response.status_code in HIDDEN | DENIED, f"GET {url} (unit#{pk} closed) → {response.status_code}"
            )
            continue
        probe.check(response.status_code == 200, f"GET {url} (unit#{pk} open) → {response.status_code}")
        if response.status_code != 200:
            continue
        if fmt == "page":
            _leaks(probe, url)
        elif fmt == "xlsx":
            _xlsx_leaks(probe, url)
        else:
            probe.check(response.content.startswith(b"%PDF"), f"GET {url}: not a PDF")


ASSESSMENT_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "assessment:index": lambda p, u: index(p, u()),
    "assessment:unit": unit_page,
    "assessment:cases": unit_cases,
    "assessment:ranking": lambda p, u: ranking(p, u()),
    "assessment:scheme": lambda p, u: _leaks(p, u()),
    "assessment:reverse_to_rate": lambda p, u: to_rate(p, u()),
    "assessment:reverse_surveys": lambda p, u: surveys(p, u()),
    "assessment:reverse_survey_answer": survey_answer,
    "assessment:reverse_results": lambda p, u: results(p, u()),
    "assessment:reports": lambda p, u: reports(p, u()),
    "assessment:report": lambda p, u: report(p, u, "page"),
    "assessment:report_xlsx": lambda p, u: report(p, u, "xlsx"),
    "assessment:report_pdf": lambda p, u: report(p, u, "pdf"),
}
