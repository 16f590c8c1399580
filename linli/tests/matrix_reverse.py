"""The reverse assessment's part of the matrix world (反向考核): exchange ratings and survey answers on each side,
so that every clause of its scope rules (the rater unit's people, the rated unit's people and those of a unit
above it, district command of either unit's district, a survey's district staff) has rows inside and outside
each viewer's reach. Used by conftest's `matrix_world` after the cases exist.

Exchange ratings are written directly as rows (which exchanges may be rated is tested with the actions, in
linli/assessment/tests); the surveys are opened, and the answers of units with a person acting for them
given, through linli.assessment.actions_reverse.

| rater        | rated        | case / survey                 | comment (the marker pages must hide)  |
|--------------|--------------|-------------------------------|---------------------------------------|
| community_a  | street_a     | a_street (co-handling)        | 矩阵评甲社街                          |
| community_b  | street_b     | b_own (whistle)               | 矩阵评乙社街                          |
| street_a     | dept_a       | a_own (co-handling)           | 矩阵评甲街城管                        |
| street_a     | dept_a_team  | a_team (co-handling)          | 矩阵评甲街执法队 (a unit below dept_a) |
| street_b     | dept_a       | b_own (whistle)               | 矩阵评乙街城管 (across the sides)     |
| street_x     | dept_x       | x_case (co-handling)          | 矩阵评丙街水务 (西城区)              |
| community_a  | street_a     | 东城区 communities' survey     | 矩阵答甲社评街                        |
| community_b  | street_b     | 东城区 communities' survey     | 矩阵答乙社评街                        |
| street_a     | dept_a       | 东城区 streets' survey         | 矩阵答甲街评城管                      |
| street_b     | dept_b       | 东城区 streets' survey         | 矩阵答乙街评人社                      |
| street_x     | dept_x       | 西城区 streets' survey         | 矩阵答丙街评水务 (nobody acts for street_x: a row) |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from linli.accounts.choices import Role
from linli.assessment.actions_reverse import answer_survey, open_survey
from linli.assessment.models_reverse import ExchangeRating, ReverseSurvey, SurveyAnswer
from linli.assessment.reverse import answer_score

DISTRICT_A = "110101000000"
DISTRICT_X = "110102000000"
# Each survey's one question is its marker: only its district's staff may see it.
QUESTIONS = {"a_community": "矩阵问甲区社区", "a_street": "矩阵问甲区街道", "x_street": "矩阵问丙区街道"}


@dataclass
class Reverse:
    ratings: dict[str, ExchangeRating] = field(default_factory=dict)
    surveys: dict[str, ReverseSurvey] = field(default_factory=dict)
    answers: dict[str, SurveyAnswer] = field(default_factory=dict)


def make_reverse(world: Any) -> Reverse:
    users, outsiders, units, cases = world.users, world.outsiders, world.units, world.cases
    secretary_a, secretary_b = users[Role.COMMUNITY_SECRETARY], outsiders[Role.COMMUNITY_SECRETARY]
    street_a, street_b = users[Role.STREET_DISPATCHER], outsiders[Role.STREET_DISPATCHER]
    district_a, district_x = users[Role.DISTRICT_COMMAND], outsiders[Role.DISTRICT_COMMAND]
    out = Reverse()
    now = timezone.now()
    rows = {
        # key: (rater, rated, case, kind, comment, rated_by)
        "ca_sa": ("community_a", "street_a", "a_street", "co", "矩阵评甲社街", secretary_a),
        "cb_sb": ("community_b", "street_b", "b_own", "whistle", "矩阵评乙社街", secretary_b),
        "sa_da": ("street_a", "dept_a", "a_own", "co", "矩阵评甲街城管", street_a),
        "sa_team": ("street_a", "dept_a_team", "a_team", "co", "矩阵评甲街执法队", street_a),
        "sb_da": ("street_b", "dept_a", "b_own", "whistle", "矩阵评乙街城管", street_b),
        "sx_dx": ("street_x", "dept_x", "x_case", "co", "矩阵评丙街水务", district_x),
    }
    for key, (rater, rated, case, kind, comment, by) in rows.items():
        out.ratings[key] = ExchangeRating.objects.create(
            rater_unit=units[rater],
            rated_unit=units[rated],
            case=cases[case],
            kind=kind,
            score="satisfied" if key != "sb_da" else "unsatisfied",
            comment=comment,
            rated_by=by,
            at=now,
        )
    period = timezone.localdate().replace(day=1)
    for key, (opener, district, kind) in {
        "a_community": (district_a, DISTRICT_A, "community_committee"),
        "a_street": (district_a, DISTRICT_A, "street_office"),
        "x_street": (district_x, DISTRICT_X, "street_office"),
    }.items():
        out.surveys[key] = open_survey(
            opener, district=world.places[district], period=period, rater_kind=kind, questions=[(QUESTIONS[key], 1)]
        )
    for key, (who, asked, rated, comment) in {
        "ca_sa": (secretary_a, "a_community", "street_a", "矩阵答甲社评街"),
        "cb_sb": (secretary_b, "a_community", "street_b", "矩阵答乙社评街"),
        "sa_da": (street_a, "a_street", "dept_a", "矩阵答甲街评城管"),
        "sb_db": (street_b, "a_street", "dept_b", "矩阵答乙街评人社"),
    }.items():
        out.answers[key] = answer_survey(
            who, survey=out.surveys[asked], rated_unit=units[rated], scores={"q1": 4}, comment=comment
        )
    x_survey = out.surveys["x_street"]
    out.answers["sx_dx"] = SurveyAnswer.objects.create(
        survey=x_survey,
        rater_unit=units["street_x"],
        rated_unit=units["dept_x"],
        period=x_survey.period,
        scores={"q1": 3},
        score=answer_score(x_survey.questions, {"q1": 3}),
        comment="矩阵答丙街评水务",
        answered_by=district_x,
        at=now,
    )
    return out
