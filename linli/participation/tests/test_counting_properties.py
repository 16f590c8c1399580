"""Property tests of the art. 278 counting: for random rolls and ballots, the outcome equals a direct
evaluation of the thresholds written here independently, on Fractions from raw integers of hundredths — and
constructed cases sit exactly on 1/2, 2/3 and 3/4 (and one hundredth or one head either side), so that the
boundaries are hit every run rather than by luck."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from linli.participation import counting
from linli.participation.choices import OPTIONS

AGREE, OPPOSE, ABSTAIN = OPTIONS
Q = "1"


@dataclass(frozen=True)
class Case:
    roll_heads: int
    roll_cents: int
    ballots: tuple[tuple[int, str | None], ...]  # (area in hundredths, choice or None = unanswered)
    kind: str


def oracle(case: Case) -> tuple[bool, bool]:
    """Art. 278 read straight off the statute: participation of ≥ 2/3 of owners and of area; then more than
    half (ordinary) or at least three quarters (major) of the participating owners and area approve."""
    answered = [(cents, choice) for cents, choice in case.ballots if choice is not None]
    heads = len(answered)
    cents = sum(c for c, _ in answered)
    yes_heads = sum(1 for _, choice in answered if choice == AGREE)
    yes_cents = sum(c for c, choice in answered if choice == AGREE)
    if case.roll_heads == 0 or case.roll_cents == 0:
        return False, False
    participation = Fraction(heads, case.roll_heads) >= Fraction(2, 3) and Fraction(cents, case.roll_cents) >= Fraction(
        2, 3
    )
    if not participation or heads == 0 or cents == 0:
        return participation, False
    head_share, area_share = Fraction(yes_heads, heads), Fraction(yes_cents, cents)
    if case.kind == "major":
        return True, head_share >= Fraction(3, 4) and area_share >= Fraction(3, 4)
    return True, head_share > Fraction(1, 2) and area_share > Fraction(1, 2)


def counted(case: Case) -> counting.Outcome:
    roll = counting.RollTotals(case.roll_heads, Decimal(case.roll_cents) / 100)
    ballots = [
        counting.CastBallot(Decimal(cents) / 100, {} if choice is None else {Q: choice})
        for cents, choice in case.ballots
    ]
    question = counting.QuestionSpec(Q, case.kind)
    _, outcome = counting.count(roll, [question], ballots)[Q]
    return outcome


choices = st.sampled_from([AGREE, OPPOSE, ABSTAIN, None])
kinds = st.sampled_from(["ordinary", "major"])


@st.composite
def random_cases(draw: st.DrawFn) -> Case:
    areas = draw(st.lists(st.integers(1, 30_000), min_size=1, max_size=40))  # the roll's voters, in hundredths
    voted = draw(st.lists(st.booleans(), min_size=len(areas), max_size=len(areas)))
    ballots = tuple((a, draw(choices)) for a, v in zip(areas, voted, strict=True) if v)
    return Case(len(areas), sum(areas), ballots, draw(kinds))


@st.composite
def threshold_cases(draw: st.DrawFn) -> tuple[Case, str]:
    """A case sitting exactly on one threshold (then nudged by one hundredth or left exact), and which."""
    which = draw(st.sampled_from(["participation", "half", "three_quarters"]))
    k = draw(st.integers(1, 8))
    unit = draw(st.integers(1, 5_000))  # every voter's area, so heads and area sit on the threshold together
    nudge = draw(st.sampled_from([-1, 0, 1]))  # hundredths added to the first approving ballot
    if which == "participation":
        # 3k voters, 2k answer (all agree): exactly 2/3 of heads and area.
        roll = [unit] * (3 * k)
        ballots = [(unit, AGREE) for _ in range(2 * k)]
        kind = draw(kinds)
    elif which == "half":
        # Everyone votes; 2k of them, exactly half approve, by heads and area.
        roll = [unit] * (2 * k)
        ballots = [(unit, AGREE)] * k + [(unit, draw(st.sampled_from([OPPOSE, ABSTAIN])))] * k
        kind = "ordinary"
    else:
        roll = [unit] * (4 * k)
        ballots = [(unit, AGREE)] * (3 * k) + [(unit, OPPOSE)] * k
        kind = "major"
    ballots[0] = (ballots[0][0] + nudge, ballots[0][1]) if ballots[0][0] + nudge > 0 else ballots[0]
    roll_cents = sum(roll) - unit + ballots[0][0] if which != "participation" else sum(roll)
    return Case(len(roll), roll_cents, tuple(ballots), kind), which


@settings(max_examples=400, deadline=None)
@given(random_cases())
def test_random_rolls_and_ballots_match_the_statute(case: Case) -> None:
    participation, passed = oracle(case)
    assert counted(case) == counting.Outcome(participation, passed)


@settings(max_examples=300, deadline=None)
@given(threshold_cases())
def test_cases_on_the_thresholds_match_the_statute(drawn: tuple[Case, str]) -> None:
    case, _ = drawn
    participation, passed = oracle(case)
    assert counted(case) == counting.Outcome(participation, passed)


@settings(max_examples=200, deadline=None)
@given(threshold_cases())
def test_threshold_cases_really_sit_on_the_threshold(drawn: tuple[Case, str]) -> None:
    """The constructed cases are what they claim: exactly 2/3, 1/2 or 3/4 by heads (area within a nudge)."""
    case, which = drawn
    heads = len([b for b in case.ballots if b[1] is not None])
    yes = len([b for b in case.ballots if b[1] == AGREE])
    want = {"participation": Fraction(2, 3), "half": Fraction(1, 2), "three_quarters": Fraction(3, 4)}[which]
    got = Fraction(heads, case.roll_heads) if which == "participation" else Fraction(yes, heads)
    assert got == want


def _exact(heads: int, yes: int, roll: int, kind: str, area: int = 100) -> Case:
    ballots = tuple([(area, AGREE)] * yes + [(area, OPPOSE)] * (heads - yes))
    return Case(roll, roll * area, ballots, kind)


def test_exact_ties_at_the_thresholds() -> None:
    # Exactly 2/3 participation is enough; one head fewer is not.
    assert counted(_exact(2, 2, 3, "ordinary")) == counting.Outcome(True, True)
    assert counted(_exact(1, 1, 3, "ordinary")) == counting.Outcome(False, False)
    # Exactly 1/2 approval does not pass an ordinary question; one more does.
    assert counted(_exact(4, 2, 4, "ordinary")) == counting.Outcome(True, False)
    assert counted(_exact(4, 3, 4, "ordinary")) == counting.Outcome(True, True)
    # Exactly 3/4 passes a major question; just under does not.
    assert counted(_exact(4, 3, 4, "major")) == counting.Outcome(True, True)
    assert counted(_exact(8, 5, 8, "major")) == counting.Outcome(True, False)


def test_area_decides_when_heads_say_yes() -> None:
    """Most heads approve, but the approving owners hold less than 3/4 of the participating area."""
    ballots = ((100, AGREE), (100, AGREE), (100, AGREE), (400, OPPOSE))
    case = Case(4, 700, ballots, "major")
    assert counted(case) == counting.Outcome(True, False) == counting.Outcome(*oracle(case))


def test_abstention_takes_part_and_silence_does_not() -> None:
    # Three of three answer (one abstains): participation holds, 2/3 approve → passes an ordinary question.
    assert counted(Case(3, 300, ((100, AGREE), (100, AGREE), (100, ABSTAIN)), "ordinary")).passed
    # The third leaves the question unanswered instead: still 2/3 participation, 2/2 approve.
    assert counted(Case(3, 300, ((100, AGREE), (100, AGREE), (100, None)), "ordinary")) == counting.Outcome(True, True)
    # Two of three are silent: no participation.
    assert not counted(Case(3, 300, ((100, AGREE), (100, None), (100, None)), "ordinary")).participation_ok


@example(Case(0, 0, (), "ordinary"))
@given(st.builds(Case, st.just(0), st.just(0), st.just(()), kinds))
def test_an_empty_roll_never_participates(case: Case) -> None:
    assert counted(case) == counting.Outcome(False, False)
