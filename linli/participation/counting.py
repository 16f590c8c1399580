"""Counting an owners' vote by Civil Code art. 278, in exact arithmetic (no floats anywhere).

Inputs are the frozen roll's totals (owners by head, exclusive area) and the ballots, each with its voter's
area and its choices {question id: option}. Per question:

- *participating* are the ballots that answer the question with one of its options; abstention (弃权) is an
  answer and so takes part. A ballot that leaves a question unanswered does not take part in that question
  (it still counts for the questions it answers): a voter who skipped a question has not expressed anything
  on it, and counting the silence as an abstention would let the roll's turnout stand in for a choice.
- *participation_ok*: the participating owners are at least 2/3 of the roll's owners AND the participating
  area is at least 2/3 of the roll's area (an empty roll never reaches participation);
- *passed*: participation_ok and, among the participating, the approving option (options[0], 同意) holds
  more than 1/2 of the owners AND more than 1/2 of the area for an ordinary question, at least 3/4 of both
  for a major one.

Every comparison is made on fractions.Fraction, so 2/3 and 3/4 are hit exactly, never approximately.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .choices import OPTIONS, QuestionKind

PARTICIPATION = Fraction(2, 3)
ORDINARY_MAJORITY = Fraction(1, 2)  # strictly more than this
MAJOR_MAJORITY = Fraction(3, 4)  # at least this


@dataclass(frozen=True)
class RollTotals:
    owners: int
    area: Decimal


@dataclass(frozen=True)
class CastBallot:
    area: Decimal
    choices: Mapping[str, str]


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    kind: str  # QuestionKind value: "ordinary" or "major"
    options: tuple[str, ...] = OPTIONS


@dataclass
class Total:
    owners: int = 0
    area: Decimal = Decimal("0.00")

    def add(self, area: Decimal) -> None:
        self.owners += 1
        self.area += area


@dataclass
class QuestionTally:
    participating: Total
    by_option: dict[str, Total] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    participation_ok: bool
    passed: bool


def _share(part: int | Decimal, whole: int | Decimal) -> Fraction | None:
    if not whole:
        return None
    return Fraction(part) / Fraction(whole)


def tally_question(question: QuestionSpec, ballots: Iterable[CastBallot]) -> QuestionTally:
    """Owners and area per option among the ballots answering the question. An option outside the
    question's options is a programming error upstream (the casting actions validate), so it raises."""
    by_option = {option: Total() for option in question.options}
    participating = Total()
    for ballot in ballots:
        choice = ballot.choices.get(question.id)
        if choice is None:
            continue
        if choice not in by_option:
            raise ValueError(f"question {question.id}: unknown option {choice!r}")
        by_option[choice].add(ballot.area)
        participating.add(ballot.area)
    return QuestionTally(participating, by_option)


def participation_ok(roll: RollTotals, participating: Total) -> bool:
    heads = _share(participating.owners, roll.owners)
    area = _share(participating.area, roll.area)
    return heads is not None and area is not None and heads >= PARTICIPATION and area >= PARTICIPATION


def majority_reached(kind: str, approving: Total, participating: Total) -> bool:
    heads = _share(approving.owners, participating.owners)
    area = _share(approving.area, participating.area)
    if heads is None or area is None:
        return False
    if kind == QuestionKind.MAJOR:
        return heads >= MAJOR_MAJORITY and area >= MAJOR_MAJORITY
    if kind == QuestionKind.ORDINARY:
        return heads > ORDINARY_MAJORITY and area > ORDINARY_MAJORITY
    raise ValueError(f"unknown question kind {kind!r}")


def outcome(question: QuestionSpec, roll: RollTotals, tally: QuestionTally) -> Outcome:
    ok = participation_ok(roll, tally.participating)
    approving = tally.by_option[question.options[0]]
    return Outcome(ok, ok and majority_reached(question.kind, approving, tally.participating))


def count(
    roll: RollTotals, questions: Sequence[QuestionSpec], ballots: Sequence[CastBallot]
) -> dict[str, tuple[QuestionTally, Outcome]]:
    """Every question's tally and outcome, by question id."""
    counted = {}
    for question in questions:
        tally = tally_question(question, ballots)
        counted[question.id] = (tally, outcome(question, roll, tally))
    return counted
