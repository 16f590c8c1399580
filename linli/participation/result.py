"""The published result file of an owners' vote (docs/participation-result-format.md is its specification
for outside verifiers; this docstring and that document say the same).

`build_result(vote)` returns a dict with exactly these keys:
- `vote`: the vote's id (integer); `title`: its title;
- `questions`: [{`id`, `text`, `kind` ("ordinary" or "major"), `options`}], in the vote's order; a question's
  `id` is a string (the question's database id) and the ballots' `choices` use the same strings as keys;
  `options[0]` is the approving option (同意);
- `roll`: {`owners` (integer), `area` (decimal string), `digest` (linli.participation.roll's roll digest)};
- `ballots`: [{`receipt`, `area`, `choices` {question id: option}}], sorted by receipt (code point order); a
  question left unanswered is absent from `choices`;
- `tally`: {question id: {`participating`: {`owners`, `area`}, `by_option`: {option: {`owners`, `area`}}}}
  with every option present;
- `outcome`: {question id: {`participation_ok`, `passed`}} (linli.participation.counting);
- `root`: the ballot root hash.

Areas are decimal strings with exactly two decimals ("88.50"), never floats; owners are integers.

Root: h₀ = SHA-256 of the UTF-8 bytes of "linli-vote:" followed by the vote id in decimal; then for each
ballot in the file's order (by receipt) hᵢ = SHA-256(hᵢ₋₁ ‖ SHA-256(cᵢ)) over the 32-byte raw digests, where
cᵢ is the ballot's canonical JSON: the object {"area", "choices", "receipt"} exactly as in the file, written
with keys sorted (also inside `choices`), separators "," and ":", no whitespace, non-ASCII characters
written as themselves, UTF-8 encoded. `root` is hₙ in lowercase hex (h₀ for a vote with no ballot).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from . import counting
from .choices import OPTIONS, QuestionKind
from .models_votes import Vote

KEYS = ("vote", "title", "questions", "roll", "ballots", "tally", "outcome", "root")
CENT = Decimal("0.01")


def area_text(area: Decimal) -> str:
    return str(Decimal(area).quantize(CENT))


def canonical_ballot(ballot: dict[str, Any]) -> bytes:
    body = {"area": ballot["area"], "choices": ballot["choices"], "receipt": ballot["receipt"]}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def ballot_root(vote_id: int, ballots: list[dict[str, Any]]) -> str:
    head = hashlib.sha256(f"linli-vote:{vote_id}".encode()).digest()
    for ballot in ballots:
        head = hashlib.sha256(head + hashlib.sha256(canonical_ballot(ballot)).digest()).digest()
    return head.hex()


def _total(total: counting.Total) -> dict[str, Any]:
    return {"owners": total.owners, "area": area_text(total.area)}


def _count(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Tally and outcome recomputed from the file's own roll, questions and ballots."""
    roll = counting.RollTotals(int(data["roll"]["owners"]), Decimal(data["roll"]["area"]))
    questions = [counting.QuestionSpec(q["id"], q["kind"], tuple(q["options"])) for q in data["questions"]]
    ballots = [counting.CastBallot(Decimal(b["area"]), b["choices"]) for b in data["ballots"]]
    tally, outcome = {}, {}
    for qid, (counted, result) in counting.count(roll, questions, ballots).items():
        tally[qid] = {
            "participating": _total(counted.participating),
            "by_option": {option: _total(t) for option, t in counted.by_option.items()},
        }
        outcome[qid] = {"participation_ok": result.participation_ok, "passed": result.passed}
    return tally, outcome


