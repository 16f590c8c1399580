"""The reverse assessment's pages: the "to rate" list and its one-tap HTMX rating, the survey pages, the results;
who gets in, and that stored text stays inert."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from linli.accounts.choices import Role
from linli.assessment import actions_reverse as act
from linli.assessment.models_reverse import ExchangeRating, ReverseSurvey, SurveyAnswer
from linli.assessment.tests.test_reverse import QUESTIONS, cases  # noqa: F401
from linli.cases.models import Case

pytestmark = pytest.mark.django_db
TO_RATE = "/assessment/reverse/"
RATE = "/assessment/reverse/rate/"
SURVEYS = "/assessment/reverse/surveys/"
RESULTS = "/assessment/reverse/results/"


def test_to_rate_list_and_one_tap_rating(
    client: Any,
    world: Any,
    people: dict[str, Any],
    cases: dict[str, Case],  # noqa: F811
) -> None:
    u, case = world.units, cases["community"]
    client.force_login(people["secretary"])
    page = client.get(TO_RATE)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("data-exchange=") == 3 and case.number in html
    form = {
        "case": case.pk,
        "unit": u["street_a"].pk,
        "kind": "whistle",
        "score": "basic",
        "comment": "<b>到场及时</b>",
    }
    refused = client.post(RATE, form, HTTP_HX_REQUEST="true")  # markup in the comment: refused, in the row
    assert refused.status_code == 200 and "data-errors" in refused.content.decode()
    assert not ExchangeRating.objects.exists()
    form["comment"] = "到场及时"
    row = client.post(RATE, form, HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert 'data-rated="basic"' in row.content.decode() and "<form" not in row.content.decode()
    rating = ExchangeRating.objects.get()
    assert rating.kind == "whistle" and rating.rater_unit == u["community_a"]
    again = client.post(RATE, {**form, "comment": ""}, HTTP_HX_REQUEST="true")  # the same exchange, once more
    assert "data-errors" in again.content.decode() and ExchangeRating.objects.count() == 1
    plain = client.post(RATE, {**form, "kind": "co", "score": "satisfied", "comment": "配合好"})
    assert plain.status_code == 302 and plain["Location"] == TO_RATE
    assert ExchangeRating.objects.count() == 2
    html = client.get(TO_RATE).content.decode()
    assert html.count("data-exchange=") == 1  # the return is left
    foreign = {**form, "case": cases["street"].pk, "unit": u["street_a"].pk}  # not a community-A exchange
    assert client.post(RATE, foreign).status_code == 403
    assert ExchangeRating.objects.count() == 2


def test_rating_pages_refuse_others(
    client: Any,
    world: Any,
    people: dict[str, Any],
    cases: dict[str, Case],  # noqa: F811
) -> None:
    form = {"case": cases["street"].pk, "unit": world.units["dept_a"].pk, "kind": "whistle", "score": "basic"}
    for who in (people["handler"], people["resident"], people["district"], world.users[Role.AUDITOR]):
        client.force_login(who)
        assert client.get(TO_RATE).status_code == 403
        assert client.post(RATE, form).status_code == 403
    client.force_login(world.outsiders[Role.STREET_DISPATCHER])  # a rater, but the case is not its to read
    assert client.post(RATE, form).status_code == 404
    assert client.get(TO_RATE).content.decode().count("data-exchange=") == 0
    assert not ExchangeRating.objects.exists()
    client.logout()
    assert client.get(TO_RATE).status_code == 302


def test_survey_pages(client: Any, world: Any, people: dict[str, Any]) -> None:
    u = world.units
    client.force_login(people["district"])
    assert 'id="open-survey"' in client.get(SURVEYS).content.decode()
    form = client.get(SURVEYS + "open/").content.decode()
    assert 'name="text_0"' in form and 'name="weight_3" value="20"' in form and 'name="text_4"' in form
    data: dict[str, Any] = {
        "district": world.places["110101000000"].pk,
        "period": f"{timezone.localdate():%Y-%m}",
        "months": 1,
        "rater_kind": "community_committee",
        "closes_on": "",
    }
    for n, (text, weight) in enumerate(QUESTIONS):
        data[f"text_{n}"], data[f"weight_{n}"] = text, weight
    assert client.post(SURVEYS + "open/", data).status_code == 302
    survey = ReverseSurvey.objects.get()
    assert survey.rated_kind == "street_office" and len(survey.questions) == 4
    client.force_login(world.outsiders[Role.DISTRICT_COMMAND])
    assert client.post(SURVEYS + "open/", data).status_code == 200  # its district is not in the choices
    assert ReverseSurvey.objects.count() == 1
    client.force_login(people["secretary"])
    assert client.get(SURVEYS + "open/").status_code == 403
    listing = client.get(SURVEYS).content.decode()
    assert f'data-answer="{u["street_a"].pk}"' in listing
    url = f"{SURVEYS}{survey.pk}/{u['street_a'].pk}/"
    bad = client.post(url, {"q1": "5", "q2": "9"})
    assert bad.status_code == 200 and not SurveyAnswer.objects.exists()
    good = client.post(url, {"q1": "5", "q2": "4", "q3": "3", "q4": "2", "comment": "<img src=x onerror=alert(1)>"})
    assert good.status_code == 200 and not SurveyAnswer.objects.exists()  # markup refused, nothing stored
    assert client.post(url, {"q1": "5", "q2": "4", "q3": "3", "q4": "2", "comment": "总体不错"}).status_code == 302
    assert SurveyAnswer.objects.get().score == pytest.approx(67.5)
    assert f'data-answer="{u["street_a"].pk}"' not in client.get(SURVEYS).content.decode()
    assert client.post(url, {"q1": "5", "q2": "4", "q3": "3", "q4": "2"}).status_code == 200  # answered already
    assert SurveyAnswer.objects.count() == 1
    client.force_login(people["dispatcher"])  # a street does not answer the communities' survey
    assert client.get(f"{SURVEYS}{survey.pk}/{u['street_a'].pk}/").status_code == 403
    client.force_login(world.outsiders[Role.COMMUNITY_SECRETARY])  # community B: its street is B
    assert client.get(url).status_code == 403
    client.force_login(people["handler"])
    assert client.get(SURVEYS).status_code == 403


def test_results(client: Any, world: Any, people: dict[str, Any], cases: dict[str, Case]) -> None:  # noqa: F811
    u = world.units
    act.rate_exchange(
        people["dispatcher"],
        case=cases["street"],
        rated_unit=u["dept_a"],
        kind="whistle",
        score="basic",
        comment="迟到",
    )
    act.rate_exchange(
        people["dispatcher"], case=cases["street"], rated_unit=u["dept_a"], kind="return", score="satisfied"
    )
    client.force_login(people["district"])
    html = client.get(RESULTS).content.decode()
    assert f'data-unit="{u["dept_a"].pk}"' in html and f'data-unit="{u["street_b"].pk}"' in html
    assert "90.0%" in html  # (1 + 0.8) ÷ 2
    detail = client.get(RESULTS, {"unit": u["dept_a"].pk}).content.decode()
    assert "迟到" in detail and cases["street"].number in detail
    client.force_login(people["handler"])  # department A's own people read what was said about it
    assert "迟到" in client.get(RESULTS, {"unit": u["dept_a"].pk}).content.decode()
    client.force_login(world.outsiders[Role.DEPARTMENT_HANDLER])
    html = client.get(RESULTS).content.decode()
    assert f'data-unit="{u["dept_a"].pk}"' not in html
    assert client.get(RESULTS, {"unit": u["dept_a"].pk}).status_code == 404
    client.force_login(world.outsiders[Role.DISTRICT_COMMAND])
    assert f'data-unit="{u["dept_a"].pk}"' not in client.get(RESULTS).content.decode()
    client.force_login(people["resident"])
    assert client.get(RESULTS).status_code == 403
