"""Suggestions for a project's needs: volunteers, library entries and service providers, each with reasons.

The need is read off the project itself: its place, and the text of its need and its "resources needed"
lines. A skill of the volunteers' catalogue, a library entry's tag or kind, or a service kind named in that
text is what is wanted. Volunteers are ranked by linli.volunteers.matching, providers by
linli.services.matching (nearest place served, then ratings); library entries here, out of 100:

- FIELD_WEIGHT when one of the entry's tags (its fields, skills) appears in a need line, or a line in a tag;
- KIND_WEIGHT when a need line names the entry's kind (场地, 设备, 资金 … as the page shows them);
- NEAR_WEIGHTS by distance: same community, same street (linli.resources.choices.Distance);
- STALE_PENALTY taken off an entry whose steward has not confirmed it within the stale period, since a
  venue or fund that may no longer exist is a poor first call.

Only entries that fit something asked are suggested: nearness alone suggests nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from linli.resources.choices import Distance, ResourceKind

FIELD_WEIGHT = 45
KIND_WEIGHT = 30
NEAR_WEIGHTS = {Distance.SAME_COMMUNITY: 25, Distance.SAME_STREET: 12, Distance.ELSEWHERE: 0}
STALE_PENALTY = 20
RESOURCE_POOL = 300
SHOWN = 8


@dataclass
class ResourceSuggestion:
    resource: Any
    score: float
    distance: int | None
    reasons: list[str] = field(default_factory=list)


def need_text(project: Any) -> list[str]:
    """The lines that say what the project needs: each resource line, and the need itself."""
    lines = [str(r).strip() for r in (project.resources or []) if str(r).strip()]
    if project.need:
        lines.append(project.need)
    return lines


def named_in(lines: list[str], names: list[str]) -> list[str]:
    """The names that appear in a line (or a line in the name), case-insensitively; in the order given."""
    lowered = [line.lower() for line in lines]
    return [n for n in names if n and any(n.lower() in line or line in n.lower() for line in lowered)]


def kind_words(kind: str) -> list[str]:
    """A kind's label as the Chinese and the English pages show it: what staff write in a need line."""
    label = ResourceKind(kind).label
    words = {str(label)}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            words.add(str(label))
    return sorted(words)


def rank_resources(lines: list[str], rows: list[Any], stale: set[int], shown: int = SHOWN) -> list[ResourceSuggestion]:
    """Pure: library entries (each with `distance` annotated, or None) scored against the need lines;
    `stale` holds the ids of entries not confirmed within the stale period."""
    words = {kind: kind_words(kind) for kind in ResourceKind.values}
    found: list[ResourceSuggestion] = []
    for row in rows:
        reasons: list[str] = []
        total = 0.0
        fields = named_in(lines, row.tag_list)
        if fields:
            total += FIELD_WEIGHT
            reasons.append(_("Field: %(fields)s") % {"fields": "、".join(fields)})
        if named_in(lines, words.get(row.kind, [])):
            total += KIND_WEIGHT
            reasons.append(_("Kind asked for: %(kind)s") % {"kind": row.get_kind_display()})
        if not total:
            continue
        distance = getattr(row, "distance", None)
        if distance is not None:
            total += NEAR_WEIGHTS.get(distance, 0)
            reasons.append(str(Distance(distance).label))
        if row.pk in stale:
            total -= STALE_PENALTY
            reasons.append(_("Not confirmed since %(date)s") % {"date": f"{row.last_confirmed_at:%Y-%m-%d}"})
        found.append(ResourceSuggestion(row, round(total, 1), distance, reasons))
    found.sort(key=lambda s: (-s.score, s.distance if s.distance is not None else 9, s.resource.name, s.resource.pk))
    return found[:shown]


@dataclass
class ProjectMatches:
    volunteers: Any  # linli.volunteers.matching.Ranked
    resources: list[ResourceSuggestion]
    providers: list[Any]  # linli.services.matching.Match


def suggest_for_project(user: Any, project: Any) -> ProjectMatches:
    """Everything suggested for the project page, read through the user's scope; a fixed number of queries."""
    from linli.resources.models import stale_cutoff
    from linli.resources.queries import search
    from linli.services.matching import offers_of_kinds, rank_offers, service_kinds_of
    from linli.services.models import ServiceKind
    from linli.volunteers.matching import suggest
    from linli.volunteers.models import Skill

    lines = need_text(project)
    catalogue = list(Skill.objects.restrict(user).order_by("name")[:500])
    wanted = [s for s in catalogue if named_in(lines, [s.name])]
    volunteers = suggest(user, project.place, wanted)

    rows = list(search(user, place=project.place)[:RESOURCE_POOL])
    cutoff = stale_cutoff()
    resources = rank_resources(lines, rows, {r.pk for r in rows if r.last_confirmed_at < cutoff})

    kinds = [k.pk for k in ServiceKind.objects.filter(is_active=True) if named_in(lines, [k.name])]
    case = project.source_case if project.source_case_id else None
    if case is not None and case.matter_id is not None:
        kinds += list(service_kinds_of(case.matter).values_list("pk", flat=True))
    providers = rank_offers(offers_of_kinds(kinds, project.place), project.place)[:SHOWN] if kinds else []
    return ProjectMatches(volunteers, resources, providers)
