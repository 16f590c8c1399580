#!/usr/bin/env python3
"""An outside verifier for Linli's published owners' vote results.

Written from docs/participation-result-format.md alone, with the Python standard library only: it imports
nothing from Linli, so that anyone can run it on a published file. Areas are read as integers of hundredths
of a square metre and every threshold is compared by cross-multiplying integers.

    python3 tools/verify_vote_result.py vote-17.json [vote-18.json …] [--receipt XXXX-XXXX-XXXX-XXXX]

Exit status 0 and "OK <file>" for each file that holds together; 1 and the first problem otherwise.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys

KEYS = {"vote", "title", "questions", "roll", "ballots", "tally", "outcome", "root"}
AREA = re.compile(r"^[0-9]+\.[0-9]{2}$")


class Problem(Exception):
    pass


def hundredths(text: object) -> int:
    if not isinstance(text, str) or not AREA.match(text):
        raise Problem(f"area {text!r} is not a decimal string with two decimals")
    whole, cents = text.split(".")
    return int(whole) * 100 + int(cents)


def as_area(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


def root_of(vote_id: int, ballots: list) -> str:
    head = hashlib.sha256(("linli-vote:" + str(vote_id)).encode("utf-8")).digest()
    for ballot in ballots:
        body = {"area": ballot["area"], "choices": ballot["choices"], "receipt": ballot["receipt"]}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        head = hashlib.sha256(head + hashlib.sha256(canonical).digest()).digest()
    return head.hex()


def passes(kind: str, yes_heads: int, yes_area: int, heads: int, area: int) -> bool:
    if heads <= 0 or area <= 0:
        return False
    if kind == "ordinary":  # more than one half of both
        return 2 * yes_heads > heads and 2 * yes_area > area
    if kind == "major":  # at least three quarters of both
        return 4 * yes_heads >= 3 * heads and 4 * yes_area >= 3 * area
    raise Problem(f"question kind {kind!r} is neither ordinary nor major")


def check(data: object) -> None:
    if not isinstance(data, dict) or set(data) != KEYS:
        raise Problem("the file must be an object with exactly the keys " + ", ".join(sorted(KEYS)))
    roll_heads = data["roll"]["owners"]
    roll_area = hundredths(data["roll"]["area"])
    if not isinstance(roll_heads, int) or isinstance(roll_heads, bool):
        raise Problem("roll.owners is not an integer")
    questions = data["questions"]
    ids = [q["id"] for q in questions]
    if len(set(ids)) != len(ids) or not all(isinstance(i, str) for i in ids):
        raise Problem("question ids must be unique strings")
    options = {q["id"]: list(q["options"]) for q in questions}
    ballots = data["ballots"]
    receipts = [b["receipt"] for b in ballots]
    if len(set(receipts)) != len(receipts):
        raise Problem("a receipt appears twice")
    if receipts != sorted(receipts):
        raise Problem("the ballots are not sorted by receipt")
    if len(ballots) > roll_heads:
        raise Problem("there are more ballots than owners on the roll")
    areas = {}
    for ballot in ballots:
        areas[ballot["receipt"]] = hundredths(ballot["area"])
        for qid, choice in ballot["choices"].items():
            if qid not in options or choice not in options[qid]:
                raise Problem(f"ballot {ballot['receipt']}: {choice!r} is not an option of question {qid!r}")
    if set(data["tally"]) != set(ids) or set(data["outcome"]) != set(ids):
        raise Problem("tally and outcome must name exactly the file's questions")
    for question in questions:
        qid = question["id"]
        counted = {o: [0, 0] for o in options[qid]}
        for ballot in ballots:
            if qid in ballot["choices"]:
                counted[ballot["choices"][qid]][0] += 1
                counted[ballot["choices"][qid]][1] += areas[ballot["receipt"]]
        heads = sum(c[0] for c in counted.values())
        area = sum(c[1] for c in counted.values())
        want_tally = {
            "participating": {"owners": heads, "area": as_area(area)},
            "by_option": {o: {"owners": c[0], "area": as_area(c[1])} for o, c in counted.items()},
        }
        if data["tally"][qid] != want_tally:
            raise Problem(f"question {qid}: the tally does not match the ballots")
        ok = roll_heads > 0 and roll_area > 0 and 3 * heads >= 2 * roll_heads and 3 * area >= 2 * roll_area
        yes = counted[options[qid][0]]
        passed = ok and passes(question["kind"], yes[0], yes[1], heads, area)
        if data["outcome"][qid] != {"participation_ok": ok, "passed": passed}:
            raise Problem(f"question {qid}: the outcome does not follow from the tally")
    if data["root"] != root_of(data["vote"], ballots):
        raise Problem("the root hash does not match the ballots")


def main(argv: list[str]) -> int:
    receipt = None
    if "--receipt" in argv:
        at = argv.index("--receipt")
        receipt = argv[at + 1]
        argv = argv[:at] + argv[at + 2 :]
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    status = 0
    for path in argv:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            check(data)
            if receipt is not None and receipt not in {b["receipt"] for b in data["ballots"]}:
                raise Problem(f"receipt {receipt} is not in the file")
        except (OSError, ValueError, KeyError, TypeError, AttributeError, Problem) as exc:
            print(f"FAILED {path}: {exc}")
            status = 1
            continue
        print(f"OK {path}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
