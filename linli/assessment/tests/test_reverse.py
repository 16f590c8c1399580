"""Reverse assessment (反向考核): a community rates its street office and a street the departments over it, on
what they exchanged on cases (returns, whistles, co-handling, built through the case actions) and in a
periodic survey; only exchanged units, once each; the scores as reverse.py defines them; and who reads what."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.accounts.choices import Role
from linli.accounts.predicates import can_answer_survey, can_open_survey, can_rate_exchange
from linli.assessment import actions_reverse as act
from linli.assessment.exchanges import rated_candidates, rater_units, to_rate
from linli.assessment.models_reverse import ExchangeRating, ReverseSurvey, SurveyAnswer
from linli.assessment.reverse import answer_score, reverse_scores
from linli.cases import actions
from linli.cases.models import Case
from linli.cases.tests.conftest import submit
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent

pytestmark = pytest.mark.django_db
QUESTIONS = [("响应及时", "30"), ("协调有力", "30"), ("业务指导", "20"), ("作风态度", "20")]


@pytest.fixture
def cases(world: Any, people: dict[str, Any]) -> dict[str, Case]:
    """community: led by community A with its street office co-handling, returned by the community and the
    return rejected by the street dispatcher, and the street office summoned by the community's secretary;
    street: led by department A with department B co-handling, returned by department A and moved to B on
    review, then department A summoned by the street; lone: department A alone, nothing exchanged."""
    u = world.units
    community = submit(world, people["resident"], text="楼道灯坏了一个月，晚上出入很不方便")
    community = actions.dispatch_case(people["dispatcher"], community, unit=u["community_a"], co_units=[u["street_a"]])
    ret = actions.return_case(people["secretary"], community, reason="beyond_power", explanation="需要街道协调")
    actions.review_return(people["dispatcher"], ret, uphold=False, note="社区先行处置，街道协助")
    community = Case.objects.get(pk=community.pk)
    actions.blow_whistle(people["secretary"], community, units=[u["street_a"]], note="请街道到场协调")
    street = submit(world, people["resident"], text="小区门口井盖缺失，存在安全隐患")
    street = actions.dispatch_case(people["dispatcher"], street, unit=u["dept_a"], co_units=[u["dept_b"]])
    ret = actions.return_case(people["handler"], street, reason="not_our_duty", explanation="不属于本部门")
    actions.review_return(people["dispatcher"], ret, uphold=True, unit=u["dept_b"], note="改派")
    street = Case.objects.get(pk=street.pk)
    actions.blow_whistle(people["dispatcher"], street, units=[u["dept_a"]], note="请城管到场")
    lone = submit(world, people["resident"], text="路边垃圾桶满溢无人清运")
    lone = actions.dispatch_case(people["dispatcher"], lone, unit=u["dept_a"])
    return {"community": Case.objects.get(pk=community.pk), "street": Case.objects.get(pk=street.pk), "lone": lone}


def _since() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=60)


def _keys(user: Any, rater: Any) -> set[tuple[int, str, int]]:
    return {(e.case_id, e.kind, e.unit_id) for e in to_rate(user, rater, _since())}


def test_who_rates_whom(world: Any, people: dict[str, Any]) -> None:
    u = world.units
    assert list(rater_units(people["secretary"])) == [u["community_a"]]
    assert list(rater_units(world.users[Role.COMMUNITY_WORKER])) == [u["community_a"]]
    assert list(rater_units(people["dispatcher"])) == [u["street_a"]]
    for nobody in (people["handler"], people["grid"], people["district"], world.admin):
        assert not rater_units(nobody).exists()
    assert list(rated_candidates(u["community_a"])) == [u["street_a"]]  # not street B
    assert set(rated_candidates(u["street_a"])) == {u["dept_a"], u["dept_a_team"], u["dept_b"]}  # not dept X


def test_each_exchange_is_listed_until_rated(world: Any, people: dict[str, Any], cases: dict[str, Case]) -> None:
    u, c, s = world.units, cases["community"].pk, cases["street"].pk
    assert _keys(people["secretary"], u["community_a"]) == {
        (c, "return", u["street_a"].pk),  # the street's dispatcher decided the community's return
        (c, "whistle", u["street_a"].pk),
        (c, "co", u["street_a"].pk),
    }
    assert _keys(people["dispatcher"], u["street_a"]) == {
        (s, "return", u["dept_a"].pk),  # returned it
        (s, "return", u["dept_b"].pk),  # received it on review
        (s, "co", u["dept_b"].pk),
        (s, "whistle", u["dept_a"].pk),
    }  # nothing on the lone case: leading it alone is no exchange
    rating = act.rate_exchange(
        people["secretary"], case=cases["community"], rated_unit=u["street_a"], kind="whistle", score="satisfied"
    )
    assert rating.rater_unit == u["community_a"] and rating.rated_by == people["secretary"]
    assert (c, "whistle", u["street_a"].pk) not in _keys(world.users[Role.COMMUNITY_WORKER], u["community_a"])
    event = AuditEvent.objects.get(action=AuditAction.REVERSE_RATED)
    assert event.target_id == str(rating.pk) and event.data["case"] == cases["community"].number


def test_only_exchanged_units_and_kinds(world: Any, people: dict[str, Any], cases: dict[str, Case]) -> None:
    u = world.units
    refusals: list[tuple[Any, Case, Any, str, type[Exception]]] = [
        (people["dispatcher"], cases["lone"], u["dept_a"], "co", PermissionDenied),  # nothing exchanged
        (people["dispatcher"], cases["street"], u["dept_b"], "whistle", ValidationError),  # B was not summoned
        (people["dispatcher"], cases["street"], u["dept_a"], "co", ValidationError),  # A led; the street no co
        (people["secretary"], cases["community"], u["street_b"], "co", PermissionDenied),  # not its street
        (world.outsiders[Role.STREET_DISPATCHER], cases["street"], u["dept_a"], "whistle", PermissionDenied),
        (world.outsiders[Role.COMMUNITY_SECRETARY], cases["community"], u["street_a"], "co", PermissionDenied),
        (people["handler"], cases["street"], u["dept_b"], "co", PermissionDenied),  # departments rate no one
        (people["district"], cases["street"], u["dept_a"], "whistle", PermissionDenied),
        (people["grid"], cases["community"], u["street_a"], "co", PermissionDenied),
        (world.admin, cases["street"], u["dept_a"], "whistle", PermissionDenied),
    ]
    for who, case, unit, kind, error in refusals:
        with pytest.raises(error):
            act.rate_exchange(who, case=case, rated_unit=unit, kind=kind, score="satisfied")
    assert not ExchangeRating.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.REVERSE_RATED).exists()
    assert can_rate_exchange(people["dispatcher"], cases["street"], u["dept_b"])
    assert not can_rate_exchange(people["dispatcher"], cases["lone"], u["dept_a"])
    with pytest.raises(ValidationError):
        act.rate_exchange(
            people["secretary"], case=cases["community"], rated_unit=u["street_a"], kind="co", score="great"
        )
    with pytest.raises(ValidationError):
        act.rate_exchange(
            people["secretary"],
            case=cases["community"],
            rated_unit=u["street_a"],
            kind="co",
            score="basic",
            comment="<script>alert(1)</script>",
        )
    assert not ExchangeRating.objects.exists()


def test_a_unit_rates_each_exchange_once(world: Any, people: dict[str, Any], cases: dict[str, Case]) -> None:
    u = world.units
    act.rate_exchange(people["secretary"], case=cases["community"], rated_unit=u["street_a"], kind="co", score="basic")
    with pytest.raises(ValidationError):  # a colleague of the same community
        act.rate_exchange(
            world.users[Role.COMMUNITY_WORKER],
            case=cases["community"],
            rated_unit=u["street_a"],
            kind="co",
            score="unsatisfied",
        )
    assert ExchangeRating.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.REVERSE_RATED).count() == 1
    # the same case's other exchanges, and the street's own ratings of its departments, are separate
    act.rate_exchange(
        people["secretary"], case=cases["community"], rated_unit=u["street_a"], kind="return", score="satisfied"
    )
    act.rate_exchange(
        people["dispatcher"], case=cases["street"], rated_unit=u["dept_a"], kind="return", score="unsatisfied"
    )
    act.rate_exchange(
        people["dispatcher"], case=cases["street"], rated_unit=u["dept_b"], kind="return", score="satisfied"
    )
    assert ExchangeRating.objects.count() == 4


def _open(world: Any, people: dict[str, Any], rater_kind: str = "street_office", **extra: Any) -> ReverseSurvey:
    return act.open_survey(
        people["district"],
        district=world.places["110101000000"],
        period=timezone.localdate(),
        rater_kind=rater_kind,
        questions=QUESTIONS,
        **extra,
    )


def test_district_command_opens_a_survey(world: Any, people: dict[str, Any]) -> None:
    survey = _open(world, people)
    assert survey.period == timezone.localdate().replace(day=1) and survey.rated_kind == "district_department"
    assert [q["weight"] for q in survey.questions] == [30, 30, 20, 20]
    assert survey.closes_on == survey.period_end + datetime.timedelta(days=10)
    assert can_open_survey(people["district"], world.places["110101000000"])
    assert not can_open_survey(world.outsiders[Role.DISTRICT_COMMAND], world.places["110101000000"])
    for who in (world.outsiders[Role.DISTRICT_COMMAND], people["dispatcher"], people["secretary"]):
        with pytest.raises(PermissionDenied):
            act.open_survey(
                who,
                district=world.places["110101000000"],
                period=timezone.localdate(),
                rater_kind="street_office",
                questions=QUESTIONS,
            )
    for bad in ([], [("响应及时", "0")], [("响应及时", "x")], [("", "10")], [("a", "1"), ("a", "2")], [("<b>", "1")]):
        with pytest.raises(ValidationError):
            act.open_survey(
                people["district"],
                district=world.places["110101000000"],
                period=timezone.localdate(),
                rater_kind="community_committee",
                questions=bad,
            )
    assert ReverseSurvey.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.SURVEY_OPENED).count() == 1
    changed = act.open_survey(
        people["district"],
        district=world.places["110101000000"],
        period=timezone.localdate(),
        rater_kind="street_office",
        questions=QUESTIONS[:2],
    )
    assert changed.pk == survey.pk and len(changed.questions) == 2  # no answers yet: its questions may change


def test_survey_one_answer_per_period(world: Any, people: dict[str, Any]) -> None:
    u = world.units
    survey = _open(world, people)
    scores = {"q1": 5, "q2": 4, "q3": 3, "q4": 2}
    answer = act.answer_survey(people["dispatcher"], survey=survey, rated_unit=u["dept_a"], scores=scores)
    assert answer.rater_unit == u["street_a"] and answer.score == pytest.approx(67.5)  # (3.7 − 1) ÷ 4 × 100
    with pytest.raises(ValidationError):
        act.answer_survey(people["dispatcher"], survey=survey, rated_unit=u["dept_a"], scores=scores)
    act.answer_survey(people["dispatcher"], survey=survey, rated_unit=u["dept_b"], scores=scores)  # another unit
    with pytest.raises(PermissionDenied):  # not a department over street A
        act.answer_survey(people["dispatcher"], survey=survey, rated_unit=u["dept_x"], scores=scores)
    with pytest.raises(PermissionDenied):  # the survey is for streets; communities rate their street elsewhere
        act.answer_survey(people["secretary"], survey=survey, rated_unit=u["street_a"], scores=scores)
    with pytest.raises(ValidationError):
        act.answer_survey(people["dispatcher"], survey=survey, rated_unit=u["dept_a_team"], scores={"q1": 6})
    assert not can_answer_survey(people["handler"], u["dept_a"])
    assert can_answer_survey(people["secretary"], u["street_a"]) and not can_answer_survey(
        people["secretary"], u["street_b"]
    )
    assert SurveyAnswer.objects.count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.SURVEY_ANSWERED).count() == 2
    with pytest.raises(ValidationError):  # answered: the questions are fixed now
        _open(world, people)
    ReverseSurvey.objects.filter(pk=survey.pk).update(closes_on=timezone.localdate() - datetime.timedelta(days=1))
    survey.refresh_from_db()
    with pytest.raises(ValidationError):  # closed
        act.answer_survey(people["dispatcher"], survey=survey, rated_unit=u["dept_a_team"], scores=scores)


def test_scores(world: Any, people: dict[str, Any], cases: dict[str, Case]) -> None:
    u = world.units
    survey = _open(world, people)
    act.answer_survey(
        people["dispatcher"], survey=survey, rated_unit=u["dept_a"], scores={"q1": 5, "q2": 5, "q3": 5, "q4": 5}
    )
    act.answer_survey(
        world.outsiders[Role.STREET_DISPATCHER],
        survey=survey,
        rated_unit=u["dept_a"],
        scores={"q1": 1, "q2": 3, "q3": 1, "q4": 1},
    )  # street B: (30+90+20+20)/100 = 1.6 → 15
    act.rate_exchange(
        people["dispatcher"], case=cases["street"], rated_unit=u["dept_a"], kind="return", score="satisfied"
    )
    act.rate_exchange(people["dispatcher"], case=cases["street"], rated_unit=u["dept_a"], kind="whistle", score="basic")
    act.rate_exchange(
        people["dispatcher"], case=cases["street"], rated_unit=u["dept_b"], kind="co", score="unsatisfied"
    )
    today = timezone.localdate()
    month = today.replace(day=1)
    scores = reverse_scores([u["dept_a"].pk, u["dept_b"].pk, u["street_a"].pk], month, today)
    a, b, s = scores[u["dept_a"].pk], scores[u["dept_b"].pk], scores[u["street_a"].pk]
    assert a.survey_score == pytest.approx((100 + 15) / 2) and a.answers == 2
    assert a.rated == 2 and a.satisfaction == pytest.approx((1 + 0.8) / 2)
    assert b.survey_score is None and b.satisfaction == 0.0 and b.unsatisfied == 1
    assert s.survey_score is None and s.satisfaction is None and s.rated == 0
    assert answer_score([{"key": "a", "weight": 1}], {"a": 1}) == 0.0
    before = reverse_scores([u["dept_a"].pk], month - datetime.timedelta(days=40), month - datetime.timedelta(days=1))
    assert before[u["dept_a"].pk].rated == 0 and before[u["dept_a"].pk].answers == 0
    # read as street A's dispatcher, street B's answer about department A is not its to read
    mine = reverse_scores([u["dept_a"].pk], month, today, user=people["dispatcher"])[u["dept_a"].pk]
    assert mine.answers == 1 and mine.survey_score == 100.0


def test_scoping(world: Any, people: dict[str, Any], cases: dict[str, Case]) -> None:
    u = world.units
    up = act.rate_exchange(
        people["secretary"], case=cases["community"], rated_unit=u["street_a"], kind="co", score="basic"
    )
    down = act.rate_exchange(
        people["dispatcher"], case=cases["street"], rated_unit=u["dept_b"], kind="co", score="satisfied"
    )
    survey = _open(world, people)
    answer = act.answer_survey(
        people["dispatcher"], survey=survey, rated_unit=u["dept_b"], scores={"q1": 4, "q2": 4, "q3": 4, "q4": 4}
    )

    def seen(user: Any) -> set[int]:
        return set(ExchangeRating.objects.restrict(user).values_list("pk", flat=True))

    assert seen(people["secretary"]) == seen(world.users[Role.COMMUNITY_WORKER]) == {up.pk}  # the rater's people
    assert seen(people["dispatcher"]) == {up.pk, down.pk}  # rated by its community; rater of the department
    assert seen(world.outsiders[Role.DEPARTMENT_HANDLER]) == {down.pk}  # department B's people: rated
    assert seen(people["handler"]) == set()  # department A: neither
    assert seen(people["district"]) == {up.pk, down.pk} == seen(world.admin)
    for nobody in (
        people["grid"],
        people["resident"],
        world.outsiders[Role.DISTRICT_COMMAND],
        world.outsiders[Role.STREET_DISPATCHER],
        world.outsiders[Role.COMMUNITY_SECRETARY],
        world.users[Role.AUDITOR],
        world.users[Role.VOLUNTEER],
        world.users[Role.SERVICE_PROVIDER],
    ):
        assert seen(nobody) == set(), nobody
    answers = SurveyAnswer.objects.restrict
    assert set(answers(world.outsiders[Role.DEPARTMENT_HANDLER]).values_list("pk", flat=True)) == {answer.pk}
    assert not answers(people["handler"]).exists() and not answers(world.outsiders[Role.DISTRICT_COMMAND]).exists()
    surveys = ReverseSurvey.objects.restrict
    for reader in (people["district"], people["dispatcher"], people["secretary"], people["grid"], people["handler"]):
        assert surveys(reader).filter(pk=survey.pk).exists(), reader
    for outsider in (world.outsiders[Role.DISTRICT_COMMAND], people["resident"], world.users[Role.AUDITOR]):
        assert not surveys(outsider).exists(), outsider
    for model in (ExchangeRating, SurveyAnswer, ReverseSurvey):  # written only through the actions
        for user in (world.admin, people["district"], people["dispatcher"]):
            assert not model.objects.restrict(user, "change").exists()
