"""The published result: its exact keys, its round trip through verify_result, the commands, and the outside
verifier (tools/verify_vote_result.py, standard library only) run as a subprocess on published files and on
tampered copies."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from linli.participation.actions import votes
from linli.participation.choices import ABSTAIN, AGREE, OPPOSE
from linli.participation.models_votes import RollEntry
from linli.participation.result import ballot_root, build_result, verify_result

from .votes import cast, close_now, make_vote

pytestmark = pytest.mark.django_db
VERIFIER = Path(__file__).resolve().parents[3] / "tools" / "verify_vote_result.py"


@pytest.fixture
def closed(runner: Any, estate: Any) -> Any:
    """Building A's vote, one ordinary and one major question, all three voters cast: the owner of two parts
    agrees to both, the couple agrees to the first and abstains on the second, the developer opposes the first
    and leaves the second unanswered."""
    vote = make_vote(runner, estate.building, ("ordinary", "major"))
    votes.open_vote(runner, vote)
    q1, q2 = (str(pk) for pk in vote.questions.order_by("position").values_list("pk", flat=True))
    entries = {e.owner_key[:2]: e for e in RollEntry.objects.filter(vote=vote)}
    p = estate.persons
    by_key = {e.owner_key: e for e in RollEntry.objects.filter(vote=vote)}
    cast(vote, by_key[f"p:{p['wang'].pk}"], {q1: AGREE, q2: AGREE})
    cast(vote, by_key[f"p:{min(p['li'].pk, p['han'].pk)},{max(p['li'].pk, p['han'].pk)}"], {q1: AGREE, q2: ABSTAIN})
    cast(vote, entries["o:"], {q1: OPPOSE})
    close_now(runner, vote)
    vote.refresh_from_db()
    return vote


def test_the_file_has_exactly_the_issue_keys_and_counts_right(closed: Any) -> None:
    data = closed.result
    assert list(build_result(closed)) == ["vote", "title", "questions", "roll", "ballots", "tally", "outcome", "root"]
    assert set(data) == {"vote", "title", "questions", "roll", "ballots", "tally", "outcome", "root"}
    q1, q2 = (q["id"] for q in data["questions"])
    assert data["questions"][0]["options"] == [AGREE, OPPOSE, ABSTAIN] and data["questions"][1]["kind"] == "major"
    assert data["roll"] == {"owners": 3, "area": "400.00", "digest": closed.roll_digest}
    assert [b["receipt"] for b in data["ballots"]] == sorted(b["receipt"] for b in data["ballots"])
    assert all(isinstance(b["area"], str) for b in data["ballots"])
    # q1: 3 of 3 heads, 400 of 400 m²; agree 2 heads 230 m² (> 1/2 of both) → passes.
    assert data["tally"][q1]["participating"] == {"owners": 3, "area": "400.00"}
    assert data["tally"][q1]["by_option"][AGREE] == {"owners": 2, "area": "230.00"}
    assert data["outcome"][q1] == {"participation_ok": True, "passed": True}
    # q2: the developer is silent: 2 of 3 heads (exactly 2/3) but 230 of 400 m² (< 2/3) → no participation.
    assert data["tally"][q2]["participating"] == {"owners": 2, "area": "230.00"}
    assert data["tally"][q2]["by_option"][ABSTAIN] == {"owners": 1, "area": "80.00"}
    assert data["outcome"][q2] == {"participation_ok": False, "passed": False}
    assert data["root"] == ballot_root(closed.pk, data["ballots"]) == closed.result_root
    assert verify_result(json.loads(json.dumps(data))) == []


def _tampered(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    q1 = data["questions"][0]["id"]
    changed_choice = copy.deepcopy(data)
    ballot = next(b for b in changed_choice["ballots"] if b["choices"][q1] == OPPOSE)
    ballot["choices"][q1] = AGREE
    changed_area = copy.deepcopy(data)
    changed_area["ballots"][0]["area"] = str(int(float(changed_area["ballots"][0]["area"])) + 1) + ".00"
    dropped = copy.deepcopy(data)
    dropped["ballots"].pop()
    # Dropping a ballot and fixing the tally and outcome still leaves the root to catch it.
    dropped_and_recounted = copy.deepcopy(dropped)
    from linli.participation.result import _count

    dropped_and_recounted["tally"], dropped_and_recounted["outcome"] = _count(dropped_and_recounted)
    flipped_outcome = copy.deepcopy(data)
    flipped_outcome["outcome"][q1]["passed"] = False
    extra_key = {**copy.deepcopy(data), "note": "x"}
    return {
        "changed choice": changed_choice,
        "changed area": changed_area,
        "dropped ballot": dropped,
        "dropped ballot, recounted": dropped_and_recounted,
        "flipped outcome": flipped_outcome,
        "extra key": extra_key,
    }


def test_verify_result_catches_tampering(closed: Any) -> None:
    for what, data in _tampered(closed.result).items():
        assert verify_result(data), what


def test_malformed_files_are_problems_not_crashes(closed: Any) -> None:
    broken = copy.deepcopy(closed.result)
    broken["ballots"][0]["choices"] = ["not", "a", "mapping"]
    assert verify_result(broken)
    assert verify_result({**copy.deepcopy(closed.result), "questions": 5})
    assert verify_result([]) == ["the file is not a JSON object"]


def test_vote_result_and_vote_verify_commands(closed: Any, tmp_path: Path, runner: Any, estate: Any) -> None:
    out = StringIO()
    call_command("vote_result", "--vote", str(closed.pk), stdout=out)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(closed.result))
    path = tmp_path / "one.json"
    call_command("vote_result", "--vote", str(closed.pk), "--out", str(path))
    ok = StringIO()
    call_command("vote_verify", str(path), stdout=ok)
    assert ok.getvalue().strip() == "OK"
    open_vote = make_vote(runner, estate.building)
    with pytest.raises(CommandError, match="a result is published when the vote closes"):
        call_command("vote_result", "--vote", str(open_vote.pk))
    folder = tmp_path / "all"
    call_command("vote_result", "--all", "--dir", str(folder), stderr=StringIO())
    assert sorted(p.name for p in folder.iterdir()) == [f"vote-{closed.pk}.json"]
    for what, data in _tampered(closed.result).items():
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(CommandError):
            call_command("vote_verify", str(bad))
        assert what


def _outside(*paths: Path | str) -> subprocess.CompletedProcess[str]:
    # -I: isolated mode, so nothing from the project (its path, its environment) can leak into the verifier.
    return subprocess.run(  # noqa: S603 - our own interpreter on our own script and files
        [sys.executable, "-I", str(VERIFIER), *map(str, paths)], capture_output=True, text=True, timeout=60
    )


def test_the_outside_verifier_agrees_and_catches_tampering(closed: Any, tmp_path: Path) -> None:
    call_command("vote_result", "--all", "--dir", str(tmp_path), stderr=StringIO())
    published = tmp_path / f"vote-{closed.pk}.json"
    done = _outside(published)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK")
    receipt = closed.result["ballots"][0]["receipt"]
    done = _outside(published, "--receipt", receipt)
    assert done.returncode == 0
    for what, data in _tampered(closed.result).items():
        bad = tmp_path / "tampered.json"
        bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        done = _outside(bad)
        assert done.returncode == 1 and "FAILED" in done.stdout, what


def test_the_outside_verifier_imports_nothing_of_the_project() -> None:
    source = VERIFIER.read_text(encoding="utf-8")
    imported = {line.split()[1].split(".")[0] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imported <= {"__future__", "hashlib", "json", "re", "sys"}, imported
