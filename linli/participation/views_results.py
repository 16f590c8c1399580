"""The published result of a closed vote, for whoever may read the vote: per question the tally by heads and
by area (with a chart drawn from json_script data by a static file), participation against the two-thirds
thresholds, passed or not, the roll digest and ballot root, the result file, and the receipts.

Everything shown comes from the published file (vote.result, written by the count at closing), so the page
shows exactly what a verifier recomputes."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import queries_ballots as q
from .choices import VoteState
from .forms_ballots import OPTION_LABELS, ReceiptForm
from .models_votes import Vote


def _published(request: HttpRequest, pk: int) -> Vote:
    vote = q.vote_for(request.user, pk)
    if vote is None or vote.state != VoteState.CLOSED or not isinstance(vote.result, dict):
        raise Http404
    return vote


def _per_question(section: Any, qid: str) -> dict[str, Any]:
    """A section of the file keyed by question id (a dict), or a list of rows naming their question."""
    if isinstance(section, dict):
        found = section.get(qid, section.get(str(qid), {}))
        return found if isinstance(found, dict) else {}
    for row in section or []:
        if isinstance(row, dict) and str(row.get("id", row.get("question", ""))) == qid:
            return row
    return {}


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _share(part: Decimal, whole: Decimal) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def questions_shown(result: dict[str, Any]) -> list[dict[str, Any]]:
    roll = result.get("roll") or {}
    roll_owners, roll_area = _number(roll.get("owners")), _number(roll.get("area"))
    shown = []
    for question in result.get("questions") or []:
        qid = str(question.get("id"))
        tally = _per_question(result.get("tally"), qid)
        outcome = _per_question(result.get("outcome"), qid)
        taking = tally.get("participating") or {}
        by_option = tally.get("by_option") or {}
        options = [str(o) for o in question.get("options") or []]
        rows: list[dict[str, Any]] = [
            {
                "option": str(OPTION_LABELS.get(o, o)),
                "owners": _number((by_option.get(o) or {}).get("owners")),
                "area": _number((by_option.get(o) or {}).get("area")),
            }
            for o in options
        ]
        owners, area = _number(taking.get("owners")), _number(taking.get("area"))
        shown.append(
            {
                "id": qid,
                "text": str(question.get("text", "")),
                "major": question.get("kind") == "major",
                "rows": rows,
                "owners": owners,
                "area": area,
                "owners_share": _share(owners, roll_owners),
                "area_share": _share(area, roll_area),
                "participation_ok": bool(outcome.get("participation_ok")),
                "passed": bool(outcome.get("passed")),
                # Chart data: numbers and labels only; travels through json_script, drawn as text by ECharts.
                "chart": {
                    "options": [r["option"] for r in rows],
                    "owners": [int(r["owners"]) for r in rows],
                    "area": [float(r["area"]) for r in rows],
                },
            }
        )
    return shown


@login_required
def result(request: HttpRequest, vote: int) -> HttpResponse:
    found = _published(request, vote)
    data: dict[str, Any] = found.result  # type: ignore[assignment]
    questions = questions_shown(data)
    receipts = sorted(str(b.get("receipt", "")) for b in data.get("ballots") or [] if isinstance(b, dict))
    form = ReceiptForm(request.GET if "receipt" in request.GET else None)
    check = _check(data, form) if form.is_bound else None
    context = {
        "vote": found,
        "result": data,
        "questions": questions,
        "charts": {
            "labels": {"owners": _("Owners"), "area": _("Area (m²)"), "save_image": _("Save as image")},
            "questions": [{"id": row["id"], **row["chart"]} for row in questions],
        },
        "roll": data.get("roll") or {},
        "receipts": receipts,
        "form": form,
        "check": check,
    }
    return render(request, "participation/ballots/result.html", context)


def _check(data: dict[str, Any], form: ReceiptForm) -> dict[str, Any]:
    if not form.is_valid():
        return {"found": False}
    receipt = form.cleaned_data["receipt"]
    ballot = next((b for b in data.get("ballots") or [] if b.get("receipt") == receipt), None)
    if ballot is None:
        return {"found": False, "receipt": receipt}
    positions = {str(qn.get("id")): n for n, qn in enumerate(data.get("questions") or [], start=1)}
    choices = sorted(
        (positions.get(str(qid), 0), str(OPTION_LABELS.get(option, option)))
        for qid, option in (ballot.get("choices") or {}).items()
    )
    return {"found": True, "receipt": receipt, "choices": choices}


@login_required
def receipt_check(request: HttpRequest, vote: int) -> HttpResponse:
    """The same page, answering "is my receipt in the published result?" (kept as its own address for links)."""
    return result(request, vote)


@login_required
def result_file(request: HttpRequest, vote: int) -> HttpResponse:
    found = _published(request, vote)
    body = json.dumps(found.result, ensure_ascii=False, indent=2, sort_keys=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vote-{found.pk}-result.json"'
    return response
