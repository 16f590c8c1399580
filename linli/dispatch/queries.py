from __future__ import annotations

from typing import Any

from .models import DecisionQuerySet, DispatchDecision, DispatchModel


def decisions_for(user: Any, action: str = "view") -> DecisionQuerySet:
    return DispatchDecision.objects.restrict(user, action)


def recent_models(limit: int = 10) -> list[DispatchModel]:
    return list(DispatchModel.objects.order_by("-version")[:limit])