def build_result(vote: Vote) -> dict[str, Any]:
    questions = [
        {"id": str(q.pk), "text": q.text, "kind": q.kind, "options": list(OPTIONS)}
        for q in vote.questions.order_by("position", "pk")
    ]
    ballots: list[dict[str, Any]] = [
        {"receipt": receipt, "area": area_text(area), "choices": dict(sorted(choices.items()))}
        for receipt, area, choices in vote.ballots.order_by("receipt").values_list("receipt", "area", "choices")
    ]
    ballots.sort(key=lambda b: b["receipt"])  # code point order whatever the database's collation
    data: dict[str, Any] = {
        "vote": vote.pk,
        "title": vote.title,
        "questions": questions,
        "roll": {"owners": vote.roll_owners, "area": area_text(vote.roll_area), "digest": vote.roll_digest},
        "ballots": ballots,
    }
    data["tally"], data["outcome"] = _count(data)
    data["root"] = ballot_root(vote.pk, ballots)
    return {key: data[key] for key in KEYS}


def _shape_problems(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return ["the file is not a JSON object"]
    if set(data) != set(KEYS):
        return [f"keys are {sorted(data)}, expected exactly {sorted(KEYS)}"]
    problems = []
    ids = [q.get("id") for q in data["questions"] if isinstance(q, dict)]
    if len(ids) != len(data["questions"]) or len(set(ids)) != len(ids) or not all(isinstance(i, str) for i in ids):
        problems.append("questions need unique string ids")
    for q in data["questions"]:
        if isinstance(q, dict) and q.get("kind") not in QuestionKind.values:
            problems.append(f"question {q.get('id')}: kind {q.get('kind')!r} is neither ordinary nor major")
        if isinstance(q, dict) and (not isinstance(q.get("options"), list) or not q.get("options")):
            problems.append(f"question {q.get('id')}: no options")
    try:
        Decimal(data["roll"]["area"])
        areas = [b["area"] for b in data["ballots"]]
        if not all(isinstance(a, str) for a in [data["roll"]["area"], *areas]):
            problems.append("areas must be decimal strings")
        [Decimal(a) for a in areas]
    except (InvalidOperation, KeyError, TypeError):
        problems.append("an area is not a decimal string")
    return problems


def _ballot_problems(data: dict[str, Any]) -> list[str]:
    problems = []
    receipts = [b.get("receipt") for b in data["ballots"]]
    if len(set(receipts)) != len(receipts):
        problems.append("a receipt appears twice")
    if receipts != sorted(receipts, key=str):
        problems.append("ballots are not in receipt order")
    if len(receipts) > int(data["roll"]["owners"]):
        problems.append("more ballots than owners on the roll")
    options = {q["id"]: q["options"] for q in data["questions"]}
    for ballot in data["ballots"]:
        for qid, option in (ballot.get("choices") or {}).items():
            if option not in options.get(qid, ()):
                problems.append(f"ballot {ballot.get('receipt')}: {option!r} is no option of question {qid}")
    return problems


def verify_result(data: Any) -> list[str]:
    """The problems found in a result file (empty: it holds together): its shape, its ballots, and the
    tally, outcome and root recomputed from its ballots against the ones it states."""
    try:
        return _verify(data)
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
        # A file of the wrong shape deeper down than the top-level checks look: a problem, not a crash.
        return [f"the file does not follow the format: {exc!r}"]


def _verify(data: Any) -> list[str]:
    problems = _shape_problems(data)
    if problems:
        return problems
    problems = _ballot_problems(data)
    if problems:
        return problems
    tally, outcome = _count(data)
    for qid in tally:
        if data["tally"].get(qid) != tally[qid]:
            problems.append(f"question {qid}: the stated tally differs from the ballots' ({tally[qid]})")
        if data["outcome"].get(qid) != outcome[qid]:
            problems.append(f"question {qid}: the stated outcome differs from the tally's ({outcome[qid]})")
    if set(data["tally"]) != set(tally) or set(data["outcome"]) != set(outcome):
        problems.append("tally or outcome names questions the file does not ask")
    root = ballot_root(data["vote"], data["ballots"])
    if data["root"] != root:
        problems.append(f"the root does not match the ballots (recomputed {root})")
    return problems
