"""The data-scope spec for project packages and open calls (DESIGN §1 "sees", §9), over the fixture world's
projects (linli/tests/matrix_projects.py).

Written from the rules, not from linli.projects.scoping, deciding in Python over rows read once:
- a draft is read by the place roles (grid worker, community staff, street dispatcher, district command)
  whose places hold its place; a project once published or assigned is read by every user with a grant in
  force (an open call is addressed to organisations and volunteer teams wherever they are); a draft cancelled
  before either stays with the place roles;
- a project and its claims are changed by community workers, secretaries and district command over its place;
- a claim is read by the place roles over its project's place and by its own claimant: never by a rival;
- progress reports, their photos, ratings and the timeline go with their project when read, and nobody
  changes them, platform admins included (append-only: the actions write them);
- nobody without a grant in force reads anything; platform admins reach everything else; exporting and
  picking are reading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role
from linli.projects.models import Claim, ProgressPhoto, ProgressReport, Project, ProjectEvent, Rating

READERS = {
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_DISPATCHER,
    Role.DISTRICT_COMMAND,
}
KEEPERS = {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND}

# The parts that go with their project: label → (model, path from the part to its project's id).
PARTS: dict[str, tuple[type[Any], str]] = {
    "projects.progressreport": (ProgressReport, "project_id"),
    "projects.progressphoto": (ProgressPhoto, "report__project_id"),
    "projects.rating": (Rating, "project_id"),
    "projects.projectevent": (ProjectEvent, "project_id"),
}
PROJECT_MODELS: dict[str, type[Any]] = {
    "projects.project": Project,
    "projects.claim": Claim,
    **{label: model for label, (model, _) in PARTS.items()},
}


class ProjectFacts:
    def __init__(self) -> None:
        # pk → (place path, public: published or given to someone at some point)
        self.projects: dict[int, tuple[str, bool]] = {
            pk: (path, published is not None or claimant is not None)
            for pk, path, published, claimant in Project.objects.values_list(
                "pk", "place__path", "published_at", "claimant_id"
            )
        }
        self.claims: dict[int, tuple[int, int]] = {
            pk: (project, by) for pk, project, by in Claim.objects.values_list("pk", "project_id", "claimant_id")
        }
        self.parts: dict[str, dict[int, int]] = {
            label: dict(model.objects.values_list("pk", path)) for label, (model, path) in PARTS.items()
        }


def _under(facts: ProjectFacts, paths: list[str]) -> set[int]:
    return {pk for pk, (path, _) in facts.projects.items() if any(path.startswith(p) for p in paths)}


def project_rule(label: str) -> Callable[..., tuple[set[int], set[int]]]:
    def rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[int], set[int]]:
        facts: ProjectFacts = snap.project_facts
        if label == "projects.project":
            rows = set(facts.projects)
        elif label == "projects.claim":
            rows = set(facts.claims)
        else:
            rows = set(facts.parts[label])
        if not hats or (action == "change" and label in PARTS):
            return set(), set()
        if any(h.role == Role.PLATFORM_ADMIN for h in hats):
            return rows, set()
        if action == "change":
            managed = _under(facts, [h.path for h in hats if h.role in KEEPERS and h.path])
            if label == "projects.project":
                return managed, set()
            return {pk for pk, (project, _) in facts.claims.items() if project in managed}, set()
        placed = _under(facts, [h.path for h in hats if h.role in READERS and h.path])
        if label == "projects.claim":
            return {pk for pk, (project, by) in facts.claims.items() if project in placed or by == user.pk}, set()
        visible = placed | {pk for pk, (_, public) in facts.projects.items() if public}
        if label == "projects.project":
            return visible, set()
        return {pk for pk, project in facts.parts[label].items() if project in visible}, set()

    return rule
